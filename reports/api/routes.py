"""API routes of the reports app, registered on :data:`qcportal.api.api_router`."""

from qcportal.api import register_api_viewset


def register() -> None:
    """Route ``/api/v1/report-runs/`` (with ``national-package/``),
    ``/api/v1/campaigns/{code}/work-summaries/{kind}/`` and ``/api/v1/dashboard/``."""
    from .dashboard import DashboardViewSet
    from .views import ReportRunViewSet, WorkSummaryViewSet

    register_api_viewset("report-runs", ReportRunViewSet, basename="reportrun")
    register_api_viewset(
        r"campaigns/(?P<campaign_code>[^/.]+)/work-summaries", WorkSummaryViewSet, basename="worksummary"
    )
    register_api_viewset("dashboard", DashboardViewSet, basename="dashboard")
