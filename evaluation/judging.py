"""The judging of a campaign by one association (issue 8): finding or creating its
:class:`~evaluation.models.Judging`, the standard score sheet templates, and the round a
judge scores a submission in."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from promotion.models import Campaign
from qcportal.models import Organisation

from .choices import RoundKind, RoundStatus, ScoreSheetKind
from .models import Judge, JudgeAssignment, Judging, JudgingRound, SheetTemplate, Submission
from .standard_sheets import STANDARD_VERSION


def standard_template(kind: str) -> SheetTemplate:
    """The standard's sheet of ``kind`` (``ScoreSheetKind``), seeded by migration 0006.
    Raises ``SheetTemplate.DoesNotExist`` when the seed is missing."""
    return SheetTemplate.objects.get(organisation__isnull=True, kind=kind, version=STANDARD_VERSION)


def judging_get_or_create(*, campaign: Campaign, association: Organisation) -> Judging:
    """The judging of ``campaign``'s submissions by ``association`` (the submissions'
    推荐省市、行业), created on first use with the campaign's trim threshold (standard.md §4,
    at least 3). Safe under concurrent calls (the unique constraint decides)."""
    judging = Judging._base_manager.filter(campaign=campaign, organisation=association).first()
    if judging is not None:
        return judging
    try:
        with transaction.atomic():
            return Judging._base_manager.create(
                campaign=campaign,
                organisation=association,
                trim_min_judges=max(campaign.score_trim_min_judges or 5, 3),
            )
    except IntegrityError:
        return Judging._base_manager.get(campaign=campaign, organisation=association)


def default_round(judging: Judging) -> JudgingRound:
    """The judging's first round, created as a materials round (成果评审) with the standard's
    result sheets when the judging has none yet (so that a single-round campaign needs no
    configuration). Its dates are the campaign's statistics period."""
    first = JudgingRound._base_manager.filter(judging=judging).order_by("position").first()
    if first is not None:
        return first
    campaign = judging.campaign
    return JudgingRound._base_manager.create(
        organisation_id=judging.organisation_id,
        judging=judging,
        position=1,
        name="成果评审",
        kind=RoundKind.MATERIALS,
        template=standard_template(ScoreSheetKind.PROBLEM_SOLVING_RESULT),
        innovation_template=standard_template(ScoreSheetKind.INNOVATION_RESULT),
        starts_on=campaign.period_start,
        ends_on=max(campaign.period_end, campaign.period_start),
        status=RoundStatus.OPEN,
    )


def submission_default_round(submission: Submission) -> JudgingRound:
    """:func:`default_round` of the submission's judging (campaign × recommending association)."""
    judging = judging_get_or_create(
        campaign=submission.campaign, association=submission.recommending_association
    )
    return default_round(judging)


def scoring_round_for(*, judge: Judge, submission: Submission) -> JudgingRound | None:
    """The open round in which ``judge`` is assigned (not recused) to ``submission``, the
    latest if several; ``None`` when there is none."""
    assignment = (
        JudgeAssignment._base_manager.filter(
            judge=judge, submission=submission, recused=False, round__status=RoundStatus.OPEN
        )
        .select_related("round")
        .order_by("-round__position")
        .first()
    )
    return assignment.round if assignment else None
