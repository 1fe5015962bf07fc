"""Choices of the reports app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class FormKind(models.TextChoices):
    """The official forms of seed 002 (and seed 003's work summary) that the portal produces,
    plus the national package (推荐全国材料包) that bundles seed 002's materials."""

    ANNEX1 = "annex1", _("附件1 全国优秀质量管理小组申报表")
    ANNEX2 = "annex2", _("附件2 质量管理小组活动总结")
    ANNEX3 = "annex3", _("附件3 质量管理小组活动统计表")
    ANNEX4 = "annex4", _("附件4 全国优秀质量管理小组推荐表")
    ANNEX5 = "annex5", _("附件5 质量管理小组成果评审汇总表")
    SH_ANNEX5 = "sh_annex5", _("沪附件5 质量管理小组活动成果推进工作总结")
    PACKAGE = "package", _("推荐全国材料包")
    CERTIFICATES = "certificates", _("荣誉证书（压缩包）")


class FileFormat(models.TextChoices):
    """Output formats."""

    XLSX = "xlsx", _("Excel (.xlsx)")
    PDF = "pdf", _("PDF")
    DOCX = "docx", _("Word (.docx)")
    ZIP = "zip", _("压缩包 (.zip)")


class RunStatus(models.TextChoices):
    """States of a report run."""

    PENDING = "pending", _("排队中")
    RUNNING = "running", _("生成中")
    SUCCEEDED = "succeeded", _("已完成")
    FAILED = "failed", _("失败")


class WorkSummaryKind(models.TextChoices):
    """The kinds of narrative work summary an organisation writes for a campaign.

    ``annual`` is seed 002 附件2 (质量管理小组活动工作总结, written by a provincial or industry
    association); ``promotion`` is seed 003 附件5 (开展质量管理小组活动成果推进工作总结, written by
    a recommending unit or association for the Shanghai campaign). Each kind's outline is
    data in :mod:`reports.worksummary`.
    """

    ANNUAL = "annual", _("年度质量管理小组活动总结（中国质协附件2）")
    PROMOTION = "promotion", _("成果推进工作总结（上海市质协附件5）")


class StatisticsPeriodKind(models.TextChoices):
    """The periods of the statistics summary (:class:`reports.models.EnterpriseStatistics`):
    a calendar month, a calendar year, or the statistical period of a campaign (seed 002
    Annex 3, e.g. 2019-06-01 to 2020-08-31)."""

    MONTH = "month", _("月度")
    YEAR = "year", _("年度")
    CAMPAIGN = "campaign", _("活动统计期")
