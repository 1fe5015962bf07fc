"""The executive dashboards (决策层, seed 001 §9.1.1; issue 10 item 3): ``/dashboard/``,
one page per level of the drill-down (national → province/industry → recommending unit →
enterprise, ``?org=<code>``), with charts, the same figures as tables, and the Excel export
(``?export=xlsx``, optionally ``&table=<key>``)."""

from __future__ import annotations

from django import forms
from django.core.validators import MaxValueValidator
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from promotion.plans import approved_plan, plan_progress
from qcportal.exporters import export_filters, get_exporter
from qcportal.forms_base import CleanInputMixin
from qcportal.models import Organisation
from qcportal.permissions import MembershipRequiredMixin

from . import dashboards as d
from .dashboard_tables import dashboard_tables, headline_rows, table_for
from .figures import dashboard_cached
from .selectors import dashboard_organisation_get, dashboard_trail

#: Years offered in the year picker (this year and the ones before).
YEAR_CHOICES = 12
FIRST_YEAR = 2000


class DashboardQueryForm(CleanInputMixin, forms.Form):
    """The parameters of a dashboard page and of its API: ``org`` (an organisation code in
    the viewer's share; default: the acting organisation), ``year`` (the calendar year,
    2000 … this year; default: the latest year with registered circles), ``years`` (years
    in the trends, 1–10, default 5), ``export`` (``xlsx``) and ``table`` (one table's key)."""

    org = forms.CharField(label=gettext_lazy("组织代码"), max_length=40, required=False)
    year = forms.IntegerField(label=gettext_lazy("年度"), required=False, min_value=FIRST_YEAR)
    years = forms.IntegerField(
        label=gettext_lazy("趋势年数"), required=False, min_value=1, max_value=d.MAX_YEARS
    )
    export = forms.ChoiceField(
        label=gettext_lazy("导出"), required=False, choices=[("", "—"), ("xlsx", "Excel (.xlsx)")]
    )
    table = forms.SlugField(label=gettext_lazy("表格"), max_length=40, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        this_year = timezone.localdate().year
        self.fields["year"].max_value = this_year
        self.fields["year"].validators.append(MaxValueValidator(this_year))


def dashboard_context(request, params: dict) -> dict:
    """Resolve the organisation (404 outside the share) and read the dashboard for the
    cleaned ``params`` of :class:`DashboardQueryForm` from the figure cache
    (``reports.dashboard`` in :mod:`reports.figures`: computed once per organisation, year and
    span, refreshed in the background under a lock when older than
    ``DASHBOARD_FRESH_SECONDS``, the previous value served meanwhile; issue 10 item 4).

    Output: ``organisation``, ``year``, ``years``, ``data`` (:func:`reports.dashboards.dashboard`
    with ``freshness`` saying when it was computed: 截至 HH:MM)."""
    try:
        organisation = dashboard_organisation_get(membership=request.membership, code=params.get("org"))
    except Organisation.DoesNotExist:
        raise Http404 from None
    year = params.get("year") or d.latest_year(organisation)
    years = params.get("years") or 5
    data = dashboard_cached(organisation=organisation, year=year, years=years)
    return {"organisation": organisation, "year": year, "years": years, "data": data}


def chart_data(data: dict) -> dict:
    """What the charts of ``static/js/dashboard.js`` draw, with their translated labels."""
    return {
        "level": data["organisation"]["level"],
        "breakdown": [
            {
                "name": row["short_name"],
                "circles_registered": row["circles_registered"],
                "results": row["results"],
                "benefit": row["benefit"],
                "participation_rate": row["participation_rate"],
            }
            for row in data["breakdown"]
        ],
        "trends": data["trends"],
        "by_type": data["by_type"],
        "by_domain": data["by_domain"],
        "grades": data["grades"],
        "map": data["map"],
        "labels": {
            "circles_registered": _("注册小组数"),
            "circles_active": _("坚持活动的小组数"),
            "results": _("成果数"),
            "participation_rate": _("普及率（%）"),
            "results_rate": _("成果率（%）"),
            "benefit": _("可计算的经济效益（万元）"),
            "qc_activity_spending": _("活动经费投入（万元）"),
            "reward_spending": _("奖励费用（万元）"),
            "graded": _("成果数"),
            "empty": _("暂无数据"),
        },
    }


class DashboardView(MembershipRequiredMixin, TemplateView):
    """The dashboard of one organisation in the viewer's share (``dashboards:view``: the
    decision layer — association leadership, enterprise executives — and, read-only, the
    association administrators and staff, unit and enterprise coordinators).

    GET ``?org=<code>&year=<YYYY>&years=<n>``: key figures with their change over the year
    before, trends over the years, the breakdown by the next level with drill-down links,
    results by project type and by domain, published grades, rankings and (national level)
    the map of China; each chart with its table; every figure labelled with its period and
    whether it is live or as of when. ``&export=xlsx`` (optionally ``&table=<key>``) streams
    the tables as Excel through the exporter registry (``reports.dashboard``). An
    organisation outside the share answers 404; bad parameters 400 with the reasons.
    """

    permission_required = "dashboards:view"
    template_name = "reports/dashboard.html"

    def get(self, request, *args, **kwargs):
        form = DashboardQueryForm(request.GET)
        if not form.is_valid():
            return self.render_to_response({"form": form, "invalid": True}, status=400)
        params = form.cleaned_data
        context = dashboard_context(request, params)
        tables = dashboard_tables(context["data"])
        if params.get("export") == "xlsx":
            if params.get("table"):
                table = table_for(tables, params["table"])
                if table is None:
                    raise Http404
                tables = [table]
            exporter = get_exporter("reports.dashboard")
            filters = {
                **export_filters(request.GET),
                "org": context["organisation"].code,
                "year": context["year"],
            }
            return exporter.response(tables, organisation=context["organisation"], filters=filters)
        return self.render_to_response(self.get_context_data(form=form, tables=tables, **context))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        organisation, data, tables = context["organisation"], context["data"], context["tables"]
        this_year = timezone.localdate().year
        context.update(
            trail=dashboard_trail(membership=self.request.membership, organisation=organisation),
            cards=headline_rows(data),
            by_key={t.key: t for t in tables},
            charts=chart_data(data),
            year_choices=list(range(this_year, this_year - YEAR_CHOICES, -1)),
            years_choices=list(range(1, d.MAX_YEARS + 1)),
            query=f"year={context['year']}&years={context['years']}",
            breakdown_title=tables[1].title if len(tables) > 1 and tables[1].key == "breakdown" else "",
            plan=(plan := approved_plan(organisation=organisation, year=context["year"])),
            plan_progress=plan_progress(plan, figures=data["headline"]) if plan else [],
        )
        return context
