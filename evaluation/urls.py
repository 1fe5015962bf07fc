"""HTML routes of the evaluation app."""

from django.urls import include, path

from . import urls_sheets, views, views_certificates, views_conferences, views_honours, views_library

app_name = "evaluation"

urlpatterns = [
    path("tasks/", views.JudgeTaskListView.as_view(), name="task-list"),
    path("submissions/", views.SubmissionListView.as_view(), name="submission-list"),
    path("submissions/new/", views.SubmissionCreateView.as_view(), name="submission-create"),
    path("submissions/<int:pk>/edit/", views.SubmissionEditView.as_view(), name="submission-edit"),
    path(
        "submissions/<int:pk>/recommendation-form/",
        views.RecommendationFormUploadView.as_view(),
        name="recommendation-form-upload",
    ),
    path("submissions/<int:pk>/video/", views.VideoUploadView.as_view(), name="video-upload"),
    path(
        "submissions/<int:pk>/files/<str:kind>/", views.SubmissionFileView.as_view(), name="submission-file"
    ),
    path("submissions/<int:pk>/", views.SubmissionDetailView.as_view(), name="submission-detail"),
    path("submissions/<int:pk>/sheet/", views.ScoreSheetSaveView.as_view(), name="sheet-save"),
    path("submissions/<int:pk>/recuse/", views.RecusalView.as_view(), name="recuse"),
    path("submissions/<int:pk>/assign/", views.AssignView.as_view(), name="assign"),
    path("submissions/<int:pk>/report/", views.ResultReportUploadView.as_view(), name="report-upload"),
    path(
        "submissions/<int:pk>/report/download/",
        views.ResultReportDownloadView.as_view(),
        name="report-download",
    ),
    path("assignments/<int:pk>/remove/", views.UnassignView.as_view(), name="unassign"),
    path("sheets/<int:pk>/withdraw/", views.SheetWithdrawView.as_view(), name="sheet-withdraw"),
    path("campaigns/<str:code>/judging/", views.JudgingOverviewView.as_view(), name="judging"),
    # 成果发表会 (issue 11, item 2): evaluation/views_conferences.py
    path("conferences/", views_conferences.ConferenceListView.as_view(), name="conference-list"),
    path("conferences/new/", views_conferences.ConferenceFormView.as_view(), name="conference-create"),
    path("conferences/<int:pk>/", views_conferences.ConferenceDetailView.as_view(), name="conference-detail"),
    path(
        "conferences/<int:pk>/edit/", views_conferences.ConferenceFormView.as_view(), name="conference-edit"
    ),
    path(
        "conferences/signups/<int:pk>/",
        views_conferences.SignUpDetailView.as_view(),
        name="conference-signup",
    ),
    # 成果知识库 (issue 11, item 3): evaluation/views_library.py
    path("library/", views_library.LibraryListView.as_view(), name="library"),
    path("library/<int:pk>/", views_library.LibraryDetailView.as_view(), name="library-detail"),
    path("library/<int:pk>/report/", views_library.LibraryReportView.as_view(), name="library-report"),
    path(
        "library/adoptions/<int:pk>/delete/",
        views_library.AdoptionDeleteView.as_view(),
        name="adoption-delete",
    ),
    # 表彰与激励, 荣誉证书 (issue 11, items 4 and 5): evaluation/views_honours.py, views_certificates.py
    path("honours/", views_honours.HonourListView.as_view(), name="honour-list"),
    path("honours/new/", views_honours.HonourFormView.as_view(), name="honour-create"),
    path("honours/from-grades/", views_honours.HonoursFromGradesView.as_view(), name="honour-from-grades"),
    path("honours/person/", views_honours.PersonHistoryView.as_view(), name="honour-person"),
    path("honours/<int:pk>/", views_honours.HonourDetailView.as_view(), name="honour-detail"),
    path("honours/<int:pk>/edit/", views_honours.HonourFormView.as_view(), name="honour-edit"),
    path("honours/<int:pk>/delete/", views_honours.HonourDeleteView.as_view(), name="honour-delete"),
    path(
        "honours/<int:pk>/certificate/",
        views_certificates.HonourCertificateView.as_view(),
        name="honour-certificate",
    ),
    path("certificates/", views_certificates.CertificateListView.as_view(), name="certificate-list"),
    path("certificates/issue/", views_certificates.CertificatesIssueView.as_view(), name="certificate-issue"),
    path(
        "certificates/<int:pk>/",
        views_certificates.CertificateDetailView.as_view(),
        name="certificate-detail",
    ),
    path(
        "certificates/<int:pk>/reissue/",
        views_certificates.CertificateReissueView.as_view(),
        name="certificate-reissue",
    ),
    path(
        "certificates/<int:pk>/<str:kind>/",
        views_certificates.CertificateFileView.as_view(),
        name="certificate-file",
    ),
    path("", include("evaluation.urls_pool")),
    path("", include("evaluation.urls_rounds")),
    path("", include("evaluation.urls_grading")),
]
urlpatterns += urls_sheets.urlpatterns
