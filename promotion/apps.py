"""App config of ``promotion``."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PromotionConfig(AppConfig):
    """Campaigns, their stages and domains, enterprise figures, presentation conferences."""

    name = "promotion"
    verbose_name = _("活动推进")

    def ready(self) -> None:
        """Register the audited models, the API routes, the recommending unit's scope
        (enterprises signed up through it, seed 003 §二.3(2)), the plans' to-do items and
        the receivers that keep the homes' campaign panel current."""
        from qcportal.roles import Role
        from qcportal.tenancy import register_scope_provider
        from qcportal.todos import register_todo_provider

        from . import audit, workflow  # noqa: F401  (workflow: declarations bind on import)
        from .api import routes
        from .scopes import unit_scope
        from .selectors import connect_home_cache
        from .todos import improvement_todos, promotion_todos

        audit.register()
        routes.register()
        register_scope_provider(Role.UNIT_COORDINATOR, unit_scope)
        register_todo_provider(promotion_todos)
        register_todo_provider(improvement_todos)
        connect_home_cache()
