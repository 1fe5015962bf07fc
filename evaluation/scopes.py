"""Row-level scope of judges: assigned submissions only, own sheets until release."""

from django.db.models import Exists, OuterRef, Q

from qcportal.choices import ASSOCIATION_KINDS
from qcportal.models import Membership, Organisation
from qcportal.roles import Role
from qcportal.tenancy import register_scope_provider

from .choices import RoundStatus
from .models import ConflictDeclaration, ConflictWaiver, Judge, JudgeAssignment, ScoreSheet, Submission


def _conflicted_submissions(membership, judges):
    """Submissions the judge is conflicted with *now* (issue 8 item 3; the same rule as
    :func:`evaluation.conflicts.conflicted_pairs`, as one subquery): their enterprise, its
    parent or their recommending unit is an organisation where the judge's login holds an
    active role (associations excepted), the judge's employer, or the parent of either, or a
    party the judge declared; waived pairs excepted. So a role granted after the assignment
    hides the result at once."""
    direct = Organisation._base_manager.filter(
        Q(
            pk__in=Membership._base_manager.filter(user_id=membership.user_id, is_active=True).values(
                "organisation"
            )
        )
        | Q(pk__in=Judge._base_manager.filter(pk__in=judges).values("employer"))
        | Q(pk__in=ConflictDeclaration._base_manager.filter(judge__in=judges).values("party"))
    ).exclude(kind__in=ASSOCIATION_KINDS)
    interested = Organisation._base_manager.filter(
        Q(pk__in=direct.values("pk"))
        | Q(pk__in=direct.exclude(parent__kind__in=ASSOCIATION_KINDS).values("parent"))
    ).values("pk")
    waived = ConflictWaiver._base_manager.filter(judge__in=judges).values("submission")
    return (
        Submission._base_manager.filter(
            Q(organisation__in=interested)
            | Q(recommending_unit__in=interested)
            | Q(organisation__parent__in=interested)
        )
        .exclude(pk__in=waived)
        .values("pk")
    )


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
    assigned = live.exclude(submission__in=_conflicted_submissions(membership, judges)).values("submission")
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
