"""Roles and the permissions they carry, as data.

A user acts through a :class:`~qcportal.models.Membership` (user, organisation, role). Each
role belongs to one tier of organisation (domain.md §2–3; seed 001 §5: decision,
management and execution layers) and grants a set of ``area:action`` permissions. This
module is the single source of truth for that mapping; checks go through
:func:`qcportal.permissions.has_permission`.
"""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .choices import ASSOCIATION_KINDS, OrganisationKind


class Role(models.TextChoices):
    """Roles a membership can hold (domain.md §2)."""

    ASSOCIATION_ADMIN = "association_admin", _("协会管理员")
    ASSOCIATION_STAFF = "association_staff", _("协会工作人员")
    ASSOCIATION_LEADERSHIP = "association_leadership", _("协会领导")
    UNIT_COORDINATOR = "unit_coordinator", _("推荐单位联络人")
    ENTERPRISE_EXECUTIVE = "enterprise_executive", _("企业领导")
    ENTERPRISE_COORDINATOR = "enterprise_coordinator", _("企业推进负责人")
    CIRCLE_LEADER = "circle_leader", _("QC小组组长")
    CIRCLE_MEMBER = "circle_member", _("QC小组组员")
    JUDGE = "judge", _("评委")


class Layer(models.TextChoices):
    """The three layers of the promotion structure (seed 001, §5.1.2)."""

    DECISION = "decision", _("决策层")
    MANAGEMENT = "management", _("管理层")
    EXECUTION = "execution", _("执行层")


#: Organisation kinds at which a role may be held.
ROLE_ORGANISATION_KINDS: dict[str, tuple[str, ...]] = {
    Role.ASSOCIATION_ADMIN: ASSOCIATION_KINDS,
    Role.ASSOCIATION_STAFF: ASSOCIATION_KINDS,
    Role.ASSOCIATION_LEADERSHIP: ASSOCIATION_KINDS,
    Role.UNIT_COORDINATOR: (OrganisationKind.RECOMMENDING_UNIT,),
    Role.ENTERPRISE_EXECUTIVE: (OrganisationKind.ENTERPRISE,),
    Role.ENTERPRISE_COORDINATOR: (OrganisationKind.ENTERPRISE,),
    Role.CIRCLE_LEADER: (OrganisationKind.ENTERPRISE,),
    Role.CIRCLE_MEMBER: (OrganisationKind.ENTERPRISE,),
    Role.JUDGE: ASSOCIATION_KINDS,
}

ROLE_LAYER: dict[str, str] = {
    Role.ASSOCIATION_ADMIN: Layer.MANAGEMENT,
    Role.ASSOCIATION_STAFF: Layer.MANAGEMENT,
    Role.ASSOCIATION_LEADERSHIP: Layer.DECISION,
    Role.UNIT_COORDINATOR: Layer.MANAGEMENT,
    Role.ENTERPRISE_EXECUTIVE: Layer.DECISION,
    Role.ENTERPRISE_COORDINATOR: Layer.MANAGEMENT,
    Role.CIRCLE_LEADER: Layer.EXECUTION,
    Role.CIRCLE_MEMBER: Layer.EXECUTION,
    Role.JUDGE: Layer.EXECUTION,
}


@dataclass(frozen=True)
class Duty:
    """A duty of one layer of the promotion structure (seed 001 §5.2) and the portal
    permissions it carries: the duties decide which workflow transitions a layer may take."""

    code: str
    label: str
    source: str
    permissions: frozenset[str]


#: The duties of each layer (seed 001 §5.2.1–5.2.3, with the process steps of §7 they cover).
LAYER_DUTIES: dict[str, tuple[Duty, ...]] = {
    Layer.DECISION: (
        Duty(
            "strategy",
            _("战略制定、资源配置、制度建设、激励机制审定及重大成果表彰"),
            "seed 001 §5.2.1",
            frozenset({"structure:manage", "plans:approve", "honours:approve", "certificates:issue"}),
        ),
    ),
    Layer.MANAGEMENT: (
        Duty(
            "planning",
            _("计划制定、培训指导、协调服务；QC小组组建与注册审核"),
            "seed 001 §5.2.2, §7.3",
            frozenset({"circles:manage", "structure:manage", "plans:draft", "trainings:manage"}),
        ),
        Duty(
            "process_control",
            _("过程管控：课题立项评审及注册，活动进度与活动记录检查"),
            "seed 001 §5.2.2, §7.3, §7.4.2",
            frozenset({"projects:review"}),
        ),
        Duty(
            "inspection",
            _("检查评价：课题验收，核查活动真实性与成效，确认经济效益"),
            "seed 001 §5.2.2, §7.5.1",
            frozenset({"projects:accept"}),
        ),
    ),
    Layer.EXECUTION: (
        Duty(
            "implementation",
            _("过程实施：开展活动，及时做好活动记录"),
            "seed 001 §5.2.3, §7.4.1",
            frozenset({"circles:record"}),
        ),
        Duty(
            "results",
            _("成果总结及推广应用"),
            "seed 001 §5.2.3, §7.6",
            frozenset(
                {"circles:record", "library:view", "library:adopt", "honours:view", "improvements:view"}
            ),
        ),
    ),
}


def layer_permissions(layer: str) -> frozenset[str]:
    """Every permission carried by the duties of ``layer``."""
    return frozenset().union(*(duty.permissions for duty in LAYER_DUTIES[layer]))


_ASSOCIATION_READ = {
    "organisations:view",
    "campaigns:view",
    "circles:view",
    "submissions:view",
    "statistics:view",
    "dashboards:view",
    "reports:view",
    "plans:view",
    "trainings:view",
    "library:view",
    "honours:view",
    "improvements:view",
}

#: ``area:action`` permissions granted by each role. Enterprise roles take the permissions
#: of their layer's duties (seed 001 §5.2) plus what they read.
ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.ASSOCIATION_ADMIN: frozenset(
        _ASSOCIATION_READ | {"organisations:manage", "users:manage", "audit:view"}
    ),
    Role.ASSOCIATION_STAFF: frozenset(
        _ASSOCIATION_READ
        | {
            "campaigns:manage",
            "submissions:review",
            "submissions:recommend",
            "evaluation:manage",
            "evaluation:release",
            "reports:export",
            "audit:view",
            "plans:draft",
            "trainings:manage",
            "library:adopt",
            "honours:nominate",
            "certificates:issue",
        }
    ),
    Role.ASSOCIATION_LEADERSHIP: frozenset(
        _ASSOCIATION_READ | {"awards:approve", "plans:approve", "honours:approve", "certificates:issue"}
    ),
    Role.UNIT_COORDINATOR: frozenset(
        {
            "organisations:view",
            "campaigns:view",
            "circles:view",
            "submissions:view",
            "submissions:recommend",
            "dashboards:view",
            "library:view",
            "library:adopt",
            "honours:view",
            "improvements:view",
        }
    ),
    Role.ENTERPRISE_EXECUTIVE: frozenset(
        {
            "campaigns:view",
            "circles:view",
            "submissions:view",
            "dashboards:view",
            "plans:view",
            "trainings:view",
            "library:view",
            "honours:view",
            "improvements:view",
        }
        | layer_permissions(Layer.DECISION)
    ),
    Role.ENTERPRISE_COORDINATOR: frozenset(
        {
            "campaigns:view",
            "circles:view",
            "figures:report",
            "plans:view",
            "trainings:view",
            "campaigns:sign_up",
            "submissions:view",
            "submissions:submit",
            "dashboards:view",
            "library:view",
            "library:share",
            "library:adopt",
            "honours:view",
            "honours:nominate",
            "certificates:issue",
            "improvements:view",
        }
        | layer_permissions(Layer.MANAGEMENT)
    ),
    # 组长 leads the circle: applies for projects, edits the members, declares a project done.
    Role.CIRCLE_LEADER: frozenset(
        {"campaigns:view", "circles:view_own", "circles:lead"} | layer_permissions(Layer.EXECUTION)
    ),
    Role.CIRCLE_MEMBER: frozenset(
        {"campaigns:view", "circles:view_own"} | layer_permissions(Layer.EXECUTION)
    ),
    Role.JUDGE: frozenset({"campaigns:view", "evaluation:score", "evaluation:release", "evaluation:recuse"}),
}


def roles_with(permission: str) -> list[str]:
    """The roles whose permissions include ``permission`` (e.g. the decision layer's for
    ``plans:approve``), for finding the members to notify or to choose from."""
    return [role for role, permissions in ROLE_PERMISSIONS.items() if permission in permissions]


#: Every permission any role holds.
ALL_PERMISSIONS: frozenset[str] = frozenset().union(*ROLE_PERMISSIONS.values())

#: Rank of each role for granting: nobody grants a role ranked above their own (issue 3).
ROLE_RANK: dict[str, int] = {
    Role.ASSOCIATION_ADMIN: 100,
    Role.ASSOCIATION_STAFF: 80,
    Role.ASSOCIATION_LEADERSHIP: 80,
    Role.UNIT_COORDINATOR: 60,
    Role.ENTERPRISE_EXECUTIVE: 50,
    Role.ENTERPRISE_COORDINATOR: 50,
    Role.JUDGE: 40,
    Role.CIRCLE_LEADER: 20,
    Role.CIRCLE_MEMBER: 10,
}

#: What each permission lets a role do, as a Chinese verb phrase for messages to users (the
#: ``area:action`` codes are for developers and logs only).
PERMISSION_LABELS: dict[str, str] = {
    "organisations:view": pgettext_lazy("permission", "查看组织信息"),
    "organisations:manage": pgettext_lazy("permission", "管理组织"),
    "users:manage": pgettext_lazy("permission", "管理用户和角色"),
    "audit:view": pgettext_lazy("permission", "查看审计日志"),
    "campaigns:view": pgettext_lazy("permission", "查看年度活动"),
    "campaigns:manage": pgettext_lazy("permission", "管理年度活动"),
    "campaigns:sign_up": pgettext_lazy("permission", "报名参加年度活动"),
    "circles:view": pgettext_lazy("permission", "查看QC小组"),
    "circles:view_own": pgettext_lazy("permission", "查看本人所在的QC小组"),
    "circles:manage": pgettext_lazy("permission", "登记和管理QC小组"),
    "circles:record": pgettext_lazy("permission", "填写小组活动记录"),
    "circles:lead": pgettext_lazy("permission", "以组长身份申请立项和维护小组成员"),
    "projects:review": pgettext_lazy("permission", "课题立项评审和过程检查"),
    "projects:accept": pgettext_lazy("permission", "验收课题"),
    "structure:manage": pgettext_lazy("permission", "维护企业推进组织"),
    "plans:view": pgettext_lazy("permission", "查看年度推进计划"),
    "plans:draft": pgettext_lazy("permission", "编制年度推进计划"),
    "plans:approve": pgettext_lazy("permission", "审批年度推进计划"),
    "trainings:view": pgettext_lazy("permission", "查看宣传培训"),
    "trainings:manage": pgettext_lazy("permission", "登记宣传培训"),
    "figures:report": pgettext_lazy("permission", "填报企业年度数据"),
    "library:view": pgettext_lazy("permission", "查阅成果知识库"),
    "library:share": pgettext_lazy("permission", "设置成果共享范围"),
    "library:adopt": pgettext_lazy("permission", "登记成果推广应用"),
    "honours:view": pgettext_lazy("permission", "查看表彰"),
    "honours:nominate": pgettext_lazy("permission", "提名表彰"),
    "honours:approve": pgettext_lazy("permission", "审批表彰"),
    "certificates:issue": pgettext_lazy("permission", "颁发和撤销荣誉证书"),
    "improvements:view": pgettext_lazy("permission", "查看和办理改进事项"),
    "submissions:view": pgettext_lazy("permission", "查看申报成果"),
    "submissions:submit": pgettext_lazy("permission", "申报成果和上传成果报告"),
    "submissions:review": pgettext_lazy("permission", "审核申报成果"),
    "submissions:recommend": pgettext_lazy("permission", "推荐成果"),
    "statistics:view": pgettext_lazy("permission", "查看统计数据"),
    "dashboards:view": pgettext_lazy("permission", "查看数据看板"),
    "reports:view": pgettext_lazy("permission", "查看报表记录"),
    "reports:export": pgettext_lazy("permission", "生成和下载官方报表"),
    "evaluation:manage": pgettext_lazy("permission", "管理成果评审"),
    "evaluation:score": pgettext_lazy("permission", "为成果评分"),
    "evaluation:release": pgettext_lazy("permission", "公开评审分数"),
    "evaluation:recuse": pgettext_lazy("permission", "申报回避"),
    "awards:approve": pgettext_lazy("permission", "审批表彰结果"),
}
