"""Choices of the reports app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class FormKind(models.TextChoices):
    """The official forms of seed 002 that the portal produces."""

    ANNEX1 = "annex1", _("附件1 全国优秀质量管理小组申报表")
    ANNEX3 = "annex3", _("附件3 质量管理小组活动统计表")
    ANNEX4 = "annex4", _("附件4 全国优秀质量管理小组推荐表")
    ANNEX5 = "annex5", _("附件5 质量管理小组成果评审汇总表")


class FileFormat(models.TextChoices):
    """Output formats."""

    XLSX = "xlsx", _("Excel (.xlsx)")
    PDF = "pdf", _("PDF")


class RunStatus(models.TextChoices):
    """States of a report run."""

    PENDING = "pending", _("排队中")
    RUNNING = "running", _("生成中")
    SUCCEEDED = "succeeded", _("已完成")
    FAILED = "failed", _("失败")
