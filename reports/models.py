"""Report runs: one generation of an official form, with status, progress and file; work
summaries; the statistics summary tables (issue 10 item 2)."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from evaluation.models import Submission
from promotion.models import Campaign
from qcportal.models import Membership, Organisation, OwnedByOrganisation
from qcportal.tenancy import tenant_manager

from .choices import FileFormat, FormKind, RunStatus, StatisticsPeriodKind, WorkSummaryKind


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


class EnterpriseStatistics(OwnedByOrganisation, models.Model):
    """The circle figures of one enterprise for one period, kept current from the live rows
    (the summary tables of architecture.md, "Statistics at scale"; issue 10 item 2).

    One row per (``organisation``, ``period_kind``, ``period_start``, ``period_end``), the
    composite primary key:
    ``month`` rows for each calendar month in which the enterprise has any data, ``year`` rows
    for each calendar year likewise, ``campaign`` rows for each distinct statistical period of
    a campaign (:class:`StatisticsPeriod`) in which the enterprise has data up to the period's
    end. The columns are exactly the live definitions of
    :func:`circles.selectors.circle_statistics` (seed 002 Annex 3; standard.md §6), so that
    ``manage.py stats_verify`` can prove them equal:

    - ``circles_registered``: circles registered (``registered_on``) within the period
      (本年度已登记注册); ``circles_cumulative``: registered on or before ``period_end``
      (历年来累计已登记注册);
    - ``members``: members of the circles registered within the period (参加QC小组人数);
    - ``circles_active``: distinct circles with activity records held within the period
      (坚持活动, standard.md §6);
    - ``circles_with_results``: distinct circles registered within the period with a project
      accepted within the period (取得成果小组数);
    - ``results``: projects accepted within the period (成果数), split by type in
      ``results_problem_solving`` / ``results_innovation`` (:data:`reports.summaries.RESULT_TYPE_COLUMNS`);
    - ``benefit`` / ``benefit_cumulative``: confirmed calculable economic benefit (万元, 4
      places) of projects accepted within / up to the end of the period (standard.md §6: only
      benefit confirmed by the finance department counts).

    Sums over enterprises are exact for every column (a circle belongs to one enterprise).
    Sums over several periods are exact for the additive columns only (registered, members,
    results, benefit), never for the distinct counts (active, with results) or the
    cumulative ones. Written only by :mod:`reports.summaries` (set-based SQL); read through
    the tenant-scoped manager, so an association sees the rows of its data share only.
    ``refreshed_at`` says as of when the row was computed.
    """

    # The key is the primary key (no surrogate id: one index less to maintain on 8 M rows).
    pk = models.CompositePrimaryKey("organisation", "period_kind", "period_start", "period_end")
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("企业"),
        db_index=False,  # the primary key starts with it
        # derived rows, rebuilt in bulk (8 M at national scale): no per-row foreign-key
        # check at commit; rows of a deleted enterprise go with it (Django's cascade)
        db_constraint=False,
    )
    period_kind = models.CharField(_("统计期类型"), max_length=8, choices=StatisticsPeriodKind.choices)
    period_start = models.DateField(_("统计期起"))
    period_end = models.DateField(_("统计期止"))
    circles_registered = models.PositiveIntegerField(_("本期登记注册QC小组数"), default=0)
    circles_cumulative = models.PositiveIntegerField(_("累计登记注册QC小组数"), default=0)
    members = models.PositiveIntegerField(_("本期注册小组成员人数"), default=0)
    circles_active = models.PositiveIntegerField(_("坚持活动的QC小组数"), default=0)
    circles_with_results = models.PositiveIntegerField(_("取得成果的QC小组数"), default=0)
    results = models.PositiveIntegerField(_("成果数"), default=0)
    results_problem_solving = models.PositiveIntegerField(_("问题解决型成果数"), default=0)
    results_innovation = models.PositiveIntegerField(_("创新型成果数"), default=0)
    benefit = models.DecimalField(
        _("本期可计算的经济效益（万元）"), max_digits=18, decimal_places=4, default=Decimal("0")
    )
    benefit_cumulative = models.DecimalField(
        _("累计可计算的经济效益（万元）"), max_digits=18, decimal_places=4, default=Decimal("0")
    )
    refreshed_at = models.DateTimeField(_("计算时间"))

    objects = tenant_manager()

    class Meta:
        verbose_name = _("企业统计汇总")
        verbose_name_plural = _("企业统计汇总")
        ordering = ["organisation", "period_kind", "period_start", "period_end"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_start__lte=models.F("period_end")), name="reports_entstat_period_order"
            ),
        ]
        indexes = [
            # Reads of one period over many enterprises (Annex 3, dashboards) are index-only
            # scans of this covering index: one period's rows lie together in it, while in the
            # table they are spread over every page (rows are written per enterprise). Month
            # rows, the bulk of the table, are read per enterprise through the primary key.
            models.Index(
                fields=["period_kind", "period_start", "period_end", "organisation"],
                include=[
                    "circles_registered",
                    "circles_cumulative",
                    "members",
                    "circles_active",
                    "circles_with_results",
                    "results",
                    "results_problem_solving",
                    "results_innovation",
                    "benefit",
                    "benefit_cumulative",
                    "refreshed_at",
                ],
                condition=~Q(period_kind=StatisticsPeriodKind.MONTH),
                name="reports_entstat_period_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.period_kind} {self.period_start}–{self.period_end}"


class StatisticsPeriod(models.Model):
    """A campaign statistical period (seed 002 Annex 3) known to the statistics summary.

    Written when a campaign is saved with a period not seen before (``built_at`` empty) and
    set ``built_at`` once the ``campaign`` rows of :class:`EnterpriseStatistics` for it have
    been built for every enterprise (:func:`reports.summaries.build_period`). Until then,
    Annex 3 for that period is computed live (:func:`reports.summaries.period_is_summarised`).
    Periods no campaign uses any more are removed with their rows by the sweep. System data,
    not tenant data.
    """

    period_start = models.DateField(_("统计期起"))
    period_end = models.DateField(_("统计期止"))
    built_at = models.DateTimeField(_("汇总完成时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("统计期")
        verbose_name_plural = _("统计期")
        ordering = ["period_start", "period_end"]
        constraints = [
            models.UniqueConstraint(fields=["period_start", "period_end"], name="reports_statperiod_uniq"),
        ]

    def __str__(self) -> str:
        return f"{self.period_start}–{self.period_end}"


class StatisticsQueue(models.Model):
    """An enterprise whose summary rows a transaction made stale (the dirty queue of
    :mod:`reports.summaries`).

    Written in the same transaction as the change (one row per enterprise and transaction:
    ``token`` identifies the writing transaction), deleted by that transaction's on-commit
    refresh; rows left by a crash between commit and refresh are refreshed by the sweep task
    (Celery beat, ``STATISTICS_SWEEP_SECONDS``). System data, not tenant data.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+", db_index=False)
    token = models.BigIntegerField(_("事务标识"))
    marked_at = models.DateTimeField(_("标记时间"))

    class Meta:
        verbose_name = _("统计待更新企业")
        verbose_name_plural = _("统计待更新企业")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "token"], name="reports_statqueue_org_token_uniq"
            ),
        ]
        indexes = [models.Index(fields=["token"], name="reports_statqueue_token_idx")]

    def __str__(self) -> str:
        return f"{self.organisation_id} ({self.token})"


class OrganisationStatistics(models.Model):
    """The dashboard figures of one association or recommending unit for one calendar year,
    rolled up from :class:`EnterpriseStatistics` and the enterprises' yearly figures (issue 10
    items 2–3), so that a cold dashboard of a large organisation reads a few rows instead of
    summing 100,000 enterprises' rows.

    Every figure is over the enterprises that organisation's dashboard counts
    (:func:`reports.dashboards.dashboard_enterprises`, seed 002 附件3 注2). Counts are plain
    integers; money in 万元 unrounded (4 places). ``details`` holds, for the organisation's
    latest years, the results by project type and the ranking tables exactly as
    :func:`reports.dashboards.results_by_type` and :func:`reports.dashboards.rankings`
    return them (money and rates as strings), or ``None``. Written by
    :mod:`reports.rollups` (the statistics sweep refreshes the organisations whose
    enterprises changed, so it lags by at most ``STATISTICS_SWEEP_SECONDS``). System data,
    read by organisation id after the dashboard checked the viewer's share.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+", db_index=False)
    year = models.PositiveIntegerField(_("年度"))
    enterprises = models.PositiveIntegerField(_("统计企业数"), default=0)
    circles_registered = models.PositiveIntegerField(_("本期登记注册QC小组数"), default=0)
    members = models.PositiveIntegerField(_("本期注册小组成员人数"), default=0)
    circles_active = models.PositiveIntegerField(_("坚持活动的QC小组数"), default=0)
    circles_with_results = models.PositiveIntegerField(_("取得成果的QC小组数"), default=0)
    results = models.PositiveIntegerField(_("成果数"), default=0)
    benefit = models.DecimalField(
        _("本期可计算的经济效益（万元）"), max_digits=18, decimal_places=4, default=Decimal("0")
    )
    total_employees = models.BigIntegerField(_("职工总数（人）"), default=0)
    qc_activity_spending = models.DecimalField(
        _("活动经费投入（万元）"), max_digits=18, decimal_places=4, default=Decimal("0")
    )
    reward_spending = models.DecimalField(
        _("奖励费用（万元）"), max_digits=18, decimal_places=4, default=Decimal("0")
    )
    details = models.JSONField(_("分类与排名"), null=True, blank=True)
    refreshed_at = models.DateTimeField(_("计算时间"))

    class Meta:
        verbose_name = _("组织年度统计")
        verbose_name_plural = _("组织年度统计")
        ordering = ["organisation", "year"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "year"], name="reports_orgstat_org_year_uniq"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.year}"


class RollupQueue(models.Model):
    """An association or unit whose :class:`OrganisationStatistics` are stale: one of its
    enterprises' summary rows or yearly figures changed. Written in the changing transaction
    (at most one row per organisation), emptied by the statistics sweep. System data."""

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="+")
    marked_at = models.DateTimeField(_("标记时间"))

    class Meta:
        verbose_name = _("待更新组织统计")
        verbose_name_plural = _("待更新组织统计")

    def __str__(self) -> str:
        return str(self.organisation_id)
