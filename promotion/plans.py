"""The annual promotion plan (年度推进计划; issue 11 item 1; seed 001 §5.2, §6, §7.1).

Writes: :func:`plan_create` and :func:`plan_save` (the plan's header and all its rows in one
transaction, only while the plan is a draft or returned). Approval is the workflow's
(``promotion/workflow.py``, ``PLAN_WORKFLOW``): the management layer submits, the decision
layer approves or returns. Reads: :func:`plan_progress`, each goal's target beside its actual
value, read from the organisation's dashboard figures for the plan's year through the
provider the reports app registers (:func:`register_goal_actuals`; this app may not import
the reports app).

Every write takes the acting membership (never a request), checks its permission and object
rule and validates its input with Chinese messages (``ValidationError``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from qcportal.permissions import require_permission

from .choices import ActivityType, GoalMetric, PlanStatus
from .models import ActivityPlan, PlanActivity, PlanFinding, PlanGoal, PlanProject, PromotionPlan

#: The plan's rows by the name the pages and the API use: (model, fields written).
PLAN_PARTS: dict[str, tuple[type, tuple[str, ...]]] = {
    "findings": (PlanFinding, ("weak_point", "evidence")),
    "goals": (PlanGoal, ("metric", "description", "target", "actual")),
    "activities": (PlanActivity, ("kind", "purpose")),
    "projects": (PlanProject, ("name", "budget", "starts_on", "ends_on", "responsible")),
    "activity_plans": (
        ActivityPlan,
        ("kind", "theme", "starts_on", "ends_on", "responsibilities", "resources", "expected_results"),
    ),
}

#: Rows of one kind a plan may hold (a page of rows, not a database).
MAX_ROWS = 50


def _require_own(membership, plan: PromotionPlan | None = None) -> None:
    require_permission(membership, "plans:draft")
    if plan is not None and plan.organisation_id != membership.organisation_id:
        raise PermissionDenied(_("只能编制本单位的年度推进计划。"))


def plan_create(*, membership, year: int, title: str, direction: str = "") -> PromotionPlan:
    """Start the acting organisation's plan for ``year`` (a draft).

    Inputs: the membership (``plans:draft``), the year, the title and the direction text.
    Output: the new plan. Raises ``PermissionDenied``; ``ValidationError`` (Chinese) when the
    organisation already has a plan for that year (one plan per organisation and year).
    """
    _require_own(membership)
    plan = PromotionPlan(
        organisation=membership.organisation,
        year=year,
        title=title,
        direction=direction,
        created_by=membership.user,
    )
    plan.full_clean(
        exclude=["status", "organisation", "created_by"], validate_unique=False, validate_constraints=False
    )
    try:
        with transaction.atomic():
            plan.save()
    except IntegrityError as exc:
        raise ValidationError(
            {"year": _("本单位%(year)s年度的推进计划已经存在，请在原计划上修改。") % {"year": year}}
        ) from exc
    return plan


def plan_save(
    *, membership, plan: PromotionPlan, title: str, direction: str, parts: dict[str, list[dict]]
) -> None:
    """Replace the plan's header and the rows of each kind sent with what the page or the API sent.

    Inputs: the membership (``plans:draft``, the plan's own organisation), the plan, its
    title and direction, and ``parts``: for names of :data:`PLAN_PARTS`, a list of row dicts
    with (some of) that kind's fields (cleaned values; a field left out takes the model's
    default; rows are kept in the given order; an empty list removes that kind's rows, a kind
    left out of ``parts`` keeps its rows — the page sends every kind, the API what it
    changes). Output:
    none. Raises ``PermissionDenied``; ``ValidationError`` (Chinese) when the plan is no
    longer editable (submitted or approved: R-PL-05), a kind holds more than
    :data:`MAX_ROWS` rows, a date range is reversed, an activity type is chosen twice, or a
    dashboard goal carries an actual value. All or nothing (one transaction).
    """
    _require_own(membership, plan)
    with transaction.atomic():
        plan = PromotionPlan.objects.select_for_update().get(pk=plan.pk)
        if not plan.editable:
            raise ValidationError(
                _("计划已提交或已批准，不能修改；如需调整，请由决策层“重新修订”（R-PL-05）。")
            )
        plan.title, plan.direction = title, direction
        plan.full_clean(
            exclude=["status", "organisation", "created_by"],
            validate_unique=False,
            validate_constraints=False,
        )
        plan.save()
        for name, (model, fields) in PLAN_PARTS.items():
            if name not in parts:
                continue
            rows = parts[name]
            if len(rows) > MAX_ROWS:
                raise ValidationError(_("每类最多%(n)s行。") % {"n": MAX_ROWS})
            if model is PlanActivity:
                _check_kinds_once(rows)
            model._base_manager.filter(plan=plan).delete()
            objects = [
                model(plan=plan, position=i, **{f: row[f] for f in fields if f in row})
                for i, row in enumerate(rows)
            ]
            for obj in objects:
                _check_row(obj)
            model._base_manager.bulk_create(objects)


def _check_row(obj) -> None:
    """The checks of one row (Chinese ``ValidationError``): its fields (required, lengths,
    choices, ranges) and what its form cannot check alone."""
    obj.full_clean(exclude=["plan"], validate_unique=False, validate_constraints=False)
    starts, ends = getattr(obj, "starts_on", None), getattr(obj, "ends_on", None)
    if starts and ends and starts > ends:
        raise ValidationError(
            _("“%(row)s”的开始日期晚于结束日期。") % {"row": getattr(obj, "theme", None) or obj.name}
        )
    if isinstance(obj, PlanGoal) and obj.metric != GoalMetric.OTHER and obj.actual is not None:
        raise ValidationError(
            _("“%(metric)s”的实际值取自数据看板，无需填写。") % {"metric": obj.get_metric_display()}
        )


def _check_kinds_once(rows: list[dict]) -> None:
    """An activity type is chosen once (Chinese ``ValidationError`` naming it otherwise)."""
    seen = set()
    for row in rows:
        if row.get("kind") in seen:
            raise ValidationError(
                _("活动类型“%(kind)s”选了两次。") % {"kind": ActivityType(row["kind"]).label}
            )
        seen.add(row.get("kind"))


def approved_plan(*, organisation, year: int) -> PromotionPlan | None:
    """The approved plan of ``organisation`` for ``year`` in the tenant scope, or ``None``
    (the dashboard shows its goals' progress, R-PL-06)."""
    return PromotionPlan.objects.filter(
        organisation=organisation, year=year, status=PlanStatus.APPROVED
    ).first()


# --- Progress: target against actual -----------------------------------------------------
GoalActuals = Callable[..., dict]
_goal_actuals: list[GoalActuals] = []


def register_goal_actuals(provider: GoalActuals) -> None:
    """Register how the actual values of dashboard goals are read: ``provider(organisation=,
    year=)`` returns the organisation's dashboard figures for the year (a dict with the keys
    of :class:`GoalMetric` but ``other``). Called by the reports app's ``ready()``."""
    _goal_actuals[:] = [provider]


@dataclass(frozen=True)
class GoalProgress:
    """A goal with its ``actual`` value (``None``: not known yet) and ``percent`` of the target
    reached (``None`` when the target is 0 or the actual unknown)."""

    goal: PlanGoal
    actual: Decimal | None
    percent: Decimal | None

    @property
    def reached(self) -> bool:
        """The actual value has reached the target."""
        return self.actual is not None and self.actual >= self.goal.target


def plan_progress(plan: PromotionPlan, goals=None, *, figures: dict | None = None) -> list[GoalProgress]:
    """Each goal of ``plan`` beside its actual value for the plan's year (R-PL-06).

    Inputs: the plan, optionally its goals (already read) and the dashboard ``figures`` of the
    plan's organisation and year when the caller has them (the dashboard page). Output: a list of
    :class:`GoalProgress` in the goals' order. Dashboard metrics are read once for all
    goals from the registered provider (the same figures as the organisation's dashboard:
    counts, % and 万元); ``other`` goals carry their typed actual value.
    """
    goals = list(goals if goals is not None else plan.goals.all())
    if figures is None and _goal_actuals and any(goal.metric != GoalMetric.OTHER for goal in goals):
        figures = _goal_actuals[0](organisation=plan.organisation, year=plan.year)
    figures = figures or {}
    progress = []
    for goal in goals:
        if goal.metric == GoalMetric.OTHER:
            actual = goal.actual
        else:
            value = figures.get(goal.metric)
            actual = None if value is None else Decimal(str(value))
        percent = (
            (actual / goal.target * 100).quantize(Decimal("0.1"))
            if actual is not None and goal.target
            else None
        )
        progress.append(GoalProgress(goal=goal, actual=actual, percent=percent))
    return progress
