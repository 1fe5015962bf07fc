"""Roles and the permissions they carry, as data.

A user acts through a :class:`~qcportal.models.Membership` (user, organisation, role). Each
role belongs to one tier of organisation (domain.md §2–3; seed 001 §5: decision,
management and execution layers) and grants a set of ``area:action`` permissions. This
module is the single source of truth for that mapping; checks go through
:func:`qcportal.permissions.has_permission`.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import ASSOCIATION_KINDS, OrganisationKind


class Role(models.TextChoices):
    """Roles a membership can hold (domain.md §2)."""

    ASSOCIATION_ADMIN = "association_admin", _("协会管理员")
    ASSOCIATION_STAFF = "association_staff", _("协会工作人员")
    ASSOCIATION_LEADERSHIP = "association_leadership", _("协会领导")
    UNIT_COORDINATOR = "unit_coordinator", _("推荐单位联络人")
    ENTERPRISE_EXECUTIVE = "enterprise_executive", _("企业领导")
    ENTERPRISE_COORDINATOR = "enterprise_coordinator", _("企业推进负责人")
    CIRCLE_LEADER = "circle_leader", _("QC小组组长")
    CIRCLE_MEMBER = "circle_member", _("QC小组组员")
    JUDGE = "judge", _("评委")


class Layer(models.TextChoices):
    """The three layers of the promotion structure (seed 001, §5.1.2)."""

    DECISION = "decision", _("决策层")
    MANAGEMENT = "management", _("管理层")
    EXECUTION = "execution", _("执行层")


#: Organisation kinds at which a role may be held.
ROLE_ORGANISATION_KINDS: dict[str, tuple[str, ...]] = {
    Role.ASSOCIATION_ADMIN: ASSOCIATION_KINDS,
    Role.ASSOCIATION_STAFF: ASSOCIATION_KINDS,
    Role.ASSOCIATION_LEADERSHIP: ASSOCIATION_KINDS,
    Role.UNIT_COORDINATOR: (OrganisationKind.RECOMMENDING_UNIT,),
    Role.ENTERPRISE_EXECUTIVE: (OrganisationKind.ENTERPRISE,),
    Role.ENTERPRISE_COORDINATOR: (OrganisationKind.ENTERPRISE,),
    Role.CIRCLE_LEADER: (OrganisationKind.ENTERPRISE,),
    Role.CIRCLE_MEMBER: (OrganisationKind.ENTERPRISE,),
    Role.JUDGE: ASSOCIATION_KINDS,
}

ROLE_LAYER: dict[str, str] = {
    Role.ASSOCIATION_ADMIN: Layer.MANAGEMENT,
    Role.ASSOCIATION_STAFF: Layer.MANAGEMENT,
    Role.ASSOCIATION_LEADERSHIP: Layer.DECISION,
    Role.UNIT_COORDINATOR: Layer.MANAGEMENT,
    Role.ENTERPRISE_EXECUTIVE: Layer.DECISION,
    Role.ENTERPRISE_COORDINATOR: Layer.MANAGEMENT,
    Role.CIRCLE_LEADER: Layer.EXECUTION,
    Role.CIRCLE_MEMBER: Layer.EXECUTION,
    Role.JUDGE: Layer.EXECUTION,
}

_ASSOCIATION_READ = {
    "organisations:view",
    "campaigns:view",
    "circles:view",
    "submissions:view",
    "statistics:view",
    "dashboards:view",
    "reports:view",
}

#: ``area:action`` permissions granted by each role.
ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.ASSOCIATION_ADMIN: frozenset(
        _ASSOCIATION_READ | {"organisations:manage", "users:manage", "audit:view"}
    ),
    Role.ASSOCIATION_STAFF: frozenset(
        _ASSOCIATION_READ
        | {
            "campaigns:manage",
            "submissions:review",
            "submissions:recommend",
            "evaluation:manage",
            "evaluation:release",
            "reports:export",
            "audit:view",
        }
    ),
    Role.ASSOCIATION_LEADERSHIP: frozenset(_ASSOCIATION_READ | {"awards:approve"}),
    Role.UNIT_COORDINATOR: frozenset(
        {
            "organisations:view",
            "campaigns:view",
            "circles:view",
            "submissions:view",
            "submissions:recommend",
            "dashboards:view",
        }
    ),
    Role.ENTERPRISE_EXECUTIVE: frozenset(
        {"campaigns:view", "circles:view", "submissions:view", "dashboards:view", "plans:approve"}
    ),
    Role.ENTERPRISE_COORDINATOR: frozenset(
        {
            "campaigns:view",
            "circles:view",
            "circles:manage",
            "projects:accept",
            "figures:report",
            "submissions:view",
            "submissions:submit",
            "dashboards:view",
        }
    ),
    Role.CIRCLE_LEADER: frozenset({"campaigns:view", "circles:view_own", "circles:record"}),
    Role.CIRCLE_MEMBER: frozenset({"campaigns:view", "circles:view_own"}),
    Role.JUDGE: frozenset({"campaigns:view", "evaluation:score", "evaluation:release", "evaluation:recuse"}),
}

#: Every permission any role holds.
ALL_PERMISSIONS: frozenset[str] = frozenset().union(*ROLE_PERMISSIONS.values())

#: Rank of each role for granting: nobody grants a role ranked above their own (issue 3).
ROLE_RANK: dict[str, int] = {
    Role.ASSOCIATION_ADMIN: 100,
    Role.ASSOCIATION_STAFF: 80,
    Role.ASSOCIATION_LEADERSHIP: 80,
    Role.UNIT_COORDINATOR: 60,
    Role.ENTERPRISE_EXECUTIVE: 50,
    Role.ENTERPRISE_COORDINATOR: 50,
    Role.JUDGE: 40,
    Role.CIRCLE_LEADER: 20,
    Role.CIRCLE_MEMBER: 10,
}
