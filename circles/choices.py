"""Choices of the circles app (glossary of domain.md §9; T/CAQ 10201-2020 via standard.md)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class MemberRole(models.TextChoices):
    """A member's role in the circle."""

    LEADER = "leader", _("组长")
    MEMBER = "member", _("组员")


class ProjectType(models.TextChoices):
    """Topic types (standard.md §1)."""

    PROBLEM_SOLVING = "problem_solving", _("问题解决型")
    INNOVATION = "innovation", _("创新型")


class TargetKind(models.TextChoices):
    """Target kinds of a problem-solving project (standard.md §1)."""

    SELF_SET = "self_set", _("自定目标")
    ASSIGNED = "assigned", _("指令性目标")


class CircleStatus(models.TextChoices):
    """Circle registration lifecycle (DB43 §7.3, seed 001: 组建与注册; circles/workflow.py)."""

    PENDING = "pending", _("待注册审核")
    RETURNED = "returned", _("已退回")
    REGISTERED = "registered", _("已注册")
    INACTIVE = "inactive", _("已注销")


class ProjectStatus(models.TextChoices):
    """Project (课题) lifecycle (seed 001 §7.3–7.5; declared in circles/workflow.py)."""

    APPLIED = "applied", _("待立项评审")
    RETURNED = "returned", _("已退回修改")
    REGISTERED = "registered", _("已立项注册")
    IN_PROGRESS = "in_progress", _("活动中")
    COMPLETED = "completed", _("待验收")
    ACCEPTED = "accepted", _("已验收")
    WITHDRAWN = "withdrawn", _("已撤回")
    REJECTED = "rejected", _("不予立项")


#: Project states in which activity records may be kept (DB43 §7.3: only after registration).
RECORDING_STATES = (ProjectStatus.REGISTERED, ProjectStatus.IN_PROGRESS)
#: Project states counted as open work of the circle (a circle with one cannot be deactivated).
OPEN_PROJECT_STATES = (
    ProjectStatus.APPLIED,
    ProjectStatus.RETURNED,
    ProjectStatus.REGISTERED,
    ProjectStatus.IN_PROGRESS,
    ProjectStatus.COMPLETED,
)


class CommentStatus(models.TextChoices):
    """A process-check comment on an activity record (过程检查, DB43 §7.4.2)."""

    OPEN = "open", _("待处理")
    RESOLVED = "resolved", _("已解决")


class ImportStatus(models.TextChoices):
    """States of a bulk import of circles (system-driven, like a report run)."""

    PENDING = "pending", _("排队中")
    VALIDATING = "validating", _("校验中")
    VALID = "valid", _("校验通过，待确认导入")
    INVALID = "invalid", _("有错误，未导入")
    IMPORTING = "importing", _("导入中")
    SUCCEEDED = "succeeded", _("已导入")
    FAILED = "failed", _("失败")


class ProcedureStep(models.TextChoices):
    """Procedure steps of T/CAQ 10201-2020 (standard.md §2)."""

    SELECT_TOPIC = "select_topic", _("选择课题")
    SURVEY = "survey", _("现状调查")
    SET_TARGET = "set_target", _("设定目标")
    TARGET_FEASIBILITY = "target_feasibility", _("目标可行性论证")
    SET_TARGET_FEASIBILITY = "set_target_feasibility", _("设定目标及目标可行性论证")
    CAUSE_ANALYSIS = "cause_analysis", _("原因分析")
    MAIN_CAUSES = "main_causes", _("确定主要原因")
    PROPOSE_SOLUTIONS = "propose_solutions", _("提出方案并确定最佳方案")
    COUNTERMEASURES = "countermeasures", _("制定对策")
    IMPLEMENTATION = "implementation", _("对策实施")
    EFFECT_CHECK = "effect_check", _("效果检查")
    CONSOLIDATION = "consolidation", _("制定巩固措施")
    STANDARDISATION = "standardisation", _("标准化")
    SUMMARY = "summary", _("总结和下一步打算")


S = ProcedureStep

#: The ordered steps of each topic type (standard.md §2, from T/CAQ 10201-2020).
PROCEDURES: dict[tuple[str, str | None], tuple[str, ...]] = {
    (ProjectType.PROBLEM_SOLVING, TargetKind.SELF_SET): (
        S.SELECT_TOPIC,
        S.SURVEY,
        S.SET_TARGET,
        S.CAUSE_ANALYSIS,
        S.MAIN_CAUSES,
        S.COUNTERMEASURES,
        S.IMPLEMENTATION,
        S.EFFECT_CHECK,
        S.CONSOLIDATION,
        S.SUMMARY,
    ),
    (ProjectType.PROBLEM_SOLVING, TargetKind.ASSIGNED): (
        S.SELECT_TOPIC,
        S.SET_TARGET,
        S.TARGET_FEASIBILITY,
        S.CAUSE_ANALYSIS,
        S.MAIN_CAUSES,
        S.COUNTERMEASURES,
        S.IMPLEMENTATION,
        S.EFFECT_CHECK,
        S.CONSOLIDATION,
        S.SUMMARY,
    ),
    (ProjectType.INNOVATION, None): (
        S.SELECT_TOPIC,
        S.SET_TARGET_FEASIBILITY,
        S.PROPOSE_SOLUTIONS,
        S.COUNTERMEASURES,
        S.IMPLEMENTATION,
        S.EFFECT_CHECK,
        S.STANDARDISATION,
        S.SUMMARY,
    ),
}


def procedure_for(project_type: str, target_kind: str | None) -> tuple[str, ...]:
    """The ordered procedure steps for a topic type and target kind.

    Input: ``ProjectType`` value and ``TargetKind`` value (``None`` for innovation).
    Output: tuple of ``ProcedureStep`` values. Raises ``KeyError`` for an unknown pair.
    Source: T/CAQ 10201-2020 (standard.md §2).
    """
    key = (project_type, None if project_type == ProjectType.INNOVATION else target_kind)
    return PROCEDURES[key]


#: Steps whose records carry data before/after the improvement (DB43 §7.4; standard.md §2):
#: 现状调查 gives the baseline, 效果检查 compares before and after, 巩固 checks the result holds.
STEP_DATA: dict[str, tuple[str, ...]] = {
    S.SURVEY: ("before",),
    S.SET_TARGET: ("before",),
    S.EFFECT_CHECK: ("before", "after"),
    S.CONSOLIDATION: ("after",),
}

#: Circle size guidance (standard.md §1: 3–10 members usual; a warning, never a refusal).
MEMBERS_MIN, MEMBERS_MAX = 3, 10

#: Common statistical tools an activity record can cite (standard.md §2).
STATISTICAL_TOOLS: tuple[str, ...] = (
    "调查表",
    "分层法",
    "排列图",
    "因果图",
    "直方图",
    "控制图",
    "散布图",
    "关联图",
    "系统图",
    "亲和图",
    "矩阵图",
    "PDPC法",
    "箭条图",
    "头脑风暴法",
    "流程图",
    "简易图表",
    "水平对比法",
    "正交试验设计",
    "优选法",
)
