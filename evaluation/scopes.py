"""Row-level scope of judges: assigned submissions only, own sheets until release."""

from django.db.models import Q

from qcportal.models import Organisation
from qcportal.roles import Role
from qcportal.tenancy import register_scope_provider

from .models import Judge, JudgeAssignment, ScoreSheet, Submission


def judge_scope(membership) -> dict:
    """Scope values for a judge membership at an association (domain.md §6; standard.md §4).

    - ``submissions``: submissions assigned to the user's judge profile at that association
      and not recused;
    - ``circles`` and ``tenant``: only the circles and enterprises of those submissions (plus
      the association itself, which owns the score sheets);
    - ``sheets``: the judge's own sheets, and the other judges' sheets of a submission only
      once its panel chair has released the scores.
    """
    judges = Judge._base_manager.filter(
        user_id=membership.user_id, organisation_id=membership.organisation_id, is_active=True
    ).values("pk")
    assigned = JudgeAssignment._base_manager.filter(judge__in=judges, recused=False).values("submission")
    submissions = Submission._base_manager.filter(pk__in=assigned)
    released = submissions.filter(scores_released_at__isnull=False).values("pk")
    sheets = ScoreSheet._base_manager.filter(
        Q(submission__in=assigned) & (Q(judge__in=judges) | Q(submission__in=released))
    ).values("pk")
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
