"""Grades, the selection board and publication of a judging (issue 8, item 7; standard.md §5).

- Grade levels per judging (:class:`~evaluation.models.GradeLevel`, highest first) from a
  preset of the campaign's grade scheme (标杆级/优秀级/推进级; 全国优秀质量管理小组; 一/二/三等奖;
  the ICQCC-like band 金/银/铜) that staff then edit — :func:`grade_levels_preset`,
  :func:`grade_level_save`.
- The ranking per domain with ties (:func:`ranking`, rank computed by
  :func:`evaluation.scoring.results_compute`) and the selection board: per domain and grade
  the places, taken and left (:func:`board`).
- A proposal — by band (every result the grade of its band) or by places (top results per
  domain up to the places; a tie across the cut is flagged for a decision) — and bulk
  decisions, both previewed (count and names) before they apply
  (:func:`proposal`, :func:`decisions_preview`); each applied batch is a set of
  :class:`~evaluation.models.GradeDecision` rows that can be undone until publication
  (:func:`decisions_apply`, :func:`batch_undo`).
- Approval and publication are the ``JUDGING_WORKFLOW`` of ``evaluation/workflow.py``; its
  guards :data:`ALL_GRADED`, :data:`PLACES_KEPT` live here, and :func:`judging_publish_effect`
  freezes the scores and carries the final scores to the submissions.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from promotion.choices import GradeScheme
from promotion.models import CampaignDomain
from qcportal.permissions import require_permission

from .choices import GradeMethod, JudgingStatus, SubmissionStatus
from .models import GradeDecision, GradeLevel, GradePlaces, Judging, Result, Submission

#: Presets of grade levels: key → (label, [(name, min_score, places)]), highest first
#: (standard.md §5; issue 8 item 7). Staff edit them after applying.
GRADE_PRESETS: dict[str, tuple] = {
    GradeScheme.BENCHMARK_EXCELLENT: (
        gettext_lazy("上海：标杆级/优秀级/推进级"),
        [("标杆级", None, None), ("优秀级", None, None), ("推进级", None, None)],
    ),
    GradeScheme.NATIONAL_EXCELLENT: (
        gettext_lazy("全国优秀质量管理小组"),
        [("全国优秀质量管理小组", None, None)],
    ),
    GradeScheme.THREE_GRADES: (
        gettext_lazy("一等奖/二等奖/三等奖"),
        [("一等奖", None, None), ("二等奖", None, None), ("三等奖", None, None)],
    ),
    "band_gold_silver_bronze": (
        gettext_lazy("按分数段：金奖/银奖/铜奖（ICQCC）"),
        [("金奖", Decimal("90"), None), ("银奖", Decimal("80"), None), ("铜奖", Decimal("70"), None)],
    ),
}


# --- access -----------------------------------------------------------------------------------
def require_judging_staff(membership, judging: Judging, permission: str = "evaluation:manage") -> None:
    """Raise ``PermissionDenied`` unless ``membership`` holds ``permission`` at the judging
    association itself (staff of another association never manage its grades)."""
    require_permission(membership, permission)
    if membership.organisation_id != judging.organisation_id:
        raise PermissionDenied(_("只有评审协会的工作人员才能管理本次评审的等级。"))


def refuse_if_frozen(judging: Judging) -> None:
    """``ValidationError`` (Chinese) when the judging is published (rule R-JD-30)."""
    if judging.is_frozen:
        raise ValidationError(
            _("评审结果已发布，评分和等级已冻结；如需修改，须由协会领导重新开放（审计留痕）。")
        )


def _refuse_unless_grading(judging: Judging) -> None:
    refuse_if_frozen(judging)
    if judging.status != JudgingStatus.GRADING:
        raise ValidationError(_("评审结果已提交领导审批，等级不能修改；如需修改，请领导退回。"))


def _locked(judging: Judging) -> Judging:
    return Judging._base_manager.select_for_update().get(pk=judging.pk)


# --- grade levels -----------------------------------------------------------------------------
@transaction.atomic
def grade_levels_preset(*, membership, judging: Judging, preset: str) -> list[GradeLevel]:
    """Replace the judging's grade levels by ``preset`` (a key of :data:`GRADE_PRESETS`) and
    set the grade method (band when the preset has minimum scores, else places). Refused
    when a result already holds a grade, when the judging is not in grading, or for an
    unknown preset (``ValidationError``, Chinese). Output: the new levels, highest first."""
    require_judging_staff(membership, judging)
    judging = _locked(judging)
    _refuse_unless_grading(judging)
    if preset not in GRADE_PRESETS:
        raise ValidationError({"preset": _("请选择有效的等级方案。")})
    if Result._base_manager.filter(judging=judging, grade__isnull=False).exists():
        raise ValidationError(_("已有成果被评定等级，不能整体替换等级方案；请先撤销等级决定。"))
    levels = GRADE_PRESETS[preset][1]
    GradeDecision._base_manager.filter(result__judging=judging).delete()
    GradeLevel._base_manager.filter(judging=judging).delete()
    created = [
        GradeLevel._base_manager.create(
            judging=judging, name=name, position=position, min_score=min_score, places=places
        )
        for position, (name, min_score, places) in enumerate(levels, start=1)
    ]
    judging.grade_method = (
        GradeMethod.BAND if any(m is not None for _n, m, _p in levels) else GradeMethod.PLACES
    )
    judging.save(update_fields=["grade_method"])
    return created


@transaction.atomic
def grade_level_save(
    *,
    membership,
    judging: Judging,
    level: GradeLevel | None = None,
    name: str,
    position: int,
    min_score: Decimal | None,
    places: int | None,
    domain_places: dict[int, int | None] | None = None,
) -> GradeLevel:
    """Create or edit one grade level (name, position 1 = highest, ``min_score`` 0–100 for
    bands, ``places`` overall) and its places per domain (``domain_places``: campaign domain
    id → places, ``None`` removes the domain's row). Refuses when not grading, for a
    duplicate name or position, a score outside 0–100, negative places or a foreign domain
    (``ValidationError``, Chinese)."""
    require_judging_staff(membership, judging)
    judging = _locked(judging)
    _refuse_unless_grading(judging)
    name = (name or "").strip()
    if not name or len(name) > 40:
        raise ValidationError({"name": _("请填写等级名称（不超过40字）。")})
    if min_score is not None and not (Decimal(0) <= Decimal(min_score) <= Decimal(100)):
        raise ValidationError({"min_score": _("最低分数须在0到100之间。")})
    if places is not None and places < 0:
        raise ValidationError({"places": _("名额不能为负数。")})
    if position is None or position < 1:
        raise ValidationError({"position": _("顺序须为正整数。")})
    level = level or GradeLevel(judging=judging)
    if level.judging_id != judging.pk:
        raise ValidationError(_("该等级不属于本次评审。"))
    level.name, level.position, level.min_score, level.places = name, position, min_score, places
    try:
        with transaction.atomic():
            level.save()
    except IntegrityError:
        raise ValidationError(_("等级名称或顺序与已有等级重复。")) from None
    if domain_places:
        domains = set(
            CampaignDomain._base_manager.filter(campaign_id=judging.campaign_id).values_list("pk", flat=True)
        )
        for domain_id, count in domain_places.items():
            if domain_id not in domains:
                raise ValidationError(_("该领域不属于本活动。"))
            if count is None:
                GradePlaces._base_manager.filter(level=level, domain_id=domain_id).delete()
            elif count < 0:
                raise ValidationError({"places": _("名额不能为负数。")})
            else:
                GradePlaces._base_manager.update_or_create(
                    level=level, domain_id=domain_id, defaults={"places": count}
                )
    return level


@transaction.atomic
def grade_level_delete(*, membership, judging: Judging, level: GradeLevel) -> None:
    """Delete an unused grade level (no result, decision or sheet recommends it). Refused when
    not grading or in use (``ValidationError``, Chinese)."""
    require_judging_staff(membership, judging)
    judging = _locked(judging)
    _refuse_unless_grading(judging)
    if level.judging_id != judging.pk:
        raise ValidationError(_("该等级不属于本次评审。"))
    if (
        Result._base_manager.filter(grade=level).exists()
        or GradeDecision._base_manager.filter(Q(grade=level) | Q(previous=level)).exists()
    ):
        raise ValidationError(_("该等级已被使用，不能删除。"))
    level.delete()


def grade_levels(judging: Judging) -> list[GradeLevel]:
    """The judging's grade levels, highest first, with their places per domain (two queries)."""
    return list(
        GradeLevel._base_manager.filter(judging=judging)
        .prefetch_related("domain_places__domain")
        .order_by("position")
    )


# --- ranking and board -----------------------------------------------------------------------
def ranking(judging: Judging, *, domain_id: int | None = None) -> QuerySet[Result]:
    """The judging's results by domain and rank (rule R-JD-37): enterprise, circle, project,
    domain and grade joined; ``tied`` annotated (another result of the domain shares the
    rank: 并列); ``rounds_entered`` annotated. One query, not tenant-scoped (staff pages
    check access to the judging first)."""
    same_rank = Result._base_manager.filter(
        judging_id=OuterRef("judging_id"),
        submission__domain_id=OuterRef("submission__domain_id"),
        rank=OuterRef("rank"),
    ).exclude(pk=OuterRef("pk"))
    qs = (
        Result._base_manager.filter(judging=judging)
        .select_related(
            "submission__organisation",
            "submission__circle",
            "submission__project",
            "submission__domain",
            "grade",
        )
        .annotate(tied=Exists(same_rank), rounds_entered=Count("submission__round_scores", distinct=True))
        .order_by(
            F("submission__domain__position").asc(nulls_last=True),
            "submission__domain_id",
            F("rank").asc(nulls_last=True),
            "pk",
        )
    )
    if domain_id is not None:
        qs = qs.filter(submission__domain_id=domain_id)
    return qs


@dataclass
class BoardCell:
    """Places of one grade in one domain (``domain`` None: the whole judging): ``places``
    (None: no limit), ``taken``, ``left`` (None without a limit), ``over`` (taken > places)."""

    level: GradeLevel
    domain: object
    places: int | None
    taken: int

    @property
    def left(self) -> int | None:
        """Places left (may be negative when exceeded); None without a limit."""
        return None if self.places is None else self.places - self.taken

    @property
    def over(self) -> bool:
        """More results hold the grade than it has places (R-JD-41)."""
        return self.places is not None and self.taken > self.places


@dataclass
class Board:
    """The selection board: ``rows`` (domain, [cells by level]), the overall ``totals`` (one
    cell per level), results ungraded, total results."""

    levels: list
    rows: list = field(default_factory=list)
    totals: list = field(default_factory=list)
    ungraded: int = 0
    results: int = 0


def board(judging: Judging) -> Board:
    """The selection board of the judging (issue 8 item 7; rule R-JD-41): per domain of the
    campaign and grade, places (the domain's :class:`GradePlaces`, else none), taken and
    left, plus an overall row per grade (``GradeLevel.places``). Four queries whatever the
    number of results (SQL ``Count`` grouped by domain and grade)."""
    levels = grade_levels(judging)
    counts: dict[tuple, int] = defaultdict(int)
    total, ungraded = 0, 0
    for domain_id, grade_id, n in (
        Result._base_manager.filter(judging=judging)
        .values_list("submission__domain_id", "grade_id")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        counts[(domain_id, grade_id)] += n
        total += n
        if grade_id is None:
            ungraded += n
    domains = list(
        CampaignDomain._base_manager.filter(campaign_id=judging.campaign_id).order_by("position", "pk")
    )
    b = Board(levels=levels, results=total, ungraded=ungraded)
    for domain in domains:
        cells = []
        for level in levels:
            per_domain = {p.domain_id: p.places for p in level.domain_places.all()}
            cells.append(
                BoardCell(level, domain, per_domain.get(domain.pk), counts.get((domain.pk, level.pk), 0))
            )
        b.rows.append((domain, cells))
    for level in levels:
        taken = sum(n for (d, g), n in counts.items() if g == level.pk)
        b.totals.append(BoardCell(level, None, level.places, taken))
    return b


# --- proposals and decisions ---------------------------------------------------------------------
@dataclass
class Change:
    """One grade change of a preview: the result, its current and its new grade, and a note
    (e.g. a tie across the places' cut: 并列，需人工决定)."""

    result: Result
    previous: GradeLevel | None
    grade: GradeLevel | None
    note: str = ""


@dataclass
class Preview:
    """What a proposal or bulk decision would change: ``changes`` (only results whose grade
    differs), ``ties`` (results tied across a cut, left for staff to decide)."""

    changes: list
    ties: list = field(default_factory=list)

    @property
    def count(self) -> int:
        """Number of results that would change."""
        return len(self.changes)

    def as_data(self) -> dict[str, str]:
        """``{result_id: grade_id or ""}`` of the changes (the form the apply step posts)."""
        return {str(c.result.pk): str(c.grade.pk) if c.grade else "" for c in self.changes}


def _key(result: Result) -> tuple:
    return (result.rounds_entered, result.final_score)


def proposal(judging: Judging) -> Preview:
    """The proposed grades of every result (rules R-JD-42/43), as a preview.

    By band (``grade_method`` band): every result with a final score gets the highest grade
    whose ``min_score`` it reaches (none below every band). By places: grades are filled
    from the highest; a grade with places for a domain (:class:`GradePlaces`) takes that
    domain's top remaining results, else its overall ``places`` take the top remaining
    results of the whole judging (``None`` = no limit); a level's ``min_score`` is a floor.
    When the cut falls inside a tie (same rounds entered and final score), the tied results
    that do not fit keep their current grade and are listed in ``ties`` for a decision.
    Two queries."""
    levels = grade_levels(judging)
    results = [r for r in ranking(judging) if r.final_score is not None]
    proposed: dict[int, GradeLevel | None] = {r.pk: None for r in results}
    ties: list[Change] = []
    if judging.grade_method == GradeMethod.BAND:
        bands = sorted((lv for lv in levels if lv.min_score is not None), key=lambda lv: lv.position)
        for r in results:
            proposed[r.pk] = next((lv for lv in bands if r.final_score >= lv.min_score), None)
    else:
        remaining = sorted(results, key=lambda r: (-r.rounds_entered, -r.final_score, r.pk))
        tied_out: set[int] = set()
        for level in levels:
            per_domain = {p.domain_id: p.places for p in level.domain_places.all()}
            eligible = [
                r
                for r in remaining
                if proposed[r.pk] is None
                and r.pk not in tied_out
                and (level.min_score is None or r.final_score >= level.min_score)
            ]
            pools: list[tuple[list, int | None]] = []
            if per_domain:
                for domain_id, places in per_domain.items():
                    pools.append(([r for r in eligible if r.submission.domain_id == domain_id], places))
            else:
                pools.append((eligible, level.places))
            for pool, places in pools:
                if places is None:
                    for r in pool:
                        proposed[r.pk] = level
                    continue
                taken = pool[:places]
                for r in taken:
                    proposed[r.pk] = level
                if taken and len(pool) > places and _key(pool[places]) == _key(taken[-1]):
                    cut = _key(taken[-1])
                    for r in pool:
                        if _key(r) == cut:
                            proposed[r.pk] = None
                            tied_out.add(r.pk)
                            ties.append(Change(r, r.grade, level, _("并列，需人工决定")))
    changes = [
        Change(r, r.grade, proposed[r.pk])
        for r in results
        if r.pk not in {t.result.pk for t in ties} and proposed[r.pk] != r.grade
    ]
    return Preview(changes=changes, ties=ties)


def decisions_preview(judging: Judging, decisions: dict) -> Preview:
    """Preview a bulk decision: ``decisions`` maps result ids to a grade level id of the
    judging or ``""``/``None`` (no grade). Unknown results or grades raise
    ``ValidationError`` (Chinese). Output: the results whose grade would change. Two
    queries."""
    levels = {lv.pk: lv for lv in grade_levels(judging)}
    wanted: dict[int, GradeLevel | None] = {}
    for raw_result, raw_grade in decisions.items():
        try:
            result_id = int(raw_result)
            grade = levels[int(raw_grade)] if raw_grade not in ("", None) else None
        except (TypeError, ValueError, KeyError):
            raise ValidationError(_("请选择本次评审的等级。")) from None
        wanted[result_id] = grade
    if not wanted:
        raise ValidationError(_("请先选择成果。"))
    results = {r.pk: r for r in ranking(judging).filter(pk__in=list(wanted))}
    if len(results) != len(wanted):
        raise ValidationError(_("所选成果不属于本次评审。"))
    changes = [
        Change(results[pk], results[pk].grade, g) for pk, g in wanted.items() if results[pk].grade != g
    ]
    return Preview(changes=changes)


@transaction.atomic
def decisions_apply(
    *, membership, judging: Judging, decisions: dict, explicit_none: bool = True
) -> uuid.UUID | None:
    """Apply a bulk decision (rule R-JD-44): ``decisions`` as in :func:`decisions_preview`.
    Each changed result gets a :class:`GradeDecision` (previous → new) in one batch; results
    decided to have no grade are recorded too (explicitly ungraded, R-JD-40) even when they
    had none. Refused when the judging is not in grading or published (``ValidationError``,
    Chinese). Simultaneous identical requests: the judging row is locked, the second finds
    nothing left to change. Output: the batch id, or ``None`` when nothing changed."""
    require_judging_staff(membership, judging)
    judging = _locked(judging)
    _refuse_unless_grading(judging)
    preview = decisions_preview(judging, decisions)
    targets = {c.result.pk: c for c in preview.changes}
    if explicit_none:  # "no grade" recorded for results that had none, once
        decided_none = set(
            GradeDecision._base_manager.filter(
                result__judging=judging, undone=False, grade__isnull=True
            ).values_list("result_id", flat=True)
        )
        for raw_result, raw_grade in decisions.items():
            pk = int(raw_result)
            if raw_grade in ("", None) and pk not in targets and pk not in decided_none:
                result = Result._base_manager.get(pk=pk)
                if result.grade_id is None:
                    targets[pk] = Change(result, None, None)
    if not targets:
        return None
    batch = uuid.uuid4()
    GradeDecision._base_manager.bulk_create(
        [
            GradeDecision(
                organisation_id=judging.organisation_id,
                result_id=pk,
                batch=batch,
                previous=c.previous,
                grade=c.grade,
                decided_by=membership.user,
            )
            for pk, c in targets.items()
        ]
    )
    for grade_id, ids in _group(targets).items():
        Result._base_manager.filter(pk__in=ids).update(grade_id=grade_id, updated_at=timezone.now())
    return batch


def _group(targets: dict) -> dict:
    by_grade: dict = defaultdict(list)
    for pk, c in targets.items():
        by_grade[c.grade.pk if c.grade else None].append(pk)
    return by_grade


@transaction.atomic
def batch_undo(*, membership, judging: Judging, batch) -> int:
    """Undo a batch of grade decisions (rule R-JD-45): every result of the batch gets its
    previous grade back and the batch is marked undone. Refused when the judging is not in
    grading or published, or the batch is unknown or already undone (``ValidationError``,
    Chinese). Output: the number of results restored."""
    require_judging_staff(membership, judging)
    judging = _locked(judging)
    _refuse_unless_grading(judging)
    try:
        batch = uuid.UUID(str(batch))
    except ValueError:
        raise ValidationError(_("未找到该批等级决定。")) from None
    rows = list(GradeDecision._base_manager.filter(result__judging=judging, batch=batch, undone=False))
    if not rows:
        raise ValidationError(_("未找到该批等级决定，或已撤销。"))
    by_previous: dict = defaultdict(list)
    for d in rows:
        by_previous[d.previous_id].append(d.result_id)
    for grade_id, ids in by_previous.items():
        Result._base_manager.filter(pk__in=ids).update(grade_id=grade_id, updated_at=timezone.now())
    GradeDecision._base_manager.filter(pk__in=[d.pk for d in rows]).update(undone=True)
    return len(rows)


def decision_batches(judging: Judging, limit: int = 20) -> list[dict]:
    """The latest batches of grade decisions: ``{"batch", "decided_at", "decided_by", "count",
    "undone"}``, newest first. One query."""
    return list(
        GradeDecision._base_manager.filter(result__judging=judging)
        .values("batch", "undone", "decided_by__username")
        .annotate(
            count=Count("pk"),
            decided_at=Subquery(
                GradeDecision._base_manager.filter(batch=OuterRef("batch"))
                .order_by("decided_at")
                .values("decided_at")[:1]
            ),
        )
        .order_by("-decided_at")[:limit]
    )


# --- workflow guards (JUDGING_WORKFLOW) ---------------------------------------------------------
def all_graded(judging: Judging, ctx=None) -> bool:
    """Every result with a final score holds a grade or was explicitly decided to have none
    (a live "no grade" decision) — rule R-JD-40."""
    explicit_none = GradeDecision._base_manager.filter(
        result=OuterRef("pk"), undone=False, grade__isnull=True
    )
    return not (
        Result._base_manager.filter(judging=judging, final_score__isnull=False, grade__isnull=True)
        .exclude(Exists(explicit_none))
        .exists()
    )


def places_kept(judging: Judging, ctx=None) -> bool:
    """No grade holds more results than its places, per domain or overall — rule R-JD-41."""
    b = board(judging)
    return not any(c.over for c in b.totals) and not any(c.over for _d, cells in b.rows for c in cells)


# --- publication --------------------------------------------------------------------------------
def judging_publish_effect(judging: Judging, ctx) -> None:
    """What publishing a judging does besides its state (called by the ``publish`` transition
    of ``evaluation/workflow.py`` inside its transaction; rule R-JD-30/R-JD-46): every
    result's final score is copied to its submission (``Submission.score``, read by Annex 5
    and the recommendation upward), the scores are marked released, and each result's
    submission still in 形式审查通过 moves to 已评审 through the ``release_scores`` transition
    of the submission workflow (one mechanism, audited) with the publishing membership.
    Once committed, the results' projects enter the knowledge base with their grades.
    Input: the judging and the transition context. Output: none."""
    from .workflow import SUBMISSION_WORKFLOW

    final = Result._base_manager.filter(submission=OuterRef("pk")).values("final_score")[:1]
    waiting = list(
        Submission._base_manager.filter(
            result__judging=judging,
            result__final_score__isnull=False,
            status=SubmissionStatus.FORMALLY_REVIEWED,
        )
    )
    for submission in waiting:
        SUBMISSION_WORKFLOW.perform(submission, "release_scores", membership=ctx.membership)
    Submission._base_manager.filter(result__judging=judging, result__final_score__isnull=False).update(
        score=Subquery(final), scores_released_at=timezone.now(), scores_released_by=ctx.user
    )
    from .library import enqueue_index

    # The knowledge base takes the published results with their grades (rule R-KB-01).
    enqueue_index(
        Result._base_manager.filter(judging=judging).values_list("submission__project_id", flat=True)
    )


def published_results(*, scope_results: QuerySet[Result] | None = None) -> QuerySet[Result]:
    """Published results visible in the active tenant scope (an enterprise its own, an
    association its subtree): campaign, enterprise, circle, project, domain and grade
    joined; newest campaign first. Issue 8 item 7: each enterprise's page."""
    qs = scope_results if scope_results is not None else Result.objects.all()
    return (
        qs.filter(judging__status=JudgingStatus.PUBLISHED)
        .select_related(
            "judging__campaign",
            "submission__circle",
            "submission__project",
            "submission__domain",
            "grade",
            "organisation",
        )
        .order_by("-judging__campaign__year", "rank", "pk")
    )


@transaction.atomic
def judging_settings_save(
    *, membership, judging: Judging, trim_min_judges: int, score_places: int, grade_method: str
) -> Judging:
    """Set the aggregation settings of a judging (issue 8 item 6; standard.md §4):
    ``trim_min_judges`` 3–15, ``score_places`` 0–3, ``grade_method`` band or places.
    Refused when not grading or published (``ValidationError``, Chinese). Recompute the
    results afterwards."""
    require_judging_staff(membership, judging)
    judging = _locked(judging)
    _refuse_unless_grading(judging)
    if not (3 <= int(trim_min_judges) <= 15):
        raise ValidationError({"trim_min_judges": _("最少评委数须在3到15之间。")})
    if not (0 <= int(score_places) <= 3):
        raise ValidationError({"score_places": _("小数位数须在0到3之间。")})
    if grade_method not in GradeMethod.values:
        raise ValidationError({"grade_method": _("请选择有效的定级方式。")})
    judging.trim_min_judges, judging.score_places, judging.grade_method = (
        trim_min_judges,
        score_places,
        grade_method,
    )
    judging.save(update_fields=["trim_min_judges", "score_places", "grade_method"])
    return judging


@transaction.atomic
def results_recompute(*, membership, judging: Judging) -> int:
    """Staff recompute every round score and result of the judging
    (:func:`evaluation.scoring.results_compute`), keeping decided grades. Refused when
    published (R-JD-30). Output: the number of results."""
    from .scoring import results_compute

    require_judging_staff(membership, judging)
    refuse_if_frozen(judging)
    return results_compute(judging)
