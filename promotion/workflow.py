"""The campaign lifecycle, declared as data in the one workflow mechanism (issue 7, item 1).

A campaign is prepared as a draft (筹备中), published when its call goes out (进行中: its
stages then follow the calendar, ``Campaign.current_stage``), and closed after its last
stage (已结束); a closed campaign can be reopened by its association, e.g. to correct it.
Only the association that runs the campaign (``campaigns:manage``) takes these transitions.
"""

from __future__ import annotations

from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qcportal.forms_base import CleanInputMixin
from qcportal.models import Membership
from qcportal.roles import roles_with
from qcportal.workflow import Guard, Transition, TransitionContext, Workflow

from .choices import CampaignStatus, ImprovementStatus, PlanStatus
from .models import Campaign, ImprovementItem, PromotionPlan

C = CampaignStatus


def is_own_association(membership, campaign: Campaign) -> bool:
    """The acting organisation is the association that runs the campaign."""
    return membership.organisation_id == campaign.organisation_id


def _has_calendar(campaign: Campaign, ctx) -> bool:
    return campaign.stages.exists()


HAS_CALENDAR = Guard(
    "R-S3-01",
    _("请先设置活动日程（沪质协[2022]8号 二、活动安排：活动报名至活动推广七个阶段）。"),
    _has_calendar,
)


CAMPAIGN_WORKFLOW = Workflow(
    entity="promotion.campaign",
    model=Campaign,
    field="status",
    url=lambda campaign: reverse("promotion:campaign-detail", args=[campaign.code]),
    transitions=[
        Transition(
            "publish",
            _("发布活动"),
            source=(C.DRAFT,),
            target=C.OPEN,
            permission="campaigns:manage",
            verb_past="published",
            rule=is_own_association,
            guards=(HAS_CALENDAR,),
            style="success",
            description=_("发布后，下级单位和企业可以看到本活动，各项操作按活动日程开放。"),
        ),
        Transition(
            "close",
            _("结束活动"),
            source=(C.OPEN,),
            target=C.CLOSED,
            permission="campaigns:manage",
            verb_past="closed",
            rule=is_own_association,
            style="outline-secondary",
        ),
        Transition(
            "reopen",
            _("重新开放"),
            source=(C.CLOSED,),
            target=C.OPEN,
            permission="campaigns:manage",
            verb_past="reopened",
            rule=is_own_association,
            comment="required",
            comment_label=_("重新开放原因"),
            style="outline-secondary",
        ),
    ],
)


# --- The annual promotion plan (issue 11 item 1; seed 001 §5.2, §6) ------------------------
P = PlanStatus


def is_own_organisation(membership, plan: PromotionPlan) -> bool:
    """The acting organisation is the one whose plan it is (推进机构 plans for itself)."""
    return membership.organisation_id == plan.organisation_id


def plan_holders(permission: str):
    """``notify`` function: ``(user_id, organisation_id)`` of the plan organisation's active
    members whose role carries ``permission`` (e.g. the decision layer for ``plans:approve``)."""
    roles = roles_with(permission)

    def recipients(plan: PromotionPlan, ctx=None):
        return Membership._base_manager.filter(
            organisation_id=plan.organisation_id, role__in=roles, is_active=True
        ).values_list("user_id", "organisation_id")

    return recipients


def plan_author(plan: PromotionPlan, ctx=None):
    """``(user_id, organisation_id)`` of the member who drafted the plan, when known."""
    return [(plan.created_by_id, plan.organisation_id)] if plan.created_by_id else []


PLAN_HAS_DIAGNOSIS = Guard(
    "R-PL-01",
    _("请先填写质量诊断：至少一个薄弱环节及其依据（DB43 §6.1 质量诊断）。"),
    lambda plan, ctx: plan.findings.exists(),
)
PLAN_HAS_GOALS = Guard(
    "R-PL-02",
    _("请先填写可衡量的推进目标：至少一项指标及其目标值（DB43 §6.2 明确方向）。"),
    lambda plan, ctx: plan.goals.exists(),
)
PLAN_HAS_ACTIVITIES = Guard(
    "R-PL-03",
    _("请先选定本年度开展的活动类型并说明其定位（DB43 §6.3 活动选定）。"),
    lambda plan, ctx: plan.activities.exists(),
)
PLAN_HAS_PROJECTS = Guard(
    "R-PL-04",
    _("请先列出重点项目及其预算和进度要求（DB43 §6.4 制定计划）。"),
    lambda plan, ctx: plan.projects.exists(),
)

PLAN_WORKFLOW = Workflow(
    entity="promotion.plan",
    model=PromotionPlan,
    field="status",
    url=lambda plan: reverse("promotion:plan-detail", args=[plan.pk]),
    transitions=[
        Transition(
            "submit",
            _("提交审批"),
            source=(P.DRAFT, P.RETURNED),
            target=P.SUBMITTED,
            permission="plans:draft",
            verb_past="submitted",
            rule=is_own_organisation,
            guards=(PLAN_HAS_DIAGNOSIS, PLAN_HAS_GOALS, PLAN_HAS_ACTIVITIES, PLAN_HAS_PROJECTS),
            notify=plan_holders("plans:approve"),
            notice=_("年度推进计划“%(object)s”已提交，请审批（%(actor)s）。"),
            description=_("管理层编制计划后提交决策层审批（DB43 §5.2.2 计划制定）。"),
        ),
        Transition(
            "approve",
            _("批准计划"),
            source=(P.SUBMITTED,),
            target=P.APPROVED,
            permission="plans:approve",
            verb_past="approved",
            rule=is_own_organisation,
            notify=plan_author,
            notice=_("年度推进计划“%(object)s”已批准（%(actor)s）。"),
            style="success",
            description=_("决策层审定计划、配置资源（DB43 §5.2.1）；批准后计划不再修改，按计划推进和跟踪。"),
        ),
        Transition(
            "return",
            _("退回修改"),
            source=(P.SUBMITTED,),
            target=P.RETURNED,
            permission="plans:approve",
            verb_past="returned",
            rule=is_own_organisation,
            comment="required",
            comment_label=_("退回原因"),
            notify=plan_author,
            notice=_("年度推进计划“%(object)s”被退回修改（%(actor)s）。"),
            style="warning",
        ),
        Transition(
            "revise",
            _("重新修订"),
            source=(P.APPROVED,),
            target=P.DRAFT,
            permission="plans:approve",
            verb_past="reopened",
            rule=is_own_organisation,
            comment="required",
            comment_label=_("修订原因"),
            notify=plan_author,
            notice=_("年度推进计划“%(object)s”已重新打开修订（%(actor)s）。"),
            style="outline-secondary",
            description=_("年中调整计划时由决策层重新打开，修订后须再次审批。"),
        ),
    ],
)


# --- The improvement list (改进清单; issue 11 item 6; seed 001 §9.2) ------------------------

IM = ImprovementStatus


def may_work_on_item(membership, item: ImprovementItem) -> bool:
    """The item's owner or its organisation's management layer (rule R-IM-03)."""
    from .reviews import may_work_on

    return may_work_on(membership, item)


def is_item_organisation(membership, item: ImprovementItem) -> bool:
    """The acting organisation keeps the item."""
    return membership.organisation_id == item.organisation_id


def item_owner(item: ImprovementItem, ctx=None):
    """The owner, in the item's organisation."""
    return [(item.owner_id, item.organisation_id)]


class ImprovementDoneForm(CleanInputMixin, forms.Form):
    """The evidence of completion (required, ≤ 2,000 characters)."""

    evidence = forms.CharField(
        label=_("完成证据"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("如：整改后的数据、制度文件名称、检查记录。"),
    )


def _done(item: ImprovementItem, ctx: TransitionContext) -> None:
    item.evidence = ctx.data["evidence"]
    item.completed_on = timezone.localdate()


def _reopened_item(item: ImprovementItem, ctx: TransitionContext) -> None:
    item.completed_on = None


IMPROVEMENT_WORKFLOW = Workflow(
    entity="promotion.improvement",
    model=ImprovementItem,
    field="status",
    url=lambda item: reverse("promotion:improvement-detail", args=[item.pk]),
    transitions=[
        Transition(
            "start",
            _("开始改进"),
            source=(IM.OPEN,),
            target=IM.IN_PROGRESS,
            permission="improvements:view",
            verb_past="started",
            rule=may_work_on_item,
        ),
        Transition(
            "complete",
            _("完成"),
            source=(IM.OPEN, IM.IN_PROGRESS),
            target=IM.DONE,
            permission="improvements:view",
            verb_past="completed",
            rule=may_work_on_item,
            form=ImprovementDoneForm,
            effect=_done,
            style="success",
            description=_("填写完成证据后标记完成（DB43 §9.2 改进）。"),
        ),
        Transition(
            "reopen",
            _("重新打开"),
            source=(IM.DONE,),
            target=IM.IN_PROGRESS,
            permission="plans:draft",
            verb_past="reopened",
            rule=is_item_organisation,
            comment="required",
            comment_label=_("重新打开原因"),
            effect=_reopened_item,
            notify=item_owner,
            notice=_("改进事项“%(object)s”被重新打开（%(actor)s）。"),
            style="outline-secondary",
        ),
        Transition(
            "cancel",
            _("取消"),
            source=(IM.OPEN, IM.IN_PROGRESS),
            target=IM.CANCELLED,
            permission="plans:draft",
            verb_past="cancelled",
            rule=is_item_organisation,
            comment="required",
            comment_label=_("取消原因"),
            style="outline-danger",
        ),
    ],
)
