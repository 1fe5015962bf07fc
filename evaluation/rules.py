"""Object rules of the evaluation app (registered into the one RuleSet of qcportal.permissions)."""

import rules

from qcportal.permissions import register_object_rule

from .choices import RoundStatus
from .models import JudgeAssignment, Panel, ScoreSheet, Submission


def _assignment(membership, submission: Submission):
    """The membership's live assignment to ``submission``: not recused, in a round whose
    assignment is published (open or closed), the latest round first."""
    return (
        JudgeAssignment._base_manager.filter(
            submission_id=submission.pk,
            judge__user_id=membership.user_id,
            judge__organisation_id=membership.organisation_id,
            recused=False,
        )
        .exclude(round__status=RoundStatus.DRAFT)
        .select_related("judge")
        .order_by("-round__position")
        .first()
    )


def is_own_sheet(membership, sheet: ScoreSheet) -> bool:
    """The sheet is the acting judge's own (their judge profile at this association) and
    the judge is not recused on the submission in that round."""
    return (
        sheet.judge.user_id == membership.user_id
        and sheet.judge.organisation_id == membership.organisation_id
        and not JudgeAssignment._base_manager.filter(
            round_id=sheet.round_id, submission_id=sheet.submission_id, judge_id=sheet.judge_id, recused=True
        ).exists()
    )


@rules.predicate
def is_assigned_judge(membership, obj) -> bool:
    """For a submission: the membership's judge profile is assigned to it (published round)
    and not recused. For a score sheet: it is the judge's own and the judge is not recused."""
    if obj is None:
        return True
    if isinstance(obj, ScoreSheet):
        return is_own_sheet(membership, obj)
    return _assignment(membership, obj) is not None


@rules.predicate
def is_panel_chair_or_staff(membership, obj) -> bool:
    """Association staff of the judging association, or the panel chair (of the panel, or
    of the submission's panel)."""
    if obj is None:
        return True
    if isinstance(obj, Panel):
        if membership.role != "judge":
            return obj.organisation.path.startswith(membership.organisation.path)
        return obj.chair_id is not None and obj.chair.user_id == membership.user_id
    submission = obj
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
