"""HTML routes of the evaluation app."""

from django.urls import path

from . import views

app_name = "evaluation"

urlpatterns = [
    path("tasks/", views.JudgeTaskListView.as_view(), name="task-list"),
    path("submissions/<int:pk>/", views.SubmissionDetailView.as_view(), name="submission-detail"),
    path("submissions/<int:pk>/sheet/", views.ScoreSheetSaveView.as_view(), name="sheet-save"),
    path("submissions/<int:pk>/recuse/", views.RecusalView.as_view(), name="recuse"),
    path("submissions/<int:pk>/release/", views.ReleaseView.as_view(), name="release"),
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
]
