"""Rounds and panels of a judging, configured by staff (issue 8, items 2 and 4): the
judging's settings, round configuration (kind, sheet, dates, judges per submission, cap,
weight, entry rule, blind flag), which submissions enter a round, panels per domain, and the
live workload of the judges. Reads and writes of one area, kept together (services take
keyword-only arguments, check ``evaluation:manage`` and run in a transaction).
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from promotion.models import Campaign, CampaignDomain
from qcportal.choices import ASSOCIATION_KINDS
from qcportal.models import Membership
from qcportal.permissions import require_permission

from .choices import (
    GradeMethod,
    JudgeLevel,
    PresentationMode,
    RoundEntry,
    RoundKind,
    RoundStatus,
    ScoreSheetKind,
    ScoreSheetStatus,
    SubmissionStatus,
)
from .judging import judging_get_or_create, standard_template
from .models import (
    GradeLevel,
    Judge,
    JudgeAssignment,
    Judging,
    JudgingRound,
    Panel,
    RoundScore,
    ScoreSheet,
    SheetTemplate,
    Submission,
)

#: Submission states that enter judging: passed formal review or later, never rejected,
#: withdrawn or returned (issue 8, item 2; issue 5).
ENTRANT_STATES = (
    SubmissionStatus.FORMALLY_REVIEWED,
    SubmissionStatus.SCORED,
    SubmissionStatus.RECOMMENDED,
    SubmissionStatus.NOT_RECOMMENDED,
)

#: The sheet kinds a round of each kind may use (T/CAQ 10201-2020 附录B; standard.md §3).
ROUND_SHEET_KINDS = {
    RoundKind.MATERIALS: (ScoreSheetKind.PROBLEM_SOLVING_RESULT,),
    RoundKind.ONSITE: (ScoreSheetKind.ONSITE,),
    RoundKind.PRESENTATION: (ScoreSheetKind.PRESENTATION,),
}
#: The standard sheet each round kind uses by default.
DEFAULT_SHEET = {
    RoundKind.MATERIALS: ScoreSheetKind.PROBLEM_SOLVING_RESULT,
    RoundKind.ONSITE: ScoreSheetKind.ONSITE,
    RoundKind.PRESENTATION: ScoreSheetKind.PRESENTATION,
}
#: Longest recorded presentation video a round may allow (minutes).
VIDEO_MINUTES_MAX = 60
#: Fields of a round that may still change once its assignment is published.
LIVE_FIELDS = ("name", "starts_on", "ends_on", "weight")
ROUND_FIELDS = (
    "name",
    "kind",
    "presentation_mode",
    "video_minutes",
    "template",
    "innovation_template",
    "starts_on",
    "ends_on",
    "judges_per_submission",
    "judge_cap",
    "weight",
    "entry",
    "entry_score",
    "entry_grade",
    "blind",
)


def frozen_refusal(judging: Judging) -> None:
    """Raise ``ValidationError`` (Chinese) when the judging is published (issue 8, item 7:
    publication freezes scores, sheets, assignments and grades; rule R-JD-30)."""
    if judging.is_frozen:
        raise ValidationError(
            _("评审结果已发布，评分、评委分配和等级已冻结；如需修改，须由协会领导重新开放（审计留痕）。")
        )


# --- reads ---------------------------------------------------------------------------------
def judging_for(*, membership: Membership, campaign: Campaign) -> Judging:
    """The judging of ``campaign`` by the acting association (the submissions' 推荐省市、行业),
    created on first use. Raises ``PermissionDenied`` when the acting organisation is not an
    association (issue 8, item 2)."""
    if membership.organisation.kind not in ASSOCIATION_KINDS:
        raise PermissionDenied(_("只有协会工作人员可以组织评审。"))
    return judging_get_or_create(campaign=campaign, association=membership.organisation)


def round_list(*, judging: Judging) -> QuerySet[JudgingRound]:
    """The judging's rounds in order, with their panels' and assignments' counts annotated
    (``panels_n``, ``assignments_n``): one query."""
    return (
        JudgingRound.objects.filter(judging=judging)
        .select_related("template", "innovation_template", "entry_grade")
        .annotate(
            panels_n=Count("panels", distinct=True),
            assignments_n=Count("assignments", filter=Q(assignments__recused=False), distinct=True),
        )
        .order_by("position")
    )


def weights_total(judging: Judging) -> Decimal:
    """The sum of the weights (%) of the judging's rounds (issue 8, item 2)."""
    return JudgingRound._base_manager.filter(judging=judging).aggregate(s=Sum("weight"))["s"] or Decimal("0")


def weights_problem(judging: Judging) -> str | None:
    """Why the rounds' weights are not ready for publication (they must total 100 %), or
    ``None`` (issue 8, item 2; rule R-JD-25)."""
    total = weights_total(judging)
    if total != Decimal("100"):
        return _("各评审轮次的权重之和须为100%%，目前为%(total)s%%。") % {"total": _fmt(total)}
    return None


def _fmt(value: Decimal) -> str:
    return format(value.normalize(), "f") if value == value.to_integral() else str(value)


def previous_round(round_: JudgingRound) -> JudgingRound | None:
    """The round just before ``round_`` in its judging, or ``None`` for the first."""
    return (
        JudgingRound._base_manager.filter(judging_id=round_.judging_id, position__lt=round_.position)
        .order_by("-position")
        .first()
    )


def median_grades(round_: JudgingRound) -> dict[int, int]:
    """``{submission_id: grade position}``: the median (the lower middle one for an even
    count) of the recommended grades of the round's submitted sheets, position 1 highest;
    sheets of recused judges never count (issue 8, items 2 and 3). One query."""
    recused = JudgeAssignment._base_manager.filter(
        round_id=OuterRef("round_id"),
        submission_id=OuterRef("submission_id"),
        judge_id=OuterRef("judge_id"),
        recused=True,
    )
    rows = (
        ScoreSheet._base_manager.filter(
            round=round_, status=ScoreSheetStatus.SUBMITTED, recommended_grade__isnull=False
        )
        .exclude(Exists(recused))
        .values_list("submission_id", "recommended_grade__position")
    )
    grades: dict[int, list[int]] = defaultdict(list)
    for submission_id, position in rows:
        grades[submission_id].append(position)
    # The lower-middle grade is the worse one (higher position): median_high of positions.
    return {sid: statistics.median_high(sorted(ps)) for sid, ps in grades.items()}


def round_entrants(round_: JudgingRound) -> QuerySet[Submission]:
    """The submissions that enter ``round_`` (issue 8, item 2; rule R-JD-26).

    All submissions of the judging (its campaign, recommended by its association) in a state
    from 形式审查通过 on (never rejected, withdrawn or returned); for a round after the first
    with entry ``min_score``, those whose previous round's score (``RoundScore.score``, points
    out of 100) is at least ``entry_score``; with ``min_grade``, those whose median recommended
    grade in the previous round's submitted sheets is ``entry_grade`` or better. Output: a
    queryset (ordered by id) over the base manager, filtered by the judging.
    """
    judging = round_.judging
    qs = Submission._base_manager.filter(
        campaign_id=judging.campaign_id,
        recommending_association_id=judging.organisation_id,
        status__in=ENTRANT_STATES,
    ).order_by("id")
    if round_.entry == RoundEntry.ALL:
        return qs
    previous = previous_round(round_)
    if previous is None:
        return qs
    if round_.entry == RoundEntry.MIN_SCORE:
        passed = RoundScore._base_manager.filter(
            round=previous, score__isnull=False, score__gte=round_.entry_score
        ).values("submission_id")
        return qs.filter(pk__in=passed)
    limit = round_.entry_grade.position if round_.entry_grade_id else 0
    ids = [sid for sid, position in median_grades(previous).items() if position <= limit]
    return qs.filter(pk__in=ids)


def round_workload(round_: JudgingRound) -> dict:
    """Live workload and completion of a round (issue 8, item 9), aggregated in SQL.

    Output: ``{"judges": [{"panel_id", "panel", "judge_id", "judge", "assigned",
    "submitted", "drafts", "pending"}], "panels": [{"panel_id", "panel", "judges",
    "assigned", "submitted", "drafts", "percent"}], "total": {...}}``; recused assignments
    never count. One query.
    """
    sheet = ScoreSheet._base_manager.filter(
        round_id=OuterRef("round_id"), submission_id=OuterRef("submission_id"), judge_id=OuterRef("judge_id")
    )
    rows = (
        JudgeAssignment._base_manager.filter(round=round_, recused=False)
        .annotate(
            has_submitted=Exists(sheet.filter(status=ScoreSheetStatus.SUBMITTED)),
            has_draft=Exists(sheet.filter(status=ScoreSheetStatus.DRAFT)),
        )
        .values("panel_id", "panel__name", "judge_id", "judge__name")
        .annotate(
            assigned=Count("id"),
            submitted=Count("id", filter=Q(has_submitted=True)),
            drafts=Count("id", filter=Q(has_draft=True, has_submitted=False)),
        )
        .order_by("panel__name", "judge__name")
    )
    judges, panels = [], {}
    total = {"assigned": 0, "submitted": 0, "drafts": 0}
    for row in rows:
        entry = {
            "panel_id": row["panel_id"],
            "panel": row["panel__name"] or _("（未分组）"),
            "judge_id": row["judge_id"],
            "judge": row["judge__name"],
            "assigned": row["assigned"],
            "submitted": row["submitted"],
            "drafts": row["drafts"],
            "pending": row["assigned"] - row["submitted"],
        }
        judges.append(entry)
        panel = panels.setdefault(
            row["panel_id"],
            {
                "panel_id": row["panel_id"],
                "panel": entry["panel"],
                "judges": 0,
                "assigned": 0,
                "submitted": 0,
                "drafts": 0,
            },
        )
        panel["judges"] += 1
        for key in ("assigned", "submitted", "drafts"):
            panel[key] += row[key]
            total[key] += row[key]
    for panel in [*panels.values(), total]:
        panel["percent"] = round(100 * panel["submitted"] / panel["assigned"]) if panel["assigned"] else 0
    return {"judges": judges, "panels": list(panels.values()), "total": total}


def panel_list(*, round_: JudgingRound) -> QuerySet[Panel]:
    """The round's panels with domain, chair and judges (two queries)."""
    return (
        Panel.objects.filter(round=round_)
        .select_related("domain", "chair")
        .prefetch_related("judges")
        .order_by("name")
    )


# --- the judging's settings -------------------------------------------------------------------
@transaction.atomic
def judging_settings_update(
    *, membership: Membership, judging: Judging, trim_min_judges, score_places, grade_method
) -> Judging:
    """Set the judging's aggregation settings (issue 8, item 6): ``trim_min_judges`` (3–15:
    drop the highest and lowest when at least this many judges scored, standard.md §4),
    ``score_places`` (0–3 decimal places, half-up) and ``grade_method`` (band or places).
    Raises ``ValidationError`` (Chinese) for bad values or a published judging."""
    require_permission(membership, "evaluation:manage")
    judging = Judging._base_manager.select_for_update().get(pk=judging.pk)
    _own(membership, judging)
    frozen_refusal(judging)
    errors = {}
    trim = _int(trim_min_judges)
    if trim is None or not 3 <= trim <= 15:
        errors["trim_min_judges"] = _("去掉最高最低分所需的最少评委数须为3–15的整数。")
    places = _int(score_places)
    if places is None or not 0 <= places <= 3:
        errors["score_places"] = _("分数保留小数位数须为0–3。")
    if grade_method not in GradeMethod.values:
        errors["grade_method"] = _("请选择定级方式。")
    if errors:
        raise ValidationError(errors)
    judging.trim_min_judges, judging.score_places, judging.grade_method = trim, places, grade_method
    judging.save(update_fields=["trim_min_judges", "score_places", "grade_method"])
    return judging


def _own(membership: Membership, judging: Judging) -> None:
    if judging.organisation_id != membership.organisation_id:
        raise PermissionDenied(_("只有评审协会的工作人员可以配置本次评审。"))


def _int(value) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def _decimal(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _date(value) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except (TypeError, ValueError):
        return None


# --- rounds -----------------------------------------------------------------------------------
def _template(value, judging: Judging, kinds, label: str, errors: dict, field: str):
    """A sheet template usable by the judging: the standard's or the association's own
    variant, active, of one of ``kinds``."""
    if isinstance(value, SheetTemplate):
        template = value
    else:
        pk = _int(value)
        template = SheetTemplate.objects.filter(pk=pk).first() if pk else None
    if (
        template is None
        or not template.is_active
        or template.kind not in kinds
        or template.organisation_id not in (None, judging.organisation_id)
    ):
        errors[field] = _("请选择可用的%(label)s。") % {"label": label}
        return None
    return template


def clean_round(judging: Judging, data: dict, instance: JudgingRound | None = None) -> dict:
    """Validate a round's configuration (issue 8, item 2; rule R-JD-29) and return the
    cleaned fields. ``data`` holds raw values (strings from a form or JSON); missing keys
    keep the instance's values (or the defaults). Raises ``ValidationError`` with a Chinese
    message per field: name 1–60 characters; kind; sheet of the kind (附录B result sheet and
    innovation sheet for 成果评审, the on-site or presentation sheet otherwise, standard or
    the association's variant); presentation mode only for 发表评审 and a video limit of
    1–60 minutes for recorded video; dates in order; 1–15 judges per submission; a cap ≥ 1;
    weight 0–100 % with all the judging's rounds ≤ 100 % in total; an entry rule only after
    the first round, with its score (0–100) or grade of the judging.
    """
    base = {f: getattr(instance, f) for f in ROUND_FIELDS} if instance else {}
    raw = {**base, **{k: v for k, v in data.items() if k in ROUND_FIELDS}}
    errors: dict[str, str] = {}
    out: dict = {}
    name = str(raw.get("name") or "").strip()
    if not name or len(name) > 60:
        errors["name"] = _("请填写轮次名称（不超过60字）。")
    out["name"] = name
    kind = raw.get("kind") or RoundKind.MATERIALS
    if kind not in RoundKind.values:
        errors["kind"] = _("请选择评审方式。")
        kind = RoundKind.MATERIALS
    out["kind"] = kind
    kind_changed = instance is not None and instance.kind != kind
    template = raw.get("template") if "template" in data or not kind_changed else None
    if template in (None, ""):
        template = standard_template(DEFAULT_SHEET[kind])
    out["template"] = _template(template, judging, ROUND_SHEET_KINDS[kind], _("评分表"), errors, "template")
    if kind == RoundKind.MATERIALS:
        innovation = (
            raw.get("innovation_template") if "innovation_template" in data or not kind_changed else None
        )
        if innovation in (None, ""):
            innovation = standard_template(ScoreSheetKind.INNOVATION_RESULT)
        out["innovation_template"] = _template(
            innovation,
            judging,
            (ScoreSheetKind.INNOVATION_RESULT,),
            _("创新型课题评分表"),
            errors,
            "innovation_template",
        )
    else:
        out["innovation_template"] = None
    mode = raw.get("presentation_mode") or ""
    minutes = raw.get("video_minutes")
    if kind == RoundKind.PRESENTATION:
        if mode not in PresentationMode.values:
            errors["presentation_mode"] = _("发表评审须选择发表方式（现场发表、线上直播或录制视频）。")
        if mode == PresentationMode.VIDEO:
            minutes = _int(minutes)
            if minutes is None or not 1 <= minutes <= VIDEO_MINUTES_MAX:
                errors["video_minutes"] = _("录制视频须设定时长上限（1–%(max)s分钟）。") % {
                    "max": VIDEO_MINUTES_MAX
                }
        else:
            minutes = None
    else:
        mode, minutes = "", None
    out["presentation_mode"], out["video_minutes"] = mode, minutes
    starts, ends = _date(raw.get("starts_on")), _date(raw.get("ends_on"))
    if starts is None:
        errors["starts_on"] = _("请填写开始日期（如 2025-09-01）。")
    if ends is None:
        errors["ends_on"] = _("请填写结束日期（如 2025-09-30）。")
    elif starts is not None and ends < starts:
        errors["ends_on"] = _("结束日期不能早于开始日期。")
    out["starts_on"], out["ends_on"] = starts, ends
    n = _int(raw.get("judges_per_submission", 5))
    if n is None or not 1 <= n <= 15:
        errors["judges_per_submission"] = _("每项成果评委数须为1–15人。")
    out["judges_per_submission"] = n
    cap = raw.get("judge_cap")
    if cap in (None, ""):
        cap = None
    else:
        cap = _int(cap)
        if cap is None or not 1 <= cap <= 100000:
            errors["judge_cap"] = _("每位评委最多评审成果数须为正整数，或留空表示不限。")
    out["judge_cap"] = cap
    weight = _decimal(raw.get("weight", "100"))
    if weight is None or not Decimal("0") <= weight <= Decimal("100") or weight.as_tuple().exponent < -2:
        errors["weight"] = _("权重须为0–100之间的数（最多两位小数）。")
    else:
        others = JudgingRound._base_manager.filter(judging=judging).exclude(
            pk=getattr(instance, "pk", None)
        ).aggregate(s=Sum("weight"))["s"] or Decimal("0")
        if others + weight > Decimal("100"):
            errors["weight"] = _(
                "各轮权重之和不能超过100%%：其他轮次已占%(others)s%%，本轮最多%(left)s%%。"
            ) % {"others": _fmt(others), "left": _fmt(Decimal("100") - others)}
    out["weight"] = weight
    entry = raw.get("entry") or RoundEntry.ALL
    position = instance.position if instance else None
    is_first = position == 1 if instance else not JudgingRound._base_manager.filter(judging=judging).exists()
    out["entry_score"], out["entry_grade"] = None, None
    if entry not in RoundEntry.values:
        errors["entry"] = _("请选择参评范围。")
    elif entry != RoundEntry.ALL and is_first:
        errors["entry"] = _("第一轮没有上一轮，参评范围只能是全部参评成果。")
    elif entry == RoundEntry.MIN_SCORE:
        score = _decimal(raw.get("entry_score"))
        if score is None or not Decimal("0") <= score <= Decimal("100"):
            errors["entry_score"] = _("请填写上一轮分数线（0–100分）。")
        out["entry_score"] = score
    elif entry == RoundEntry.MIN_GRADE:
        grade = raw.get("entry_grade")
        if not isinstance(grade, GradeLevel):
            pk = _int(grade)
            grade = GradeLevel._base_manager.filter(pk=pk, judging=judging).first() if pk else None
        if grade is None or grade.judging_id != judging.pk:
            errors["entry_grade"] = _("请选择本次评审的推荐等级线。")
        out["entry_grade"] = grade
    out["entry"] = entry
    blind = raw.get("blind", False)
    out["blind"] = blind if isinstance(blind, bool) else str(blind).lower() in ("1", "true", "on", "yes")
    if errors:
        raise ValidationError(errors)
    return out


@transaction.atomic
def round_create(*, membership: Membership, judging: Judging, data: dict) -> JudgingRound:
    """Add a round to ``judging`` as a draft (筹备中) after its last round (issue 8, item 2).

    Input: raw field values (see :func:`clean_round`). Output: the new round. Raises
    ``PermissionDenied`` for another association, ``ValidationError`` (Chinese) for bad input,
    a published judging, or a round added simultaneously by someone else."""
    require_permission(membership, "evaluation:manage")
    judging = Judging._base_manager.select_for_update().get(pk=judging.pk)
    _own(membership, judging)
    frozen_refusal(judging)
    fields = clean_round(judging, data)
    position = (JudgingRound._base_manager.filter(judging=judging).aggregate(m=Max("position"))["m"] or 0) + 1
    try:
        with transaction.atomic():
            return JudgingRound.objects.create(
                organisation_id=judging.organisation_id, judging=judging, position=position, **fields
            )
    except IntegrityError:
        raise ValidationError(_("轮次刚刚已被他人修改，请刷新页面后重试。")) from None


@transaction.atomic
def round_update(*, membership: Membership, round_: JudgingRound, data: dict) -> JudgingRound:
    """Change a round's configuration (issue 8, item 2; rule R-JD-29). A draft round may
    change everything; once its assignment is published only the name, dates and weight.
    Raises ``ValidationError`` (Chinese) for bad input or a published judging."""
    require_permission(membership, "evaluation:manage")
    round_ = (
        JudgingRound._base_manager.select_for_update(of=("self",)).select_related("judging").get(pk=round_.pk)
    )
    _own(membership, round_.judging)
    frozen_refusal(round_.judging)
    fields = clean_round(round_.judging, data, instance=round_)
    if round_.status != RoundStatus.DRAFT:
        changed = [
            f
            for f in ROUND_FIELDS
            if f not in LIVE_FIELDS and _value(fields[f]) != _value(getattr(round_, f))
        ]
        if changed:
            raise ValidationError(_("评委分配已发布，本轮只能修改名称、日期和权重。"))
    for key, value in fields.items():
        setattr(round_, key, value)
    round_.save()
    return round_


def _value(v):
    return getattr(v, "pk", v)


@transaction.atomic
def round_delete(*, membership: Membership, round_: JudgingRound) -> None:
    """Delete a draft round (its panels and unpublished assignments go with it); later rounds
    move up one position. Refused for a round whose assignment is published or a published
    judging (issue 8, item 2)."""
    require_permission(membership, "evaluation:manage")
    round_ = (
        JudgingRound._base_manager.select_for_update(of=("self",)).select_related("judging").get(pk=round_.pk)
    )
    _own(membership, round_.judging)
    frozen_refusal(round_.judging)
    if round_.status != RoundStatus.DRAFT:
        raise ValidationError(_("只能删除筹备中的轮次。"))
    if (
        ScoreSheet._base_manager.filter(round=round_).exists()
        or RoundScore._base_manager.filter(round=round_).exists()
    ):
        raise ValidationError(_("本轮已有评分表或得分，不能删除。"))
    judging_id, position = round_.judging_id, round_.position
    round_.delete()
    for later in JudgingRound._base_manager.filter(judging_id=judging_id, position__gt=position).order_by(
        "position"
    ):
        JudgingRound._base_manager.filter(pk=later.pk).update(position=later.position - 1)


# --- panels -----------------------------------------------------------------------------------
def _panel_judges(judging: Judging, judges) -> list[Judge]:
    judges = list(judges or [])
    for judge in judges:
        if judge.organisation_id != judging.organisation_id or not judge.is_active:
            raise ValidationError({"judges": _("只能选择本协会专家库中有效的评委。")})
    return judges


def _editable_round(membership: Membership, round_: JudgingRound) -> JudgingRound:
    round_ = (
        JudgingRound._base_manager.select_for_update(of=("self",)).select_related("judging").get(pk=round_.pk)
    )
    _own(membership, round_.judging)
    frozen_refusal(round_.judging)
    if round_.status != RoundStatus.DRAFT:
        raise ValidationError(_("评委分配已发布，不能再调整评审组；如需换人，请在分配表中调换评委。"))
    return round_


@transaction.atomic
def panel_save(
    *,
    membership: Membership,
    round_: JudgingRound,
    name: str,
    domain: CampaignDomain | None,
    chair: Judge | None,
    judges,
    panel: Panel | None = None,
) -> Panel:
    """Create (or, with ``panel``, change) a panel of a draft round (issue 8, item 4): a
    name (1–60 characters, unique in the round), the campaign's domain it judges (one panel
    per domain), its chair (评审组长, one of its judges) and judges of the association's pool.
    Raises ``ValidationError`` (Chinese)."""
    require_permission(membership, "evaluation:manage")
    round_ = _editable_round(membership, round_)
    name = (name or "").strip()
    if not name or len(name) > 60:
        raise ValidationError({"name": _("请填写评审组名称（不超过60字）。")})
    if domain is not None and domain.campaign_id != round_.judging.campaign_id:
        raise ValidationError({"domain": _("请选择本活动的领域。")})
    judges = _panel_judges(round_.judging, judges)
    if chair is not None and chair not in judges:
        judges.append(chair)
    _panel_judges(round_.judging, [chair] if chair else [])
    others = Panel._base_manager.filter(round=round_).exclude(pk=getattr(panel, "pk", None))
    if others.filter(name=name).exists():
        raise ValidationError({"name": _("本轮已有同名评审组。")})
    if domain is not None and others.filter(domain=domain).exists():
        raise ValidationError({"domain": _("本轮该领域已有评审组。")})
    try:
        with transaction.atomic():
            if panel is None:
                panel = Panel.objects.create(
                    organisation_id=round_.organisation_id,
                    round=round_,
                    name=name,
                    domain=domain,
                    chair=chair,
                )
            else:
                panel = Panel._base_manager.get(pk=panel.pk, round=round_)
                panel.name, panel.domain, panel.chair = name, domain, chair
                panel.save(update_fields=["name", "domain", "chair"])
    except IntegrityError:
        raise ValidationError({"name": _("本轮已有同名评审组。")}) from None
    panel.judges.set(judges)
    return panel


@transaction.atomic
def panel_delete(*, membership: Membership, panel: Panel) -> None:
    """Delete a panel of a draft round; its assignments stay without panel until the next
    automatic assignment (issue 8, item 4)."""
    require_permission(membership, "evaluation:manage")
    _editable_round(membership, panel.round)
    panel.delete()


_LEVEL_RANK = {JudgeLevel.PANEL_CHAIR: 0, JudgeLevel.SENIOR: 1, JudgeLevel.JUDGE: 2}


@transaction.atomic
def panels_auto(*, membership: Membership, round_: JudgingRound) -> list[Panel]:
    """Form one panel per domain of the campaign that has entrants (issue 8, item 4), from
    the association's active pool: a judge whose specialty lists the domain's name joins
    that domain's panel; judges without listed domains fill the smallest panels in turn.
    The chair is the panel's highest-level judge (评审组长 before 评委骨干 before 评委).
    Existing panels of the round are replaced. Raises ``ValidationError`` when the round has
    no entrant with a domain or the pool is empty."""
    require_permission(membership, "evaluation:manage")
    round_ = _editable_round(membership, round_)
    domain_ids = set(round_entrants(round_).exclude(domain__isnull=True).values_list("domain_id", flat=True))
    domains = list(CampaignDomain.objects.filter(pk__in=domain_ids).order_by("position", "id"))
    if not domains:
        raise ValidationError(_("本轮没有带领域的参评成果，无法按领域组建评审组。"))
    pool = list(
        Judge._base_manager.filter(organisation_id=round_.organisation_id, is_active=True).order_by(
            "name", "id"
        )
    )
    if not pool:
        raise ValidationError(_("专家库中没有有效的评委。"))
    members: dict[int, list[Judge]] = {d.pk: [] for d in domains}
    free = []
    for judge in pool:
        listed = [d for d in domains if d.name in (judge.domains or [])]
        if listed:
            for d in listed:
                members[d.pk].append(judge)
        elif not judge.domains:
            free.append(judge)
    for judge in free:
        smallest = min(domains, key=lambda d: (len(members[d.pk]), d.position, d.pk))
        members[smallest.pk].append(judge)
    Panel._base_manager.filter(round=round_).delete()
    panels = []
    for d in domains:
        judges = members[d.pk]
        chair = min(judges, key=lambda j: (_LEVEL_RANK.get(j.level, 3), j.name, j.pk)) if judges else None
        panel = Panel.objects.create(
            organisation_id=round_.organisation_id,
            round=round_,
            name=_("%(domain)s评审组") % {"domain": d.name},
            domain=d,
            chair=chair,
        )
        panel.judges.set(judges)
        panels.append(panel)
    return panels
