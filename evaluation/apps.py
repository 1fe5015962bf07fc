"""App config of ``evaluation``."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    """Submissions, judges, score sheets and recommendations."""

    name = "evaluation"
    verbose_name = _("成果评审")

    def ready(self) -> None:
        """Register the row-level scope providers and the audited models."""
        from . import audit, rules, scopes

        scopes.register()
        audit.register()
        rules.register()
