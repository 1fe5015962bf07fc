"""API routes of the tenancy core, registered on :data:`qcportal.api.api_router`."""

from .api import register_api_viewset


def register() -> None:
    """Route ``/api/v1/organisations/`` and ``/api/v1/audit-entries/``."""
    from .api_views import AuditEntryViewSet, OrganisationViewSet

    register_api_viewset("organisations", OrganisationViewSet, basename="organisation")
    register_api_viewset("audit-entries", AuditEntryViewSet, basename="auditentry")
