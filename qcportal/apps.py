"""App config of the tenancy core."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class QcPortalConfig(AppConfig):
    """The ``qcportal`` app: organisations, users, memberships and scoping."""

    name = "qcportal"
    label = "qcportal"
    verbose_name = _("租户核心")

    def ready(self) -> None:
        """Register the audited models, the API routes of the tenancy core, the login receivers
        (session timeout, active sessions, re-authentication, two-factor state), the audit
        trail's access-event receivers, the acting-membership cache's receivers
        (``qcportal.tenancy.connect_acting_cache``) and the handlers that delete replaced and deleted files
        after commit (``qcportal.files``)."""
        from . import api_routes, audit, audit_events, files, middleware, otp, reauth, user_sessions  # noqa: F401 (receivers)
        from .tenancy import connect_acting_cache

        connect_acting_cache()
        audit.register()
        api_routes.register()
        files.connect()
