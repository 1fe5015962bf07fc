"""django-tables2 tables of the reports app."""

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from .models import ReportRun


class ReportRunTable(tables.Table):
    """Report runs with status/progress and a download link (template column)."""

    created_at = tables.DateTimeColumn(verbose_name=_("申请时间"), format="Y-m-d H:i")
    campaign = tables.Column(verbose_name=_("活动"), accessor="campaign__code")
    form = tables.Column(verbose_name=_("报表"))
    file_format = tables.Column(verbose_name=_("格式"))
    organisation = tables.Column(verbose_name=_("填报单位"), accessor="organisation__name")
    requested_by = tables.Column(verbose_name=_("申请人"), default=_("命令行"))
    status = tables.TemplateColumn(
        template_name="reports/_run_status.html",
        verbose_name=_("状态"),
        order_by=("status",),
        attrs={"td": {"class": "w-run-status"}},
    )

    class Meta:
        model = ReportRun
        fields = ("created_at", "campaign", "form", "file_format", "organisation", "requested_by", "status")
        template_name = "django_tables2/bootstrap5.html"
        attrs = {"class": "table table-hover align-middle mb-0"}
        empty_text = _("暂无报表记录。")
