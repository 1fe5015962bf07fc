"""The yearly evaluation and the improvement list (年度评价与改进清单; issue 11 item 6; seed 001
§9.1.1 评价, §9.2 改进).

- **Yearly evaluation** (rule R-IM-01): the management layer (``plans:draft``) writes what
  was achieved, the problems and the directions, beside the goals of the year's plan and
  their actual values (:func:`promotion.plans.plan_progress`). An association's texts fill
  its Annex 2 where still empty (:func:`reports.worksummary.review_sections`).
- **Improvement list** (rules R-IM-02, R-IM-03): items with an owner (a member of the
  organisation), a deadline, a state (``IMPROVEMENT_WORKFLOW``: 开始改进, 完成 with its
  evidence, 重新打开, 取消) and the evidence. Overdue items (past the deadline, not done or
  cancelled) stand on their owner's to-do list; the owner is reminded once
  (:func:`evaluation.reminders.improvement_reminders`).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition

from qcportal.conflicts import Conflict
from qcportal.models import Membership
from qcportal.permissions import require_permission
from qcportal.roles import roles_with

from .choices import ImprovementStatus, PlanStatus
from .models import ImprovementItem, PromotionPlan, YearlyReview

FIRST_YEAR = 2000
TEXT_MAX = 5000
#: The texts of a yearly evaluation.
REVIEW_FIELDS = ("results", "problems", "directions")
#: States in which an item is still to be done (overdue once past its deadline).
PENDING = (ImprovementStatus.OPEN, ImprovementStatus.IN_PROGRESS)


def _check_year(year) -> int:
    if not isinstance(year, int) or not FIRST_YEAR <= year <= timezone.localdate().year + 1:
        raise ValidationError({"year": _("年度须在2000年至明年之间。")})
    return year


def review_of(*, membership, year: int) -> YearlyReview | None:
    """The acting organisation's evaluation of ``year`` (``None`` before it is written)."""
    return YearlyReview.objects.filter(organisation_id=membership.organisation_id, year=year).first()


def review_plan(*, membership, year: int) -> PromotionPlan | None:
    """The acting organisation's approved plan of ``year`` (its goals are evaluated)."""
    return PromotionPlan.objects.filter(
        organisation_id=membership.organisation_id, year=year, status=PlanStatus.APPROVED
    ).first()


def review_save(*, membership, year: int, data: dict) -> YearlyReview:
    """Write the acting organisation's evaluation of ``year`` (rule R-IM-01).

    Inputs: the membership (``plans:draft``: the management layer), the year (2000 to next
    year), ``data`` with ``results``, ``problems``, ``directions`` (text, ≤ 5,000 characters
    each; missing keys keep their value). Output: the evaluation (created on first save;
    simultaneous first saves leave one row). Raises ``PermissionDenied`` or
    ``ValidationError`` (Chinese)."""
    require_permission(membership, "plans:draft")
    _check_year(year)
    errors = {}
    values = {}
    for name in REVIEW_FIELDS:
        if name in data:
            text = (data.get(name) or "").strip()
            if len(text) > TEXT_MAX:
                errors[name] = _("不能超过%(n)d个字。") % {"n": TEXT_MAX}
            values[name] = text
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        try:
            with transaction.atomic():
                review, _created = YearlyReview.objects.get_or_create(
                    organisation_id=membership.organisation_id, year=year
                )
        except IntegrityError:  # created at the same moment by another request
            review = YearlyReview.objects.get(organisation_id=membership.organisation_id, year=year)
        review = YearlyReview.objects.select_for_update().get(pk=review.pk)
        for name, value in values.items():
            setattr(review, name, value)
        review.updated_by = membership.user
        review.save()
    return review


def review_list(*, membership) -> QuerySet[YearlyReview]:
    """The acting organisation's evaluations, newest year first."""
    return YearlyReview.objects.filter(organisation_id=membership.organisation_id).order_by("-year")


# --- the improvement list ------------------------------------------------------------------


def owners_of(organisation_id: int) -> QuerySet:
    """The users who may own an item of the organisation: its active members in a role that
    sees and works on improvement items (a judge's membership does not)."""
    from qcportal.models import User

    roles = roles_with("improvements:view")
    return (
        User.objects.filter(
            pk__in=Membership._base_manager.filter(
                organisation_id=organisation_id, is_active=True, role__in=roles
            ).values("user_id"),
            is_active=True,
        )
        .order_by("last_name", "first_name", "username")
        .distinct()
    )


def improvement_list(*, membership, mine: bool = False, overdue: bool = False) -> QuerySet[ImprovementItem]:
    """The improvement items of the acting organisation's share (its own and, for an
    association, its subtree's), soonest deadline first, with owner and organisation;
    ``mine``: the acting user's only; ``overdue``: those past their deadline and not done or
    cancelled."""
    items = ImprovementItem.objects.select_related("owner", "organisation").order_by("deadline", "id")
    if mine:
        items = items.filter(owner_id=membership.user_id, organisation_id=membership.organisation_id)
    if overdue:
        items = items.filter(status__in=PENDING, deadline__lt=timezone.localdate())
    return items


def is_overdue(item: ImprovementItem, today: dt.date | None = None) -> bool:
    """Past its deadline and neither done nor cancelled (rule R-IM-02)."""
    return item.status in PENDING and item.deadline < (today or timezone.localdate())


def improvement_save(*, membership, data: dict, item: ImprovementItem | None = None) -> ImprovementItem:
    """Add an item to the acting organisation's improvement list, or change one not yet done.

    Inputs: the membership (``plans:draft``), ``data`` with ``title`` (≤ 200),
    ``description`` (≤ 2,000), ``owner`` (a ``User`` who is an active member of the
    organisation in a role that works on items), ``deadline`` (a date, 2000 to the end of
    the fifth year ahead) and optional ``review`` (the organisation's :class:`YearlyReview`);
    the item's ``year`` is the evaluation's, else the deadline's. Output: the saved item.
    Raises ``PermissionDenied``, ``ValidationError`` (Chinese) — rule R-IM-03 — or a
    ``Conflict`` when a transition was taken on it meanwhile."""
    require_permission(membership, "plans:draft")
    if item is not None and (
        item.organisation_id != membership.organisation_id or item.status not in PENDING
    ):
        raise PermissionDenied(_("只能修改本单位尚未完成的改进事项。"))
    current = (
        {k: getattr(item, k) for k in ("title", "description", "owner", "deadline", "year", "review")}
        if item
        else {}
    )
    values = {
        **current,
        **{
            k: v
            for k, v in data.items()
            if k in ("title", "description", "owner", "deadline", "year", "review")
        },
    }
    errors = {}
    title = (values.get("title") or "").strip()
    if not title:
        errors["title"] = _("请填写改进事项。")
    elif len(title) > 200:
        errors["title"] = _("改进事项不能超过200个字。")
    description = (values.get("description") or "").strip()
    if len(description) > 2000:
        errors["description"] = _("问题与措施不能超过2000个字。")
    owner = values.get("owner")
    if owner is None or not owners_of(membership.organisation_id).filter(pk=owner.pk).exists():
        errors["owner"] = _("责任人须为本单位的在册用户。")
    deadline = values.get("deadline")
    today = timezone.localdate()
    if not isinstance(deadline, dt.date) or not dt.date(FIRST_YEAR, 1, 1) <= deadline <= dt.date(
        today.year + 5, 12, 31
    ):
        errors["deadline"] = _("完成期限须在2000年至五年以内。")
    review = values.get("review")
    if review is not None and review.organisation_id != membership.organisation_id:
        errors["review"] = _("请选择本单位的年度评价。")
    if errors:
        raise ValidationError(errors)
    year = review.year if review else deadline.year  # follows the evaluation or the deadline
    with transaction.atomic():
        if item is None:
            item = ImprovementItem(organisation_id=membership.organisation_id, created_by=membership.user)
        item.title, item.description, item.owner, item.deadline = title, description, owner, deadline
        item.year, item.review = year, review
        try:
            item.save()
        except ConcurrentTransition:
            raise Conflict(_("该改进事项刚刚已被他人处理，请刷新页面后查看。")) from None
    return item


def may_work_on(membership, item: ImprovementItem) -> bool:
    """The owner, or the organisation's management layer, may start and complete an item
    (rule R-IM-03)."""
    if item.organisation_id != membership.organisation_id:
        return False
    return item.owner_id == membership.user_id or "plans:draft" in membership.permissions


def overdue_count(membership) -> int:
    """How many items the acting user owns in the acting organisation that are overdue."""
    return (
        ImprovementItem.objects.filter(
            organisation_id=membership.organisation_id,
            owner_id=membership.user_id,
            status__in=PENDING,
            deadline__lt=timezone.localdate(),
        )
        .order_by()
        .count()
    )
