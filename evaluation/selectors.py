"""Reads of the evaluation app (submissions, judges, score aggregates)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Case, Count, F, Max, Min, Q, QuerySet, Sum, When

from promotion.models import Campaign
from qcportal.models import Organisation

from .choices import ScoreSheetStatus, SubmissionStatus
from .models import Judge, ScoreSheet, Submission

TWO_PLACES = Decimal("0.01")


def submission_list(
    *,
    campaign: Campaign | None = None,
    association: Organisation | None = None,
    statuses: tuple[str, ...] | None = None,
) -> QuerySet[Submission]:
    """Submissions visible in the active scope, with enterprise, circle and project joined.

    Filters: ``campaign``; ``association`` (the recommending association, seed 002 推荐省市、行业);
    ``statuses`` (``SubmissionStatus`` values). Ordered by score (highest first), then id.
    """
    qs = Submission.objects.select_related(
        "organisation", "circle", "project", "recommending_association", "campaign"
    )
    if campaign is not None:
        qs = qs.filter(campaign=campaign)
    if association is not None:
        qs = qs.filter(recommending_association=association)
    if statuses:
        qs = qs.filter(status__in=statuses)
    return qs.order_by(F("score").desc(nulls_last=True), "id")


def submission_recommended_list(*, campaign: Campaign, association: Organisation) -> QuerySet[Submission]:
    """The submissions ``association`` recommends to the national association in ``campaign``.

    These are the rows of seed 002 Annex 4 (一、全国优秀质量管理小组) and Annex 5.
    """
    return submission_list(
        campaign=campaign, association=association, statuses=(SubmissionStatus.RECOMMENDED,)
    )


def judge_list_for_recommendation(*, campaign: Campaign, association: Organisation) -> QuerySet[Judge]:
    """Judges who submitted score sheets for the submissions ``association`` recommends.

    The rows of seed 002 Annex 4, 二、评委名单 (name, work unit, certificate number, mobile).
    Ordered by level (panel chair first) then name.
    """
    sheets = ScoreSheet.objects.filter(
        submission__campaign=campaign,
        submission__recommending_association=association,
        submission__status=SubmissionStatus.RECOMMENDED,
        status=ScoreSheetStatus.SUBMITTED,
    ).values("judge_id")
    level_order = Case(When(level="panel_chair", then=0), When(level="senior", then=1), default=2)
    return Judge.objects.filter(pk__in=sheets).order_by(level_order, "name", "id")


def submission_score_totals(*, campaign: Campaign, association: Organisation | None = None) -> QuerySet:
    """Per-submission aggregates of the submitted score sheets, computed in SQL.

    Output: a values queryset of dicts ``{"pk", "sheets_n", "sheets_sum", "sheets_max",
    "sheets_min"}`` (totals in points out of 100, exact Decimals) for the submissions of
    ``campaign`` (optionally of one recommending ``association``) that have submitted sheets.
    Combine with :func:`panel_score` (standard.md §4).
    """
    submitted = Q(score_sheets__status=ScoreSheetStatus.SUBMITTED)
    qs = Submission.objects.filter(campaign=campaign)
    if association is not None:
        qs = qs.filter(recommending_association=association)
    return (
        qs.values("pk")
        .annotate(
            sheets_n=Count("score_sheets", filter=submitted),
            sheets_sum=Sum("score_sheets__total", filter=submitted),
            sheets_max=Max("score_sheets__total", filter=submitted),
            sheets_min=Min("score_sheets__total", filter=submitted),
        )
        .filter(sheets_n__gt=0)
        .order_by("pk")
    )


def panel_score(*, n: int, total: Decimal, high: Decimal, low: Decimal, min_judges: int) -> Decimal:
    """The panel score from the judges' totals (standard.md §4, 去最高最低分).

    Inputs: number of sheets ``n`` (> 0), their ``total`` sum, the ``high``est and ``low``est
    total, and the campaign's ``min_judges`` threshold. When ``n >= min_judges`` (and n > 2)
    the highest and lowest are dropped before averaging. Output: points out of 100, rounded
    half-up to 2 decimal places. Raises ``ValueError`` when ``n`` is 0.
    """
    if n <= 0:
        raise ValueError("panel_score needs at least one sheet")
    if n >= max(min_judges, 3):
        value = (total - high - low) / Decimal(n - 2)
    else:
        value = total / Decimal(n)
    return round_score(value)


def round_score(value) -> Decimal | None:
    """Round a score half-up to 2 decimal places (standard.md §4)."""
    if value is None:
        return None
    return Decimal(value).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def score_sheet_list_for_user(*, user) -> QuerySet[ScoreSheet]:
    """The score sheets of the judge profiles of ``user`` (a judge's own sheets only)."""
    return (
        ScoreSheet.objects.filter(judge__user=user)
        .select_related(
            "submission", "submission__organisation", "submission__circle", "submission__campaign"
        )
        .order_by("-submitted_at", "-id")
    )
