"""Writes of the evaluation app: panel scores, judge assignment and recusal, score sheets,
release of scores, result report upload. Every service checks the one permission rule set
(``qcportal.permissions``) and runs in a transaction; audit entries are written by
django-auditlog on every save."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from promotion.models import Campaign
from qcportal.conflicts import Conflict
from qcportal.models import Membership, Organisation
from qcportal.permissions import require_permission
from qcportal.uploads import validate_upload

from .choices import JudgingStatus, ScoreSheetStatus, SubmissionStatus
from .models import (
    Judge,
    JudgeAssignment,
    Judging,
    ScoreSheet,
    Submission,
)

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
    """Store the panel score of every released submission of ``campaign`` in
    ``Submission.score`` (standard.md §4) — the single-panel path of submissions judged
    without configured rounds; a judging with rounds publishes its results instead
    (``evaluation.grading.judging_publish_effect``).

    Aggregates the counted sheets (:func:`evaluation.scoring.counted_sheets`: submitted, no
    recused judge, no unwaived conflict) in SQL (count, sum, max, min per submission) and
    combines them with :func:`evaluation.scoring.trimmed_mean` using the campaign's
    ``score_trim_min_judges`` (points out of 100, 2 places, half-up), written in one bulk
    update. Input: the campaign and optionally one recommending association or one
    submission. Output: the number of submissions updated.
    """
    from django.db.models import Count, Max, Min, Sum

    from .scoring import counted_sheets, trimmed_mean

    sheets = counted_sheets(submission__campaign=campaign, submission__scores_released_at__isnull=False)
    if association is not None:
        sheets = sheets.filter(submission__recommending_association=association)
    if submission is not None:
        sheets = sheets.filter(submission=submission)
    totals = (
        sheets.values("submission_id")
        .annotate(n=Count("pk"), sheets_sum=Sum("total"), high=Max("total"), low=Min("total"))
        .order_by("submission_id")
    )
    updates = [
        Submission(
            pk=row["submission_id"],
            score=trimmed_mean(
                n=row["n"],
                total=row["sheets_sum"],
                high=row["high"],
                low=row["low"],
                trim_min_judges=campaign.score_trim_min_judges or 5,
            ),
        )
        for row in totals
    ]
    Submission._base_manager.bulk_update(updates, ["score"], batch_size=1000)
    return len(updates)


def recusal_reason_for(judge: Judge, submission: Submission) -> str | None:
    """Why ``judge`` must not score ``submission``, or ``None`` (standard.md §4; issue 8 item
    3): see :func:`evaluation.conflicts.conflict_reason` (employer, every role of the judge's
    login, declared conflicts, minus waivers)."""
    from .conflicts import conflict_reason

    return conflict_reason(judge, submission)


@transaction.atomic
def judge_assign(
    *,
    membership: Membership,
    submission: Submission,
    judge: Judge,
    is_panel_chair: bool = False,
    round=None,
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
    if round is None:
        from .judging import submission_default_round

        round = submission_default_round(submission)
    if Judging._base_manager.filter(pk=round.judging_id, status=JudgingStatus.PUBLISHED).exists():  # R-JD-30
        raise ValidationError(_("评审结果已发布，评委分配已冻结；如需修改，须由协会领导重新开放。"))
    if JudgeAssignment.objects.filter(round=round, submission=submission, judge=judge).exists():
        raise ValidationError(_("该评委已分配到此成果。"))
    if (
        is_panel_chair
        and JudgeAssignment.objects.filter(
            round=round, submission=submission, is_panel_chair=True, recused=False
        ).exists()
    ):
        raise ValidationError(_("此成果已有评审组长。"))
    return JudgeAssignment.objects.create(
        organisation_id=submission.recommending_association_id,
        round=round,
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
    mine = {"round": assignment.round_id, "submission": assignment.submission, "judge": assignment.judge}
    if ScoreSheet.objects.filter(status=ScoreSheetStatus.SUBMITTED, **mine).exists():
        raise ValidationError(_("该评委已提交评分表，不能取消分配；如需回避，请由评委申报回避。"))
    ScoreSheet.objects.filter(**mine).delete()
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
    assignments = list(
        JudgeAssignment.objects.select_for_update().filter(
            submission=submission,
            judge__user=membership.user,
            judge__organisation=membership.organisation,
            recused=False,
        )
    )
    if not assignments:
        raise ValidationError(_("您未被分配评审该成果。"))
    # A recused assignment's sheets never count and never show (the aggregation and the
    # scopes exclude sheets whose judge is recused on the submission).
    for assignment in assignments:
        assignment.recused, assignment.recusal_reason, assignment.is_panel_chair = True, reason, False
        assignment.save()
    return assignments[-1]


def score_sheet_save(**kwargs) -> ScoreSheet:
    """Alias of :func:`evaluation.sheets.score_sheet_save` (the sheet services live in
    ``evaluation/sheets.py``; issue 8 item 5)."""
    from .sheets import score_sheet_save as save

    return save(**kwargs)


def score_sheet_withdraw(*, membership: Membership, sheet: ScoreSheet, reason: str = "") -> ScoreSheet:
    """Association staff return a submitted sheet to its judge: alias of
    :func:`evaluation.sheets.sheet_staff_return` (reason recorded; a default one when empty)."""
    from .sheets import sheet_staff_return

    return sheet_staff_return(membership=membership, sheet=sheet, reason=reason or _("协会工作人员退回修改"))


@transaction.atomic
def scores_release(*, membership: Membership, submission: Submission) -> Submission:
    """Release the panel's scores of a submission (the panel chair or association staff).

    Every assigned, non-recused judge must have submitted their sheet. Afterwards the
    assigned judges see each other's sheets, the panel score is stored (standard.md §4) and
    the submission is marked scored. Raises ``ValidationError`` listing missing sheets.
    A second release (a double click, two chairs at once) waits for the first on the locked
    row and changes nothing: the workflow mechanism answers
    :class:`~qcportal.conflicts.AlreadyDone` (rule R-SC-31).
    """
    from .workflow import SUBMISSION_WORKFLOW

    require_permission(membership, "evaluation:release", submission)
    submission = Submission.objects.select_for_update().get(pk=submission.pk)
    if submission.status != SubmissionStatus.FORMALLY_REVIEWED:
        # The mechanism answers a repeat of this release, and refuses any other state.
        SUBMISSION_WORKFLOW.perform(submission, "release_scores", membership=membership)
    if submission.scores_released_at:
        raise Conflict(_("评分已经公开，无需重复公开。"))
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


# --- the recommendation chain: creation, materials, similar results (issue 7) -----------------
SUBMISSION_FIELDS = (
    "seal_name",
    "address",
    "postcode",
    "contact_department",
    "contact_person",
    "contact_mobile",
    "introduction",
    "benchmark_candidate",
)
#: Longest introduction (QC小组简介和主要活动过程及效果) in characters; the other Annex 1
#: fields are limited by their columns' ``max_length``.
INTRODUCTION_MAX_CHARS = 5000
EDITABLE_STATES = (SubmissionStatus.DRAFT, SubmissionStatus.UNIT_RETURNED, SubmissionStatus.RETURNED)
RECOMMENDATION_FORM_TYPES = {
    "application/pdf": "pdf",
    "image/jpeg": "jpg",
    "image/png": "png",
}
VIDEO_TYPES = {"video/mp4": "mp4", "video/quicktime": "mov", "video/x-msvideo": "avi"}
VIDEO_MAX_BYTES = 500 * 1024 * 1024


def _clean_fields(data: dict) -> dict:
    """Annex 1 fields of ``data`` cleaned: text stripped, NUL/control characters and
    over-long values refused with a Chinese message naming the field (``ValidationError``)."""
    from qcportal.text import clean_text

    values = {}
    for name in SUBMISSION_FIELDS:
        if name not in data:
            continue
        if name == "benchmark_candidate":
            values[name] = str(data[name]).lower() in ("1", "true", "on", "yes")
            continue
        model_field = Submission._meta.get_field(name)
        label = model_field.verbose_name
        values[name] = clean_text(
            data[name] if data[name] is not None else "",
            field=name,
            max_length=model_field.max_length or INTRODUCTION_MAX_CHARS,
            label=label,
            multiline=name == "introduction",
        )
    if values.get("postcode") and not (values["postcode"].isdigit() and len(values["postcode"]) == 6):
        raise ValidationError({"postcode": _("邮编应为6位数字。")})
    return values


@transaction.atomic
def submission_create(
    *, membership: Membership, campaign: Campaign, project, domain=None, data=None
) -> Submission:
    """Enter an accepted project of the acting enterprise into ``campaign`` (成果申报) as a draft.

    Inputs: the enterprise coordinator's membership, the campaign, the project (课题, status
    已验收), optionally a domain of the campaign and Annex 1 fields (``data``: seal_name,
    address, postcode, contact_department, contact_person, contact_mobile, introduction,
    benchmark_candidate). The Annex 1 data is filled from the sign-up (name as on the seal,
    contacts), the circle and the project, and stays editable. Output: the new submission.

    Rules: the 成果申报 window is open for the enterprise (R-PT-04); the enterprise signed
    up (活动报名, seed 003 §二.1); at most ``campaign.submission_quota`` submissions hold a
    place per enterprise (seed 003 §三.2: 不超过2个), unless it signed up through a
    co-building unit (名额不受限制) — the sign-up row is locked (``SELECT … FOR UPDATE``) so
    simultaneous requests cannot exceed it (R-S3-10); one submission per project and
    campaign. Raises ``PermissionDenied`` or ``ValidationError`` (Chinese).
    """
    from circles.choices import ProjectStatus
    from promotion.choices import CampaignStatus, StageKind
    from promotion.models import CampaignEntry
    from promotion.windows import window_refusal

    from .choices import QUOTA_STATES

    require_permission(membership, "submissions:submit")
    enterprise = membership.organisation
    if project.organisation_id != enterprise.pk:
        raise ValidationError({"project": _("只能申报本企业的课题。")})
    if project.status != ProjectStatus.ACCEPTED:
        raise ValidationError(
            {
                "project": _("只有已验收的课题成果才能申报（DB43 §7.5 课题验收）。当前状态：%(state)s。")
                % {"state": project.get_status_display()}
            }
        )
    if campaign.status != CampaignStatus.OPEN:
        raise ValidationError({"campaign": _("该活动未在进行中，不能申报。")})
    refusal = window_refusal(campaign=campaign, stage=StageKind.SUBMISSION, organisation_id=enterprise.pk)
    if refusal:
        raise ValidationError({"campaign": refusal})
    entry = (
        CampaignEntry._base_manager.select_for_update()
        .filter(campaign=campaign, organisation=enterprise)
        .first()
    )
    if entry is None:
        raise ValidationError({"campaign": _("请先完成本活动的活动报名（沪质协[2022]8号 二、1 活动报名）。")})
    if domain is not None and domain.campaign_id != campaign.pk:
        raise ValidationError({"domain": _("所选领域不属于该活动。")})
    exempt = campaign.co_building_units.filter(pk=entry.recommending_unit_id).exists()
    if not exempt:
        used = Submission._base_manager.filter(
            campaign=campaign, organisation=enterprise, status__in=QUOTA_STATES
        ).count()
        if used >= campaign.submission_quota:
            raise ValidationError(
                {
                    "campaign": _(
                        "本企业在本活动的成果申报名额（%(quota)s个）已用完（沪质协[2022]8号 三、2：各活动参与单位"
                        "活动成果申报数量不超过2个）。"
                    )
                    % {"quota": campaign.submission_quota}
                }
            )
    if Submission._base_manager.filter(campaign=campaign, project=project).exists():
        raise Conflict({"project": _("该课题已申报本活动，请勿重复申报。")})
    circle = project.circle
    values = {
        "seal_name": entry.seal_name,
        "address": entry.address,
        "postcode": entry.postcode,
        "contact_department": circle.department[:100],
        "contact_person": entry.contact_person,
        "contact_mobile": entry.contact_mobile,
        **_clean_fields(data or {}),
    }
    return Submission.objects.create(
        organisation=enterprise,
        campaign=campaign,
        project=project,
        circle=circle,
        entry=entry,
        recommending_unit_id=entry.recommending_unit_id,
        recommending_association_id=campaign.organisation_id,
        domain=domain,
        **values,
    )


@transaction.atomic
def submission_update(
    *, membership: Membership, submission: Submission, domain=None, data=None, evidence=None
) -> Submission:
    """Edit a draft or returned submission's Annex 1 data, domain and evidence records.

    Inputs: the enterprise's membership, the submission (状态 草稿 / 推荐单位退回 / 形式审查退回修改),
    an optional domain, Annex 1 fields (see :func:`submission_create`) and optionally the
    activity records to link as evidence (their project must be the submission's). Output:
    the saved submission. Raises ``PermissionDenied`` or ``ValidationError`` (Chinese).
    """
    from circles.models import ActivityRecord

    require_permission(membership, "submissions:submit", submission)
    submission = Submission.objects.select_for_update().get(pk=submission.pk)
    if submission.status not in EDITABLE_STATES:
        raise ValidationError(
            _("当前状态为“%(state)s”，不能修改申报材料。") % {"state": submission.get_status_display()}
        )
    values = _clean_fields(data or {})
    if "seal_name" in values and not values["seal_name"]:
        raise ValidationError(
            {"seal_name": _("请填写企业名称（以公章为准）（中国质协字〔2020〕21号 附件1 注2）。")}
        )
    if domain is not None:
        if domain.campaign_id != submission.campaign_id:
            raise ValidationError({"domain": _("所选领域不属于该活动。")})
        values["domain"] = domain
    for name, value in values.items():
        setattr(submission, name, value)
    submission.save()
    if evidence is not None:
        records = list(ActivityRecord.objects.filter(pk__in=[r.pk for r in evidence]))
        if any(r.project_id != submission.project_id for r in records):
            raise ValidationError({"evidence": _("只能选择本课题的活动记录作为证实性材料。")})
        submission.evidence.set(records)
    return submission


def _upload_state_check(submission: Submission, states, what) -> None:
    if submission.status not in states:
        raise ValidationError(
            _("当前状态为“%(state)s”，不能上传%(what)s。")
            % {"state": submission.get_status_display(), "what": what}
        )


@transaction.atomic
def recommendation_form_upload(*, membership: Membership, submission: Submission, upload) -> Submission:
    """The recommending unit attaches its sealed recommendation form (推荐表, seed 003 附件4;
    §二.3(2) 加盖公章): PDF, JPEG or PNG, ≤ 20 MB, type checked from the bytes. Only the
    submission's recommending unit, while the submission waits for it. Raises
    ``PermissionDenied`` or ``ValidationError``."""
    from .workflow import is_recommending_unit

    require_permission(membership, "submissions:recommend", submission)
    if not is_recommending_unit(membership, submission):
        raise PermissionDenied(_("只有该成果的推荐单位可以上传推荐表。"))
    _upload_state_check(submission, (SubmissionStatus.SUBMITTED,), _("推荐表"))
    extension = validate_upload(upload, allowed=RECOMMENDATION_FORM_TYPES, max_bytes=RESULT_REPORT_MAX_BYTES)
    submission.recommendation_form.save(f"推荐表_{submission.pk}.{extension}", upload, save=False)
    submission.save(update_fields=["recommendation_form"])
    return submission


@transaction.atomic
def presentation_video_upload(*, membership: Membership, submission: Submission, upload) -> Submission:
    """The enterprise attaches the presentation video of a benchmark candidate (发表视频,
    seed 003 §二.4): MP4, MOV or AVI, ≤ 500 MB. Raises ``PermissionDenied`` or
    ``ValidationError``."""
    require_permission(membership, "submissions:submit", submission)
    _upload_state_check(submission, EDITABLE_STATES, _("发表视频"))
    extension = validate_upload(upload, allowed=VIDEO_TYPES, max_bytes=VIDEO_MAX_BYTES)
    submission.presentation_video.save(f"发表视频_{submission.pk}.{extension}", upload, save=False)
    submission.save(update_fields=["presentation_video"])
    return submission
