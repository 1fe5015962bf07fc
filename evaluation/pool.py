"""The expert pool (专家库) of an association and the conflicts of interest its judges
declare and staff waive (issue 8, items 1 and 3; standard.md §4).

Reads (selectors) and writes (services, keyword-only, ``@transaction.atomic``, permission
checked first) of :class:`~evaluation.models.Judge`, :class:`JudgeQualification`,
:class:`ConflictDeclaration` and :class:`ConflictWaiver`, plus the Excel import of the pool
(openpyxl: template, preview, one-transaction confirm). Every change is audited by
django-auditlog (registered models). Messages are Chinese.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field

import openpyxl
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Count, Min, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl.styles import Font, PatternFill

from circles.choices import ProjectType
from promotion.models import Campaign
from qcportal.choices import ASSOCIATION_KINDS
from qcportal.models import Membership, Organisation
from qcportal.permissions import require_permission
from qcportal.roles import Role
from qcportal.tenancy import visible_organisations
from qcportal.uploads import validate_upload

from .choices import JudgeLevel, QualificationKind
from .conflicts import conflicted_pairs
from .models import (
    ConflictDeclaration,
    ConflictWaiver,
    Judge,
    JudgeAssignment,
    JudgeQualification,
    Judging,
    Submission,
)

#: Days before expiry when a qualification counts as "expiring" (issue 8 item 1 filter).
EXPIRING_DAYS = 90
#: Largest import file (5 MB) and row count.
IMPORT_MAX_BYTES = 5 * 1024 * 1024
IMPORT_MAX_ROWS = 5_000
XLSX = {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx"}
#: Import columns (Chinese headers) → Judge field; 证书编号 identifies the row (seed 002 Annex 4 note 2).
IMPORT_COLUMNS = (
    ("姓名", "name"),
    ("评委证书编号", "certificate_number"),
    ("评委级别", "level"),
    ("工作单位", "work_unit"),
    ("工作单位代码", "employer"),
    ("手机", "mobile"),
    ("电子邮箱", "email"),
    ("专业领域", "domains"),
    ("擅长课题类型", "topic_types"),
    ("资格类别", "qualification_kind"),
    ("资格证书编号", "qualification_number"),
    ("资格有效期至", "qualification_expires_on"),
    ("备注", "notes"),
)
IMPORT_REQUIRED = ("姓名", "评委证书编号", "工作单位")
REASON_MAX_CHARS = 200
LIST_SEPARATORS = ("；", ";", "，", ",", "、", "\n")


# --- reads ---------------------------------------------------------------------------------------
def judge_pool(*, association: Organisation, filters: dict | None = None) -> QuerySet[Judge]:
    """The association's judges (active and inactive) for the pool list, filtered.

    ``filters`` (all optional, strings as from a query string): ``q`` (name, certificate
    number or work unit, contains), ``level`` (``JudgeLevel``), ``domain`` (a specialty
    domain name), ``active`` (``"1"``/``"0"``), ``qualification`` (``"expired"``: holds an
    expired qualification; ``"expiring"``: one expiring within :data:`EXPIRING_DAYS` days).
    Output: a queryset with ``employer`` and ``user`` joined and ``qualification_count`` and
    ``next_expiry`` annotated in SQL (no per-row queries), ordered by level then name.
    Issue 8 item 1.
    """
    filters = filters or {}
    today = timezone.localdate()
    qs = Judge.objects.filter(organisation=association)
    q = str(filters.get("q") or "").strip()[:100]
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(certificate_number__icontains=q) | Q(work_unit__icontains=q))
    level = filters.get("level")
    if level in JudgeLevel.values:
        qs = qs.filter(level=level)
    domain = str(filters.get("domain") or "").strip()[:50]
    if domain:
        qs = qs.filter(domains__contains=[domain])
    active = filters.get("active")
    if active in ("1", "0", True, False):
        qs = qs.filter(is_active=active in ("1", True))
    qualification = filters.get("qualification")
    if qualification == "expired":
        qs = qs.filter(qualifications__expires_on__lt=today)
    elif qualification == "expiring":
        qs = qs.filter(
            qualifications__expires_on__gte=today,
            qualifications__expires_on__lte=today + dt.timedelta(days=EXPIRING_DAYS),
        )
    level_order = _level_order()
    return (
        qs.select_related("employer", "user")
        .annotate(
            qualification_count=Count("qualifications", distinct=True),
            next_expiry=Min("qualifications__expires_on", filter=Q(qualifications__expires_on__gte=today)),
        )
        .order_by(level_order, "name", "id")
    )


def _level_order():
    from django.db.models import Case, When

    return Case(When(level=JudgeLevel.PANEL_CHAIR, then=0), When(level=JudgeLevel.SENIOR, then=1), default=2)


def pool_domains(*, association: Organisation) -> list[str]:
    """Specialty domain names offered in the pool's filter and form: the domains of the
    association's campaigns and those already on its judges, sorted. Two queries."""
    from promotion.models import CampaignDomain

    names = set(
        CampaignDomain._base_manager.filter(campaign__organisation=association).values_list("name", flat=True)
    )
    for domains in Judge.objects.filter(organisation=association).values_list("domains", flat=True):
        names.update(d for d in domains or () if isinstance(d, str))
    return sorted(names)


def judge_get(*, association: Organisation, pk: int) -> Judge:
    """One judge of ``association`` (scoped manager), else ``Http404``."""
    judge = Judge.objects.filter(organisation=association, pk=pk).select_related("employer", "user").first()
    if judge is None:
        raise Http404
    return judge


def judge_detail(*, judge: Judge) -> dict:
    """What the judge's page shows (issue 8 item 1): ``qualifications`` (each with
    ``expired``), ``declarations``, ``waivers`` and ``assignments`` grouped per campaign
    (``[(campaign, [assignment, …])]``). A fixed number of queries."""
    today = timezone.localdate()
    qualifications = list(judge.qualifications.all())
    for q in qualifications:
        q.expired = bool(q.expires_on and q.expires_on < today)
    declarations = list(
        ConflictDeclaration._base_manager.filter(judge=judge)
        .select_related("submission", "party", "declared_by")
        .order_by("-declared_at")
    )
    waivers = list(
        ConflictWaiver._base_manager.filter(judge=judge)
        .select_related("submission", "waived_by")
        .order_by("-waived_at")
    )
    assignments = list(
        JudgeAssignment._base_manager.filter(judge=judge)
        .select_related("round__judging__campaign", "submission", "panel")
        .order_by("-round__judging__campaign__year", "round__position", "submission_id")[:500]
    )
    per_campaign: dict[int, tuple] = {}
    for a in assignments:
        campaign = a.round.judging.campaign
        per_campaign.setdefault(campaign.pk, (campaign, []))[1].append(a)
    return {
        "qualifications": qualifications,
        "declarations": declarations,
        "waivers": waivers,
        "assignments": list(per_campaign.values()),
    }


def employer_choices(*, association: Organisation, q: str = "", limit: int = 20) -> QuerySet[Organisation]:
    """Organisations a judge of ``association`` may be employed by: the association's subtree
    without associations, matching ``q`` (name or code, contains), at most ``limit``."""
    qs = Organisation._base_manager.filter(pk__in=visible_organisations(association)).exclude(
        kind__in=ASSOCIATION_KINDS
    )
    q = (q or "").strip()[:100]
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(code__icontains=q))
    return qs.order_by("path")[:limit]


def organisation_by_code(*, association: Organisation, code: str) -> Organisation | None:
    """The organisation with ``code`` in the association's subtree (not an association), or
    ``None``; for a judge's declaration against an organisation."""
    return (
        Organisation._base_manager.filter(
            pk__in=visible_organisations(association), code=(code or "").strip()[:40]
        )
        .exclude(kind__in=ASSOCIATION_KINDS)
        .first()
    )


def judging_conflicts(*, campaign: Campaign, association: Organisation) -> dict:
    """The conflicts of one judging (campaign × association) for staff (issue 8 item 3):
    ``conflicts`` — every (judge, submission, reason) among the association's active judges
    and the campaign's submissions it judges, waived pairs excluded — and ``waivers`` (with
    judge, submission and actor). Bounded queries (see :func:`conflicted_pairs`)."""
    judges = {j.pk: j for j in Judge.objects.filter(organisation=association, is_active=True)}
    submissions = {
        s.pk: s
        for s in Submission.objects.filter(campaign=campaign, recommending_association=association)
        .exclude(status__in=("draft", "withdrawn"))
        .select_related("organisation", "circle")
    }
    pairs = conflicted_pairs(judges.values(), submissions.values())
    conflicts = sorted(
        ((judges[j], submissions[s], reason) for (j, s), reason in pairs.items()),
        key=lambda row: (row[0].name, row[1].pk),
    )
    waivers = list(
        ConflictWaiver.objects.filter(organisation=association, submission__campaign=campaign)
        .select_related("judge", "submission__organisation", "waived_by")
        .order_by("-waived_at")
    )
    return {"conflicts": conflicts, "waivers": waivers}


# --- writes: judges ------------------------------------------------------------------------------
JUDGE_FIELDS = (
    "name",
    "certificate_number",
    "level",
    "work_unit",
    "employer",
    "mobile",
    "email",
    "domains",
    "topic_types",
    "login",
    "notes",
    "is_active",
)


def _text(data: dict, key: str, label: str, max_len: int, *, required: bool = False) -> str:
    value = data.get(key)
    value = "" if value is None else str(value).strip()
    if "\x00" in value:
        raise ValidationError({key: _("%(label)s含有非法字符。") % {"label": label}})
    if required and not value:
        raise ValidationError({key: _("请填写%(label)s。") % {"label": label}})
    if len(value) > max_len:
        raise ValidationError({key: _("%(label)s不能超过%(n)s个字。") % {"label": label, "n": max_len}})
    return value


def _names(value) -> list[str]:
    """A list of names from a list or a text separated by ；/;/，/,/、/newline."""
    if value is None:
        return []
    if isinstance(value, str):
        for sep in LIST_SEPARATORS:
            value = value.replace(sep, "\x1f")
        value = value.split("\x1f")
    if not isinstance(value, list | tuple):
        raise ValidationError(_("格式不正确。"))
    out: list[str] = []
    for item in value:
        item = str(item).strip()
        if item and item not in out:
            out.append(item)
    return out


def _topic_types(value) -> list[str]:
    labels = {str(label): v for v, label in ProjectType.choices}
    out = []
    for item in _names(value):
        code = item if item in ProjectType.values else labels.get(item)
        if code is None:
            raise ValidationError(
                {
                    "topic_types": _("课题类型“%(v)s”无效，应为：%(all)s。")
                    % {"v": item[:20], "all": "、".join(labels)}
                }
            )
        if code not in out:
            out.append(code)
    return out


def _level(value) -> str:
    value = str(value or "").strip()
    if not value:
        return JudgeLevel.JUDGE
    labels = {str(label): v for v, label in JudgeLevel.choices}
    if value in JudgeLevel.values:
        return value
    if value in labels:
        return labels[value]
    raise ValidationError(
        {"level": _("评委级别“%(v)s”无效，应为：%(all)s。") % {"v": value[:20], "all": "、".join(labels)}}
    )


def _employer(association: Organisation, value) -> Organisation | None:
    """The employer organisation: an ``Organisation``, a pk or a code, within the association's
    subtree (not an association)."""
    if value in (None, ""):
        return None
    qs = Organisation._base_manager.filter(pk__in=visible_organisations(association)).exclude(
        kind__in=ASSOCIATION_KINDS
    )
    if isinstance(value, Organisation):
        found = qs.filter(pk=value.pk).first()
    elif isinstance(value, int) or (isinstance(value, str) and value.strip().isdigit()):
        found = qs.filter(pk=int(value)).first()
    else:
        found = qs.filter(code=str(value).strip()[:40]).first()
    if found is None:
        raise ValidationError({"employer": _("工作单位须为本协会范围内的企业或推荐单位。")})
    return found


def _login(association: Organisation, value):
    """The user to link (by username or e-mail): must hold an active judge role at the
    association (so the login sees its tasks there). ``None`` for no login."""
    value = "" if value is None else str(value).strip()[:254]
    if not value:
        return None
    User = get_user_model()
    user = User.objects.filter(Q(username=value) | Q(email__iexact=value)).order_by("id").first()
    if (
        user is None
        or not Membership._base_manager.filter(
            user=user, organisation=association, role=Role.JUDGE, is_active=True
        ).exists()
    ):
        raise ValidationError(
            {
                "login": _("未找到在本协会担任评委角色的用户“%(v)s”，请先在用户管理中邀请其为评委。")
                % {"v": value[:50]}
            }
        )
    return user


def clean_judge_data(*, association: Organisation, data: dict, instance: Judge | None = None) -> dict:
    """Validate judge fields (issue 8 item 1) and return model values.

    Inputs: ``data`` with any of :data:`JUDGE_FIELDS` (``login``: username or e-mail;
    ``employer``: organisation, pk or code; ``domains``/``topic_types``: list or text with
    ；-separators, topic types by code or Chinese label; ``level`` by code or label). For an
    update (``instance``) missing keys keep their value. Raises ``ValidationError`` with a
    Chinese message per field (required, lengths, e-mail, level, topic type, employer outside
    the association, unknown login, certificate number used by another judge of the
    association).
    """
    partial = instance is not None
    out: dict = {}

    def has(key):
        return not partial or key in data

    if has("name"):
        out["name"] = _text(data, "name", _("姓名"), 50, required=True)
    if has("certificate_number"):
        out["certificate_number"] = _text(data, "certificate_number", _("评委证书编号"), 40, required=True)
    if has("work_unit"):
        out["work_unit"] = _text(data, "work_unit", _("工作单位"), 200, required=True)
    if has("mobile"):
        out["mobile"] = _text(data, "mobile", _("手机"), 20)
    if has("notes"):
        out["notes"] = _text(data, "notes", _("备注"), 200)
    if has("email"):
        email = _text(data, "email", _("电子邮箱"), 254)
        if email:
            try:
                validate_email(email)
            except ValidationError:
                raise ValidationError({"email": _("电子邮箱格式不正确。")}) from None
        out["email"] = email
    if has("level"):
        out["level"] = _level(data.get("level"))
    if has("domains"):
        try:
            domains = _names(data.get("domains"))
        except ValidationError:
            raise ValidationError({"domains": _("专业领域格式不正确。")}) from None
        if len(domains) > 20 or any(len(d) > 50 for d in domains):
            raise ValidationError({"domains": _("专业领域最多20个，每个不超过50字。")})
        out["domains"] = domains
    if has("topic_types"):
        try:
            out["topic_types"] = _topic_types(data.get("topic_types"))
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                raise
            raise ValidationError({"topic_types": _("擅长课题类型格式不正确。")}) from None
    if has("employer"):
        out["employer"] = _employer(association, data.get("employer"))
    if has("login"):
        out["user"] = _login(association, data.get("login"))
    if has("is_active"):
        value = data.get("is_active", True)
        out["is_active"] = (
            value if isinstance(value, bool) else str(value).lower() in ("1", "true", "on", "是")
        )
    cert = out.get("certificate_number")
    if cert:
        clash = Judge._base_manager.filter(organisation=association, certificate_number=cert)
        if instance is not None:
            clash = clash.exclude(pk=instance.pk)
        if clash.exists():
            raise ValidationError(
                {"certificate_number": _("评委证书编号“%(v)s”已被本协会其他评委使用。") % {"v": cert}}
            )
    user = out.get("user")
    if user is not None:
        other = Judge._base_manager.filter(organisation=association, user=user)
        if instance is not None:
            other = other.exclude(pk=instance.pk)
        if other.exists():
            raise ValidationError({"login": _("该用户已关联本协会的另一位评委。")})
    return out


def _pool_association(membership: Membership) -> Organisation:
    require_permission(membership, "evaluation:manage")
    if membership.organisation.kind not in ASSOCIATION_KINDS:
        raise ValidationError(_("只有协会工作人员可以管理专家库。"))
    return membership.organisation


def _save(judge: Judge, message: str) -> Judge:
    try:
        with transaction.atomic():
            judge.save()
    except IntegrityError:
        raise ValidationError({"certificate_number": message}) from None
    return judge


@transaction.atomic
def judge_create(*, membership: Membership, data: dict) -> Judge:
    """Register a judge in the acting association's pool (issue 8 item 1).

    Input: the staff membership (``evaluation:manage`` at an association) and ``data`` (see
    :func:`clean_judge_data`). Output: the new judge. Raises ``PermissionDenied`` or
    ``ValidationError`` (Chinese; a simultaneous duplicate certificate number is caught by
    the unique constraint and reported the same way).
    """
    association = _pool_association(membership)
    values = clean_judge_data(association=association, data=data)
    judge = Judge(organisation=association, **values)
    return _save(judge, _("评委证书编号已被本协会其他评委使用。"))


@transaction.atomic
def judge_update(*, membership: Membership, judge: Judge, data: dict) -> Judge:
    """Change a judge of the acting association (partial: only the keys in ``data``).
    Raises ``PermissionDenied``, ``Http404`` (another association's judge) or
    ``ValidationError`` (Chinese). Issue 8 item 1."""
    association = _pool_association(membership)
    if judge.organisation_id != association.pk:
        raise Http404
    judge = Judge._base_manager.select_for_update().get(pk=judge.pk)
    for key, value in clean_judge_data(association=association, data=data, instance=judge).items():
        setattr(judge, key, value)
    return _save(judge, _("评委证书编号已被本协会其他评委使用。"))


def _qualification_values(data: dict) -> dict:
    kind = str(data.get("kind") or "").strip()
    labels = {str(label): v for v, label in QualificationKind.choices}
    kind = kind if kind in QualificationKind.values else labels.get(kind)
    if kind is None:
        raise ValidationError({"kind": _("请选择资格类别。")})
    number = _text(data, "number", _("证书编号"), 40, required=True)
    title = _text(data, "title", _("证书名称"), 100)
    expires = data.get("expires_on")
    if isinstance(expires, dt.datetime):
        expires = expires.date()
    elif expires in (None, ""):
        expires = None
    elif not isinstance(expires, dt.date):
        try:
            expires = dt.date.fromisoformat(str(expires).strip()[:10])
        except ValueError:
            raise ValidationError({"expires_on": _("有效期格式应为 YYYY-MM-DD。")}) from None
    return {"kind": kind, "number": number, "title": title, "expires_on": expires}


@transaction.atomic
def qualification_add(*, membership: Membership, judge: Judge, data: dict) -> JudgeQualification:
    """Add a qualification (kind, title, number, expiry) to a judge of the acting association
    (issue 8 item 1). Raises ``ValidationError`` (Chinese) for a missing kind or number, a bad
    date, or the same kind and number twice."""
    association = _pool_association(membership)
    if judge.organisation_id != association.pk:
        raise Http404
    values = _qualification_values(data)
    if JudgeQualification._base_manager.filter(
        judge=judge, kind=values["kind"], number=values["number"]
    ).exists():
        raise ValidationError({"number": _("该评委已有此类别、此编号的资格。")})
    try:
        with transaction.atomic():
            return JudgeQualification._base_manager.create(judge=judge, **values)
    except IntegrityError:
        raise ValidationError({"number": _("该评委已有此类别、此编号的资格。")}) from None


@transaction.atomic
def qualification_remove(*, membership: Membership, qualification: JudgeQualification) -> None:
    """Remove a qualification of a judge of the acting association (audited)."""
    association = _pool_association(membership)
    if qualification.judge.organisation_id != association.pk:
        raise Http404
    qualification.delete()


# --- writes: conflicts ---------------------------------------------------------------------------
def _reason(reason: str, field_name: str = "reason") -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({field_name: _("请填写原因。")})
    if "\x00" in reason:
        raise ValidationError({field_name: _("原因含有非法字符。")})
    if len(reason) > REASON_MAX_CHARS:
        raise ValidationError({field_name: _("原因不能超过%(n)s字。") % {"n": REASON_MAX_CHARS}})
    return reason


def _frozen(submission: Submission) -> bool:
    return Judging._base_manager.filter(
        campaign_id=submission.campaign_id,
        organisation_id=submission.recommending_association_id,
        status="published",
    ).exists()


def own_judge(membership: Membership) -> Judge | None:
    """The acting membership's judge profile at its association (``None`` if it has none)."""
    return Judge._base_manager.filter(
        user_id=membership.user_id, organisation_id=membership.organisation_id
    ).first()


@transaction.atomic
def conflict_declare(
    *,
    membership: Membership,
    reason: str,
    submission: Submission | None = None,
    party: Organisation | None = None,
) -> ConflictDeclaration:
    """A judge declares a conflict of interest (回避) with one submission or with an
    organisation (issue 8 item 3; standard.md §4, manual recusal).

    Inputs: the judge's membership, a reason (required, ≤ 200 characters) and exactly one of
    ``submission`` / ``party``. Effect: a :class:`ConflictDeclaration`; the judge's live
    assignments on the submission (or on every submission of the organisation) are recused
    with the reason, so their sheets stop counting and showing (as
    :func:`evaluation.services.recusal_declare`). Raises ``PermissionDenied`` (not a judge),
    ``ValidationError`` (Chinese: no reason, too long, no target, judging published).
    """
    require_permission(membership, "evaluation:recuse")
    judge = own_judge(membership)
    if judge is None:
        raise ValidationError(_("您在本协会没有评委档案，无法申报回避。"))
    reason = _reason(reason)
    if (submission is None) == (party is None):
        raise ValidationError(_("请选择一个成果或一个相关单位。"))
    if submission is not None and _frozen(submission):
        raise ValidationError(_("评审结果已发布，不能再申报回避。"))
    duplicate = ConflictDeclaration._base_manager.filter(judge=judge, submission=submission, party=party)
    if duplicate.exists():
        raise ValidationError(_("您已申报过此回避。"))
    declaration = ConflictDeclaration._base_manager.create(
        organisation_id=judge.organisation_id,
        judge=judge,
        submission=submission,
        party=party,
        reason=reason,
        declared_by=membership.user,
    )
    live = JudgeAssignment._base_manager.select_for_update().filter(judge=judge, recused=False)
    if submission is not None:
        live = live.filter(submission=submission)
    else:
        live = live.filter(
            Q(submission__organisation=party)
            | Q(submission__recommending_unit=party)
            | Q(submission__organisation__parent=party)
        )
    live = live.exclude(round__judging__status="published")
    for assignment in live:
        assignment.recused, assignment.recusal_reason, assignment.is_panel_chair = True, reason, False
        assignment.save()
    return declaration


@transaction.atomic
def conflict_waive(
    *, membership: Membership, judge: Judge, submission: Submission, reason: str
) -> ConflictWaiver:
    """Staff waive a conflict of ``judge`` with ``submission`` with a recorded reason (issue 8
    item 3: waived only by staff; audited by django-auditlog with the actor).

    Raises ``PermissionDenied``, ``Http404`` (another association's judge or submission) or
    ``ValidationError`` (Chinese: no reason, > 200 characters, no conflict to waive, already
    waived, judging published).
    """
    association = _pool_association(membership)
    if judge.organisation_id != association.pk or submission.recommending_association_id != association.pk:
        raise Http404
    reason = _reason(reason)
    if _frozen(submission):
        raise ValidationError(_("评审结果已发布，不能再豁免回避。"))
    if ConflictWaiver._base_manager.filter(judge=judge, submission=submission).exists():
        raise ValidationError(_("该回避已豁免。"))
    if not conflicted_pairs([judge], [submission]):
        raise ValidationError(_("该评委与该成果之间没有需要豁免的回避关系。"))
    try:
        with transaction.atomic():
            return ConflictWaiver._base_manager.create(
                organisation=association,
                judge=judge,
                submission=submission,
                reason=reason,
                waived_by=membership.user,
            )
    except IntegrityError:
        raise ValidationError(_("该回避已豁免。")) from None


@transaction.atomic
def waiver_revoke(*, membership: Membership, waiver: ConflictWaiver) -> None:
    """Staff revoke a waiver: the conflict applies again (audited). Refused once the judging
    is published (Chinese ``ValidationError``)."""
    association = _pool_association(membership)
    if waiver.organisation_id != association.pk:
        raise Http404
    if _frozen(waiver.submission):
        raise ValidationError(_("评审结果已发布，不能撤销豁免。"))
    waiver.delete()


# --- import --------------------------------------------------------------------------------------
def import_template_xlsx() -> bytes:
    """The pool's import template: an 导入 sheet with the Chinese headers of
    :data:`IMPORT_COLUMNS` and a 填写说明 sheet."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "导入"
    ws.append([header for header, _f in IMPORT_COLUMNS])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        ws.column_dimensions[cell.column_letter].width = 16
    ws.freeze_panes = "A2"
    notes = wb.create_sheet("填写说明")
    for line in (
        "每行一位评委；第一行为表头，请勿修改。姓名、评委证书编号、工作单位必填。",
        "评委证书编号在本协会内唯一：已有该编号的评委将被更新，否则新建。",
        "评委级别填写：评审组长、评委骨干或评委（留空为评委）。",
        "工作单位代码：平台中该企业或推荐单位的代码（用于自动回避），可留空。",
        "专业领域、擅长课题类型可填多个，用“；”分隔；课题类型为：问题解决型、创新型。",
        "资格类别填写：QC小组活动推进者、QC小组活动诊断师或其他资格；有效期格式 YYYY-MM-DD。",
        "导入前先预览：有错误的行不会导入；确认后一次性写入。",
    ):
        notes.append([line])
    notes.column_dimensions["A"].width = 100
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


@dataclass
class ImportPreview:
    """The outcome of checking an import file: rows to ``create`` and to ``update`` (each
    ``{"row", "data", "qualification", "judge"?}``) and ``errors`` (``{"row", "message"}``)."""

    create: list = field(default_factory=list)
    update: list = field(default_factory=list)
    errors: list = field(default_factory=list)


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def import_read(upload) -> bytes:
    """Check an uploaded file (xlsx by content, ≤ 5 MB) and return its bytes. Raises
    ``ValidationError`` (Chinese) otherwise."""
    validate_upload(upload, allowed=XLSX, max_bytes=IMPORT_MAX_BYTES)
    upload.seek(0)
    return upload.read()


def import_check(*, association: Organisation, content: bytes) -> ImportPreview:
    """Parse and check every row of an import file without writing (issue 8 item 1).

    Rows are matched to existing judges by 评委证书编号 (update) or created. A faulty row
    (required cell missing, value too long, bad level, unknown organisation code, bad date,
    duplicate certificate number within the file) lands in ``errors`` with its sheet row
    number and a Chinese reason. Raises ``ValidationError`` for a file that is not the
    template (unreadable, headers missing, too many rows).
    """
    try:
        wb = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many types for a damaged file
        raise ValidationError(_("无法读取该Excel文件，请使用平台提供的导入模板。")) from None
    ws = wb["导入"] if "导入" in wb.sheetnames else wb.worksheets[0]
    rows = ws.iter_rows(values_only=True)
    header = [_cell(v) for v in next(rows, ())]
    positions = {name: header.index(name) for name, _f in IMPORT_COLUMNS if name in header}
    missing = [name for name in IMPORT_REQUIRED if name not in positions]
    if missing:
        raise ValidationError(
            _("导入文件缺少表头：%(names)s。请使用平台提供的导入模板。") % {"names": "、".join(missing)}
        )
    fields = dict(IMPORT_COLUMNS)
    raw = []
    for number, values in enumerate(rows, start=2):
        cells = {fields[name]: _cell(values[i]) if i < len(values) else "" for name, i in positions.items()}
        if not any(cells.values()):
            continue
        raw.append((number, cells))
        if len(raw) > IMPORT_MAX_ROWS:
            raise ValidationError(_("一次最多导入%(n)s行。") % {"n": IMPORT_MAX_ROWS})
    wb.close()
    existing = {
        j.certificate_number: j
        for j in Judge._base_manager.filter(
            organisation=association,
            certificate_number__in=[c.get("certificate_number", "")[:40] for _n, c in raw],
        )
    }
    preview = ImportPreview()
    seen: set[str] = set()
    for number, cells in raw:
        qualification = {
            "kind": cells.pop("qualification_kind", ""),
            "number": cells.pop("qualification_number", ""),
            "expires_on": cells.pop("qualification_expires_on", ""),
        }
        cells = {k: v for k, v in cells.items()}
        cert = cells.get("certificate_number", "")
        instance = existing.get(cert)
        try:
            if cert and cert in seen:
                raise ValidationError(_("评委证书编号“%(v)s”在文件中重复。") % {"v": cert[:40]})
            data = dict(cells)
            if instance is not None and not data.get("employer"):
                data.pop("employer", None)
            clean_judge_data(association=association, data=data, instance=instance)
            if qualification["kind"] or qualification["number"]:
                _qualification_values(qualification)
            else:
                qualification = None
        except ValidationError as exc:
            messages = exc.messages
            preview.errors.append({"row": number, "message": "；".join(str(m) for m in messages)})
            continue
        seen.add(cert)
        entry = {"row": number, "data": data, "qualification": qualification}
        if instance is not None:
            entry["judge"] = instance
            preview.update.append(entry)
        else:
            preview.create.append(entry)
    return preview


@transaction.atomic
def import_apply(*, membership: Membership, content: bytes) -> ImportPreview:
    """Write an import file in one transaction (issue 8 item 1): create or update every valid
    row by 评委证书编号 and add its qualification if new; faulty rows are skipped (they were
    shown in the preview). Output: the preview that was applied. Raises ``PermissionDenied``
    or ``ValidationError`` (bad file)."""
    association = _pool_association(membership)
    preview = import_check(association=association, content=content)
    for entry in preview.create:
        judge = judge_create(membership=membership, data=entry["data"])
        _import_qualification(judge, entry["qualification"])
    for entry in preview.update:
        judge = judge_update(membership=membership, judge=entry["judge"], data=entry["data"])
        _import_qualification(judge, entry["qualification"])
    return preview


def _import_qualification(judge: Judge, qualification: dict | None) -> None:
    if not qualification:
        return
    values = _qualification_values(qualification)
    JudgeQualification._base_manager.update_or_create(
        judge=judge,
        kind=values["kind"],
        number=values["number"],
        defaults={"expires_on": values["expires_on"], "title": values["title"]},
    )
