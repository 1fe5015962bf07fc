"""API routes of the promotion app, registered on :data:`qcportal.api.api_router`."""

from qcportal.api import register_api_viewset


def register() -> None:
    """Route ``/api/v1/campaigns/``, ``/api/v1/plans/``, ``/api/v1/trainings/`` and
    ``/api/v1/improvement-items/``."""
    from .improvements import ImprovementViewSet
    from .plans import PlanViewSet
    from .trainings import TrainingViewSet
    from .views import CampaignViewSet

    register_api_viewset("campaigns", CampaignViewSet, basename="campaign")
    register_api_viewset("plans", PlanViewSet, basename="plan")
    register_api_viewset("trainings", TrainingViewSet, basename="training")
    register_api_viewset("improvement-items", ImprovementViewSet, basename="improvementitem")
