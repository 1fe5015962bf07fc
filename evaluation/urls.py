"""HTML routes of the evaluation app."""

from django.urls import include, path

from . import urls_sheets, views, views_conferences, views_library

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
    path("", include("evaluation.urls_pool")),
    path("", include("evaluation.urls_rounds")),
    path("", include("evaluation.urls_grading")),
]
urlpatterns += urls_sheets.urlpatterns
