"""The recommendation chain of a submitted result (成果申报 → 推荐 → 资料形式审查 → 评价 →
推荐上级), declared as data in the one workflow mechanism (``qcportal.workflow``).

- The enterprise submits an accepted result inside the 成果申报 window (seed 003 §二.3).
- Its recommending unit recommends it with its sealed recommendation form, or returns it
  with a reason (seed 003 §二.3(2), §三.1, 附件4), inside the 成果推荐 window.
- The association checks the materials (资料形式审查, seed 003 §二.4) against a checklist:
  通过（参评）, 退回修改 with a deadline (the enterprise corrects and resubmits), or 不予受理
  (final), inside the 成果评价 window.
- Judging (issue 8) ends with the release of the panel's scores (评审完成).
- The association recommends its best results into the parent campaign (推荐全国成果, seed
  002 三(二)) within that campaign's quota, or marks them not recommended.

Each action names its stage; outside the stage's window it is refused with the window's
dates unless the acting organisation holds an extension (``promotion.windows``). Guards name
their rule in ``docs/rules.md`` and its source.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Count, Max, Min, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _now
from django.utils.translation import gettext_lazy as _

from promotion.choices import StageKind
from promotion.models import Campaign
from promotion.windows import window_refusal
from qcportal.choices import ASSOCIATION_KINDS
from qcportal.forms_base import CleanInputMixin, DateInput
from qcportal.models import Membership
from qcportal.roles import Role, roles_with
from qcportal.workflow import Guard, Transition, TransitionContext, Workflow

from .choices import (
    QUOTA_STATES,
    CertificateStatus,
    ConferenceSignUpStatus,
    HonourStatus,
    JudgingStatus,
    PanelStatus,
    RoundStatus,
    ScoreSheetStatus,
    SubmissionStatus,
)
from .models import (
    Certificate,
    ConferenceSignUp,
    Honour,
    JudgeAssignment,
    Judging,
    JudgingRound,
    Panel,
    Result,
    ScoreSheet,
    Submission,
)

S = SubmissionStatus

#: Longest correction period a formal-review return may give (days).
CORRECTION_MAX_DAYS = 60


# --- recipients ---------------------------------------------------------------------------
def _members(organisation_id: int, roles) -> list[tuple[int, int]]:
    return list(
        Membership._base_manager.filter(
            organisation_id=organisation_id, role__in=roles, is_active=True
        ).values_list("user_id", "organisation_id")
    )


def enterprise_people(submission: Submission, ctx=None) -> list[tuple[int, int]]:
    """``(user_id, organisation_id)`` of the enterprise's coordinators (企业推进负责人), who
    submit and correct results."""
    return _members(submission.organisation_id, (Role.ENTERPRISE_COORDINATOR,))


def unit_people(submission: Submission, ctx=None) -> list[tuple[int, int]]:
    """The recommending unit's coordinators (推荐单位联络人)."""
    return _members(submission.recommending_unit_id, (Role.UNIT_COORDINATOR,))


def association_people(submission: Submission, ctx=None) -> list[tuple[int, int]]:
    """The judging association's staff (协会工作人员)."""
    return _members(submission.recommending_association_id, (Role.ASSOCIATION_STAFF,))


def enterprise_and_unit(submission: Submission, ctx=None) -> list[tuple[int, int]]:
    """Enterprise coordinators and the unit's coordinators."""
    return enterprise_people(submission) + unit_people(submission)


# --- object rules ---------------------------------------------------------------------------
def is_own_enterprise(membership, submission: Submission) -> bool:
    """The acting organisation is the submitting enterprise."""
    return membership.organisation_id == submission.organisation_id


def is_recommending_unit(membership, submission: Submission) -> bool:
    """The acting organisation is the submission's recommending unit."""
    return membership.organisation_id == submission.recommending_unit_id


def is_judging_association(membership, submission: Submission) -> bool:
    """The acting organisation is the association that evaluates the submission."""
    return (
        membership.organisation_id == submission.recommending_association_id
        and membership.organisation.kind in ASSOCIATION_KINDS
    )


# --- guards ---------------------------------------------------------------------------------
def _window(stages: tuple[str, ...], actor: str):
    """Guard check: an action of one of ``stages`` is open today for the acting organisation
    (``actor``: "enterprise", "unit" or "association" decides whose extension counts)."""

    def check(submission: Submission, ctx: TransitionContext | None) -> bool:
        return _window_message(submission, stages, actor) is None

    return check


def _actor_org(submission: Submission, actor: str) -> int:
    return {
        "enterprise": submission.organisation_id,
        "unit": submission.recommending_unit_id,
        "association": submission.recommending_association_id,
    }[actor]


def _window_message(submission: Submission, stages: tuple[str, ...], actor: str) -> str | None:
    campaign = getattr(submission, "_window_campaign", None)
    if campaign is None:  # one read of the calendar per submission instance (a page asks often)
        campaign = Campaign._base_manager.prefetch_related("stages").get(pk=submission.campaign_id)
        submission._window_campaign = campaign
    refusals = [
        window_refusal(campaign=campaign, stage=stage, organisation_id=_actor_org(submission, actor))
        for stage in stages
    ]
    return None if any(r is None for r in refusals) else refusals[0]


def window_guard(rule: str, stages: tuple[str, ...], actor: str) -> Guard:
    """A guard refusing outside the window of ``stages`` (rule R-PT-04, issue 7 item 2);
    ``actor`` ("enterprise", "unit", "association") decides whose extension counts. Its
    refusal names the stage and its dates (``explain``)."""
    return Guard(
        rule,
        _("不在该阶段的时间窗口内（沪质协[2022]8号 二、活动安排）。"),
        _window(stages, actor),
        explain=lambda submission: _window_message(submission, stages, actor),
    )


def _has_result_report(submission: Submission, ctx) -> bool:
    return bool(submission.result_report)


def _has_domain(submission: Submission, ctx) -> bool:
    return submission.domain_id is not None


def _has_seal_name(submission: Submission, ctx) -> bool:
    return bool((submission.seal_name or "").strip())


def _has_video_if_benchmark(submission: Submission, ctx) -> bool:
    return not submission.benchmark_candidate or bool(submission.presentation_video)


def _has_recommendation_form(submission: Submission, ctx) -> bool:
    return bool(submission.recommendation_form)


def _before_correction_due(submission: Submission, ctx) -> bool:
    return submission.correction_due is None or timezone.localdate() <= submission.correction_due


def _judges_assigned(submission: Submission, ctx) -> bool:
    return JudgeAssignment._base_manager.filter(submission=submission, recused=False).exists()


def _all_sheets_in(submission: Submission, ctx) -> bool:
    assigned = set(
        JudgeAssignment._base_manager.filter(submission=submission, recused=False).values_list(
            "judge_id", flat=True
        )
    )
    submitted = set(
        ScoreSheet._base_manager.filter(submission=submission, status=ScoreSheetStatus.SUBMITTED).values_list(
            "judge_id", flat=True
        )
    )
    return bool(assigned) and assigned <= submitted


def _score_published(submission: Submission, ctx) -> bool:
    """A submission with a judging result is recommended upward only once that judging is
    published, with the published score (rule R-JD-47); single-panel submissions pass."""
    return (
        not Result._base_manager.filter(submission=submission)
        .exclude(judging__status=JudgingStatus.PUBLISHED)
        .exists()
    )


def _has_parent(submission: Submission, ctx) -> bool:
    return Campaign._base_manager.filter(pk=submission.campaign_id, parent__isnull=False).exists()


def parent_places_left(submission: Submission) -> int | None:
    """Places left for the submission's association in the parent campaign (``None``: no
    limit or no parent). Counts the parent's submissions recommended by the association that
    still hold a place."""
    campaign = Campaign._base_manager.select_related("parent").get(pk=submission.campaign_id)
    parent = campaign.parent
    if parent is None or parent.recommendation_quota is None:
        return None
    used = Submission._base_manager.filter(
        campaign=parent, recommending_unit_id=submission.recommending_association_id, status__in=QUOTA_STATES
    ).count()
    return parent.recommendation_quota - used


def _parent_quota_left(submission: Submission, ctx) -> bool:
    if ctx is not None:  # taken: serialise recommendations into the parent campaign
        parent_id = Campaign._base_manager.filter(pk=submission.campaign_id).values_list(
            "parent_id", flat=True
        )[0]
        if parent_id:
            list(Campaign._base_manager.select_for_update().filter(pk=parent_id).values_list("pk", flat=True))
    left = parent_places_left(submission)
    return left is None or left > 0


SUBMISSION_WINDOW = window_guard("R-PT-04", (StageKind.SUBMISSION,), "enterprise")
RESUBMISSION_WINDOW = window_guard("R-PT-04", (StageKind.SUBMISSION, StageKind.RECOMMENDATION), "enterprise")
RECOMMENDATION_WINDOW = window_guard("R-PT-04", (StageKind.RECOMMENDATION,), "unit")
EVALUATION_WINDOW = window_guard("R-PT-04", (StageKind.EVALUATION,), "association")
NATIONAL_WINDOW = window_guard("R-PT-04", (StageKind.NATIONAL_RECOMMENDATION,), "association")

HAS_RESULT_REPORT = Guard(
    "R-S2-10",
    _("请先上传小组成果报告电子版（中国质协字〔2020〕21号 附件1 注1）。"),
    _has_result_report,
)
HAS_DOMAIN = Guard("R-S3-02", _("请选择成果所属领域（沪质协[2022]8号 一、3 五大领域）。"), _has_domain)
HAS_SEAL_NAME = Guard(
    "R-S2-11",
    _("请填写企业名称（以公章为准）（中国质协字〔2020〕21号 附件1 注2）。"),
    _has_seal_name,
)
HAS_VIDEO = Guard(
    "R-S3-11",
    _("入围标杆级活动成果遴选的小组须递交发表视频（沪质协[2022]8号 二、4）。"),
    _has_video_if_benchmark,
)
HAS_RECOMMENDATION_FORM = Guard(
    "R-S3-12",
    _("请先上传加盖公章的成果推荐表（沪质协[2022]8号 二、3(2) 及附件4）。"),
    _has_recommendation_form,
)
BEFORE_CORRECTION_DUE = Guard(
    "R-PT-06",
    _("已过修改截止日期，不能再提交修改；如需延期，请联系主办协会。"),
    _before_correction_due,
)
JUDGES_ASSIGNED = Guard("R-ST-17", _("尚未分配评委（T/CAQ 10201-2020 成果评价）。"), _judges_assigned)
ALL_SHEETS_IN = Guard(
    "R-ST-17",
    _("全部评委提交评分表后才能完成评审（T/CAQ 10201-2020 成果评价）。"),
    _all_sheets_in,
)
SCORE_PUBLISHED = Guard(
    "R-JD-47", _("评审结果尚未发布，发布后才能按发布的分数推荐上级（议题8 第7项）。"), _score_published
)
HAS_PARENT = Guard("R-PT-08", _("本活动没有上级活动，无法推荐上级成果。"), _has_parent)
PARENT_QUOTA = Guard(
    "R-PT-08",
    _("上级活动给本协会的推荐名额已用完（中国质协字〔2020〕21号 三(一)）。"),
    _parent_quota_left,
)


# --- forms -----------------------------------------------------------------------------------
#: The formal-review checklist (资料形式审查): what seed 002 Annex 1 notes 1–2, seed 003 §二.3–4
#: and §三 and the standard ask of the materials.
FORMAL_REVIEW_CHECKLIST = (
    ("form_complete", _("申报表填写完整，企业名称与公章一致（附件1 注2）")),
    ("report_present", _("已提交小组成果报告电子版（附件1 注1）")),
    ("evidence_present", _("已提交小组活动记录等证实性材料（附件1 注1）")),
    ("sealed_recommendation", _("推荐单位推荐表已加盖公章（沪质协[2022]8号 二、3(2)）")),
    ("procedure_followed", _("成果按T/CAQ 10201-2020活动程序开展（问题解决型/创新型）")),
    ("no_fees", _("推荐过程未向企业和小组收取任何费用（沪质协[2022]8号 三、1）")),
)


class FormalReviewForm(CleanInputMixin, forms.Form):
    """The checklist of 资料形式审查: every item must be ticked to pass (rule R-PT-05)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, label in FORMAL_REVIEW_CHECKLIST:
            self.fields[name] = forms.BooleanField(
                label=label,
                required=True,
                error_messages={"required": _("请逐项核对：%(item)s。") % {"item": label}},
            )


class CorrectionForm(CleanInputMixin, forms.Form):
    """A formal-review return's correction deadline (修改截止日期), today … today + 60 days."""

    correction_due = forms.DateField(
        label=_("修改截止日期"),
        widget=DateInput(),
        error_messages={
            "required": _("请填写修改截止日期。"),
            "invalid": _("请输入有效的日期（YYYY-MM-DD）。"),
        },
    )

    def clean_correction_due(self):
        """Refuse a deadline in the past or more than 60 days ahead."""
        value = self.cleaned_data["correction_due"]
        today = timezone.localdate()
        if value < today:
            raise ValidationError(_("修改截止日期不能早于今天。"))
        if value > today + dt.timedelta(days=CORRECTION_MAX_DAYS):
            raise ValidationError(_("修改截止日期最长为%(days)s天后。") % {"days": CORRECTION_MAX_DAYS})
        return value


# --- effects -----------------------------------------------------------------------------------
def _submitted(submission: Submission, ctx: TransitionContext) -> None:
    submission.submitted_at = timezone.now()


def _unit_recommended(submission: Submission, ctx: TransitionContext) -> None:
    submission.recommended_at = timezone.now()


def _returned_for_correction(submission: Submission, ctx: TransitionContext) -> None:
    submission.correction_due = ctx.data["correction_due"]
    ctx.comment = _now("%(reason)s（请于%(due)s前修改并重新提交）") % {
        "reason": ctx.comment,
        "due": submission.correction_due.isoformat(),
    }


def _corrected(submission: Submission, ctx: TransitionContext) -> None:
    submission.correction_due = None
    submission.submitted_at = timezone.now()


def _scores_released(submission: Submission, ctx: TransitionContext) -> None:
    from .scoring import counted_sheets, trimmed_mean

    submission.scores_released_at = timezone.now()
    submission.scores_released_by = ctx.user
    result = Result._base_manager.filter(submission=submission, final_score__isnull=False).first()
    if result is not None:  # a judging with rounds: the published final score (R-JD-36)
        submission.score = result.final_score
        return
    campaign = Campaign._base_manager.get(pk=submission.campaign_id)
    row = counted_sheets(submission=submission).aggregate(
        sheets_n=Count("pk"), sheets_sum=Sum("total"), sheets_max=Max("total"), sheets_min=Min("total")
    )
    if row["sheets_n"]:
        submission.score = trimmed_mean(
            n=row["sheets_n"],
            total=row["sheets_sum"],
            high=row["sheets_max"],
            low=row["sheets_min"],
            trim_min_judges=campaign.score_trim_min_judges or 5,
        )


def enter_into_parent(submission: Submission, *, parent: Campaign, user, when) -> Submission:
    """Create the parent campaign's submission of a result recommended by its association
    (推荐全国成果, seed 002 三(二); rule R-PT-08): same enterprise, circle, project, Annex 1
    data and result report; recommended by the child campaign's association (as the parent's
    recommending unit) and waiting for the parent association's formal review; with who
    recommended it (``user``), when, and the score it had. Output: the new submission."""
    return Submission._base_manager.create(
        organisation_id=submission.organisation_id,
        campaign=parent,
        project_id=submission.project_id,
        circle_id=submission.circle_id,
        recommending_unit_id=submission.recommending_association_id,
        recommending_association_id=parent.organisation_id,
        status=S.UNIT_RECOMMENDED,
        seal_name=submission.seal_name,
        address=submission.address,
        postcode=submission.postcode,
        contact_department=submission.contact_department,
        contact_person=submission.contact_person,
        contact_mobile=submission.contact_mobile,
        introduction=submission.introduction,
        result_report=submission.result_report.name,
        submitted_at=when,
        recommended_at=when,
        recommended_by=user,
        recommended_score=submission.score,
        source=submission,
    )


def _recommended_to_parent(submission: Submission, ctx: TransitionContext) -> None:
    campaign = Campaign._base_manager.select_related("parent").get(pk=submission.campaign_id)
    enter_into_parent(submission, parent=campaign.parent, user=ctx.user, when=timezone.now())


def parent_association_people(submission: Submission, ctx=None) -> list[tuple[int, int]]:
    """The parent campaign's association staff, told that a result was recommended to them."""
    parent_org = Campaign._base_manager.filter(pk=submission.campaign_id).values_list(
        "parent__organisation_id", flat=True
    )[0]
    return _members(parent_org, (Role.ASSOCIATION_STAFF,)) if parent_org else []


def _url(submission: Submission) -> str:
    return reverse("evaluation:submission-detail", args=[submission.pk])


SUBMISSION_WORKFLOW = Workflow(
    entity="evaluation.submission",
    model=Submission,
    field="status",
    url=_url,
    transitions=[
        Transition(
            "submit",
            _("提交申报"),
            source=(S.DRAFT,),
            target=S.SUBMITTED,
            permission="submissions:submit",
            verb_past="submitted",
            rule=is_own_enterprise,
            guards=(SUBMISSION_WINDOW, HAS_SEAL_NAME, HAS_DOMAIN, HAS_RESULT_REPORT, HAS_VIDEO),
            comment="none",
            effect=_submitted,
            notify=unit_people,
            notice=_("成果“%(object)s”已申报，等待推荐单位推荐。"),
            description=_("提交给推荐单位审核推荐（沪质协[2022]8号 二、3）。"),
        ),
        Transition(
            "unit_recommend",
            _("推荐"),
            source=(S.SUBMITTED,),
            target=S.UNIT_RECOMMENDED,
            permission="submissions:recommend",
            verb_past="unit_recommended",
            rule=is_recommending_unit,
            guards=(RECOMMENDATION_WINDOW, HAS_RECOMMENDATION_FORM),
            effect=_unit_recommended,
            notify=association_people,
            notice=_("推荐单位已推荐成果“%(object)s”，等待资料形式审查。"),
            comment_label=_("推荐意见"),
            description=_(
                "对照T/CAQ 10201-2020严格把关后推荐，须上传加盖公章的推荐表（沪质协[2022]8号 三、1）。"
            ),
        ),
        Transition(
            "unit_return",
            _("退回企业"),
            source=(S.SUBMITTED,),
            target=S.UNIT_RETURNED,
            permission="submissions:recommend",
            verb_past="unit_returned",
            rule=is_recommending_unit,
            guards=(RECOMMENDATION_WINDOW,),
            comment="required",
            comment_label=_("退回原因"),
            notify=enterprise_people,
            notice=_("推荐单位退回了成果“%(object)s”。"),
            style="outline-secondary",
        ),
        Transition(
            "resubmit",
            _("修改后重新提交"),
            source=(S.UNIT_RETURNED,),
            target=S.SUBMITTED,
            permission="submissions:submit",
            verb_past="resubmitted",
            rule=is_own_enterprise,
            guards=(RESUBMISSION_WINDOW, HAS_SEAL_NAME, HAS_DOMAIN, HAS_RESULT_REPORT, HAS_VIDEO),
            effect=_submitted,
            notify=unit_people,
            notice=_("成果“%(object)s”已修改后重新申报，等待推荐单位推荐。"),
        ),
        Transition(
            "review_pass",
            _("形式审查通过（参评）"),
            source=(S.UNIT_RECOMMENDED,),
            target=S.FORMALLY_REVIEWED,
            permission="submissions:review",
            verb_past="review_passed",
            rule=is_judging_association,
            guards=(EVALUATION_WINDOW,),
            form=FormalReviewForm,
            notify=enterprise_and_unit,
            notice=_("成果“%(object)s”通过资料形式审查，进入成果评价。"),
            style="success",
            description=_("逐项核对申报材料后通过，成果进入专家评审（沪质协[2022]8号 二、4）。"),
        ),
        Transition(
            "review_return",
            _("退回修改"),
            source=(S.UNIT_RECOMMENDED,),
            target=S.RETURNED,
            permission="submissions:review",
            verb_past="review_returned",
            rule=is_judging_association,
            guards=(EVALUATION_WINDOW,),
            form=CorrectionForm,
            comment="required",
            comment_label=_("退回原因"),
            effect=_returned_for_correction,
            notify=enterprise_and_unit,
            notice=_("成果“%(object)s”资料形式审查未通过，已退回修改。"),
            style="outline-secondary",
        ),
        Transition(
            "correct",
            _("提交修改"),
            source=(S.RETURNED,),
            target=S.UNIT_RECOMMENDED,
            permission="submissions:submit",
            verb_past="corrected",
            rule=is_own_enterprise,
            guards=(BEFORE_CORRECTION_DUE, HAS_SEAL_NAME, HAS_RESULT_REPORT, HAS_VIDEO),
            effect=_corrected,
            notify=association_people,
            notice=_("成果“%(object)s”已按形式审查意见修改并重新提交。"),
            comment_label=_("修改说明"),
        ),
        Transition(
            "review_reject",
            _("不予受理"),
            source=(S.UNIT_RECOMMENDED,),
            target=S.REJECTED,
            permission="submissions:review",
            verb_past="review_rejected",
            rule=is_judging_association,
            guards=(EVALUATION_WINDOW,),
            comment="required",
            comment_label=_("不予受理原因"),
            notify=enterprise_and_unit,
            notice=_("成果“%(object)s”不予受理。"),
            style="outline-danger",
        ),
        Transition(
            "release_scores",
            _("完成评审并公开分数"),
            source=(S.FORMALLY_REVIEWED,),
            target=S.SCORED,
            permission="evaluation:release",
            verb_past="scores_released",
            guards=(JUDGES_ASSIGNED, ALL_SHEETS_IN),
            comment="none",
            effect=_scores_released,
            notify=association_people,
            notice=_("成果“%(object)s”评审完成，分数已公开。"),
            description=_("全部评委提交评分表后，由评审组长或协会工作人员公开分数。"),
        ),
        Transition(
            "nominate",
            _("推荐上级"),
            source=(S.SCORED,),
            target=S.RECOMMENDED,
            permission="submissions:recommend",
            verb_past="nominated",
            rule=is_judging_association,
            guards=(HAS_PARENT, SCORE_PUBLISHED, NATIONAL_WINDOW, PARENT_QUOTA),
            effect=_recommended_to_parent,
            notify=parent_association_people,
            notice=_("%(actor)s推荐了成果“%(object)s”。"),
            style="success",
            description=_("择优推荐到上级活动（推荐全国成果），占用上级活动给本协会的名额。"),
        ),
        Transition(
            "decline",
            _("不推荐"),
            source=(S.SCORED,),
            target=S.NOT_RECOMMENDED,
            permission="submissions:recommend",
            verb_past="declined",
            rule=is_judging_association,
            notify=enterprise_people,
            notice=_("成果“%(object)s”本年度未被推荐上级。"),
            style="outline-secondary",
        ),
        Transition(
            "withdraw",
            _("撤回申报"),
            source=(S.DRAFT, S.SUBMITTED, S.UNIT_RETURNED),
            target=S.WITHDRAWN,
            permission="submissions:submit",
            verb_past="withdrawn",
            rule=is_own_enterprise,
            notify=unit_people,
            notice=_("成果“%(object)s”已被企业撤回。"),
            style="outline-danger",
            description=_("撤回后释放申报名额。"),
        ),
    ],
)


# === Issue 8: judging ==========================================================================
# Each lifecycle below is declared here as data; the rules they cite are in docs/rules.md
# (R-JD-*). Sections: score sheets; rounds; panels; the judging's publication.


def _judging_people(obj, ctx=None) -> list[tuple[int, int]]:
    """The judging association's staff (协会工作人员)."""
    return _members(obj.organisation_id, (Role.ASSOCIATION_STAFF,))


def _judging_leaders(obj, ctx=None) -> list[tuple[int, int]]:
    """The judging association's leadership (协会领导, awards:approve)."""
    return _members(obj.organisation_id, (Role.ASSOCIATION_LEADERSHIP,))


def _sheet_url(sheet: ScoreSheet) -> str:
    return reverse("evaluation:submission-detail", args=[sheet.submission_id])


def _judging_url(obj) -> str:
    judging = (
        obj if isinstance(obj, Judging) else obj.judging if hasattr(obj, "judging") else obj.round.judging
    )
    return reverse("evaluation:judging", args=[judging.campaign.code])


def _not_frozen(obj, ctx) -> bool:
    judging = obj if isinstance(obj, Judging) else getattr(obj, "judging", None) or obj.round.judging
    return not judging.is_frozen


NOT_FROZEN = Guard(
    "R-JD-30",
    _("评审结果已发布，评分和等级已冻结；如需修改，须由协会领导重新开放（审计留痕）。"),
    _not_frozen,
)


# --- score sheets (standard.md §3: a submitted sheet is locked) -------------------------------
def _sheet_complete(sheet: ScoreSheet, ctx) -> bool:
    return sheet.items.count() == sheet.template.criteria.count() and bool((sheet.assessment or "").strip())


def _round_open(sheet: ScoreSheet, ctx) -> bool:
    return sheet.round.status == RoundStatus.OPEN


def _panel_open(sheet: ScoreSheet, ctx) -> bool:
    return not Panel._base_manager.filter(
        assignments__round_id=sheet.round_id,
        assignments__submission_id=sheet.submission_id,
        assignments__judge_id=sheet.judge_id,
        status=PanelStatus.SIGNED_OFF,
    ).exists()


def _is_paper(sheet: ScoreSheet, ctx) -> bool:
    return sheet.on_paper


def _sheet_submitted(sheet: ScoreSheet, ctx: TransitionContext) -> None:
    sheet.submitted_at = timezone.now()


def _sheet_reopened(sheet: ScoreSheet, ctx: TransitionContext) -> None:
    sheet.submitted_at = None


SHEET_COMPLETE = Guard(
    "R-JD-10", _("每个评审项目都须打分并填写总体评价（附录B；附件5 限300字）。"), _sheet_complete
)
ROUND_OPEN = Guard("R-JD-11", _("该评审轮次未在进行中，评分表不能提交或撤回。"), _round_open)
PANEL_OPEN = Guard(
    "R-JD-12", _("评审组长已签字，评分表不能再修改；如需修改，请协会工作人员重新开放评审组。"), _panel_open
)
IS_PAPER = Guard("R-JD-13", _("只有纸质评分表才能由协会工作人员代为提交。"), _is_paper)

SCORE_SHEET_WORKFLOW = Workflow(
    entity="evaluation.scoresheet",
    model=ScoreSheet,
    field="status",
    url=_sheet_url,
    transitions=[
        Transition(
            "submit",
            _("提交评分表"),
            source=(ScoreSheetStatus.DRAFT,),
            target=ScoreSheetStatus.SUBMITTED,
            permission="evaluation:score",  # object rule: the judge's own sheet (evaluation.rules)
            verb_past="submitted",
            guards=(NOT_FROZEN, ROUND_OPEN, PANEL_OPEN, SHEET_COMPLETE),
            comment="none",
            effect=_sheet_submitted,
            description=_("提交后评分表锁定（T/CAQ 10201-2020 附录B）。"),
        ),
        Transition(
            "submit_paper",
            _("代录提交纸质评分表"),
            source=(ScoreSheetStatus.DRAFT,),
            target=ScoreSheetStatus.SUBMITTED,
            permission="evaluation:manage",
            verb_past="submitted_on_paper",
            guards=(NOT_FROZEN, ROUND_OPEN, PANEL_OPEN, IS_PAPER, SHEET_COMPLETE),
            comment="optional",
            effect=_sheet_submitted,
            description=_("评委没有登录账户时，由协会工作人员按纸质评分表代录并提交，记录代录人。"),
        ),
        Transition(
            "withdraw",
            _("撤回修改"),
            source=(ScoreSheetStatus.SUBMITTED,),
            target=ScoreSheetStatus.DRAFT,
            permission="evaluation:score",  # object rule: the judge's own sheet (evaluation.rules)
            verb_past="withdrawn",
            guards=(NOT_FROZEN, ROUND_OPEN, PANEL_OPEN),
            comment="required",
            comment_label=_("撤回原因"),
            effect=_sheet_reopened,
            notify=_judging_people,
            notice=_("%(actor)s撤回了评分表“%(object)s”以修改。"),
            style="outline-secondary",
        ),
        Transition(
            "staff_return",
            _("退回评委修改"),
            source=(ScoreSheetStatus.SUBMITTED,),
            target=ScoreSheetStatus.DRAFT,
            permission="evaluation:manage",
            verb_past="returned",
            guards=(NOT_FROZEN, PANEL_OPEN),
            comment="required",
            comment_label=_("退回原因"),
            effect=_sheet_reopened,
            style="outline-secondary",
        ),
    ],
)


# --- rounds (issue 8 item 2, item 4: publishing the assignment notifies the judges) -----------
def _round_has_assignments(round_: JudgingRound, ctx) -> bool:
    return JudgeAssignment._base_manager.filter(round=round_).exists()


def _round_panels_signed(round_: JudgingRound, ctx) -> bool:
    return not Panel._base_manager.filter(round=round_, status=PanelStatus.OPEN).exists()


def _round_assignment_published(round_: JudgingRound, ctx: TransitionContext) -> None:
    round_.assignment_published_at = timezone.now()


def _round_closed(round_: JudgingRound, ctx: TransitionContext) -> None:
    """Closing a round stores its round scores (evaluation.scoring, R-JD-33), so that the
    next round's entry rule and the board read them at once."""
    from .scoring import round_scores_compute

    round_scores_compute(round_)


def _round_judges(round_: JudgingRound, ctx=None) -> list[tuple[int, int]]:
    """The logins of the judges assigned in the round (not recused)."""
    return list(
        JudgeAssignment._base_manager.filter(round=round_, recused=False, judge__user__isnull=False)
        .values_list("judge__user_id", "judge__organisation_id")
        .distinct()
    )


ROUND_HAS_ASSIGNMENTS = Guard("R-JD-20", _("本轮尚未分配评委。"), _round_has_assignments)
ROUND_PANELS_SIGNED = Guard("R-JD-21", _("本轮还有评审组的组长未签字。"), _round_panels_signed)


def _round_complete(round_: JudgingRound, ctx) -> bool:
    from .assignment import incomplete_entrants

    return not incomplete_entrants(round_)


def _round_incomplete_text(round_: JudgingRound) -> str | None:
    from .assignment import incomplete_entrants

    missing = incomplete_entrants(round_)
    if not missing:
        return None
    names = "、".join(f"“{s.project.title}”" for s in missing[:5])
    return _now("每项参评成果须有%(n)s名无回避的评委，以下成果评委不足：%(names)s（issue 8 第4项）。") % {
        "n": round_.judges_per_submission,
        "names": names,
    }


def _round_no_conflict(round_: JudgingRound, ctx) -> bool:
    from .assignment import conflicted_assignments

    return not conflicted_assignments(round_)


ROUND_COMPLETE = Guard(
    "R-JD-23",
    _("每项参评成果须分配足额的无回避评委（issue 8 第4项）。"),
    _round_complete,
    explain=_round_incomplete_text,
)
ROUND_NO_CONFLICT = Guard(
    "R-JD-24",
    _("分配中有评委须回避相应成果（回避，standard.md §4），请先调换。"),
    _round_no_conflict,
)


def _weights_total_100(judging: Judging, ctx) -> bool:
    from .rounds import weights_problem

    return weights_problem(judging) is None


def _weights_text(judging: Judging) -> str | None:
    from .rounds import weights_problem

    return weights_problem(judging)


WEIGHTS_TOTAL_100 = Guard(
    "R-JD-25", _("各评审轮次的权重之和须为100%。"), _weights_total_100, explain=_weights_text
)

ROUND_WORKFLOW = Workflow(
    entity="evaluation.round",
    model=JudgingRound,
    field="status",
    url=_judging_url,
    transitions=[
        Transition(
            "publish_assignment",
            _("发布评委分配"),
            source=(RoundStatus.DRAFT,),
            target=RoundStatus.OPEN,
            permission="evaluation:manage",
            verb_past="assignment_published",
            guards=(NOT_FROZEN, ROUND_HAS_ASSIGNMENTS, ROUND_COMPLETE, ROUND_NO_CONFLICT),
            comment="none",
            effect=_round_assignment_published,
            notify=_round_judges,
            notice=_("“%(object)s”的评审任务已分配给您，请按时完成评分。"),
            style="success",
        ),
        Transition(
            "close",
            _("结束本轮"),
            source=(RoundStatus.OPEN,),
            target=RoundStatus.CLOSED,
            permission="evaluation:manage",
            verb_past="closed",
            guards=(NOT_FROZEN, ROUND_PANELS_SIGNED),
            comment="none",
            effect=_round_closed,
            description=_("结束时计算本轮得分，下一轮按本轮得分或推荐等级确定参评成果。"),
        ),
        Transition(
            "reopen",
            _("重新开放"),
            source=(RoundStatus.CLOSED,),
            target=RoundStatus.OPEN,
            permission="evaluation:manage",
            verb_past="reopened",
            guards=(NOT_FROZEN,),
            comment="required",
            comment_label=_("重新开放原因"),
            style="outline-secondary",
        ),
    ],
)


# --- panels (standard.md §3: 评审组长签字) -------------------------------------------------------
def is_panel_chair_or_judging_staff(membership, panel: Panel) -> bool:
    """The panel's chair (their judge login at the association) or the judging
    association's staff."""
    if membership.role == Role.JUDGE:
        return (
            panel.chair_id is not None
            and panel.chair.user_id == membership.user_id
            and panel.organisation_id == membership.organisation_id
        )
    return membership.organisation_id == panel.organisation_id


def _panel_sheets_in(panel: Panel, ctx) -> bool:
    """Every non-recused assignment of the panel has a submitted sheet."""
    from django.db.models import Exists, OuterRef

    submitted = ScoreSheet._base_manager.filter(
        round_id=OuterRef("round_id"),
        submission_id=OuterRef("submission_id"),
        judge_id=OuterRef("judge_id"),
        status=ScoreSheetStatus.SUBMITTED,
    )
    return not (
        JudgeAssignment._base_manager.filter(panel=panel, recused=False).exclude(Exists(submitted)).exists()
    )


def _panel_signed(panel: Panel, ctx: TransitionContext) -> None:
    panel.signed_off_by, panel.signed_off_at = ctx.user, timezone.now()


def _panel_unsigned(panel: Panel, ctx: TransitionContext) -> None:
    panel.signed_off_by, panel.signed_off_at = None, None


PANEL_SHEETS_IN = Guard("R-JD-22", _("本组还有评委未提交评分表，组长不能签字。"), _panel_sheets_in)

PANEL_WORKFLOW = Workflow(
    entity="evaluation.panel",
    model=Panel,
    field="status",
    url=_judging_url,
    transitions=[
        Transition(
            "sign_off",
            _("组长签字"),
            source=(PanelStatus.OPEN,),
            target=PanelStatus.SIGNED_OFF,
            permission="evaluation:release",
            verb_past="signed_off",
            rule=is_panel_chair_or_judging_staff,
            guards=(NOT_FROZEN, PANEL_SHEETS_IN),
            comment="optional",
            effect=_panel_signed,
            notify=_judging_people,
            notice=_("评审组“%(object)s”组长已签字。"),
            style="success",
        ),
        Transition(
            "reopen",
            _("重新开放评审组"),
            source=(PanelStatus.SIGNED_OFF,),
            target=PanelStatus.OPEN,
            permission="evaluation:manage",
            verb_past="reopened",
            guards=(NOT_FROZEN,),
            comment="required",
            comment_label=_("重新开放原因"),
            effect=_panel_unsigned,
            style="outline-secondary",
        ),
    ],
)


# --- the judging's publication (issue 8 item 7) --------------------------------------------------
def is_of_judging_association(membership, judging: Judging) -> bool:
    """The acting membership belongs to the judging association itself (its staff publish,
    its leadership approve; never another association's, even one above it)."""
    return membership.organisation_id == judging.organisation_id


def _rounds_closed(judging: Judging, ctx) -> bool:
    rounds = JudgingRound._base_manager.filter(judging=judging)
    return rounds.exists() and not rounds.exclude(status=RoundStatus.CLOSED).exists()


def _has_results(judging: Judging, ctx) -> bool:
    return Result._base_manager.filter(judging=judging, final_score__isnull=False).exists()


def _approved(judging: Judging, ctx: TransitionContext) -> None:
    judging.approved_by, judging.approved_at = ctx.user, timezone.now()


def _unapproved(judging: Judging, ctx: TransitionContext) -> None:
    judging.approved_by, judging.approved_at = None, None


def _published(judging: Judging, ctx: TransitionContext) -> None:
    judging.published_by, judging.published_at = ctx.user, timezone.now()
    from .grading import judging_publish_effect

    judging_publish_effect(judging, ctx)


def _reopened(judging: Judging, ctx: TransitionContext) -> None:
    judging.published_by, judging.published_at = None, None
    judging.approved_by, judging.approved_at = None, None


ROUNDS_CLOSED = Guard("R-JD-31", _("还有评审轮次未结束。"), _rounds_closed)
HAS_RESULTS = Guard("R-JD-32", _("尚未计算评审结果。"), _has_results)


def _all_graded(judging: Judging, ctx) -> bool:
    from .grading import all_graded

    return all_graded(judging, ctx)


def _places_kept(judging: Judging, ctx) -> bool:
    from .grading import places_kept

    return places_kept(judging, ctx)


ALL_GRADED = Guard("R-JD-40", _("还有成果既未评定等级也未明确决定不授予等级（遴选看板）。"), _all_graded)
PLACES_KEPT = Guard("R-JD-41", _("有等级的获评成果数超过了该等级（领域）的名额。"), _places_kept)

JUDGING_WORKFLOW = Workflow(
    entity="evaluation.judging",
    model=Judging,
    field="status",
    url=_judging_url,
    transitions=[
        Transition(
            "request_approval",
            _("提交领导审批"),
            source=(JudgingStatus.GRADING,),
            target=JudgingStatus.PENDING_APPROVAL,
            permission="evaluation:manage",
            rule=is_of_judging_association,
            verb_past="approval_requested",
            guards=(NOT_FROZEN, ROUNDS_CLOSED, WEIGHTS_TOTAL_100, HAS_RESULTS, ALL_GRADED, PLACES_KEPT),
            comment="optional",
            notify=_judging_leaders,
            notice=_("“%(object)s”的评审结果和等级待您审批。"),
        ),
        Transition(
            "approve",
            _("审批通过"),
            source=(JudgingStatus.PENDING_APPROVAL,),
            target=JudgingStatus.APPROVED,
            permission="awards:approve",
            rule=is_of_judging_association,
            verb_past="approved",
            comment="optional",
            effect=_approved,
            notify=_judging_people,
            notice=_("%(actor)s批准了“%(object)s”的评审结果，可以发布。"),
            style="success",
        ),
        Transition(
            "return",
            _("退回修改"),
            source=(JudgingStatus.PENDING_APPROVAL, JudgingStatus.APPROVED),
            target=JudgingStatus.GRADING,
            permission="awards:approve",
            rule=is_of_judging_association,
            verb_past="returned",
            comment="required",
            comment_label=_("退回原因"),
            effect=_unapproved,
            notify=_judging_people,
            notice=_("%(actor)s退回了“%(object)s”的评审结果。"),
            style="outline-danger",
        ),
        Transition(
            "publish",
            _("发布结果"),
            source=(JudgingStatus.APPROVED,),
            target=JudgingStatus.PUBLISHED,
            permission="evaluation:manage",
            rule=is_of_judging_association,
            verb_past="published",
            comment="none",
            effect=_published,
            notify=_judging_leaders,
            notice=_("“%(object)s”的评审结果已发布。"),
            style="success",
            description=_("发布后分数和等级冻结；之后的修改须由协会领导重新开放并说明原因。"),
            reauth=True,  # issue 9 item 1: publishing results needs a recent re-authentication
        ),
        Transition(
            "reopen",
            _("重新开放"),
            source=(JudgingStatus.PUBLISHED,),
            target=JudgingStatus.GRADING,
            permission="awards:approve",
            rule=is_of_judging_association,
            verb_past="reopened",
            comment="required",
            comment_label=_("重新开放原因"),
            effect=_reopened,
            notify=_judging_people,
            notice=_("%(actor)s重新开放了“%(object)s”的评审结果。"),
            style="outline-danger",
        ),
    ],
)


# --- Conference sign-ups (成果发表会报名; issue 11 item 2; seed 001 §7.5.2) --------------------
def is_conference_host(membership, signup: ConferenceSignUp) -> bool:
    """The acting organisation hosts the sign-up's conference."""
    return membership.organisation_id == signup.conference.organisation_id


def is_signup_owner(membership, signup: ConferenceSignUp) -> bool:
    """The acting organisation is the enterprise that signed up."""
    return membership.organisation_id == signup.organisation_id


def _before_the_day(signup: ConferenceSignUp, ctx) -> bool:
    held_on = signup.conference.held_on
    return held_on is None or timezone.localdate() < held_on


BEFORE_THE_DAY = Guard(
    "R-CF-02",
    _("发表会当天及以后不能再撤回报名或调整发表安排（R-CF-02）。"),
    _before_the_day,
)


def _chosen(signup: ConferenceSignUp, ctx: TransitionContext) -> None:
    from .conferences import next_order

    signup.order = next_order(signup.conference)


def _unchosen(signup: ConferenceSignUp, ctx: TransitionContext) -> None:
    signup.order = None


def signup_people(signup: ConferenceSignUp, ctx=None) -> list[tuple[int, int]]:
    """The enterprise's coordinators (they signed the circle up)."""
    return _members(signup.organisation_id, (Role.ENTERPRISE_COORDINATOR,))


CS = ConferenceSignUpStatus

SIGNUP_WORKFLOW = Workflow(
    entity="evaluation.conferencesignup",
    model=ConferenceSignUp,
    field="status",
    url=lambda signup: reverse("evaluation:conference-detail", args=[signup.conference_id]),
    transitions=[
        Transition(
            "select",
            _("安排发表"),
            source=(CS.SIGNED_UP,),
            target=CS.SELECTED,
            permission="campaigns:manage",
            verb_past="selected",
            rule=is_conference_host,
            guards=(BEFORE_THE_DAY,),
            prepare=_chosen,
            notify=signup_people,
            notice=_("“%(object)s”已安排在成果发表会上发表（%(actor)s）。"),
            style="success",
            description=_("主办协会择优安排发表，发表顺序按安排先后。"),
        ),
        Transition(
            "unselect",
            _("取消发表安排"),
            source=(CS.SELECTED,),
            target=CS.SIGNED_UP,
            permission="campaigns:manage",
            verb_past="unselected",
            rule=is_conference_host,
            guards=(BEFORE_THE_DAY,),
            prepare=_unchosen,
            style="outline-secondary",
        ),
        Transition(
            "withdraw",
            _("撤回报名"),
            source=(CS.SIGNED_UP, CS.SELECTED),
            target=CS.WITHDRAWN,
            permission="campaigns:sign_up",
            verb_past="withdrawn",
            rule=is_signup_owner,
            guards=(BEFORE_THE_DAY,),
            prepare=_unchosen,
            style="outline-danger",
        ),
    ],
)


# --- Honours (表彰; issue 11 item 4; seed 001 §5.2.1, §9.1.2) --------------------------------

HS = HonourStatus


def is_honour_granter(membership, honour: Honour) -> bool:
    """The acting organisation grants the honour."""
    return membership.organisation_id == honour.organisation_id


def honour_approvers(honour: Honour, ctx=None) -> list[tuple[int, int]]:
    """The granter's decision layer: the roles that may approve honours."""
    return _members(honour.organisation_id, roles_with("honours:approve"))


def honour_nominator(honour: Honour, ctx=None) -> list[tuple[int, int]]:
    """The member who nominated, when known."""
    return [(honour.nominated_by_id, honour.organisation_id)] if honour.nominated_by_id else []


def _honour_approved(honour: Honour, ctx: TransitionContext) -> None:
    honour.approved_by, honour.approved_at = ctx.user, timezone.now()


def _honour_revoked(honour: Honour, ctx: TransitionContext) -> None:
    from .certificates import certificates_revoke_for

    certificates_revoke_for(honour=honour, membership=ctx.membership, reason=ctx.comment)


def _circle_result_published(honour: Honour, ctx) -> bool:
    return honour.result_id is None or honour.result.judging.status == JudgingStatus.PUBLISHED


HONOUR_RESULT_PUBLISHED = Guard(
    "R-HN-02",
    _("按评审等级表彰QC小组，须在评审结果发布之后（议题8 第7项；R-HN-02）。"),
    _circle_result_published,
)

HONOUR_WORKFLOW = Workflow(
    entity="evaluation.honour",
    model=Honour,
    field="status",
    url=lambda honour: reverse("evaluation:honour-detail", args=[honour.pk]),
    transitions=[
        Transition(
            "submit",
            _("提交审批"),
            source=(HS.NOMINATED, HS.RETURNED),
            target=HS.SUBMITTED,
            permission="honours:nominate",
            verb_past="submitted",
            rule=is_honour_granter,
            guards=(HONOUR_RESULT_PUBLISHED,),
            notify=honour_approvers,
            notice=_("表彰提名“%(object)s”已提交，请审批（%(actor)s）。"),
            description=_("管理层提名后提交决策层审定（DB43 §5.2.1 激励机制审定及重大成果表彰）。"),
        ),
        Transition(
            "approve",
            _("批准表彰"),
            source=(HS.SUBMITTED,),
            target=HS.APPROVED,
            permission="honours:approve",
            verb_past="approved",
            rule=is_honour_granter,
            guards=(HONOUR_RESULT_PUBLISHED,),
            effect=_honour_approved,
            notify=honour_nominator,
            notice=_("表彰“%(object)s”已批准（%(actor)s）。"),
            style="success",
            description=_(
                "批准后表彰生效：物质奖励计入本企业当年的QC小组活动奖励费用（附件3），可颁发证书。"
            ),
        ),
        Transition(
            "return",
            _("退回提名"),
            source=(HS.SUBMITTED,),
            target=HS.RETURNED,
            permission="honours:approve",
            verb_past="returned",
            rule=is_honour_granter,
            comment="required",
            comment_label=_("退回原因"),
            notify=honour_nominator,
            notice=_("表彰提名“%(object)s”被退回（%(actor)s）。"),
            style="warning",
        ),
        Transition(
            "revoke",
            _("撤销表彰"),
            source=(HS.APPROVED,),
            target=HS.REVOKED,
            permission="honours:approve",
            verb_past="revoked",
            rule=is_honour_granter,
            comment="required",
            comment_label=_("撤销原因"),
            effect=_honour_revoked,
            notify=honour_nominator,
            notice=_("表彰“%(object)s”已撤销（%(actor)s）。"),
            style="outline-danger",
            description=_("撤销后其物质奖励不再计入奖励费用，已颁发的证书随之撤销。"),
        ),
    ],
)


# --- Certificates (荣誉证书; issue 11 item 5) -----------------------------------------------

CT = CertificateStatus


def is_certificate_issuer(membership, certificate: Certificate) -> bool:
    """The acting organisation issued the certificate."""
    return membership.organisation_id == certificate.organisation_id


def _certificate_revoked(certificate: Certificate, ctx: TransitionContext) -> None:
    certificate.revoked_at = timezone.now()


CERTIFICATE_WORKFLOW = Workflow(
    entity="evaluation.certificate",
    model=Certificate,
    field="status",
    url=lambda certificate: reverse("evaluation:certificate-detail", args=[certificate.pk]),
    transitions=[
        Transition(
            "revoke",
            _("撤销证书"),
            source=(CT.VALID,),
            target=CT.REVOKED,
            permission="certificates:issue",
            verb_past="revoked",
            rule=is_certificate_issuer,
            comment="required",
            comment_label=_("撤销原因"),
            effect=_certificate_revoked,
            style="outline-danger",
            description=_("撤销后，扫码核验页面显示“已撤销”（R-CT-03）；如需更正内容，请使用“换发”。"),
        ),
    ],
)
