"""Reads of the evaluation app (submissions, judges, score aggregates)."""

from __future__ import annotations

from django.db.models import Case, Count, F, OuterRef, Prefetch, Q, QuerySet, Subquery, When

from promotion.models import Campaign
from qcportal.models import Organisation

from .choices import ScoreSheetStatus, SubmissionStatus
from .models import Judge, JudgeAssignment, ScoreSheet, Submission


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
    """Judges whose sheets count (:func:`evaluation.scoring.counted_sheets`: submitted, not
    recused, no unwaived conflict) on the submissions ``association`` recommends.

    The rows of seed 002 Annex 4, 二、评委名单 (name, work unit, certificate number, mobile;
    issue 8 item 7, rule R-JD-46). Ordered by level (panel chair first) then name.
    """
    from .scoring import counted_sheets

    sheets = counted_sheets(
        submission__campaign=campaign,
        submission__recommending_association=association,
        submission__status=SubmissionStatus.RECOMMENDED,
    ).values("judge_id")
    level_order = Case(When(level="panel_chair", then=0), When(level="senior", then=1), default=2)
    return Judge.objects.filter(pk__in=sheets).order_by(level_order, "name", "id")


def score_sheet_list_for_user(*, user) -> QuerySet[ScoreSheet]:
    """The score sheets of the judge profiles of ``user`` (a judge's own sheets only)."""
    return (
        ScoreSheet.objects.filter(judge__user=user)
        .select_related(
            "submission", "submission__organisation", "submission__circle", "submission__campaign"
        )
        .order_by("-submitted_at", "-id")
    )


def submission_list_for_judge(*, membership) -> QuerySet[Submission]:
    """The submissions the membership's judge profile is assigned to (not recused), with the
    judge's own sheet status annotated as ``my_sheet_status`` (``None`` before starting).
    The judge scope already hides everything else; this narrows to the acting judge."""
    mine = ScoreSheet.objects.filter(submission=OuterRef("pk"), judge__user=membership.user).values("status")[
        :1
    ]
    return (
        Submission.objects.filter(
            assignments__judge__user=membership.user,
            assignments__judge__organisation=membership.organisation,
            assignments__recused=False,
        )
        .select_related("organisation", "circle", "project", "campaign")
        .annotate(my_sheet_status=Subquery(mine))
        .order_by("-campaign__year", "id")
    )


def submission_get(*, pk: int) -> Submission:
    """The visible submission ``pk`` with its relations; raises ``Submission.DoesNotExist``."""
    return Submission.objects.select_related(
        "organisation",
        "circle",
        "project",
        "campaign",
        "recommending_unit",
        "recommending_association",
        "domain",
    ).get(pk=pk)


def assignment_list(*, submission: Submission) -> QuerySet[JudgeAssignment]:
    """Assignments of a submission (judge joined), panel chair first."""
    return (
        JudgeAssignment.objects.filter(submission=submission)
        .select_related("judge")
        .order_by("-is_panel_chair", "recused", "judge__name")
    )


def judge_list(*, association: Organisation) -> QuerySet[Judge]:
    """Active judges registered with ``association``, panel chairs first."""
    level_order = Case(When(level="panel_chair", then=0), When(level="senior", then=1), default=2)
    return (
        Judge.objects.filter(organisation=association, is_active=True)
        .select_related("employer")
        .order_by(level_order, "name")
    )


def judging_overview(*, campaign: Campaign, associations: QuerySet) -> QuerySet[Submission]:
    """Submissions of ``campaign`` judged by ``associations`` (a queryset of pks) with their
    assignments prefetched and sheet counts annotated (``sheets_submitted``, ``judges_assigned``)."""
    return (
        Submission.objects.filter(campaign=campaign, recommending_association__in=associations)
        .select_related("organisation", "circle", "project", "recommending_association")
        .prefetch_related(Prefetch("assignments", queryset=JudgeAssignment.objects.select_related("judge")))
        .annotate(
            judges_assigned=Count("assignments", filter=Q(assignments__recused=False), distinct=True),
            sheets_submitted=Count(
                "score_sheets", filter=Q(score_sheets__status=ScoreSheetStatus.SUBMITTED), distinct=True
            ),
        )
        .order_by("recommending_association__code", "id")
    )


#: Similarity (pg_trgm, 0–1) from which a title or introduction counts as similar.
SIMILARITY_THRESHOLD = 0.3


def similar_results(*, submission: Submission, limit: int = 5) -> list[Submission]:
    """Results of other units or earlier campaigns whose title or text resembles
    ``submission``'s (issue 7, item 6: a recycled result is caught at formal review).

    Looks at the submissions visible in the active scope (the reviewing association's
    share), excluding the submission itself and the same result recommended up or down
    the chain (same project in a parent/child campaign). On PostgreSQL the similarity is
    pg_trgm's ``similarity()`` of the project titles and of the introductions (the greater
    of the two, ≥ 0.3); on other databases a plain fallback matches titles that contain one
    another. Output: up to ``limit`` submissions with ``similarity`` (0–1, ``None`` on the
    fallback), most similar first, with enterprise, campaign and project joined.
    """
    from django.db import connection
    from django.db.models.functions import Greatest

    title = submission.project.title
    qs = (
        Submission.objects.select_related("organisation", "campaign", "project", "circle")
        .exclude(pk=submission.pk)
        .exclude(project_id=submission.project_id, organisation_id=submission.organisation_id)
    )
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import TrigramSimilarity

        qs = qs.annotate(
            similarity=Greatest(
                TrigramSimilarity("project__title", title),
                TrigramSimilarity("introduction", submission.introduction or title),
            )
        ).filter(similarity__gte=SIMILARITY_THRESHOLD)
        return list(qs.order_by("-similarity", "-id")[:limit])
    core = title.strip()
    rows = list(
        qs.filter(Q(project__title__icontains=core[:20]) | Q(project__title=core)).order_by("-id")[:limit]
    )
    for row in rows:
        row.similarity = None
    return rows
