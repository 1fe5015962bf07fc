"""App config of the tenancy core."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QcPortalConfig(AppConfig):
    """The ``qcportal`` app: organisations, users, memberships and scoping."""

    name = "qcportal"
    label = "qcportal"
    verbose_name = _("租户核心")

    def ready(self) -> None:
        """Register the audited models, the API routes of the tenancy core and the session
        timeout's login receiver."""
        from . import api_routes, audit, middleware  # noqa: F401 (middleware: its receiver)

        audit.register()
        api_routes.register()
