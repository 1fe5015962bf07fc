"""Choices of the promotion app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CampaignStatus(models.TextChoices):
    """Lifecycle of a campaign."""

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
