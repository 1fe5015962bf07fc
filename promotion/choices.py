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
