"""Row-level scope of judges: assigned submissions only, own sheets until release."""

from django.db.models import Exists, OuterRef, Q

from qcportal.roles import Role
from qcportal.tenancy import register_scope_provider

from .choices import RoundStatus
from .models import Judge, JudgeAssignment, ScoreSheet, Submission


def judge_scope(membership) -> dict:
    """Scope values for a judge membership at an association (domain.md §6; standard.md §4).

    - ``submissions``: submissions assigned to the user's judge profile at that association
      in a round whose assignment is published, not recused, and not conflicted *now*
      (:func:`evaluation.conflicts.conflicted_pairs`: a role granted after the assignment
      hides the result at once; waived pairs stay);
    - ``circles`` and ``tenant``: only the circles and enterprises of those submissions (plus
      the association itself, which owns the score sheets);
    - ``sheets``: the judge's own sheets, the other judges' sheets of a submission once its
      scores are released, and, for a panel chair, the sheets of the panel's submissions;
      never a recused judge's sheet (issue 8, item 3).

    The ids are read once per request (a judge's assignments are tens to hundreds), so the
    scoped queries stay flat (SQLite's parser limits nesting) and cheap.
    """
    from .conflicts import conflicted_pairs

    judges = list(
        Judge._base_manager.filter(
            user_id=membership.user_id, organisation_id=membership.organisation_id, is_active=True
        )
    )
    judge_ids = [j.pk for j in judges]
    live = (
        JudgeAssignment._base_manager.filter(judge_id__in=judge_ids, recused=False)
        .exclude(round__status=RoundStatus.DRAFT)
        .values_list("submission_id", flat=True)
        .distinct()
    )
    rows = list(
        Submission._base_manager.filter(pk__in=list(live)).only(
            "pk", "organisation_id", "recommending_unit_id", "circle_id", "scores_released_at"
        )
    )
    conflicted = {sid for (_jid, sid) in conflicted_pairs(judges, rows)} if judges and rows else set()
    rows = [r for r in rows if r.pk not in conflicted]
    assigned = [r.pk for r in rows]
    released = [r.pk for r in rows if r.scores_released_at is not None]
    chaired = list(
        JudgeAssignment._base_manager.filter(
            panel__chair_id__in=judge_ids,
            panel__round__status__in=(RoundStatus.OPEN, RoundStatus.CLOSED),
            submission_id__in=assigned,
        )
        .values_list("submission_id", flat=True)
        .distinct()
    )
    recused = JudgeAssignment._base_manager.filter(
        recused=True,
        round_id=OuterRef("round_id"),
        submission_id=OuterRef("submission_id"),
        judge_id=OuterRef("judge_id"),
    )
    sheets = (
        ScoreSheet._base_manager.filter(
            Q(submission_id__in=assigned)
            & (Q(judge_id__in=judge_ids) | Q(submission_id__in=released) | Q(submission_id__in=chaired))
        )
        .exclude(Exists(recused))
        .values("pk")
    )
    return {
        # frozensets: django-scopes would append another ``__in`` to a list's lookup.
        "tenant": frozenset({membership.organisation_id, *(r.organisation_id for r in rows)}),
        "circles": frozenset(r.circle_id for r in rows),
        "submissions": frozenset(assigned),
        "sheets": sheets,
    }


def register() -> None:
    """Register the judge provider."""
    register_scope_provider(Role.JUDGE, judge_scope)
