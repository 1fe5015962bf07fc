"""Choices of the promotion app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CampaignStatus(models.TextChoices):
    """Lifecycle of a campaign (declared in ``promotion/workflow.py``): prepared as a draft,
    published (the call is open, its stages follow the calendar), closed."""

    DRAFT = "draft", _("筹备中")
    OPEN = "open", _("进行中")
    CLOSED = "closed", _("已结束")


class StageKind(models.TextChoices):
    """Stages of a campaign (seed 003, 二、活动安排)."""

    REGISTRATION = "registration", _("活动报名")
    COACHING = "coaching", _("辅导培育")
    SUBMISSION = "submission", _("成果申报")
    RECOMMENDATION = "recommendation", _("成果推荐")
    EVALUATION = "evaluation", _("成果评价")
    NATIONAL_RECOMMENDATION = "national_recommendation", _("推荐全国成果")
    PROMOTION = "promotion", _("活动推广")


#: Stages in the order of seed 003, 二、活动安排 (序号 1–7).
STAGE_ORDER = tuple(StageKind.values)


class GradeScheme(models.TextChoices):
    """How a campaign grades its results (seed 003 §二.4: 五大领域优秀活动成果 and 标杆级活动成果;
    seed 002: 全国优秀质量管理小组)."""

    BENCHMARK_EXCELLENT = "benchmark_excellent", _("标杆级成果、优秀成果")
    NATIONAL_EXCELLENT = "national_excellent", _("全国优秀质量管理小组")
    THREE_GRADES = "three_grades", _("一等奖、二等奖、三等奖")


class PlanStatus(models.TextChoices):
    """Lifecycle of a promotion plan (declared in ``promotion/workflow.py``; seed 001 §5.2,
    §6.4): drafted by the management layer, approved or returned by the decision layer."""

    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待审批")
    APPROVED = "approved", _("已批准")
    RETURNED = "returned", _("已退回")


class ActivityType(models.TextChoices):
    """The kinds of mass quality activity an organisation may choose for the year (seed 001
    §3.5, §6.3)."""

    TRAINING = "training", _("质量培训")
    COMPETITION = "competition", _("质量竞赛")
    QC_CIRCLE = "qc_circle", _("质量管理小组活动")
    TRUSTED_TEAM = "trusted_team", _("质量信得过班组建设")
    INNOVATION = "innovation", _("质量创新活动")
    LEAN_SITE = "lean_site", _("现场精益管理活动")


class GoalMetric(models.TextChoices):
    """What a plan's goal measures (seed 001 §6.2: measurable goals). Each but ``other`` is
    a figure of the organisation's dashboard for the plan's year (``reports.dashboards
    .headline``), so the actual value is read, not typed; ``other`` carries its actual value
    in the goal itself."""

    CIRCLES_REGISTERED = "circles_registered", _("注册QC小组数（个）")
    PARTICIPATION_RATE = "participation_rate", _("QC小组活动参与率（%）")
    CIRCLES_ACTIVE = "circles_active", _("活动小组数（个）")
    RESULTS = "results", _("取得成果数（个）")
    RESULTS_RATE = "results_rate", _("成果率（%）")
    BENEFIT = "benefit", _("可计算经济效益（万元）")
    OTHER = "other", _("其他（手工填写实际值）")


class TrainingKind(models.TextChoices):
    """What a publicity-and-training record is (seed 001 §7.2 宣传培训): a training session
    (质量培训) or a publicity campaign (宣传活动)."""

    TRAINING = "training", _("质量培训")
    PUBLICITY = "publicity", _("宣传活动")


class TrainingDelivery(models.TextChoices):
    """Whether the organisation ran it itself or its people attended one outside (seed 001
    §7.2: 组织内部培训或参加外部培训)."""

    INTERNAL = "internal", _("内部")
    EXTERNAL = "external", _("外部")


class ImprovementStatus(models.TextChoices):
    """An item of the improvement list (改进清单; issue 11 item 6; seed 001 §9.2), declared in
    ``promotion/workflow.py``: open, in progress, done (with its evidence) or cancelled."""

    OPEN = "open", _("待改进")
    IN_PROGRESS = "in_progress", _("改进中")
    DONE = "done", _("已完成")
    CANCELLED = "cancelled", _("已取消")
