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
        (:func:`reports.summaries.connect_signals`); give the promotion plans their goals'
        actual values (the dashboard's figures, :func:`reports.dashboards.plan_goal_actuals`)."""
        from promotion.plans import register_goal_actuals

        from . import audit, figures, summaries  # noqa: F401 (figures: registered on import)
        from .api import routes
        from .dashboards import plan_goal_actuals

        audit.register()
        routes.register()
        summaries.connect_signals()
        register_goal_actuals(plan_goal_actuals)
