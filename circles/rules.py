"""Object rules of the circles app, registered into the one RuleSet of qcportal.permissions.

The management layer (company coordinator) acts on its own enterprise's circles and
projects; the execution layer acts only on circles it belongs to, and only the circle's
leader (组长) leads: applies for projects, edits the members, declares a project finished.
Every object here (circle, project, activity record, comment) carries ``organisation_id``
and a circle (``circle_id``, or the circle itself).
"""

import rules

from qcportal.permissions import register_object_rule

from .choices import MemberRole
from .models import Circle, CircleMember


def circle_id_of(obj) -> int | None:
    """The circle a circles-app object belongs to (the circle itself for a Circle)."""
    return obj.pk if isinstance(obj, Circle) else getattr(obj, "circle_id", None)


@rules.predicate
def in_own_enterprise(membership, obj) -> bool:
    """The object belongs to the acting enterprise (management layer, seed 001 §5.2.2)."""
    return obj is None or obj.organisation_id == membership.organisation_id


@rules.predicate
def is_circle_member(membership, obj) -> bool:
    """The acting user is a member of the object's circle (execution layer, seed 001 §5.2.3)."""
    if obj is None:
        return True
    return (
        obj.organisation_id == membership.organisation_id
        and CircleMember._base_manager.filter(
            circle_id=circle_id_of(obj), user_id=membership.user_id
        ).exists()
    )


@rules.predicate
def leads_circle(membership, obj) -> bool:
    """The acting user is the leader (组长) of the object's circle."""
    if obj is None:
        return True
    return (
        obj.organisation_id == membership.organisation_id
        and CircleMember._base_manager.filter(
            circle_id=circle_id_of(obj), user_id=membership.user_id, role=MemberRole.LEADER
        ).exists()
    )


def register() -> None:
    """Register the object rules of the circles permissions."""
    for permission in ("circles:manage", "projects:review", "projects:accept"):
        register_object_rule(permission, in_own_enterprise)
    register_object_rule("circles:record", is_circle_member)
    register_object_rule("circles:lead", leads_circle)
