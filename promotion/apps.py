"""App config of ``promotion``."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PromotionConfig(AppConfig):
    """Campaigns, their stages and domains, enterprise figures, presentation conferences."""

    name = "promotion"
    verbose_name = _("活动推进")

    def ready(self) -> None:
        """Register the audited models and the API routes."""
        from . import audit, workflow  # noqa: F401  (workflow: declarations bind on import)
        from .api import routes

        audit.register()
        routes.register()
