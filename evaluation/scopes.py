"""Row-level scope of judges: assigned submissions only, own sheets until release."""

from django.db.models import Exists, OuterRef, Q

from qcportal.models import Organisation
from qcportal.roles import Role
from qcportal.tenancy import register_scope_provider

from .choices import RoundStatus
from .models import Judge, JudgeAssignment, ScoreSheet, Submission


def judge_scope(membership) -> dict:
    """Scope values for a judge membership at an association (domain.md §6; standard.md §4).

    - ``submissions``: submissions assigned to the user's judge profile at that association
      and not recused;
    - ``circles`` and ``tenant``: only the circles and enterprises of those submissions (plus
      the association itself, which owns the score sheets);
    - ``sheets``: the judge's own sheets, the other judges' sheets of a submission once its
      scores are released, and, for a panel chair, the sheets of the panel's submissions;
      never a recused judge's sheet (issue 8, item 3).
    Assignments of a round whose assignment is not yet published (draft) are not visible.
    """
    judges = Judge._base_manager.filter(
        user_id=membership.user_id, organisation_id=membership.organisation_id, is_active=True
    ).values("pk")
    live = JudgeAssignment._base_manager.filter(judge__in=judges, recused=False).exclude(
        round__status=RoundStatus.DRAFT
    )
    assigned = live.values("submission")
    submissions = Submission._base_manager.filter(pk__in=assigned)
    released = submissions.filter(scores_released_at__isnull=False).values("pk")
    chaired = JudgeAssignment._base_manager.filter(
        panel__chair__in=judges, panel__round__status__in=(RoundStatus.OPEN, RoundStatus.CLOSED)
    ).values("submission")
    recused = JudgeAssignment._base_manager.filter(
        recused=True,
        round_id=OuterRef("round_id"),
        submission_id=OuterRef("submission_id"),
        judge_id=OuterRef("judge_id"),
    )
    sheets = (
        ScoreSheet._base_manager.filter(
            Q(submission__in=assigned)
            & (Q(judge__in=judges) | Q(submission__in=released) | Q(submission__in=chaired))
        )
        .exclude(Exists(recused))
        .values("pk")
    )
    tenant = Organisation._base_manager.filter(
        Q(pk=membership.organisation_id) | Q(pk__in=submissions.values("organisation"))
    ).values("pk")
    return {
        "tenant": tenant,
        "circles": submissions.values("circle"),
        "submissions": assigned,
        "sheets": sheets,
    }


def register() -> None:
    """Register the judge provider."""
    register_scope_provider(Role.JUDGE, judge_scope)
