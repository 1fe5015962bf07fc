"""Report runs: one generation of an official form, with status, progress and file."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from evaluation.models import Submission
from promotion.models import Campaign
from qcportal.models import Membership, Organisation, OwnedByOrganisation
from qcportal.tenancy import tenant_manager

from .choices import FileFormat, FormKind, RunStatus, WorkSummaryKind


class ReportRun(OwnedByOrganisation, models.Model):
    """One generation of an official form (architecture.md, "Long work").

    ``organisation`` is the organisation the form is about (e.g. the province whose Annex 3
    it is) and scopes the run: the province and the associations above it see it, a sibling
    province gets 404. ``progress`` is 0–100 (%). The produced file lives in Django storage
    (``file``); ``error`` holds a Chinese message when the run failed.
    """

    # No index of its own: reports_run_org_created_idx starts with it (issue 10 item 5).
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="report_runs",
        verbose_name=_("填报单位"),
        db_index=False,
    )
    campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, related_name="report_runs", verbose_name=_("活动")
    )
    form = models.CharField(_("报表"), max_length=16, choices=FormKind.choices)
    file_format = models.CharField(_("格式"), max_length=8, choices=FileFormat.choices)
    submission = models.ForeignKey(
        Submission,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="report_runs",
        verbose_name=_("成果申报"),
    )
    status = models.CharField(_("状态"), max_length=16, choices=RunStatus.choices, default=RunStatus.PENDING)
    progress = models.PositiveSmallIntegerField(_("进度（%）"), default=0)
    file = models.FileField(_("文件"), upload_to="reports/%Y/%m/", blank=True, max_length=300)
    filename = models.CharField(_("文件名"), max_length=200, blank=True)
    content_type = models.CharField(_("文件类型"), max_length=100, blank=True)
    error = models.TextField(_("错误信息"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="report_runs",
        verbose_name=_("申请人"),
        help_text=_("为空表示由命令行生成。"),
    )
    requested_as = models.ForeignKey(
        Membership,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("申请身份"),
    )
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    task_id = models.CharField(_("任务编号"), max_length=64, blank=True)

    objects = tenant_manager()

    class Meta:
        verbose_name = _("报表生成记录")
        verbose_name_plural = _("报表生成记录")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organisation", "-created_at"], name="reports_run_org_created_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__gte=0, progress__lte=100), name="reports_reportrun_progress_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_form_display()} · {self.organisation} · {self.get_file_format_display()}"

    @property
    def is_finished(self) -> bool:
        """True once the run succeeded or failed."""
        return self.status in (RunStatus.SUCCEEDED, RunStatus.FAILED)


class WorkSummary(OwnedByOrganisation, models.Model):
    """An organisation's narrative work summary for a campaign, kept as a draft until exported.

    ``organisation`` is the writer (a provincial or industry association for seed 002 附件2
    “质量管理小组活动工作总结”; a recommending unit or association for seed 003 附件5
    “成果推进工作总结”) and scopes the row like :class:`ReportRun`: the writer and the
    associations above it see it, a sibling gets 404. ``kind`` selects the outline
    (:data:`reports.worksummary.OUTLINES`); ``sections`` maps each sub-point key of that
    outline to its text. One summary per organisation, campaign and kind.
    """

    # No index of its own: reports_worksummary_organisation_campaign_kind_uniq starts with it (issue 10 item 5).
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="work_summaries",
        verbose_name=_("填报单位"),
        db_index=False,
    )
    campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, related_name="work_summaries", verbose_name=_("活动")
    )
    kind = models.CharField(_("总结类型"), max_length=16, choices=WorkSummaryKind.choices)
    sections = models.JSONField(_("各小节内容"), default=dict, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("最后修改人"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("最后修改时间"), auto_now=True)

    objects = tenant_manager()

    class Meta:
        verbose_name = _("工作总结")
        verbose_name_plural = _("工作总结")
        ordering = ["campaign", "organisation", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "campaign", "kind"],
                name="reports_worksummary_organisation_campaign_kind_uniq",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.organisation} · {self.campaign_id}"
