"""Writes of the promotion app's campaigns (issue 7, items 1–3): configuring a campaign and
its stage calendar, granting stage extensions (延期), and the enterprises' sign-up
(活动报名, seed 003 §二.1 and 附件2 报名表).

Every function takes the acting membership (never a request), checks its permission and
object rule, validates its input with Chinese messages (``ValidationError``; NUL bytes,
over-long text and impossible dates never reach the database) and writes in one
transaction. Sources: seed 003 (沪质协[2022]8号) 二、活动安排, 二.3(2), 三.2; seed 002
(中国质协字〔2020〕21号) Annex 1 note 2.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qcportal.cache import generation_bump
from qcportal.choices import OrganisationKind
from qcportal.models import Organisation
from qcportal.permissions import require_permission
from qcportal.text import clean_text

from . import selectors
from .choices import STAGE_ORDER, CampaignStatus, GradeScheme, StageKind
from .models import (
    DEFAULT_DOMAINS,
    DEFAULT_SUBMISSION_QUOTA,
    Campaign,
    CampaignDomain,
    CampaignEntry,
    CampaignStage,
    StageExtension,
)
from .windows import window_refusal

CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
MOBILE_RE = re.compile(r"^1\d{10}$")
POSTCODE_RE = re.compile(r"^\d{6}$")
YEAR_MIN, YEAR_MAX = 2000, 2100
QUOTA_MAX = 1000
DOMAIN_MAX_CHARS = 50
DOMAINS_MAX = 20

#: Text fields of a campaign: (field, Chinese label, maximum length, required).
CAMPAIGN_TEXT_FIELDS = (
    ("code", gettext_lazy("活动代码"), 40, True),
    ("title", gettext_lazy("活动名称"), 200, True),
    ("document_number", gettext_lazy("文号"), 60, False),
    ("theme", gettext_lazy("活动主题"), 200, False),
)

#: Text fields of a sign-up (seed 003 附件2): (field, Chinese label, maximum length, required).
ENTRY_TEXT_FIELDS = (
    ("seal_name", gettext_lazy("企业名称（以公章为准）"), 200, True),
    ("contact_person", gettext_lazy("联系人"), 50, True),
    ("contact_mobile", gettext_lazy("手机"), 20, True),
    ("contact_email", gettext_lazy("邮箱"), 254, False),
    ("address", gettext_lazy("详细通信地址"), 200, False),
    ("postcode", gettext_lazy("邮编"), 6, False),
)


# --- helpers -------------------------------------------------------------------------------
def _own_campaign(membership, campaign: Campaign) -> None:
    """Refuse (403) unless ``membership`` may manage ``campaign``: ``campaigns:manage`` and
    the campaign belongs to the acting association."""
    require_permission(membership, "campaigns:manage", campaign)
    if campaign.organisation_id != membership.organisation_id:
        raise PermissionDenied(_("只有主办协会可以修改本活动。"))


def _text(data: dict, field: str, label, max_length: int, required: bool, errors: dict) -> str:
    """``clean_text`` of ``data[field]`` collecting the error in ``errors``; a required
    field left empty is refused with 「请填写…」; a list or object is refused as malformed."""
    if isinstance(data.get(field), dict | list | tuple):
        errors[field] = [_("“%(label)s”格式不正确。") % {"label": label}]
        return ""
    try:
        value = clean_text(
            data.get(field), field=field, max_length=max_length, label=str(label), multiline=False
        )
    except ValidationError as exc:
        errors.update(exc.message_dict)
        return ""
    if required and not value:
        errors[field] = [_("请填写%(label)s。") % {"label": label}]
    return value


def _date(data: dict, field: str, label, errors: dict, *, required: bool) -> dt.date | None:
    """A ``date`` from ``data[field]`` (a date or ISO text); an impossible date (2026-02-30)
    or a malformed one is refused in Chinese."""
    value = data.get(field)
    if value in (None, ""):
        if required:
            errors[field] = [_("请填写%(label)s。") % {"label": label}]
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    try:
        if len(text) != 10:
            raise ValueError(text)
        return dt.date.fromisoformat(text)
    except ValueError:
        errors[field] = [_("“%(label)s”不是有效的日期（格式：2022-04-30）。") % {"label": label}]
        return None


def _int(data: dict, field: str, label, errors: dict, *, minimum: int, maximum: int, required: bool):
    """An integer in ``[minimum, maximum]`` from ``data[field]``, or ``None`` when optional and
    empty; refused in Chinese otherwise."""
    value = data.get(field)
    if value in (None, ""):
        if required:
            errors[field] = [_("请填写%(label)s。") % {"label": label}]
        return None
    try:
        if isinstance(value, bool | float):
            raise ValueError(value)
        number = int(str(value).strip())
    except ValueError:
        errors[field] = [_("“%(label)s”须为整数。") % {"label": label}]
        return None
    if not minimum <= number <= maximum:
        errors[field] = [
            _("“%(label)s”须在%(min)s至%(max)s之间。") % {"label": label, "min": minimum, "max": maximum}
        ]
        return None
    return number


def _domains(value, errors: dict) -> list[str]:
    """The campaign's domains (领域, seed 003 一、3) from a list or one-per-line text: stripped,
    without blanks, unique, each at most 50 characters, at least one."""
    if value is None:
        items: list = []
    elif isinstance(value, str):
        items = value.splitlines()
    elif isinstance(value, list | tuple):
        items = list(value)
    else:
        errors["domains"] = [_("领域须为列表。")]
        return []
    names: list[str] = []
    for item in items:
        try:
            name = clean_text(
                item, field="domains", max_length=DOMAIN_MAX_CHARS, label=_("领域"), multiline=False
            )
        except ValidationError as exc:
            errors.update(exc.message_dict)
            return []
        if name and name not in names:
            names.append(name)
    if not names:
        errors["domains"] = [_("请至少填写一个领域（如沪质协[2022]8号 一、3 的五大领域）。")]
    elif len(names) > DOMAINS_MAX:
        errors["domains"] = [_("领域不能超过%(max)s个。") % {"max": DOMAINS_MAX}]
    return names


def _pk_of(value):
    """The primary key or code given for a related object (an instance, a pk or a code)."""
    if value in (None, ""):
        return None
    return getattr(value, "pk", value)


def _org_in(queryset, value, field: str, message: str, errors: dict):
    """The organisation of ``queryset`` given by instance, pk or code, or ``None`` with an
    error when it is not one of the allowed choices."""
    key = _pk_of(value)
    if key is None:
        return None
    lookup = {"pk": key} if isinstance(key, int) or str(key).isdigit() else {"code": str(key)[:40]}
    found = queryset.filter(**lookup).first()
    if found is None:
        errors[field] = [message]
    return found


# --- campaigns -----------------------------------------------------------------------------
def _campaign_fields(
    *, association: Organisation, data: dict, instance: Campaign | None
) -> tuple[dict, dict]:
    """Validate a campaign's configuration; returns ``(fields, related)`` or raises
    ``ValidationError`` with every field's Chinese message. ``related`` holds ``domains``,
    ``co_building_units`` (``None`` when not given on an edit)."""
    errors: dict = {}
    fields: dict = {}
    partial = instance is not None

    def given(name):
        return not partial or name in data

    for name, label, max_length, required in CAMPAIGN_TEXT_FIELDS:
        if given(name):
            fields[name] = _text(data, name, label, max_length, required, errors)
    if "code" in fields and fields["code"] and not CODE_RE.match(fields["code"]):
        errors["code"] = [_("活动代码只能包含字母、数字、点、短横线和下划线，如 SAQ-2022。")]
    if given("year"):
        fields["year"] = _int(
            data, "year", _("年度"), errors, minimum=YEAR_MIN, maximum=YEAR_MAX, required=True
        )
    for name, label, required in (
        ("period_start", _("统计期起"), True),
        ("period_end", _("统计期止"), True),
        ("deadline", _("材料报送截止日期"), False),
    ):
        if given(name):
            fields[name] = _date(data, name, label, errors, required=required)
    start = fields.get("period_start", instance.period_start if instance else None)
    end = fields.get("period_end", instance.period_end if instance else None)
    if start and end and start > end and not {"period_start", "period_end"} & set(errors):
        errors["period_end"] = [_("统计期止不能早于统计期起。")]
    if given("grade_scheme"):
        scheme = data.get("grade_scheme") or GradeScheme.BENCHMARK_EXCELLENT
        if scheme not in GradeScheme.values:
            errors["grade_scheme"] = [_("请选择有效的成果分级方式。")]
        fields["grade_scheme"] = scheme
    if given("submission_quota"):
        quota = data.get("submission_quota")
        fields["submission_quota"] = _int(
            {"q": DEFAULT_SUBMISSION_QUOTA if quota in (None, "") else quota},
            "q",
            _("每个参与单位申报名额"),
            errors,
            minimum=1,
            maximum=QUOTA_MAX,
            required=True,
        )
        if "q" in errors:
            errors["submission_quota"] = errors.pop("q")
    if given("recommendation_quota"):
        fields["recommendation_quota"] = _int(
            data,
            "recommendation_quota",
            _("下级协会推荐名额"),
            errors,
            minimum=0,
            maximum=QUOTA_MAX,
            required=False,
        )
    if given("parent"):
        fields["parent"] = None
        key = _pk_of(data.get("parent"))
        if key is not None:
            choices = selectors.parent_campaign_choices(association=association)
            lookup = {"pk": key} if isinstance(key, int) else {"code": str(key)[:40]}
            fields["parent"] = choices.filter(**lookup).first()
            if fields["parent"] is None:
                errors["parent"] = [_("上级活动须为上级协会的活动（如全国质量管理小组活动）。")]
    units = selectors.unit_choices(association=association)
    if given("fallback_unit"):
        fields["fallback_unit"] = _org_in(
            units,
            data.get("fallback_unit"),
            "fallback_unit",
            _("兜底推荐单位须为本协会下属的推荐单位（沪质协[2022]8号 二、3(2)）。"),
            errors,
        )
    related: dict = {"domains": None, "co_building_units": None}
    if given("domains"):
        related["domains"] = _domains(data.get("domains"), errors)
    if given("co_building_units"):
        chosen = []
        for value in data.get("co_building_units") or []:
            unit = _org_in(
                units,
                value,
                "co_building_units",
                _("共建推荐单位须为本协会下属的推荐单位（沪质协[2022]8号 三、2）。"),
                errors,
            )
            if unit is not None and unit not in chosen:
                chosen.append(unit)
        related["co_building_units"] = chosen
    if errors:
        raise ValidationError(errors)
    return fields, related


def _save_campaign(campaign: Campaign, related: dict) -> Campaign:
    """Save the campaign and its domains and co-building units; the unique code and the
    unique (association, year, title) are refused in Chinese, also under a race."""
    try:
        with transaction.atomic():
            campaign.save()
            if related["domains"] is not None:
                campaign.domains.all().delete()
                CampaignDomain.objects.bulk_create(
                    CampaignDomain(campaign=campaign, name=name, position=i)
                    for i, name in enumerate(related["domains"])
                )
            if related["co_building_units"] is not None:
                campaign.co_building_units.set(related["co_building_units"])
    except IntegrityError as exc:
        if "title" in str(exc):
            raise ValidationError({"title": _("本协会同一年度已有同名活动。")}) from None
        raise ValidationError({"code": _("活动代码已被使用，请换一个。")}) from None
    return campaign


@transaction.atomic
def campaign_create(*, membership, data: dict) -> Campaign:
    """Create a draft campaign (筹备中) of the acting association (issue 7, item 1).

    Inputs: the acting membership (``campaigns:manage`` at an association) and ``data``:
    ``code``, ``year``, ``title``, ``document_number``, ``theme``, ``period_start``,
    ``period_end``, ``deadline`` (dates or ISO text, Asia/Shanghai), ``domains`` (list or
    one per line; default the five of seed 003 一、3), ``parent`` (a campaign of an ancestor
    association), ``grade_scheme``, ``submission_quota`` (default 2, seed 003 三、2),
    ``recommendation_quota``, ``co_building_units`` and ``fallback_unit`` (recommending units
    under the association, seed 003 三、2 and 二、3(2)), optionally ``stages`` (see
    :func:`campaign_stages_save`). Output: the saved campaign. Raises ``PermissionDenied``
    (403) or ``ValidationError`` (Chinese, per field; a used code is refused).
    """
    require_permission(membership, "campaigns:manage")
    association = membership.organisation
    if association.kind not in (
        OrganisationKind.NATIONAL_ASSOCIATION,
        OrganisationKind.REGIONAL_ASSOCIATION,
        OrganisationKind.INDUSTRY_ASSOCIATION,
    ):
        raise PermissionDenied(_("只有协会可以创建年度活动。"))
    data = dict(data)
    if not data.get("domains"):
        data["domains"] = list(DEFAULT_DOMAINS)
    fields, related = _campaign_fields(association=association, data=data, instance=None)
    if Campaign._base_manager.filter(code=fields["code"]).exists():
        raise ValidationError({"code": _("活动代码已被使用，请换一个。")})
    campaign = Campaign(organisation=association, status=CampaignStatus.DRAFT, **fields)
    _save_campaign(campaign, related)
    if data.get("stages"):
        campaign_stages_save(membership=membership, campaign=campaign, stages=data["stages"])
    return campaign


@transaction.atomic
def campaign_update(*, membership, campaign: Campaign, data: dict) -> Campaign:
    """Change the configuration of ``campaign`` (only the fields present in ``data``; the
    same fields and rules as :func:`campaign_create`; ``status`` only changes by the
    workflow's transitions). Only the owning association's staff (403 otherwise). Output:
    the saved campaign; raises ``ValidationError`` (Chinese, per field)."""
    _own_campaign(membership, campaign)
    campaign = Campaign._base_manager.select_for_update().get(pk=campaign.pk)
    fields, related = _campaign_fields(association=campaign.organisation, data=data, instance=campaign)
    if fields.get("parent") is not None and fields["parent"].pk == campaign.pk:
        raise ValidationError({"parent": _("上级活动不能是本活动。")})
    if (
        "code" in fields
        and Campaign._base_manager.filter(code=fields["code"]).exclude(pk=campaign.pk).exists()
    ):
        raise ValidationError({"code": _("活动代码已被使用，请换一个。")})
    for name, value in fields.items():
        setattr(campaign, name, value)
    return _save_campaign(campaign, related)


@transaction.atomic
def campaign_stages_save(*, membership, campaign: Campaign, stages: Iterable[dict]) -> list[CampaignStage]:
    """Replace the stage calendar of ``campaign`` (seed 003, 二、活动安排; rule R-S3-06).

    Inputs: the acting membership (staff of the owning association) and ``stages``, a list
    of ``{"kind", "starts_on", "ends_on", "responsible"}`` (kinds of
    :class:`~promotion.choices.StageKind`, each at most once; dates Asia/Shanghai). Windows
    may overlap (seed 003's do) but each starts on or before its end. Output: the saved
    stages in the order of seed 003. Raises ``ValidationError`` (Chinese, keyed
    ``stages`` or ``<kind>_starts_on``/``<kind>_ends_on``) or ``PermissionDenied``.
    """
    _own_campaign(membership, campaign)
    if not isinstance(stages, list | tuple):
        raise ValidationError({"stages": _("活动日程须为阶段列表。")})
    errors: dict = {}
    rows: dict[str, CampaignStage] = {}
    for item in stages:
        if not isinstance(item, dict):
            raise ValidationError({"stages": _("活动日程的每一项须包含阶段、开始日期和结束日期。")})
        kind = item.get("kind")
        if kind not in StageKind.values:
            errors["stages"] = [_("未知的阶段：%(kind)s") % {"kind": str(kind)[:40]}]
            continue
        label = StageKind(kind).label
        if kind in rows:
            errors["stages"] = [_("“%(stage)s”阶段重复。") % {"stage": label}]
            continue
        sub: dict = {}
        start = _date(item, "starts_on", _("开始日期"), sub, required=True)
        end = _date(item, "ends_on", _("结束日期"), sub, required=True)
        responsible = _text(item, "responsible", _("责任单位"), 100, False, sub)
        for name, messages in sub.items():
            errors[f"{kind}_{name}"] = [f"{label}：{m}" for m in messages]
        if start and end and start > end:
            errors[f"{kind}_ends_on"] = [_("“%(stage)s”阶段的结束日期不能早于开始日期。") % {"stage": label}]
        if not sub and start and end:
            rows[kind] = CampaignStage(
                campaign=campaign, kind=kind, starts_on=start, ends_on=end, responsible=responsible
            )
    if errors:
        raise ValidationError(errors)
    CampaignStage.objects.filter(campaign=campaign).delete()
    CampaignStage.objects.bulk_create(rows[k] for k in STAGE_ORDER if k in rows)
    generation_bump(selectors.CAMPAIGNS_GENERATION)  # bulk_create sends no signal (the homes' panel)
    return list(CampaignStage.objects.filter(campaign=campaign).order_by("starts_on", "id"))


# --- extensions (延期) -------------------------------------------------------------------
@transaction.atomic
def extension_grant(
    *, membership, campaign: Campaign, organisation, stage: str, until, reason: str
) -> StageExtension:
    """Grant ``organisation`` an extension of ``stage`` until ``until`` (issue 7, item 2;
    rule R-PT-04).

    Inputs: the acting membership (staff of the campaign's association), the organisation
    (an enterprise or recommending unit in the association's subtree, instance, pk or code),
    the stage (a :class:`StageKind` in the calendar), the last day (inclusive, Asia/Shanghai,
    after the stage's end) and the reason (1–200 characters). Granting again for the same
    campaign, organisation and stage updates the extension. Output: the saved extension.
    Raises ``PermissionDenied`` or ``ValidationError`` (Chinese).
    """
    _own_campaign(membership, campaign)
    errors: dict = {}
    target = _org_in(
        selectors.extension_organisation_choices(association=campaign.organisation),
        organisation,
        "organisation",
        _("只能为本协会下属的推荐单位或企业延期。"),
        errors,
    )
    if target is None and "organisation" not in errors:
        errors["organisation"] = [_("请选择延期的单位。")]
    window = None
    if stage not in StageKind.values:
        errors["stage"] = [_("请选择延期的阶段。")]
    else:
        window = campaign.stage_for(stage)
        if window is None:
            errors["stage"] = [_("活动日程未设置“%(stage)s”阶段。") % {"stage": StageKind(stage).label}]
    day = _date({"until": until}, "until", _("延期至"), errors, required=True)
    text = _text({"reason": reason}, "reason", _("延期原因"), 200, True, errors)
    if window is not None and day is not None and day <= window.ends_on:
        errors["until"] = [
            _("延期日期须晚于“%(stage)s”阶段的结束日期 %(end)s。")
            % {"stage": window.get_kind_display(), "end": window.ends_on.isoformat()}
        ]
    if errors:
        raise ValidationError(errors)
    extension, _created = StageExtension._base_manager.update_or_create(
        campaign=campaign,
        organisation=target,
        stage=stage,
        defaults={"until": day, "reason": text, "granted_by": membership.user},
    )
    return extension


@transaction.atomic
def extension_revoke(*, membership, extension: StageExtension) -> None:
    """Revoke an extension (the staff of the campaign's association only; 403 otherwise).
    The audit trail keeps it."""
    _own_campaign(membership, extension.campaign)
    extension.delete()


# --- sign-up (活动报名) ------------------------------------------------------------------
def sign_up_units(*, campaign: Campaign, enterprise: Organisation) -> list[Organisation]:
    """The recommending units an enterprise may sign up through: its own unit
    (``Organisation.parent`` of kind recommending unit) and the campaign's fallback unit
    (seed 003 §二.3(2): 其他-市质协会员现场部), in that order, without repeats."""
    units = []
    parent = (
        Organisation._base_manager.filter(pk=enterprise.parent_id).first() if enterprise.parent_id else None
    )
    if parent is not None and parent.kind == OrganisationKind.RECOMMENDING_UNIT:
        units.append(parent)
    if campaign.fallback_unit_id and all(u.pk != campaign.fallback_unit_id for u in units):
        units.append(Organisation._base_manager.get(pk=campaign.fallback_unit_id))
    return units


def _entry_fields(
    *, campaign: Campaign, enterprise: Organisation, data: dict, errors: dict, default_unit=None
) -> dict:
    """Validate the sign-up form (seed 003 附件2): the seal name (seed 002 Annex 1 note 2),
    contact person, mobile (11 digits), e-mail, address, postcode (6 digits) and the
    recommending unit (one of :func:`sign_up_units`)."""
    fields = {}
    for name, label, max_length, required in ENTRY_TEXT_FIELDS:
        fields[name] = _text(data, name, label, max_length, required, errors)
    mobile = fields.get("contact_mobile")
    if mobile and not MOBILE_RE.match(mobile) and "contact_mobile" not in errors:
        errors["contact_mobile"] = [_("请填写11位手机号码。")]
    email = fields.get("contact_email")
    if email and "contact_email" not in errors:
        try:
            validate_email(email)
        except ValidationError:
            errors["contact_email"] = [_("请填写有效的邮箱地址。")]
    postcode = fields.get("postcode")
    if postcode and not POSTCODE_RE.match(postcode) and "postcode" not in errors:
        errors["postcode"] = [_("邮编须为6位数字。")]
    units = sign_up_units(campaign=campaign, enterprise=enterprise)
    key = _pk_of(data.get("recommending_unit"))
    if key is None:
        unit = default_unit or (units[0] if units else None)
    else:
        unit = next((u for u in units if str(u.pk) == str(key) or u.code == str(key)), None)
    if unit is None:
        errors["recommending_unit"] = [
            _(
                "请选择本企业所属的推荐单位；确无推荐单位的，可选择本活动的兜底推荐单位（沪质协[2022]8号 二、3(2)）。"
            )
            if units
            else _("本企业没有所属的推荐单位，本活动也未设置兜底推荐单位，请联系主办协会。")
        ]
    fields["recommending_unit"] = unit
    return fields


def _sign_up_allowed(membership, campaign: Campaign) -> Organisation:
    """The acting enterprise, after the checks common to signing up and editing: the
    permission ``campaigns:sign_up`` at an enterprise and an open campaign (进行中)."""
    require_permission(membership, "campaigns:sign_up", campaign)
    enterprise = membership.organisation
    if enterprise.kind != OrganisationKind.ENTERPRISE:
        raise PermissionDenied(_("只有企业可以报名参加活动。"))
    if campaign.status != CampaignStatus.OPEN:
        raise ValidationError(
            {
                "campaign": _("活动当前状态为“%(state)s”，不能报名或修改报名。")
                % {"state": campaign.get_status_display()}
            }
        )
    return enterprise


@transaction.atomic
def entry_sign_up(*, membership, campaign: Campaign, data: dict) -> CampaignEntry:
    """Sign the acting enterprise up for ``campaign`` (活动报名, seed 003 §二.1, 附件2).

    Inputs: the enterprise coordinator's membership (``campaigns:sign_up``), an open
    campaign the enterprise sees, and ``data`` with ``seal_name`` (企业名称（以公章为准）,
    seed 002 Annex 1 note 2), ``contact_person``, ``contact_mobile``, ``contact_email``,
    ``address``, ``postcode`` and ``recommending_unit`` (its own unit or the campaign's
    fallback unit, seed 003 §二.3(2); default: the first of :func:`sign_up_units`).
    Accepted only inside the 活动报名 window or until the enterprise's extension
    (:func:`promotion.windows.window_refusal`, rule R-PT-04). One per campaign and
    enterprise: a second sign-up, also a simultaneous one, is refused in Chinese. Output:
    the saved entry. Raises ``PermissionDenied`` or ``ValidationError``.
    """
    enterprise = _sign_up_allowed(membership, campaign)
    refusal = window_refusal(campaign=campaign, stage=StageKind.REGISTRATION, organisation_id=enterprise.pk)
    if refusal:
        raise ValidationError({"campaign": refusal})
    if CampaignEntry._base_manager.filter(campaign=campaign, organisation=enterprise).exists():
        raise ValidationError({"campaign": _("本企业已报名本活动，如需修改请编辑报名信息。")})
    errors: dict = {}
    fields = _entry_fields(campaign=campaign, enterprise=enterprise, data=data, errors=errors)
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            return CampaignEntry.objects.create(
                campaign=campaign, organisation=enterprise, signed_up_by=membership.user, **fields
            )
    except IntegrityError:
        raise ValidationError({"campaign": _("本企业已报名本活动，如需修改请编辑报名信息。")}) from None


@transaction.atomic
def entry_update(*, membership, entry: CampaignEntry, data: dict) -> CampaignEntry:
    """Edit the acting enterprise's sign-up while the campaign is open (进行中). The same
    fields and rules as :func:`entry_sign_up`; the recommending unit changes only while the
    enterprise may still sign up (活动报名 window or its extension). Output: the saved
    entry. Raises ``PermissionDenied`` (another enterprise's entry) or ``ValidationError``."""
    enterprise = _sign_up_allowed(membership, entry.campaign)
    if entry.organisation_id != enterprise.pk:
        raise PermissionDenied(_("只能修改本企业的报名信息。"))
    entry = CampaignEntry._base_manager.select_for_update().get(pk=entry.pk)
    errors: dict = {}
    fields = _entry_fields(
        campaign=entry.campaign,
        enterprise=enterprise,
        data=data,
        errors=errors,
        default_unit=entry.recommending_unit,
    )
    unit = fields.pop("recommending_unit")
    if unit is not None and unit.pk != entry.recommending_unit_id:
        refusal = window_refusal(
            campaign=entry.campaign, stage=StageKind.REGISTRATION, organisation_id=enterprise.pk
        )
        if refusal:
            errors["recommending_unit"] = [_("报名阶段已结束，不能再更换推荐单位。") + refusal]
        else:
            entry.recommending_unit = unit
    if errors:
        raise ValidationError(errors)
    for name, value in fields.items():
        setattr(entry, name, value)
    entry.save()
    return entry
