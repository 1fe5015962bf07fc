"""Lifecycles of the circles app, declared as data (architecture.md, "Workflows").

- Circle registration (注册审核, DB43 §7.3): a leader's application waits for the
  coordinator, who registers it (number and date) or returns it with a reason.
- Project (课题, DB43 §7.3–7.5): 立项申请 → 立项评审 (register, return, or refuse) → 活动中
  → 完成 (the circle declares it finished) → 验收 (acceptance with the benefit confirmed by
  the finance or relevant department) → 成果; withdrawal and returns where users expect them.
- Process-check comment (过程检查, DB43 §7.4.2): open → resolved by the circle → reopened.

Permissions come from the duties of the three layers (``qcportal.roles.LAYER_DUTIES``);
the object rules (own enterprise, own circle, circle leader) are in ``circles/rules.py``.
Guards name their rule in ``docs/rules.md`` and its source.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qcportal.forms_base import CleanInputMixin
from qcportal.models import Membership
from qcportal.roles import Role
from qcportal.text import CleanCharField
from qcportal.workflow import Guard, Transition, TransitionContext, Workflow, register_notice

from .choices import (
    OPEN_PROJECT_STATES,
    CircleStatus,
    CommentStatus,
    MemberRole,
    ProjectStatus,
)
from .models import ActivityRecord, Circle, CircleMember, Project, RecordComment
from .numbers import next_number

MONEY_MAX = Decimal("9999999999.9999")  # 万元, the column's range (max_digits=14, 4 places)


# --- recipients of notifications -------------------------------------------------------
def coordinators(obj, ctx=None):
    """``(user_id, organisation_id)`` of the enterprise's company coordinators (管理层)."""
    return Membership._base_manager.filter(
        organisation_id=obj.organisation_id, role=Role.ENTERPRISE_COORDINATOR, is_active=True
    ).values_list("user_id", "organisation_id")


def circle_team(obj, ctx=None):
    """``(user_id, organisation_id)`` of the circle's members linked to a login (执行层)."""
    circle_id = obj.pk if isinstance(obj, Circle) else obj.circle_id
    return [
        (user_id, obj.organisation_id)
        for user_id in CircleMember._base_manager.filter(circle_id=circle_id, user__isnull=False).values_list(
            "user_id", flat=True
        )
    ]


def comment_author(comment, ctx=None):
    """The author of a process-check comment."""
    return [(comment.author_id, comment.organisation_id)]


# --- circle registration ----------------------------------------------------------------
def _circle_has_leader(circle: Circle, ctx) -> bool:
    return CircleMember._base_manager.filter(circle=circle, role=MemberRole.LEADER).exists()


def _circle_without_open_projects(circle: Circle, ctx) -> bool:
    return not Project._base_manager.filter(circle=circle, status__in=OPEN_PROJECT_STATES).exists()


def _register_circle(circle: Circle, ctx: TransitionContext) -> None:
    if not circle.registration_number:
        circle.registration_number = next_number(
            enterprise=circle.organisation, kind="circle", year=circle.registration_year
        )
    circle.registered_on = timezone.localdate()


def _deactivate_circle(circle: Circle, ctx: TransitionContext) -> None:
    circle.deactivated_on = timezone.localdate()


def _reactivate_circle(circle: Circle, ctx: TransitionContext) -> None:
    circle.deactivated_on = None


CIRCLE_HAS_LEADER = Guard(
    "R-S1-05", _("小组须有一名组长才能注册（DB43 §7.3 组建与注册）。"), _circle_has_leader
)

CIRCLE_WORKFLOW = Workflow(
    entity="circles.circle",
    model=Circle,
    field="status",
    url=lambda circle: reverse("circles:circle-detail", args=[circle.pk]),
    transitions=[
        Transition(
            "approve",
            _("注册审核通过"),
            source=(CircleStatus.PENDING,),
            target=CircleStatus.REGISTERED,
            permission="circles:manage",
            verb_past="registered",
            guards=(CIRCLE_HAS_LEADER,),
            effect=_register_circle,
            notify=circle_team,
            notice=_("QC小组“%(object)s”已通过注册审核（%(actor)s）。"),
            description=_("管理层审核小组注册申请并生成注册号（DB43 §7.3）。"),
        ),
        Transition(
            "return",
            _("退回修改"),
            source=(CircleStatus.PENDING,),
            target=CircleStatus.RETURNED,
            permission="circles:manage",
            verb_past="returned",
            comment="required",
            comment_label=_("退回原因"),
            notify=circle_team,
            notice=_("QC小组“%(object)s”的注册申请被退回（%(actor)s）。"),
            style="warning",
        ),
        Transition(
            "resubmit",
            _("修改后重新提交"),
            source=(CircleStatus.RETURNED,),
            target=CircleStatus.PENDING,
            permission="circles:lead",
            verb_past="resubmitted",
            comment_label=_("答复"),
            notify=coordinators,
            notice=_("QC小组“%(object)s”重新提交了注册申请（%(actor)s）。"),
        ),
        Transition(
            "deactivate",
            _("注销小组"),
            source=(CircleStatus.REGISTERED,),
            target=CircleStatus.INACTIVE,
            permission="circles:manage",
            verb_past="deactivated",
            comment="required",
            comment_label=_("注销原因"),
            guards=(
                Guard(
                    "R-S1-07",
                    _("小组还有未结束的课题，须先完成验收或撤回后才能注销（DB43 §7.3）。"),
                    _circle_without_open_projects,
                ),
            ),
            effect=_deactivate_circle,
            notify=circle_team,
            notice=_("QC小组“%(object)s”已注销（%(actor)s）。"),
            style="danger",
        ),
        Transition(
            "reactivate",
            _("恢复活动"),
            source=(CircleStatus.INACTIVE,),
            target=CircleStatus.REGISTERED,
            permission="circles:manage",
            verb_past="reactivated",
            effect=_reactivate_circle,
            notify=circle_team,
            notice=_("QC小组“%(object)s”已恢复活动（%(actor)s）。"),
        ),
    ],
)


# --- project (课题) ------------------------------------------------------------------------
def _project_circle_registered(project: Project, ctx) -> bool:
    return Circle._base_manager.filter(pk=project.circle_id, status=CircleStatus.REGISTERED).exists()


def _register_project(project: Project, ctx: TransitionContext) -> None:
    today = timezone.localdate()
    project.registered_on = today
    if not project.registration_number:
        project.registration_number = next_number(
            enterprise=project.organisation, kind="project", year=today.year
        )


def _steps_missing(project: Project) -> list[str]:
    recorded = set(
        ActivityRecord._base_manager.filter(project=project).values_list("step", flat=True).distinct()
    )
    return [step for step in project.steps if step not in recorded]


def _all_steps_recorded(project: Project, ctx) -> bool:
    return not _steps_missing(project)


def _no_open_comments(project: Project, ctx) -> bool:
    return not RecordComment._base_manager.filter(record__project=project, status=CommentStatus.OPEN).exists()


def _complete(project: Project, ctx: TransitionContext) -> None:
    project.completed_on = timezone.localdate()


def _reopen(project: Project, ctx: TransitionContext) -> None:
    project.completed_on = None


class ProjectResultForm(CleanInputMixin, forms.Form):
    """What the circle reports when it declares the project finished (成果总结)."""

    achieved_value = CleanCharField(label=_("实际达成值"), max_length=100)
    economic_benefit = forms.DecimalField(
        label=_("可计算的经济效益（万元）"),
        min_value=Decimal("0"),
        max_value=MONEY_MAX,
        max_digits=14,
        decimal_places=4,
        initial=Decimal("0"),
    )
    intangible_benefits = CleanCharField(label=_("无形效益"), max_length=2000, required=False)


def _apply_result(project: Project, ctx: TransitionContext) -> None:
    data = ctx.data
    project.achieved_value = data["achieved_value"]
    if data["economic_benefit"] != project.economic_benefit:
        # A changed figure needs a new confirmation (standard.md §6).
        project.benefit_confirmed, project.benefit_confirmed_by, project.benefit_confirmed_on = (
            False,
            "",
            None,
        )
    project.economic_benefit = data["economic_benefit"]
    project.intangible_benefits = data.get("intangible_benefits", "")


class ProjectAcceptForm(CleanInputMixin, forms.Form):
    """Acceptance (验收, DB43 §7.5.1): the verified effect and the calculable economic benefit
    with its confirmation by the finance or relevant department (who and when)."""

    achieved_value = CleanCharField(label=_("核实的实际达成值"), max_length=100)
    economic_benefit = forms.DecimalField(
        label=_("核实的可计算经济效益（万元）"),
        min_value=Decimal("0"),
        max_value=MONEY_MAX,
        max_digits=14,
        decimal_places=4,
    )
    benefit_confirmed = forms.BooleanField(label=_("经济效益已经财务或相关部门确认"), required=False)
    benefit_confirmed_by = CleanCharField(
        label=_("确认部门及人员"), max_length=100, required=False, help_text=_("如：财务部 张会计")
    )
    benefit_confirmed_on = forms.DateField(label=_("确认日期"), required=False)

    def clean_benefit_confirmed_on(self):
        """A confirmation cannot be dated in the future."""
        value = self.cleaned_data.get("benefit_confirmed_on")
        if value and value > timezone.localdate():
            raise forms.ValidationError(_("确认日期不能晚于今天。"))
        if value and value < dt.date(2000, 1, 1):
            raise forms.ValidationError(_("确认日期不合理。"))
        return value


def _apply_acceptance(project: Project, ctx: TransitionContext) -> None:
    data = ctx.data
    project.achieved_value = data["achieved_value"]
    project.economic_benefit = data["economic_benefit"]
    confirmed = bool(data.get("benefit_confirmed"))
    project.benefit_confirmed = (
        confirmed and bool(data.get("benefit_confirmed_by")) and bool(data.get("benefit_confirmed_on"))
    )
    if project.benefit_confirmed:
        project.benefit_confirmed_by = data["benefit_confirmed_by"]
        project.benefit_confirmed_on = data["benefit_confirmed_on"]
        project.benefit_recorded_by = ctx.user
    else:
        project.benefit_confirmed_by, project.benefit_confirmed_on = "", None


def _benefit_confirmed(project: Project, ctx) -> bool:
    return project.economic_benefit == 0 or project.benefit_confirmed


def _accept(project: Project, ctx: TransitionContext) -> None:
    project.accepted_on = timezone.localdate()
    project.accepted_by = ctx.user


PROJECT_CIRCLE_REGISTERED = Guard(
    "R-S1-08",
    _("小组注册审核通过后才能申请立项（DB43 §7.3 组建与注册）。"),
    _project_circle_registered,
)
ALL_STEPS_RECORDED = Guard(
    "R-ST-15",
    _("每个活动步骤都有活动记录后才能申请验收（T/CAQ 10201-2020 活动程序；DB43 §7.4.1）。"),
    _all_steps_recorded,
)
NO_OPEN_COMMENTS = Guard(
    "R-S1-10",
    _("请先处理全部检查意见（DB43 §7.4.2 过程检查）。"),
    _no_open_comments,
)
BENEFIT_CONFIRMED = Guard(
    "R-S1-11",
    _(
        "可计算的经济效益须经财务或相关部门确认（填写确认部门、人员和日期）后才能验收（DB43 §7.5.1；T/CAQ 10201-2020）。"
    ),
    _benefit_confirmed,
    uses_input=True,
)

PROJECT_WORKFLOW = Workflow(
    entity="circles.project",
    model=Project,
    field="status",
    url=lambda project: reverse("circles:project-detail", args=[project.pk]),
    transitions=[
        Transition(
            "approve",
            _("立项评审通过并注册"),
            source=(ProjectStatus.APPLIED,),
            target=ProjectStatus.REGISTERED,
            permission="projects:review",
            verb_past="registered",
            guards=(PROJECT_CIRCLE_REGISTERED,),
            effect=_register_project,
            comment_label=_("评审意见"),
            notify=circle_team,
            notice=_("课题《%(object)s》已通过立项评审并注册（%(actor)s）。"),
            description=_("管理层开展立项评审及注册（DB43 §7.3）。"),
        ),
        Transition(
            "return",
            _("退回修改"),
            source=(ProjectStatus.APPLIED,),
            target=ProjectStatus.RETURNED,
            permission="projects:review",
            verb_past="returned",
            comment="required",
            comment_label=_("退回原因"),
            notify=circle_team,
            notice=_("课题《%(object)s》的立项申请被退回（%(actor)s）。"),
            style="warning",
        ),
        Transition(
            "reject",
            _("不予立项"),
            source=(ProjectStatus.APPLIED,),
            target=ProjectStatus.REJECTED,
            permission="projects:review",
            verb_past="rejected",
            comment="required",
            comment_label=_("不予立项的理由"),
            notify=circle_team,
            notice=_("课题《%(object)s》未通过立项评审（%(actor)s）。"),
            style="danger",
        ),
        Transition(
            "resubmit",
            _("答复并重新提交"),
            source=(ProjectStatus.RETURNED,),
            target=ProjectStatus.APPLIED,
            permission="circles:lead",
            verb_past="resubmitted",
            comment="required",
            comment_label=_("对退回意见的答复"),
            guards=(PROJECT_CIRCLE_REGISTERED,),
            notify=coordinators,
            notice=_("课题《%(object)s》已按意见修改并重新提交立项申请（%(actor)s）。"),
        ),
        Transition(
            "start",
            _("开始活动"),
            source=(ProjectStatus.REGISTERED,),
            target=ProjectStatus.IN_PROGRESS,
            permission="circles:record",
            verb_past="started",
            comment="none",
        ),
        Transition(
            "complete",
            _("活动完成，申请验收"),
            source=(ProjectStatus.IN_PROGRESS,),
            target=ProjectStatus.COMPLETED,
            permission="circles:lead",
            verb_past="completed",
            guards=(ALL_STEPS_RECORDED, NO_OPEN_COMMENTS),
            form=ProjectResultForm,
            prepare=_apply_result,
            effect=_complete,
            notify=coordinators,
            notice=_("课题《%(object)s》活动已完成，申请验收（%(actor)s）。"),
            description=_("小组完成全部活动步骤后总结成果并申请验收（DB43 §7.5.1）。"),
        ),
        Transition(
            "return_completion",
            _("退回补充"),
            source=(ProjectStatus.COMPLETED,),
            target=ProjectStatus.IN_PROGRESS,
            permission="projects:accept",
            verb_past="reopened",
            comment="required",
            comment_label=_("需补充的内容"),
            effect=_reopen,
            notify=circle_team,
            notice=_("课题《%(object)s》的验收申请被退回补充（%(actor)s）。"),
            style="warning",
        ),
        Transition(
            "accept",
            _("验收通过"),
            source=(ProjectStatus.COMPLETED,),
            target=ProjectStatus.ACCEPTED,
            permission="projects:accept",
            verb_past="accepted",
            guards=(BENEFIT_CONFIRMED,),
            form=ProjectAcceptForm,
            prepare=_apply_acceptance,
            effect=_accept,
            comment_label=_("验收意见"),
            notify=circle_team,
            notice=_("课题《%(object)s》已通过验收，成为成果（%(actor)s）。"),
            style="success",
            description=_("管理层核查活动的真实性与成效，确认经济效益（DB43 §7.5.1）。"),
        ),
        Transition(
            "withdraw",
            _("撤回课题"),
            source=(
                ProjectStatus.APPLIED,
                ProjectStatus.RETURNED,
                ProjectStatus.REGISTERED,
                ProjectStatus.IN_PROGRESS,
            ),
            target=ProjectStatus.WITHDRAWN,
            permission="circles:lead",
            verb_past="withdrawn",
            comment="required",
            comment_label=_("撤回原因"),
            notify=coordinators,
            notice=_("课题《%(object)s》已被小组撤回（%(actor)s）。"),
            style="danger",
        ),
    ],
)


# --- process-check comments ----------------------------------------------------------
def _resolve(comment: RecordComment, ctx: TransitionContext) -> None:
    comment.resolution = ctx.comment
    comment.resolved_by = ctx.user
    comment.resolved_at = timezone.now()


def _reopen_comment(comment: RecordComment, ctx: TransitionContext) -> None:
    comment.resolved_at = None


COMMENT_WORKFLOW = Workflow(
    entity="circles.recordcomment",
    model=RecordComment,
    field="status",
    url=lambda comment: reverse("circles:record-detail", args=[comment.record_id]),
    transitions=[
        Transition(
            "resolve",
            _("已处理"),
            source=(CommentStatus.OPEN,),
            target=CommentStatus.RESOLVED,
            permission="circles:record",
            verb_past="resolved",
            comment="required",
            comment_label=_("处理说明"),
            effect=_resolve,
            notify=comment_author,
            notice=_("检查意见“%(object)s”已由小组处理（%(actor)s）。"),
            style="success",
        ),
        Transition(
            "reopen",
            _("重新打开"),
            source=(CommentStatus.RESOLVED,),
            target=CommentStatus.OPEN,
            permission="projects:review",
            verb_past="reopened",
            effect=_reopen_comment,
            notify=circle_team,
            notice=_("检查意见“%(object)s”被重新打开（%(actor)s）。"),
            style="warning",
        ),
    ],
)


register_notice("circles.circle.applied", _("%(actor)s 提交了QC小组“%(object)s”的注册申请，等待注册审核。"))
register_notice("circles.project.applied", _("%(actor)s 提交了课题《%(object)s》的立项申请，等待立项评审。"))
register_notice("circles.recordcomment.created", _("%(actor)s 对活动记录提出了检查意见：“%(object)s”。"))
