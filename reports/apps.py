"""App config of ``reports``."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """Statistics, official forms (Excel/PDF) and report runs."""

    name = "reports"
    verbose_name = _("统计与报表")

    def ready(self) -> None:
        """Register the audited models, the API routes and the dashboards' cached figures;
        connect the handlers that keep the statistics summary current
        (:func:`reports.summaries.connect_signals`)."""
        from . import audit, figures, summaries  # noqa: F401 (figures: registered on import)
        from .api import routes

        audit.register()
        routes.register()
        summaries.connect_signals()
