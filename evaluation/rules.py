"""Object rules of the evaluation app (registered into the one RuleSet of qcportal.permissions)."""

import rules

from qcportal.permissions import register_object_rule

from .models import JudgeAssignment, Submission


def _assignment(membership, submission: Submission):
    return (
        JudgeAssignment._base_manager.filter(
            submission_id=submission.pk,
            judge__user_id=membership.user_id,
            judge__organisation_id=membership.organisation_id,
            recused=False,
        )
        .select_related("judge")
        .first()
    )


@rules.predicate
def is_assigned_judge(membership, submission) -> bool:
    """The membership's judge profile is assigned to the submission and not recused."""
    return submission is None or _assignment(membership, submission) is not None


@rules.predicate
def is_panel_chair_or_staff(membership, submission) -> bool:
    """Association staff of the judging association, or the submission's panel chair."""
    if submission is None:
        return True
    if membership.role != "judge":
        return submission.recommending_association.path.startswith(membership.organisation.path)
    assignment = _assignment(membership, submission)
    return assignment is not None and assignment.is_panel_chair


@rules.predicate
def is_own_enterprise(membership, submission) -> bool:
    """The submission belongs to the acting enterprise."""
    return submission is None or submission.organisation_id == membership.organisation_id


def register() -> None:
    """Register the rules for scoring, recusal, release and the enterprise's own submissions."""
    register_object_rule("evaluation:score", is_assigned_judge)
    register_object_rule("evaluation:recuse", is_assigned_judge)
    register_object_rule("evaluation:release", is_panel_chair_or_staff)
    register_object_rule("submissions:submit", is_own_enterprise)
