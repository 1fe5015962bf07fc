"""App config of ``reports``."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """Statistics, official forms (Excel/PDF) and report runs."""

    name = "reports"
    verbose_name = _("统计与报表")

    def ready(self) -> None:
        """Register the audited models and the API routes."""
        from . import audit
        from .api import routes

        audit.register()
        routes.register()
