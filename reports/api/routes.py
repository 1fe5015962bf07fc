"""API routes of the reports app, registered on :data:`qcportal.api.api_router`."""

from qcportal.api import register_api_viewset


def register() -> None:
    """Route ``/api/v1/report-runs/``."""
    from .views import ReportRunViewSet

    register_api_viewset("report-runs", ReportRunViewSet, basename="reportrun")
