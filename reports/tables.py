"""django-tables2 tables of the reports app."""

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from .models import ReportRun

#: Cells with short values stay on one line; name-like columns keep a readable width
#: (``col-name``, static/css/app.css) so a narrow screen scrolls the table instead.
NOWRAP = {"td": {"class": "text-nowrap"}}


class ReportRunTable(tables.Table):
    """Report runs with status/progress and a download link (template column)."""

    created_at = tables.DateTimeColumn(verbose_name=_("申请时间"), format="Y-m-d H:i", attrs=NOWRAP)
    campaign = tables.Column(verbose_name=_("活动"), accessor="campaign__code", attrs=NOWRAP)
    form = tables.Column(verbose_name=_("报表"), attrs=NOWRAP)
    file_format = tables.Column(verbose_name=_("格式"), attrs=NOWRAP)
    organisation = tables.Column(
        verbose_name=_("填报单位"), accessor="organisation__name", attrs={"th": {"class": "col-name"}}
    )
    requested_by = tables.Column(verbose_name=_("申请人"), default=_("命令行"), attrs=NOWRAP)
    status = tables.TemplateColumn(
        template_name="reports/_run_status.html",
        verbose_name=_("状态"),
        order_by=("status",),
        attrs={"td": {"class": "w-run-status"}},
    )

    class Meta:
        model = ReportRun
        fields = ("created_at", "campaign", "form", "file_format", "organisation", "requested_by", "status")
        template_name = "django_tables2/qcportal.html"
        attrs = {"class": "table table-hover align-middle mb-0"}
        empty_text = _("暂无报表记录。")
