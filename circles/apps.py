"""App config of ``circles``."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CirclesConfig(AppConfig):
    """QC circles, members, projects (课题) and activity records."""

    name = "circles"
    verbose_name = _("QC小组")

    def ready(self) -> None:
        """Register the row-level scope providers and the audited models."""
        from . import audit, scopes

        scopes.register()
        audit.register()
