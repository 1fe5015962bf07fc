"""Choices of the evaluation app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SubmissionStatus(models.TextChoices):
    """States of a result submitted to a campaign, declared in ``evaluation/workflow.py``
    (the recommendation chain: seed 003 §二.3–4, §三; seed 002 三). One label per state,
    the same on every page and in the API."""

    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待推荐单位推荐")
    UNIT_RETURNED = "unit_returned", _("推荐单位退回")
    UNIT_RECOMMENDED = "unit_recommended", _("待形式审查")
    RETURNED = "returned", _("形式审查退回修改")
    REJECTED = "rejected", _("不予受理")
    FORMALLY_REVIEWED = "formally_reviewed", _("形式审查通过（参评）")
    SCORED = "scored", _("已评审")
    RECOMMENDED = "recommended", _("已推荐上级")
    NOT_RECOMMENDED = "not_recommended", _("未推荐")
    WITHDRAWN = "withdrawn", _("已撤回")


#: States whose submission holds one of the enterprise's places (seed 003 §三.2).
QUOTA_STATES = tuple(
    s for s in SubmissionStatus.values if s not in (SubmissionStatus.REJECTED, SubmissionStatus.WITHDRAWN)
)


class ScoreSheetKind(models.TextChoices):
    """Score sheets of T/CAQ 10201-2020 附录B (standard.md §3)."""

    PROBLEM_SOLVING_RESULT = "problem_solving_result", _("问题解决型课题成果评价表")
    INNOVATION_RESULT = "innovation_result", _("创新型课题成果评价表")
    ONSITE = "onsite", _("质量管理小组活动现场评价表")
    PRESENTATION = "presentation", _("发表评审表")


class ScoreSheetStatus(models.TextChoices):
    """A sheet is editable as a draft and locked once submitted (standard.md §3)."""

    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交")
    RECUSED = "recused", _("回避作废")


class JudgeLevel(models.TextChoices):
    """Judge grades (domain.md §2; seed 002 Annex 4 note 2)."""

    PANEL_CHAIR = "panel_chair", _("评审组长")
    SENIOR = "senior", _("评委骨干")
    JUDGE = "judge", _("评委")
