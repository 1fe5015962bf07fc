"""The campaign lifecycle, declared as data in the one workflow mechanism (issue 7, item 1).

A campaign is prepared as a draft (筹备中), published when its call goes out (进行中: its
stages then follow the calendar, ``Campaign.current_stage``), and closed after its last
stage (已结束); a closed campaign can be reopened by its association, e.g. to correct it.
Only the association that runs the campaign (``campaigns:manage``) takes these transitions.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from qcportal.workflow import Guard, Transition, Workflow

from .choices import CampaignStatus
from .models import Campaign

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
