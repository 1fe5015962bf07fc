"""App config of ``evaluation``."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    """Submissions, judges, score sheets and recommendations."""

    name = "evaluation"
    verbose_name = _("成果评审")

    def ready(self) -> None:
        """Register the row-level scope providers, the to-do items, the audited models, the
        object rules, the API routes, the reminders' notification texts and the knowledge base's
        signals."""
        from . import (  # noqa: F401  (workflow, reminders: declarations bind on import)
            audit,
            reminders,
            rules,
            scopes,
            todos,
            workflow,
        )
        from .api import routes
        from .library import connect_library_signals

        scopes.register()
        todos.register()
        audit.register()
        rules.register()
        routes.register()
        connect_library_signals()
