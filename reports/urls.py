"""HTML routes of the reports app."""

from django.urls import path

from . import views, views_dashboard

app_name = "reports"

urlpatterns = [
    path("campaigns/<str:code>/forms/", views.CampaignFormsView.as_view(), name="campaign-forms"),
    path(
        "campaigns/<str:code>/work-summaries/<str:kind>/",
        views.WorkSummaryView.as_view(),
        name="work-summary",
    ),
    path(
        "campaigns/<str:code>/work-summaries/<str:kind>/<str:org>/",
        views.WorkSummaryView.as_view(),
        name="work-summary-org",
    ),
    path(
        "campaigns/<str:code>/national-package/", views.NationalPackageView.as_view(), name="national-package"
    ),
    path(
        "campaigns/<str:code>/certificates.zip/",
        views.CertificatesZipView.as_view(),
        name="certificates-zip",
    ),
    path("reports/runs/", views.ReportRunListView.as_view(), name="run-list"),
    path("reports/runs/<int:pk>/", views.ReportRunDetailView.as_view(), name="run-detail"),
    path("reports/runs/<int:pk>/download/", views.ReportRunDownloadView.as_view(), name="run-download"),
    path("dashboard/", views_dashboard.DashboardView.as_view(), name="dashboard"),
]
