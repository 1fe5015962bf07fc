"""Row-level scope of the execution layer: circle leaders and members see their own circles."""

from qcportal.roles import Role
from qcportal.tenancy import register_scope_provider

from .models import Circle


def own_circles_scope(membership) -> dict:
    """Scope values for a circle leader/member: ``circles`` = the circles of the membership's
    enterprise in which the user is a member (seed 001 §5.2.3: the execution layer carries out
    its own activities)."""
    circles = Circle._base_manager.filter(
        organisation_id=membership.organisation_id, members__user_id=membership.user_id
    ).values("pk")
    return {"circles": circles}


def register() -> None:
    """Register the provider for both execution-layer roles."""
    register_scope_provider(Role.CIRCLE_LEADER, own_circles_scope)
    register_scope_provider(Role.CIRCLE_MEMBER, own_circles_scope)
