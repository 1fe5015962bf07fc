"""API routes of the tenancy core, registered on :data:`qcportal.api.api_router`."""

from .api import register_api_viewset


def register() -> None:
    """Route ``/api/v1/organisations/``, ``/api/v1/audit-entries/``,
    ``/api/v1/notifications/`` and ``/api/v1/tokens/``."""
    from .api_views import AuditEntryViewSet, NotificationViewSet, OrganisationViewSet
    from .token_api import ApiTokenViewSet

    register_api_viewset("organisations", OrganisationViewSet, basename="organisation")
    register_api_viewset("audit-entries", AuditEntryViewSet, basename="auditentry")
    register_api_viewset("notifications", NotificationViewSet, basename="notification")
    register_api_viewset("tokens", ApiTokenViewSet, basename="apitoken")
