"""Writes of the evaluation app: panel scores, judge assignment and recusal, score sheets,
release of scores, result report upload. Every service checks the one permission rule set
(``qcportal.permissions``) and runs in a transaction; audit entries are written by
django-auditlog on every save."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from circles.choices import ProjectType
from promotion.models import Campaign
from qcportal.choices import UnitKind
from qcportal.models import Membership, Organisation
from qcportal.permissions import require_permission
from qcportal.uploads import validate_upload

from .choices import ScoreSheetKind, ScoreSheetStatus, SubmissionStatus
from .models import (
    ASSESSMENT_MAX_CHARS,
    Judge,
    JudgeAssignment,
    ScoreItem,
    ScoreSheet,
    ScoringCriterion,
    Submission,
)
from .selectors import panel_score, submission_score_totals

RESULT_REPORT_TYPES = {
    "application/pdf": "pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/msword": "doc",
}
RESULT_REPORT_MAX_BYTES = 20 * 1024 * 1024


@transaction.atomic
def submission_scores_aggregate(
    *, campaign: Campaign, association: Organisation | None = None, submission: Submission | None = None
) -> int:
    """Store the panel score of every scored submission of ``campaign`` (standard.md §4).

    Aggregates the submitted sheets in SQL (count, sum, max, min per submission), combines
    them with :func:`~evaluation.selectors.panel_score` using the campaign's
    ``score_trim_min_judges``, and writes ``Submission.score`` (points out of 100, 2 places)
    in one bulk update. Input: the campaign and optionally one recommending association or
    one submission. Output: the number of submissions updated. Sheets of recused judges
    (status ``recused``) and drafts do not count.
    """
    totals = submission_score_totals(campaign=campaign, association=association)
    if submission is not None:
        totals = totals.filter(pk=submission.pk)
    updates = [
        Submission(
            pk=row["pk"],
            score=panel_score(
                n=row["sheets_n"],
                total=row["sheets_sum"],
                high=row["sheets_max"],
                low=row["sheets_min"],
                min_judges=campaign.score_trim_min_judges,
            ),
        )
        for row in totals
    ]
    Submission.objects.bulk_update(updates, ["score"], batch_size=1000)
    return len(updates)


def recusal_reason_for(judge: Judge, submission: Submission) -> str | None:
    """Why ``judge`` must not score ``submission``, or ``None`` (standard.md §4, automatic
    recusal: the judge's own enterprise, its group company, or its recommending unit)."""
    employer = judge.employer
    if employer is None:
        return None
    if employer.pk == submission.organisation_id:
        return _("评委所在企业即申报企业")
    if employer.pk == submission.recommending_unit_id:
        return _("评委所在单位即该成果的推荐单位")
    unit = submission.recommending_unit
    if unit.unit_kind == UnitKind.GROUP_COMPANY and employer.parent_id == unit.pk:
        return _("评委所在企业与申报企业同属一个集团")
    return None


@transaction.atomic
def judge_assign(
    *, membership: Membership, submission: Submission, judge: Judge, is_panel_chair: bool = False
) -> JudgeAssignment:
    """Assign ``judge`` to ``submission`` (association staff, ``evaluation:manage``).

    The judge must be registered with the submission's judging association (推荐省市、行业)
    and must not be conflicted (automatic recusal). At most one panel chair per submission.
    Raises ``PermissionDenied`` or ``ValidationError`` (Chinese message).
    """
    require_permission(membership, "evaluation:manage")
    require_permission(membership, "evaluation:release", submission)
    if judge.organisation_id != submission.recommending_association_id:
        raise ValidationError(_("只能分配本协会的评委。"))
    if not judge.is_active:
        raise ValidationError(_("该评委已停用。"))
    reason = recusal_reason_for(judge, submission)
    if reason:
        raise ValidationError(
            _("评委%(judge)s须回避该成果：%(reason)s。") % {"judge": judge.name, "reason": reason}
        )
    if JudgeAssignment.objects.filter(submission=submission, judge=judge).exists():
        raise ValidationError(_("该评委已分配到此成果。"))
    if (
        is_panel_chair
        and JudgeAssignment.objects.filter(submission=submission, is_panel_chair=True, recused=False).exists()
    ):
        raise ValidationError(_("此成果已有评审组长。"))
    return JudgeAssignment.objects.create(
        organisation_id=submission.recommending_association_id,
        submission=submission,
        judge=judge,
        is_panel_chair=is_panel_chair,
        assigned_by=membership.user,
    )


@transaction.atomic
def judge_unassign(*, membership: Membership, assignment: JudgeAssignment) -> None:
    """Remove an assignment (association staff). Refused once the judge submitted a sheet."""
    require_permission(membership, "evaluation:manage")
    require_permission(membership, "evaluation:release", assignment.submission)
    if ScoreSheet.objects.filter(
        submission=assignment.submission, judge=assignment.judge, status=ScoreSheetStatus.SUBMITTED
    ).exists():
        raise ValidationError(_("该评委已提交评分表，不能取消分配；如需回避，请由评委申报回避。"))
    ScoreSheet.objects.filter(submission=assignment.submission, judge=assignment.judge).delete()
    assignment.delete()


@transaction.atomic
def recusal_declare(*, membership: Membership, submission: Submission, reason: str) -> JudgeAssignment:
    """A judge declares a conflict of interest (回避) on an assigned submission.

    The assignment is marked recused with the reason (required, ≤ 200 characters); the
    judge's sheets on it stop counting (status ``recused``) and the judge no longer sees it.
    """
    require_permission(membership, "evaluation:recuse", submission)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写回避原因。")})
    if len(reason) > 200:
        raise ValidationError({"reason": _("回避原因不能超过200字。")})
    if submission.scores_released_at:
        raise ValidationError(_("评分已公开，不能再申报回避。"))
    assignment = JudgeAssignment.objects.select_for_update().get(
        submission=submission, judge__user=membership.user, judge__organisation=membership.organisation
    )
    # The judge's own sheets, fetched before the recusal hides the submission from their scope.
    sheets = list(ScoreSheet.objects.filter(submission=submission, judge=assignment.judge))
    assignment.recused, assignment.recusal_reason, assignment.is_panel_chair = True, reason, False
    assignment.save()
    for sheet in sheets:
        sheet.status = ScoreSheetStatus.RECUSED
        sheet.save(update_fields=["status"])
    return assignment


def sheet_kind_for(submission: Submission) -> str:
    """The result score sheet of the submission's topic type (T/CAQ 10201-2020 附录B)."""
    if submission.project.project_type == ProjectType.INNOVATION:
        return ScoreSheetKind.INNOVATION_RESULT
    return ScoreSheetKind.PROBLEM_SOLVING_RESULT


def _points(raw, criterion: ScoringCriterion) -> Decimal:
    try:
        value = Decimal(str(raw).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError(
            {criterion.code: _("“%(label)s”的得分须为数字。") % {"label": criterion.label}}
        ) from None
    if not value.is_finite() or value < 0 or value > criterion.max_points:
        raise ValidationError(
            {
                criterion.code: _("“%(label)s”的得分须在0到%(max)s分之间。")
                % {"label": criterion.label, "max": criterion.max_points}
            }
        )
    if (value * 2) != (value * 2).to_integral_value():
        raise ValidationError(
            {criterion.code: _("“%(label)s”的得分以0.5分为单位。") % {"label": criterion.label}}
        )
    return value


@transaction.atomic
def score_sheet_save(
    *, membership: Membership, submission: Submission, points: dict, assessment: str, submit: bool
) -> ScoreSheet:
    """Save (``submit=False``) or submit and lock (``submit=True``) the judge's result sheet.

    Inputs: ``points`` maps criterion codes of the submission's sheet kind to points
    (0 to the item's maximum, in steps of 0.5); ``assessment`` ≤ 300 characters (seed 002,
    Annex 5), required to submit. Output: the sheet with ``total`` = sum of items (out of
    100). Raises ``PermissionDenied`` unless the judge is assigned and not recused;
    ``ValidationError`` for bad points, a locked (submitted) sheet or released scores.
    """
    require_permission(membership, "evaluation:score", submission)
    if submission.scores_released_at:
        raise ValidationError(_("评分已公开，不能再修改。"))
    judge = Judge.objects.get(user=membership.user, organisation=membership.organisation)
    kind = sheet_kind_for(submission)
    criteria = list(ScoringCriterion.objects.filter(sheet_kind=kind).order_by("position"))
    assessment = (assessment or "").strip()
    if len(assessment) > ASSESSMENT_MAX_CHARS:
        raise ValidationError(
            {"assessment": _("总体评价不能超过300字（现为%(n)s字）。") % {"n": len(assessment)}}
        )
    values = {}
    for criterion in criteria:
        raw = points.get(criterion.code)
        if raw in (None, ""):
            if submit:
                raise ValidationError(
                    {criterion.code: _("请为“%(label)s”打分。") % {"label": criterion.label}}
                )
            continue
        values[criterion.code] = _points(raw, criterion)
    if submit and not assessment:
        raise ValidationError({"assessment": _("提交前请填写总体评价（优势/不足之处）。")})
    sheet = (
        ScoreSheet.objects.select_for_update().filter(submission=submission, judge=judge, kind=kind).first()
    )
    if sheet is None:
        sheet = ScoreSheet(
            submission=submission,
            judge=judge,
            kind=kind,
            organisation_id=submission.recommending_association_id,
        )
    elif sheet.status != ScoreSheetStatus.DRAFT:
        raise ValidationError(_("评分表已提交并锁定；如需修改，请联系协会工作人员退回。"))
    sheet.assessment = assessment
    sheet.total = sum(values.values(), Decimal("0"))
    if submit:
        sheet.status, sheet.submitted_at = ScoreSheetStatus.SUBMITTED, timezone.now()
    sheet.save()
    existing = {item.criterion.code: item for item in sheet.items.select_related("criterion")}
    for criterion in criteria:
        if criterion.code not in values:
            continue
        item = existing.get(criterion.code) or ScoreItem(sheet=sheet, criterion=criterion)
        if item.pk is None or item.points != values[criterion.code]:
            item.points = values[criterion.code]
            item.save()
    return sheet


@transaction.atomic
def score_sheet_withdraw(*, membership: Membership, sheet: ScoreSheet) -> ScoreSheet:
    """Reopen a submitted sheet for correction (association staff, before release)."""
    require_permission(membership, "evaluation:manage")
    require_permission(membership, "evaluation:release", sheet.submission)
    if sheet.submission.scores_released_at:
        raise ValidationError(_("评分已公开，不能退回评分表。"))
    if sheet.status != ScoreSheetStatus.SUBMITTED:
        raise ValidationError(_("只有已提交的评分表可以退回。"))
    sheet.status, sheet.submitted_at = ScoreSheetStatus.DRAFT, None
    sheet.save(update_fields=["status", "submitted_at"])
    return sheet


@transaction.atomic
def scores_release(*, membership: Membership, submission: Submission) -> Submission:
    """Release the panel's scores of a submission (the panel chair or association staff).

    Every assigned, non-recused judge must have submitted their sheet. Afterwards the
    assigned judges see each other's sheets, the panel score is stored (standard.md §4) and
    the submission is marked scored. Raises ``ValidationError`` listing missing sheets.
    """
    require_permission(membership, "evaluation:release", submission)
    submission = Submission.objects.select_for_update().get(pk=submission.pk)
    if submission.scores_released_at:
        raise ValidationError(_("评分已经公开。"))
    assigned = JudgeAssignment.objects.filter(submission=submission, recused=False).select_related("judge")
    if not assigned:
        raise ValidationError(_("尚未分配评委。"))
    submitted = set(
        ScoreSheet._base_manager.filter(submission=submission, status=ScoreSheetStatus.SUBMITTED).values_list(
            "judge_id", flat=True
        )
    )
    missing = [a.judge.name for a in assigned if a.judge_id not in submitted]
    if missing:
        raise ValidationError(_("以下评委尚未提交评分表：%(names)s。") % {"names": "、".join(missing)})
    from .workflow import SUBMISSION_WORKFLOW

    if submission.status != SubmissionStatus.FORMALLY_REVIEWED:
        raise ValidationError(
            _("当前状态为“%(state)s”，通过资料形式审查的成果才能完成评审。")
            % {"state": submission.get_status_display()}
        )
    submission = SUBMISSION_WORKFLOW.perform(submission, "release_scores", membership=membership)
    submission_scores_aggregate(campaign=submission.campaign, submission=submission)
    submission.refresh_from_db(fields=["score"])
    return submission


@transaction.atomic
def result_report_upload(*, membership: Membership, submission: Submission, upload) -> Submission:
    """Attach the result report (成果报告, seed 002 Annex 1 note 1) to the enterprise's own
    submission: PDF or Word, at most 20 MB, content type checked from the file's bytes.
    Raises ``PermissionDenied`` for another enterprise's submission, ``ValidationError``
    for a wrong type or size."""
    require_permission(membership, "submissions:submit", submission)
    extension = validate_upload(upload, allowed=RESULT_REPORT_TYPES, max_bytes=RESULT_REPORT_MAX_BYTES)
    submission.result_report.save(f"成果报告_{submission.pk}.{extension}", upload, save=False)
    submission.save(update_fields=["result_report"])
    return submission
