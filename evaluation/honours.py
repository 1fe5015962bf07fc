"""Honours and incentives (表彰与激励; issue 11 item 4; seed 001 §9.1.2; seed 002 §二(五)).

An organisation's management layer nominates (``honours:nominate``) and its decision layer
approves (``honours:approve``) through ``HONOUR_WORKFLOW`` (``evaluation/workflow.py``):

- circles by their campaign grade (an association turns its published grades into
  nominations at once: :func:`honours_from_grades`), enterprises (优秀企业), leaders
  (卓越领导者) and promoters (优秀推进者) — rule R-HN-01 says whom each may honour;
- material rewards in 万元 and non-material ones; an enterprise's approved honours of a year
  are its Annex 3 奖励费用 part, kept by :func:`honour_rewards_refresh` (rule R-HN-03);
- an individual's history: the honours naming the person and those of the circles they
  belong to (:func:`person_history`).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import DecimalField, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition

from circles.models import Circle, CircleMember
from promotion.models import Campaign
from promotion.trainings import annual_rewards_set
from qcportal.choices import ASSOCIATION_KINDS, OrganisationKind
from qcportal.conflicts import Conflict
from qcportal.models import Organisation
from qcportal.permissions import require_permission

from .choices import HonourKind, HonourStatus, JudgingStatus
from .models import Honour, Result

FIRST_YEAR = 2000
REWARD_MAX = Decimal("99999999")
#: Fields a nomination writes (the rest is the workflow's).
HONOUR_FIELDS = (
    "kind",
    "year",
    "campaign",
    "title",
    "grade",
    "circle",
    "recipient",
    "person_name",
    "person_position",
    "citation",
    "material_reward",
    "other_rewards",
)
#: States in which the nomination may still be changed or deleted.
EDITABLE = (HonourStatus.NOMINATED, HonourStatus.RETURNED)


def honour_list(*, membership) -> QuerySet[Honour]:
    """The honours the acting membership may see, newest first, with granter, recipient and
    circle (rule R-HN-02): the approved or revoked ones granted to its organisation or to an
    organisation below it (never an ancestor's own), and, for those who nominate or approve,
    every honour its organisation's subtree grants (nominations too)."""
    org = membership.organisation
    visible = Q(
        status__in=(HonourStatus.APPROVED, HonourStatus.REVOKED), recipient__path__startswith=org.path
    )
    if {"honours:nominate", "honours:approve"} & set(membership.permissions):
        visible |= Q(organisation__path__startswith=org.path)
    return (
        Honour.objects.filter(visible)
        .select_related("organisation", "recipient", "circle", "campaign")
        .order_by("-year", "-id")
    )


def _in_share(granter: Organisation, organisation: Organisation) -> bool:
    """``organisation`` is the granter itself or lies below it."""
    return organisation.path.startswith(granter.path)


def _clean(membership, data: dict, honour: Honour | None) -> dict:
    """The nomination's values checked (rule R-HN-01); raises ``ValidationError`` (Chinese,
    field by field)."""
    granter = membership.organisation
    errors: dict[str, str] = {}
    current = {name: getattr(honour, name) for name in HONOUR_FIELDS} if honour else {}
    values = {**current, **{k: v for k, v in data.items() if k in HONOUR_FIELDS}}
    kind = values.get("kind")
    if kind not in HonourKind.values:
        errors["kind"] = _("请选择表彰类别。")
    year = values.get("year")
    if not isinstance(year, int) or not FIRST_YEAR <= year <= timezone.localdate().year + 1:
        errors["year"] = _("年度须在2000年至明年之间。")
    title = (values.get("title") or "").strip()
    if not title:
        errors["title"] = _("请填写荣誉名称。")
    elif len(title) > 100:
        errors["title"] = _("荣誉名称不能超过100个字。")
    values["title"] = title
    for name, limit in (("grade", 40), ("person_name", 50), ("person_position", 50), ("other_rewards", 200)):
        values[name] = (values.get(name) or "").strip()
        if len(values[name]) > limit:
            errors[name] = _("不能超过%(n)d个字。") % {"n": limit}
    values["citation"] = (values.get("citation") or "").strip()
    if len(values["citation"]) > 2000:
        errors["citation"] = _("主要事迹不能超过2000个字。")
    try:
        reward = Decimal(values.get("material_reward") if values.get("material_reward") is not None else 0)
    except (InvalidOperation, TypeError, ValueError):
        reward = Decimal("-1")
    if not reward.is_finite() or not Decimal("0") <= reward <= REWARD_MAX:
        errors["material_reward"] = _("物质奖励须在0至99999999万元之间。")
    values["material_reward"] = reward
    campaign = values.get("campaign")
    if campaign is not None and not isinstance(campaign, Campaign):
        errors["campaign"] = _("请选择有效的年度活动。")
    circle = values.get("circle")
    recipient = values.get("recipient")
    if kind == HonourKind.CIRCLE:
        if not isinstance(circle, Circle) or not _in_share(granter, circle.organisation):
            errors["circle"] = _("请选择本单位范围内的QC小组。")
        else:
            values["recipient"] = circle.organisation
    else:
        values["circle"] = None
        if kind in (HonourKind.LEADER, HonourKind.PROMOTER) and not values["person_name"]:
            errors["person_name"] = _("请填写受表彰人员的姓名。")
        if not isinstance(recipient, Organisation) or not _in_share(granter, recipient):
            errors["recipient"] = _("请选择本单位范围内的受表彰单位。")
        elif kind == HonourKind.ENTERPRISE and recipient.kind != OrganisationKind.ENTERPRISE:
            errors["recipient"] = _("优秀企业须选择一家企业。")
        elif kind == HonourKind.ENTERPRISE and granter.kind not in ASSOCIATION_KINDS:
            errors["kind"] = _("优秀企业由协会表彰。")
    if errors:
        raise ValidationError(errors)
    return values


def honour_save(*, membership, data: dict, honour: Honour | None = None) -> Honour:
    """Nominate (or change a nomination still 已提名 or 已退回) for the acting organisation.

    Inputs: the membership (``honours:nominate``), ``data`` with keys of
    :data:`HONOUR_FIELDS` — ``kind`` (:class:`~evaluation.choices.HonourKind`), ``year``
    (int), ``campaign`` (optional :class:`~promotion.models.Campaign`), ``title`` (≤ 100),
    ``grade``, ``circle`` (a circle in the granter's share, for a circle's honour; its
    enterprise becomes ``recipient``), ``recipient`` (the organisation honoured or the
    person's, in the granter's share), ``person_name``/``person_position`` (leaders and
    promoters), ``citation`` (≤ 2,000), ``material_reward`` (万元, 0–99,999,999),
    ``other_rewards``. Output: the saved honour. Raises ``PermissionDenied`` or
    ``ValidationError`` (Chinese) — rule R-HN-01."""
    require_permission(membership, "honours:nominate")
    if honour is not None and (
        honour.organisation_id != membership.organisation_id or honour.status not in EDITABLE
    ):
        raise PermissionDenied(_("只能修改本单位尚未提交或已退回的提名。"))
    values = _clean(membership, data, honour)
    account = None
    if values.get("person_name") and values.get("recipient") is not None:
        # The person's account only when the name names one account at the unit.
        accounts = set(
            CircleMember._base_manager.filter(
                organisation=values["recipient"], name=values["person_name"], user__isnull=False
            ).values_list("user_id", flat=True)[:2]
        )
        account = accounts.pop() if len(accounts) == 1 else None
    with transaction.atomic():
        if honour is None:
            honour = Honour(organisation=membership.organisation, nominated_by=membership.user)
        elif honour.result_id and (
            values.get("kind") != HonourKind.CIRCLE or values["circle"].pk != honour.circle_id
        ):
            honour.result = None  # no longer the graded circle's honour
        for name in HONOUR_FIELDS:
            setattr(honour, name, values.get(name))
        honour.person_id = account
        try:
            honour.save()
        except ConcurrentTransition:
            raise Conflict(_("该提名刚刚已被他人处理，请刷新页面后查看。")) from None
    return honour


def honour_delete(*, membership, honour: Honour) -> None:
    """Delete a nomination not yet submitted (or returned). Raises ``PermissionDenied``."""
    require_permission(membership, "honours:nominate")
    with transaction.atomic():
        honour = Honour._base_manager.select_for_update().get(pk=honour.pk)  # not submitted meanwhile
        if honour.organisation_id != membership.organisation_id or honour.status not in EDITABLE:
            raise PermissionDenied(_("只能删除本单位尚未提交或已退回的提名。"))
        honour.delete()


def honours_from_grades(*, membership, campaign: Campaign) -> int:
    """Nominate every circle graded in the acting association's published judging of
    ``campaign`` that has no honour for that result yet (title: the campaign's and the
    grade's name; rule R-HN-01). Input: the membership (``honours:nominate`` of the
    association), the campaign. Output: the number of nominations made. Raises
    ``ValidationError`` when the judging is not published."""
    require_permission(membership, "honours:nominate")
    results = (
        Result._base_manager.filter(
            judging__campaign=campaign,
            judging__organisation_id=membership.organisation_id,
            grade__isnull=False,
        )
        .exclude(
            pk__in=Honour._base_manager.filter(
                organisation_id=membership.organisation_id, status__in=_LIVE, result__isnull=False
            ).values("result_id")
        )
        .select_related("grade", "submission__circle__organisation", "judging")
        .order_by("grade__position", "rank", "id")
    )
    rows = list(results)
    if rows and rows[0].judging.status != JudgingStatus.PUBLISHED:
        raise ValidationError(_("评审结果发布后才能按等级提名表彰（议题8 第7项）。"))
    if (
        not rows
        and not Result._base_manager.filter(
            judging__campaign=campaign,
            judging__organisation_id=membership.organisation_id,
            judging__status=JudgingStatus.PUBLISHED,
        ).exists()
    ):
        raise ValidationError(_("评审结果发布后才能按等级提名表彰（议题8 第7项）。"))
    with transaction.atomic():
        Honour.objects.bulk_create(
            [
                Honour(
                    organisation_id=membership.organisation_id,
                    kind=HonourKind.CIRCLE,
                    year=campaign.year,
                    campaign=campaign,
                    title=f"{campaign.title}{r.grade.name}"[:100],
                    grade=r.grade.name,
                    recipient=r.submission.circle.organisation,
                    circle=r.submission.circle,
                    result=r,
                    nominated_by=membership.user,
                )
                for r in rows
            ]
        )
    return len(rows)


_LIVE = (HonourStatus.NOMINATED, HonourStatus.SUBMITTED, HonourStatus.RETURNED, HonourStatus.APPROVED)


def honour_rewards_refresh(*, organisation_id: int, year: int) -> None:
    """Set an enterprise's Annex 3 reward part of ``year`` to the material rewards of its
    approved honours of that year (万元; rule R-HN-03). Runs in the caller's transaction,
    with the figures row locked before the sum is read. An association's honours count in no
    enterprise's figures. Output: none."""

    def total() -> Decimal:
        return Honour._base_manager.filter(
            organisation_id=organisation_id, year=year, status=HonourStatus.APPROVED
        ).aggregate(t=Coalesce(Sum("material_reward"), Value(Decimal("0")), output_field=DecimalField()))["t"]

    annual_rewards_set(organisation_id=organisation_id, year=year, compute=total)


def person_history(*, name: str, organisation: Organisation, user_id: int | None = None) -> QuerySet[Honour]:
    """An individual's approved honours visible to the acting membership (rule R-HN-04):
    those naming the person (by account, or by name at ``organisation``) and those of the
    circles the person belongs to (as a member of record, by account or by name), newest
    first. Input: the name (≤ 50), the person's organisation, the account id if known."""
    members = CircleMember._base_manager.filter(organisation=organisation, name=name)
    named = Q(person_name=name, recipient=organisation)
    if user_id is not None:
        members = CircleMember._base_manager.filter(
            Q(user_id=user_id) | Q(organisation=organisation, name=name)
        )
        named |= Q(person_id=user_id)
    return (
        Honour.objects.filter(status=HonourStatus.APPROVED)
        .filter(named | Q(kind=HonourKind.CIRCLE, circle_id__in=members.values("circle_id")))
        .select_related("organisation", "recipient", "circle")
        .order_by("-year", "-id")
    )
