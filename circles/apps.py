"""App config of ``circles``."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CirclesConfig(AppConfig):
    """QC circles, members, projects (课题) and activity records."""

    name = "circles"
    verbose_name = _("QC小组")

    def ready(self) -> None:
        """Register the row-level scope providers, to-do items, API routes, object rules, audited
        models and workflows."""
        from . import audit, rules, scopes, todos, workflow  # noqa: F401  (workflow: declarations bind on import)
        from .api import routes

        scopes.register()
        todos.register()
        routes.register()
        rules.register()
        audit.register()
