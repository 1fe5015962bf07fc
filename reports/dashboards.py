"""Figures of the executive dashboards (决策层 of associations and enterprises, seed 001
§9.1.1 总结评价; issue 10 item 3): every figure query of the dashboard pages, their API and
their Excel export lives in this module.

Each public function takes the organisation whose figures are shown (the level of the
drill-down: national association → provincial/industry association → recommending unit →
enterprise) and a period or a range of years, and returns plain dicts and lists (counts as
``int``, money in 万元 and rates in % as ``Decimal`` with 2 places, rounded half-up; a rate
with a zero denominator is ``None``). They run inside the active tenant scope (the request's,
``qcportal.tenancy``), so they never see a row outside the viewer's share; the caller checks
that the organisation itself lies in the viewer's share.

The circle figures (circles, members, active circles, results, confirmed benefit) are read
from the statistics summary's ``year`` rows (:mod:`reports.summaries`,
:class:`reports.models.EnterpriseStatistics`: one row per enterprise and calendar year, kept
current after every commit, the lag stated by :func:`reports.summaries.lag_statement`) once it
is built (:func:`reports.summaries.summary_ready`); before that, and for periods that are not
calendar years, from the live tables. Both are SQL aggregates in a constant number of queries
whatever the size of the data (a breakdown is one ``GROUP BY`` on the child organisation's path
prefix, never a loop over organisations), and they are equal (``manage.py stats_verify``;
tests/reports/test_dashboards_summary.py). The enterprises' yearly figures, grades, domains and
rankings are read live (each bounded by the counted enterprises).

Definitions (standard.md §6; seed 002 附件3), for a period [start, end]:

- 注册小组数 ``circles_registered``: circles registered (``registered_on``) in the period;
  累计注册 ``circles_cumulative``: registered on or before its end;
- 参加QC小组人数 ``members``: members of the circles registered in the period;
- 职工总数 ``total_employees``: the enterprises' yearly figures of the period's year;
- 普及率 ``participation_rate`` = members / total employees × 100%;
- 坚持活动的小组 ``circles_active``: circles with activity records dated in the period;
- 成果 ``results``: projects accepted (验收) in the period;
- 取得成果小组数 ``circles_with_results``: circles registered in the period with a project
  accepted in the period; 成果率 ``results_rate`` = circles with results / circles
  registered × 100%;
- 可计算的经济效益 ``benefit`` (万元): economic benefit of the projects accepted in the
  period, counted only when confirmed by the finance or relevant department
  (``benefit_confirmed``); ``benefit_cumulative``: the same for projects accepted up to the end;
- 经费投入 ``qc_activity_spending`` and 奖励费用 ``reward_spending`` (万元): the enterprises'
  yearly figures of the period's year (promotion ``EnterpriseAnnualFigures``), ``spending``
  their sum;
- 获评等级的成果 ``graded``: results of a published judging (评审结果已发布) of a campaign of the
  period's year that received a grade (``evaluation.Result.grade``).

Which enterprises count (seed 002 附件3 注2, 须扣除行业直属企业数据; rules R-A3-02, R-PT-71): see
:func:`dashboard_enterprises`. The dashboards use calendar years: the period of year Y is
1 January – 31 December of Y.
"""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import (
    Case,
    Count,
    F,
    FloatField,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, ExtractYear, StrIndex, Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from circles.choices import ProjectStatus, ProjectType
from circles.models import ActivityRecord, Circle, CircleMember, Project
from circles.selectors import circle_statistics
from evaluation.choices import JudgingStatus, SubmissionStatus
from evaluation.models import Result, Submission
from promotion.models import EnterpriseAnnualFigures
from promotion.selectors import annual_figures_totals
from qcportal.choices import OrganisationKind
from qcportal.models import Organisation

from .choices import StatisticsPeriodKind
from .models import EnterpriseStatistics, OrganisationStatistics
from .provinces import province_name
from .statistics import deducted_enterprises, money, percentage, reporting_enterprises
from .summaries import circle_statistics_from_summary, lag_statement, summary_ready

NATIONAL, ASSOCIATION, UNIT, ENTERPRISE = "national", "association", "unit", "enterprise"
#: Most years a trend covers.
MAX_YEARS = 10
#: Rows of each ranking table.
RANKING_SIZE = 10
TWO_PLACES = Decimal("0.01")


@dataclass(frozen=True)
class Period:
    """A statistical period, both ends inclusive (month granularity: the summary tables keep
    months). ``Period.of_year(2020)`` is 2020-01-01 … 2020-12-31."""

    start: dt.date
    end: dt.date

    @classmethod
    def of_year(cls, year: int) -> Period:
        """The calendar year ``year`` as a period."""
        return cls(dt.date(year, 1, 1), dt.date(year, 12, 31))

    @property
    def year(self) -> int:
        """The year whose enterprise figures (employees, spending) and campaigns count: the
        year of the period's end."""
        return self.end.year

    @property
    def label(self) -> str:
        """The period as printed under every figure, e.g. ``2020年1月至2020年12月``."""
        return _("%(y1)s年%(m1)s月至%(y2)s年%(m2)s月") % {
            "y1": self.start.year,
            "m1": self.start.month,
            "y2": self.end.year,
            "m2": self.end.month,
        }


def level_of(organisation: Organisation) -> str:
    """The drill-down level of ``organisation``: ``national``, ``association`` (provincial
    or industry), ``unit`` (recommending unit) or ``enterprise``."""
    return {
        OrganisationKind.NATIONAL_ASSOCIATION: NATIONAL,
        OrganisationKind.REGIONAL_ASSOCIATION: ASSOCIATION,
        OrganisationKind.INDUSTRY_ASSOCIATION: ASSOCIATION,
        OrganisationKind.RECOMMENDING_UNIT: UNIT,
    }.get(organisation.kind, ENTERPRISE)


def _orgs():
    return Organisation._base_manager


#: Whether the summary is built, read once for a whole dashboard (:func:`dashboard`); unset,
#: each :func:`from_summary` asks :func:`reports.summaries.summary_ready`.
_SUMMARY_READY: ContextVar[bool | None] = ContextVar("dashboards_summary_ready", default=None)


def from_summary(period: Period) -> bool:
    """True when ``period``'s circle figures are read from the summary's ``year`` rows: it is
    a calendar year and the summary is built (:func:`reports.summaries.summary_ready`)."""
    if period != Period.of_year(period.year):
        return False
    ready = _SUMMARY_READY.get()
    return summary_ready() if ready is None else ready


#: The yearly figures an organisation's rollup holds (reports.rollups), per trend part.
ROLLUP_PARTS = {
    "circles": ("circles_registered",),
    "members": ("members",),
    "active": ("circles_active",),
    "projects": ("results", "circles_with_results", "benefit"),
    "figures": ("total_employees", "qc_activity_spending", "reward_spending"),
}
ROLLUP_FIELDS = tuple(field for fields in ROLLUP_PARTS.values() for field in fields)


def _rollup(organisation: Organisation, period: Period) -> dict | None:
    """The figures of ``organisation`` for ``period`` from its rollup
    (:class:`reports.models.OrganisationStatistics`, :mod:`reports.rollups`), one query:
    every field of the period's year plus ``circles_cumulative``, ``benefit_cumulative``
    (years up to it) and ``enterprises``; ``None`` when the rollup is not used (an
    enterprise, a period that is not read from the summary, or no rollup built for it yet,
    when the dashboards compute from the summary instead)."""
    if level_of(organisation) == ENTERPRISE or _ROLLUPS_OFF.get() or not from_summary(period):
        return None
    up_to = Q(year__lte=period.year)
    this = Q(year=period.year)
    row = OrganisationStatistics.objects.filter(organisation=organisation).aggregate(
        rows=Count("id"),
        enterprises=Max("enterprises"),
        circles_cumulative=Sum("circles_registered", filter=up_to),
        benefit_cumulative=Sum("benefit", filter=up_to),
        **{f"this_{field}": Sum(field, filter=this) for field in ROLLUP_FIELDS},
    )
    if not row.pop("rows"):
        return None
    figures = {field: row.pop(f"this_{field}") or 0 for field in ROLLUP_FIELDS}
    return {**{k: v or 0 for k, v in row.items()}, **figures}


#: Set while a rollup is computed (:func:`without_rollups`): the figures then come from the
#: summary, never from the rollup being replaced.
_ROLLUPS_OFF: ContextVar[bool] = ContextVar("dashboards_rollups_off", default=False)


@contextmanager
def without_rollups():
    """Within the block the dashboards compute from the summary, ignoring the organisations'
    rollups (used by :func:`reports.rollups.compute_rollup`)."""
    token = _ROLLUPS_OFF.set(True)
    try:
        yield
    finally:
        _ROLLUPS_OFF.reset(token)


def _has_rollup(organisation: Organisation) -> bool:
    """True when ``organisation`` has rollup rows (:mod:`reports.rollups`) and they are not
    switched off (:func:`without_rollups`); one query."""
    if _ROLLUPS_OFF.get():
        return False
    return OrganisationStatistics.objects.filter(organisation=organisation).exists()


def _rollup_details(organisation: Organisation, period: Period) -> dict | None:
    """The results by type and rankings kept in ``organisation``'s rollup for ``period``'s
    year (its latest years, :data:`reports.rollups.DETAIL_YEARS`), decoded; ``None`` when
    not kept (then computed from the summary)."""
    if level_of(organisation) == ENTERPRISE or _ROLLUPS_OFF.get() or not from_summary(period):
        return None
    details = (
        OrganisationStatistics.objects.filter(organisation=organisation, year=period.year)
        .values_list("details", flat=True)
        .first()
    )
    if not details:
        return None
    from .rollups import decoded

    return decoded(details)


def _year_rows(enterprises) -> QuerySet:
    """The summary's ``year`` rows of ``enterprises`` (tenant-scoped)."""
    return EnterpriseStatistics.objects.filter(
        organisation__in=enterprises, period_kind=StatisticsPeriodKind.YEAR
    )


def dashboard_enterprises(organisation: Organisation) -> QuerySet:
    """The enterprises whose data the dashboard of ``organisation`` counts (queryset of pks).

    - an association: :func:`reports.statistics.reporting_enterprises` (seed 002 附件3 注2:
      a provincial association deducts the enterprises directly affiliated to an industry
      association; an industry association adds those directly affiliated to it);
    - a recommending unit: its enterprises that its association counts, so that the units'
      rows of a provincial dashboard add up to the province (an enterprise directly
      affiliated to another industry association is deducted here too);
    - an enterprise: itself (also when it is directly affiliated: its own figures), as the
      list ``[pk]``, so that every query compares ``organisation_id`` with its id and the
      planner bounds each table by the enterprise (rule R-SC-71).
    """
    level = level_of(organisation)
    if level in (NATIONAL, ASSOCIATION):
        return reporting_enterprises(organisation)
    if level == UNIT:
        return (
            _orgs()
            .filter(kind=OrganisationKind.ENTERPRISE, path__startswith=organisation.path)
            .filter(Q(industry_association__isnull=True) | Q(industry_association_id=organisation.parent_id))
            .values("pk")
        )
    return [organisation.pk]


def deduction(organisation: Organisation) -> dict:
    """How seed 002 附件3 注2 changed the set of enterprises of ``organisation``'s dashboard.

    Output: ``{"deducted": n, "added": m}``: ``n`` enterprises of its subtree directly
    affiliated to (another) industry association were left out; ``m`` enterprises directly
    affiliated to it (an industry association) from outside its subtree were added. One query.
    """
    level = level_of(organisation)
    if level in (ASSOCIATION, NATIONAL):
        deducted = deducted_enterprises(organisation)
    elif level == UNIT:
        deducted = (
            _orgs()
            .filter(
                kind=OrganisationKind.ENTERPRISE,
                path__startswith=organisation.path,
                industry_association__isnull=False,
            )
            .exclude(industry_association_id=organisation.parent_id)
        )
    else:
        return {"deducted": 0, "added": 0}
    deducted_q = Q(pk__in=deducted.values("pk"))
    if organisation.kind != OrganisationKind.INDUSTRY_ASSOCIATION:
        return {"deducted": _orgs().filter(deducted_q).count(), "added": 0}
    added_q = Q(industry_association_id=organisation.pk) & ~Q(path__startswith=organisation.path)
    counts = (
        _orgs()
        .filter(deducted_q | added_q)
        .aggregate(deducted=Count("pk", filter=deducted_q), added=Count("pk", filter=added_q))
    )
    return {"deducted": counts["deducted"], "added": counts["added"]}


def latest_year(organisation: Organisation, *, today: dt.date | None = None) -> int:
    """The default year of ``organisation``'s dashboard: the latest year, not after today,
    in which one of its enterprises registered a circle; this year when there is none.
    One query."""
    today = today or timezone.localdate()
    latest = (
        Circle.objects.filter(organisation__in=dashboard_enterprises(organisation), registered_on__lte=today)
        .order_by("-registered_on")
        .values_list("registered_on", flat=True)
        .first()
    )
    return latest.year if latest else today.year


# --- one figure set ---------------------------------------------------------------------------
def _rates(row: dict) -> dict:
    """Complete a row of raw sums with its rates and rounded money (in place; returns it)."""
    for key in ("benefit", "benefit_cumulative", "qc_activity_spending", "reward_spending"):
        if key in row:
            row[key] = money(row[key])
    row["spending"] = money(row.get("qc_activity_spending", 0) + row.get("reward_spending", 0))
    row["participation_rate"] = percentage(row.get("members"), row.get("total_employees"))
    row["results_rate"] = percentage(row.get("circles_with_results"), row.get("circles_registered"))
    return row


EMPTY = {
    "circles_cumulative": 0,
    "circles_registered": 0,
    "members": 0,
    "total_employees": 0,
    "circles_active": 0,
    "results": 0,
    "circles_with_results": 0,
    "benefit": Decimal(0),
    "benefit_cumulative": Decimal(0),
    "qc_activity_spending": Decimal(0),
    "reward_spending": Decimal(0),
    "graded": 0,
}


def _published_results(enterprises, year: int) -> QuerySet:
    return Result.objects.filter(
        organisation__in=enterprises,
        grade__isnull=False,
        judging__status=JudgingStatus.PUBLISHED,
        judging__campaign__year=year,
    )


def headline(*, organisation: Organisation, period: Period) -> dict:
    """The key figures of ``organisation``'s dashboard for ``period`` (one figure set).

    Output: ``enterprises`` (reporting enterprises, see :func:`dashboard_enterprises`),
    ``circles_cumulative``, ``circles_registered``, ``members``, ``total_employees``,
    ``participation_rate`` (%), ``circles_active``, ``results``, ``circles_with_results``,
    ``results_rate`` (%), ``benefit`` and ``benefit_cumulative`` (万元, confirmed only),
    ``qc_activity_spending``, ``reward_spending``, ``spending`` (万元), ``graded``; the
    definitions are the module's (standard.md §6; seed 002 附件3). Circle figures come from
    :func:`circles.selectors.circle_statistics` and the enterprises' yearly figures from
    :func:`promotion.selectors.annual_figures_totals`, as Annex 3's do; for a calendar year
    with the summary built, the circle figures are one query on the summary
    (:func:`reports.summaries.circle_statistics_from_summary`). Four to seven queries.
    """
    enterprises = dashboard_enterprises(organisation)
    rolled = _rollup(organisation, period)
    if rolled is not None:
        row = {
            **{key: rolled[key] for key in EMPTY if key in rolled},
            "enterprises": rolled["enterprises"],
            "graded": _published_results(enterprises, period.year).count(),
        }
        return _rates(row)
    bounds = {"period_start": period.start, "period_end": period.end}
    if from_summary(period):
        circles = circle_statistics_from_summary(
            enterprises=enterprises, period_kind=StatisticsPeriodKind.YEAR, **bounds
        )
    else:
        circles = circle_statistics(enterprises=enterprises, **bounds)
    annual = annual_figures_totals(enterprises=enterprises, year=period.year)
    results = circles["results_this_year"]
    row = {
        "enterprises": _orgs().filter(pk__in=enterprises).count(),
        "circles_cumulative": circles["circles_cumulative"],
        "circles_registered": circles["circles_this_year"],
        "members": circles["members_this_year"],
        "total_employees": annual["total_employees"] or 0,
        "circles_active": circles["circles_active"],
        "results": results,
        "circles_with_results": circles["circles_with_results"],
        "benefit": circles["benefit_this_year"] or Decimal(0),
        "benefit_cumulative": circles["benefit_cumulative"] or Decimal(0),
        "qc_activity_spending": annual["qc_activity_spending"] or Decimal(0),
        "reward_spending": annual["reward_spending"] or Decimal(0),
        "graded": _published_results(enterprises, period.year).count(),
    }
    return _rates(row)


# --- breakdown by child organisation ----------------------------------------------------------
def plan_goal_actuals(*, organisation: Organisation, year: int) -> dict:
    """The actual values of a promotion plan's dashboard goals (issue 11 item 1, R-PL-06):
    :func:`headline` of ``organisation`` for the calendar year ``year`` (counts, rates in %,
    benefit in 万元), the same figures as its dashboard. Registered with
    :func:`promotion.plans.register_goal_actuals`."""
    return headline(organisation=organisation, period=Period.of_year(year))


def _child_key(organisation: Organisation, prefix: str = "organisation__"):
    """SQL expression of the path of the child of ``organisation`` (one level down) that a row
    of an enterprise counts under, over the row's ``<prefix>path``.

    The child's path is the prefix of the enterprise's path up to the slash after the next
    code (``/CAQ/SAQ/U01/E001/`` → ``/CAQ/SAQ/`` below CAQ). At the national level an
    enterprise directly affiliated to an industry association counts under that association
    (seed 002 附件3 注2: each enterprise once, with the association it reports to); below an
    industry association, its directly affiliated enterprises from other subtrees are children
    of their own (their path).
    """
    path = F(f"{prefix}path")
    length = len(organisation.path)
    child = Substr(path, 1, Value(length) + StrIndex(Substr(path, length + 1), Value("/")))
    if organisation.kind == OrganisationKind.NATIONAL_ASSOCIATION:
        return Coalesce(F(f"{prefix}industry_association__path"), child)
    if organisation.kind == OrganisationKind.INDUSTRY_ASSOCIATION:
        return Case(When(**{f"{prefix}path__startswith": organisation.path}, then=child), default=path)
    return child


def _children(organisation: Organisation) -> list[dict]:
    """The rows of the breakdown of ``organisation``: its children (associations below the
    national one, units below an association plus an industry association's directly
    affiliated enterprises from elsewhere, a unit's counted enterprises). One query."""
    level = level_of(organisation)
    if level == ENTERPRISE:
        return []
    if level == UNIT:
        queryset = _orgs().filter(pk__in=dashboard_enterprises(organisation))
    else:
        condition = Q(parent=organisation)
        if organisation.kind == OrganisationKind.INDUSTRY_ASSOCIATION:
            condition |= Q(industry_association=organisation) & ~Q(path__startswith=organisation.path)
        queryset = _orgs().filter(condition)
    return [
        {
            "code": org.code,
            "name": org.name,
            "short_name": org.display_short_name,
            "kind": org.kind,
            "kind_label": str(org.get_kind_display()),
            "path": org.path,
            "level": level_of(org),
            "directly_affiliated": org.industry_association_id is not None,
            "province": province_name(org.region)
            if org.kind == OrganisationKind.REGIONAL_ASSOCIATION
            else None,
        }
        for org in queryset.order_by("kind", "code")
    ]


def _grouped(queryset: QuerySet, key, **aggregates) -> dict:
    """``{group key: {aggregate: value}}`` of one ``GROUP BY`` query. The aggregates are
    computed under prefixed aliases, so that one may be named like a column of the table (the
    summary's ``members = Sum("members")``)."""
    prefixed = {f"agg_{name}": aggregate for name, aggregate in aggregates.items()}
    rows = queryset.annotate(group_key=key).values("group_key").annotate(**prefixed).order_by()
    return {
        row.pop("group_key"): {name.removeprefix("agg_"): value for name, value in row.items()}
        for row in rows
    }


def breakdown(*, organisation: Organisation, period: Period) -> list[dict]:
    """The figures of ``period`` per child of ``organisation`` (the next level of the
    drill-down): by province/industry association below the national association, by
    recommending unit below an association (plus, below an industry association, each
    directly affiliated enterprise from another subtree), by enterprise below a unit; empty
    for an enterprise.

    Output: one dict per child, ordered by kind and code: ``code``, ``name``,
    ``short_name``, ``kind``, ``kind_label``, ``level`` (of the child, for the drill-down
    link), ``directly_affiliated``, ``province`` (the map's province of a provincial
    association, :func:`reports.provinces.province_name`) and the figure set of
    :func:`headline` (without ``enterprises``). Children without data have zeros. The rows
    add up to :func:`headline` of ``organisation`` (every counted enterprise under exactly one
    child). Queries: the children, then one ``GROUP BY`` per table: the summary's year rows
    (or four live tables, see :func:`from_summary`), the yearly figures and the grades.
    """
    children = _children(organisation)
    if not children:
        return []
    enterprises = dashboard_enterprises(organisation)
    key = _child_key(organisation)
    child_orgs = [c["path"] for c in children if c["level"] != ENTERPRISE]
    if (
        child_orgs
        and level_of(organisation) in (NATIONAL, ASSOCIATION)
        and from_summary(period)
        and _has_rollup(organisation)
    ):
        # Children that are associations or units: their own rollups (each child's rollup
        # counts exactly the enterprises this organisation counts under it, seed 002 附件3
        # 注2); children that are enterprises (an industry association's directly affiliated
        # enterprises from elsewhere): their summary rows and yearly figures.
        up_to, this = Q(year__lte=period.year), Q(year=period.year)
        tables = [
            _grouped(
                OrganisationStatistics.objects.filter(organisation__path__in=child_orgs),
                F("organisation__path"),
                circles_cumulative=Sum("circles_registered", filter=up_to),
                benefit_cumulative=Sum("benefit", filter=up_to),
                **{field: Sum(field, filter=this) for field in ROLLUP_FIELDS},
            )
        ]
        child_enterprises = [c["path"] for c in children if c["level"] == ENTERPRISE]
        if child_enterprises:
            own = _orgs().filter(path__in=child_enterprises).values("pk")
            tables += _summary_breakdown_tables(own, key, period)
        tables.append(_grouped(_published_results(enterprises, period.year), key, graded=Count("id")))
        return _breakdown_rows(children, tables)
    if from_summary(period):
        tables = _summary_breakdown_tables(enterprises, key, period)
    else:
        tables = [*_live_breakdown_tables(enterprises, key, period), _annual_by_key(enterprises, key, period)]
    tables.append(_grouped(_published_results(enterprises, period.year), key, graded=Count("id")))
    return _breakdown_rows(children, tables)


def _breakdown_rows(children: list[dict], tables: list[dict]) -> list[dict]:
    """Each child with its figures from ``tables`` (``{child path: {figure: value}}``), zeros
    where a table has nothing for it, rates and money completed (:func:`_rates`)."""
    rows = []
    for child in children:
        row = {**child, **EMPTY}
        for table in tables:
            values = table.get(child["path"], {})
            row.update({k: v for k, v in values.items() if v is not None})
        rows.append(_rates(row))
    return rows


def _annual_by_key(enterprises, key, period: Period) -> dict:
    """The enterprises' yearly figures of ``period``'s year per child (one ``GROUP BY``)."""
    return _grouped(
        EnterpriseAnnualFigures.objects.filter(organisation__in=enterprises, year=period.year),
        key,
        total_employees=Sum("total_employees"),
        qc_activity_spending=Sum("qc_activity_spending"),
        reward_spending=Sum("reward_spending"),
    )


def _summary_breakdown_tables(enterprises, key, period: Period) -> list[dict]:
    """The figures of :func:`breakdown` per child from the summary's year rows of
    ``enterprises`` and their yearly figures: two ``GROUP BY`` queries."""
    this = Q(period_start=period.start)
    return [
        _grouped(
            _year_rows(enterprises).filter(period_end__lte=period.end),
            key,
            circles_cumulative=Sum("circles_registered"),
            circles_registered=Sum("circles_registered", filter=this),
            members=Sum("members", filter=this),
            circles_active=Sum("circles_active", filter=this),
            results=Sum("results", filter=this),
            circles_with_results=Sum("circles_with_results", filter=this),
            benefit=Sum("benefit", filter=this),
            benefit_cumulative=Sum("benefit"),
        ),
        _annual_by_key(enterprises, key, period),
    ]


def _live_breakdown_tables(enterprises, key, period: Period) -> list[dict]:
    """The circle figures of :func:`breakdown` from the live tables: four ``GROUP BY`` queries
    (circles, members, activity records, accepted projects), each filtered by the counted
    enterprises first (rule R-SC-71)."""
    in_period = Q(registered_on__gte=period.start, registered_on__lte=period.end)
    accepted = Q(accepted_on__gte=period.start, accepted_on__lte=period.end)
    confirmed = Q(benefit_confirmed=True)
    return [
        _grouped(
            Circle.objects.filter(organisation__in=enterprises, registered_on__lte=period.end),
            key,
            circles_cumulative=Count("id"),
            circles_registered=Count("id", filter=in_period),
        ),
        _grouped(
            CircleMember.objects.filter(
                organisation__in=enterprises,
                circle__organisation__in=enterprises,
                circle__registered_on__gte=period.start,
                circle__registered_on__lte=period.end,
            ),
            key,
            members=Count("id"),
        ),
        _grouped(
            ActivityRecord.objects.filter(
                organisation__in=enterprises, held_on__gte=period.start, held_on__lte=period.end
            ),
            key,
            circles_active=Count("circle", distinct=True),
        ),
        _grouped(
            Project.objects.filter(
                organisation__in=enterprises,
                circle__organisation__in=enterprises,
                status=ProjectStatus.ACCEPTED,
                accepted_on__lte=period.end,
            ),
            key,
            results=Count("id", filter=accepted),
            circles_with_results=Count(
                "circle",
                distinct=True,
                filter=accepted
                & Q(circle__registered_on__gte=period.start, circle__registered_on__lte=period.end),
            ),
            benefit=Sum("economic_benefit", filter=accepted & confirmed),
            benefit_cumulative=Sum("economic_benefit", filter=confirmed),
        ),
    ]


# --- trends over years ------------------------------------------------------------------------
TREND_KEYS = (
    "circles_registered",
    "members",
    "total_employees",
    "circles_active",
    "results",
    "circles_with_results",
    "benefit",
    "qc_activity_spending",
    "reward_spending",
    "spending",
    "graded",
)
RATE_KEYS = ("participation_rate", "results_rate")


def change(current, previous) -> Decimal | None:
    """Year-over-year change (同比) of a count or an amount in %: ``(current − previous) /
    previous × 100``, 2 places half-up; ``None`` without a previous value (0 or missing)."""
    if not previous:
        return None
    return ((Decimal(current or 0) - Decimal(previous)) * 100 / Decimal(previous)).quantize(
        TWO_PLACES, rounding=ROUND_HALF_UP
    )


def change_points(current: Decimal | None, previous: Decimal | None) -> Decimal | None:
    """Year-over-year change of a rate in percentage points (百分点); ``None`` when either
    rate is missing."""
    if current is None or previous is None:
        return None
    return (current - previous).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


#: The tables a trend reads (one query each).
TREND_PARTS = ("circles", "members", "active", "projects", "figures", "grades")


def trends(*, organisation: Organisation, years: range, parts: tuple[str, ...] = TREND_PARTS) -> list[dict]:
    """The figures of each calendar year in ``years`` (at most :data:`MAX_YEARS`, ascending)
    for ``organisation``'s dashboard, with the change over the year before.

    Output: one dict per year: ``year``, ``period`` (its label), the figure set of
    :func:`headline` without the cumulative figures and ``enterprises``, and ``yoy``: for
    each count and amount the change in % (:func:`change`), for each rate the change in
    percentage points (:func:`change_points`); the first year's changes are computed against
    the year before it when it has data, else ``None``. Each year's figures equal
    :func:`headline` for ``Period.of_year(year)``. One query (a ``GROUP BY`` year) per table
    of ``parts`` (:data:`TREND_PARTS`: six), whatever the number of years — with the summary
    built (:func:`from_summary`), circles, members, active circles and projects are one query
    on its year rows; figures of the tables left out are zero.
    """
    if len(years) > MAX_YEARS or len(years) < 1:
        raise ValueError(f"a trend covers 1 to {MAX_YEARS} years")
    first, last = years[0] - 1, years[-1]
    start, end = dt.date(first, 1, 1), dt.date(last, 12, 31)
    enterprises = dashboard_enterprises(organisation)
    year = "period_year"

    def grouped(queryset, expression, **aggregates):
        prefixed = {f"agg_{name}": aggregate for name, aggregate in aggregates.items()}
        rows = queryset.annotate(**{year: expression}).values(year).annotate(**prefixed).order_by()
        return {
            row.pop(year): {name.removeprefix("agg_"): value for name, value in row.items()} for row in rows
        }

    accepted_year = ExtractYear("accepted_on")
    queries = {
        "circles": lambda: grouped(
            Circle.objects.filter(
                organisation__in=enterprises, registered_on__gte=start, registered_on__lte=end
            ),
            ExtractYear("registered_on"),
            circles_registered=Count("id"),
        ),
        "members": lambda: grouped(
            CircleMember.objects.filter(
                organisation__in=enterprises,
                circle__organisation__in=enterprises,
                circle__registered_on__gte=start,
                circle__registered_on__lte=end,
            ),
            ExtractYear("circle__registered_on"),
            members=Count("id"),
        ),
        "active": lambda: grouped(
            ActivityRecord.objects.filter(organisation__in=enterprises, held_on__gte=start, held_on__lte=end),
            ExtractYear("held_on"),
            circles_active=Count("circle", distinct=True),
        ),
        "projects": lambda: grouped(
            Project.objects.filter(
                organisation__in=enterprises,
                circle__organisation__in=enterprises,
                status=ProjectStatus.ACCEPTED,
                accepted_on__gte=start,
                accepted_on__lte=end,
            ).annotate(registered_year=ExtractYear("circle__registered_on")),
            accepted_year,
            results=Count("id"),
            circles_with_results=Count("circle", distinct=True, filter=Q(registered_year=F(year))),
            benefit=Sum("economic_benefit", filter=Q(benefit_confirmed=True)),
        ),
        "figures": lambda: grouped(
            EnterpriseAnnualFigures.objects.filter(
                organisation__in=enterprises, year__gte=first, year__lte=last
            ),
            F("year"),
            total_employees=Sum("total_employees"),
            qc_activity_spending=Sum("qc_activity_spending"),
            reward_spending=Sum("reward_spending"),
        ),
        "grades": lambda: grouped(
            Result.objects.filter(
                organisation__in=enterprises,
                grade__isnull=False,
                judging__status=JudgingStatus.PUBLISHED,
                judging__campaign__year__gte=first,
                judging__campaign__year__lte=last,
            ),
            F("judging__campaign__year"),
            graded=Count("id"),
        ),
    }
    rolled = set(ROLLUP_PARTS) & set(parts)
    if (
        rolled
        and level_of(organisation) != ENTERPRISE
        and from_summary(Period.of_year(last))
        and _has_rollup(organisation)
    ):
        # one query on the organisation's rollup rows (reports.rollups) for these parts
        fields = [field for part in sorted(rolled) for field in ROLLUP_PARTS[part]]
        tables = [
            {
                row.pop("year"): row
                for row in OrganisationStatistics.objects.filter(
                    organisation=organisation, year__gte=first, year__lte=last
                ).values("year", *fields)
            }
        ]
        tables += [queries[part]() for part in parts if part not in rolled]
    elif (summarised := {"circles", "members", "active", "projects"} & set(parts)) and from_summary(
        Period.of_year(last)
    ):
        # one query on the summary's year rows instead of the four live tables
        columns = {
            "circles": {"circles_registered": "circles_registered"},
            "members": {"members": "members"},
            "active": {"circles_active": "circles_active"},
            "projects": {
                "results": "results",
                "circles_with_results": "circles_with_results",
                "benefit": "benefit",
            },
        }
        sums = {name: Sum(column) for part in sorted(summarised) for name, column in columns[part].items()}
        tables = [
            grouped(
                _year_rows(enterprises).filter(period_start__gte=start, period_end__lte=end),
                ExtractYear("period_start"),
                **sums,
            )
        ]
        tables += [queries[part]() for part in parts if part not in summarised]
    else:
        tables = [queries[part]() for part in parts]
    by_year = {}
    for y in range(first, last + 1):
        row = {"year": y, "period": Period.of_year(y).label, **EMPTY}
        for key in ("circles_cumulative", "benefit_cumulative"):
            row.pop(key)
        for table in tables:
            row.update({k: v for k, v in table.get(y, {}).items() if v is not None})
        by_year[y] = _rates(row)
    rows = []
    for y in years:
        row, before = by_year[y], by_year[y - 1]
        row["yoy"] = {key: change(row[key], before[key]) for key in TREND_KEYS} | {
            key: change_points(row[key], before[key]) for key in RATE_KEYS
        }
        rows.append(row)
    return rows


# --- distributions ----------------------------------------------------------------------------
def results_by_type(*, organisation: Organisation, period: Period) -> list[dict]:
    """Results (projects accepted in ``period``) by project type (课题类型, standard.md §1).

    Output: one dict per type in the standard's order, zeros included: ``type``,
    ``label`` (问题解决型 / 创新型), ``results``, ``benefit`` (万元, confirmed only). One query
    (none when the organisation's rollup keeps them for the period's year).
    """
    details = _rollup_details(organisation, period)
    if details is not None:  # labels in the reader's language
        return [{**row, "label": str(ProjectType(row["type"]).label)} for row in details["by_type"]]
    counts = {
        row["project_type"]: row
        for row in Project.objects.filter(
            organisation__in=dashboard_enterprises(organisation),
            status=ProjectStatus.ACCEPTED,
            accepted_on__gte=period.start,
            accepted_on__lte=period.end,
        )
        .values("project_type")
        .annotate(results=Count("id"), benefit=Sum("economic_benefit", filter=Q(benefit_confirmed=True)))
        .order_by()
    }
    return [
        {
            "type": value,
            "label": str(label),
            "results": counts.get(value, {}).get("results", 0),
            "benefit": money(counts.get(value, {}).get("benefit")),
        }
        for value, label in ProjectType.choices
    ]


#: Submissions that are not (or no longer) results entered in a campaign.
NOT_ENTERED = (SubmissionStatus.DRAFT, SubmissionStatus.WITHDRAWN, SubmissionStatus.REJECTED)


def results_by_domain(*, organisation: Organisation, period: Period) -> list[dict]:
    """Results entered in the campaigns of the period's year (成果申报), by domain (领域,
    seed 003 一、3: 制造类, 市场服务类 …).

    A result counts once per domain however far it was recommended (a submission recommended
    to the national campaign is the same project); drafts, withdrawn and refused submissions
    do not count. Output: one dict per domain name, most results first: ``domain`` (the
    campaign domain's name, ``未分领域`` without one), ``results``. One query.
    """
    rows = (
        Submission.objects.filter(
            organisation__in=dashboard_enterprises(organisation), campaign__year=period.year
        )
        .exclude(status__in=NOT_ENTERED)
        .values("domain__name")
        .annotate(results=Count("project", distinct=True))
        .order_by("-results", "domain__name")
    )
    return [{"domain": row["domain__name"] or _("未分领域"), "results": row["results"]} for row in rows]


def grade_distribution(*, organisation: Organisation, period: Period) -> list[dict]:
    """Published grades (成果等级, standard.md §5) of the results of ``organisation``'s
    enterprises in the judgings of the campaigns of the period's year.

    Output: one dict per grade name, highest grades first (by the grade's position in its
    scheme): ``grade`` (标杆级, 一等奖 …), ``results``. Judgings that are not published yet do
    not count. One query.
    """
    rows = (
        _published_results(dashboard_enterprises(organisation), period.year)
        .values("grade__name")
        .annotate(results=Count("id"), position=Min("grade__position"))
        .order_by("position", "grade__name")
    )
    return [{"grade": row["grade__name"], "results": row["results"]} for row in rows]


# --- rankings ---------------------------------------------------------------------------------
def _ranked(rows, value) -> list[dict]:
    ranked = []
    for rank, row in enumerate(rows, start=1):
        row = {**row, "rank": rank, "value": value(row)}
        if "benefit" in row:
            row["benefit"] = money(row["benefit"])
        ranked.append(row)
    return ranked


def _by_results_and_benefit(queryset: QuerySet, field: str, limit: int) -> dict:
    """Top ``limit`` of ``field`` (``organisation`` or ``organisation__parent``) by results and
    by confirmed benefit: two queries. ``queryset``: accepted projects of the period, or the
    summary's year rows of the period with results (:func:`from_summary`)."""
    if queryset.model is EnterpriseStatistics:
        aggregates = {"results": Sum("results"), "benefit": Coalesce(Sum("benefit"), Value(Decimal(0)))}
    else:
        aggregates = {
            "results": Count("id"),
            "benefit": Coalesce(Sum("economic_benefit", filter=Q(benefit_confirmed=True)), Value(Decimal(0))),
        }
    grouped = queryset.values(code=F(f"{field}__code"), name=F(f"{field}__name")).annotate(**aggregates)
    return {
        "results": _ranked(grouped.order_by("-results", "code")[:limit], lambda r: r["results"]),
        "benefit": _ranked(grouped.order_by("-benefit", "code")[:limit], lambda r: money(r["benefit"])),
    }


def rankings(*, organisation: Organisation, period: Period, limit: int = RANKING_SIZE) -> dict:
    """Ranking tables (排名) of ``organisation``'s dashboard for ``period``: the top ``limit``
    enterprises and recommending units by results, by confirmed economic benefit (万元) and
    by participation rate (%), among the enterprises the dashboard counts
    (:func:`dashboard_enterprises`; for units, the units of its own subtree).

    Output: ``{"enterprises": {"results": rows, "benefit": rows, "participation": rows},
    "units": {…}}``; each row: ``rank``, ``code``, ``name``, ``value`` (the ranked figure)
    and its parts (``results`` and ``benefit``; ``members`` and ``total_employees``). Ties
    are broken by code. Units are ranked at the national and association levels only, nothing
    is ranked for an enterprise. Only enterprises (units) with yearly figures (职工总数 > 0)
    enter the participation ranking. Seven queries (three for a unit); with the summary built
    (:func:`from_summary`) results, benefit and members come from its year rows.
    """
    level = level_of(organisation)
    if level == ENTERPRISE:
        return {"enterprises": {}, "units": {}}
    details = _rollup_details(organisation, period)
    if details is not None and limit == RANKING_SIZE:
        return details["rankings"]
    enterprises = dashboard_enterprises(organisation)
    summarised = from_summary(period)
    if summarised:
        # the summary's year row of each enterprise: results, benefit and members of the year
        year_row = {"period_kind": StatisticsPeriodKind.YEAR, "period_start": period.start}
        accepted = _year_rows(enterprises).filter(period_start=period.start, results__gt=0)
        member_rows = EnterpriseStatistics.objects.filter(**year_row)
        count_members = Sum("members")
    else:
        accepted = Project.objects.filter(
            organisation__in=enterprises,
            status=ProjectStatus.ACCEPTED,
            accepted_on__gte=period.start,
            accepted_on__lte=period.end,
        )
        member_rows = CircleMember.objects.filter(
            circle__registered_on__gte=period.start, circle__registered_on__lte=period.end
        )
        count_members = Count("id")

    def rate(row):
        return percentage(row["members"], row["total_employees"])

    members = (
        member_rows.filter(organisation=OuterRef("organisation"))
        .order_by()
        .values("organisation")
        .annotate(n=count_members)
        .values("n")
    )
    participation = (
        EnterpriseAnnualFigures.objects.filter(
            organisation__in=enterprises, year=period.year, total_employees__gt=0
        )
        .annotate(members=Coalesce(Subquery(members, output_field=IntegerField()), 0))
        .annotate(ratio=Cast(F("members"), FloatField()) / F("total_employees"))
        .order_by("-ratio", "organisation__code")
        .values("members", "total_employees", code=F("organisation__code"), name=F("organisation__name"))
    )
    result = {
        "enterprises": {
            **_by_results_and_benefit(accepted, "organisation", limit),
            "participation": _ranked(participation[:limit], rate),
        },
        "units": {},
    }
    if level == UNIT:
        return result
    # Per unit (a child of the organisation's subtree): members and employees of its counted
    # enterprises, two GROUP BY queries returning one row per unit (at most the number of
    # units, whatever the number of circles), ranked here by their ratio.
    unit = {
        "organisation__parent__kind": OrganisationKind.RECOMMENDING_UNIT,
        "organisation__parent__path__startswith": organisation.path,
        "organisation__in": enterprises,
    }
    # (aliases unlike any column: a member has a ``name`` of its own)
    keys = {"unit_code": F("organisation__parent__code"), "unit_name": F("organisation__parent__name")}
    unit_members = {
        row["unit_code"]: row["n"]
        for row in member_rows.filter(**unit).values(**keys).annotate(n=count_members).order_by()
    }
    employees = (
        EnterpriseAnnualFigures.objects.filter(year=period.year, **unit)
        .values(**keys)
        .annotate(employees=Sum("total_employees"))
        .order_by()
    )
    units = sorted(
        (
            {
                "code": row["unit_code"],
                "name": row["unit_name"],
                "members": unit_members.get(row["unit_code"]) or 0,
                "total_employees": row["employees"],
            }
            for row in employees
            if row["employees"]
        ),
        key=lambda row: (-row["members"] / row["total_employees"], row["code"]),
    )
    result["units"] = {
        **_by_results_and_benefit(
            accepted.filter(organisation__parent__path__startswith=organisation.path),
            "organisation__parent",
            limit,
        ),
        "participation": _ranked(units[:limit], rate),
    }
    return result


# --- the whole dashboard ----------------------------------------------------------------------
def freshness(as_of: dt.datetime | None = None) -> dict:
    """How current the figures are, for the label under every figure: ``{"live": True,
    "as_of": None, "label": "实时"}`` for figures computed from the live tables, or, for
    figures read from a summary or a cache refreshed at ``as_of``, ``{"live": False,
    "as_of": ISO time, "label": "截至 HH:MM"}`` (local time)."""
    if as_of is None:
        return {"live": True, "as_of": None, "label": _("实时")}
    local = timezone.localtime(as_of)
    return {
        "live": False,
        "as_of": local.isoformat(),
        "label": _("截至 %(time)s") % {"time": f"{local:%H:%M}"},
    }


def organisation_summary(organisation: Organisation) -> dict:
    """The identity of a dashboard's organisation: ``code``, ``name``, ``short_name``,
    ``kind``, ``kind_label``, ``level``, ``directly_affiliated``."""
    return {
        "code": organisation.code,
        "name": organisation.name,
        "short_name": organisation.display_short_name,
        "kind": organisation.kind,
        "kind_label": str(organisation.get_kind_display()),
        "level": level_of(organisation),
        "directly_affiliated": organisation.industry_association_id is not None,
    }


def dashboard(*, organisation: Organisation, year: int, years: int = 5) -> dict:
    """Every figure of ``organisation``'s dashboard for the calendar year ``year``, with
    trends over the ``years`` years up to it (1 to :data:`MAX_YEARS`).

    Output: ``organisation`` (:func:`organisation_summary`), ``period`` (``start``, ``end``
    as ISO dates, ``year``, ``label``), ``trend_period`` (the label of the trend's years),
    ``freshness`` (:func:`freshness`), ``source`` (``summary`` or ``live``: where the circle
    figures come from, :func:`from_summary`) with ``source_statement`` (the lag of the summary,
    :func:`reports.summaries.lag_statement`, or that they are live), ``deduction``
    (:func:`deduction`), ``headline``,
    ``trends``, ``breakdown``, ``by_type``, ``by_domain``, ``grades``, ``rankings`` (the
    functions of the same names) and ``map``: for the national association, one
    ``{"name": province, "value": circles registered, "code", "results", "benefit"}`` per
    provincial association placed on the map (:mod:`reports.provinces`), else ``[]``. A
    constant number of queries (about 35). Raises ``ValueError`` for ``years`` out of range.
    """
    if not 1 <= years <= MAX_YEARS:
        raise ValueError(f"a trend covers 1 to {MAX_YEARS} years")
    token = _SUMMARY_READY.set(summary_ready())  # one query for every part below
    try:
        return _dashboard(organisation=organisation, year=year, years=years)
    finally:
        _SUMMARY_READY.reset(token)


def _dashboard(*, organisation: Organisation, year: int, years: int) -> dict:
    """The body of :func:`dashboard` (its arguments checked)."""
    period = Period.of_year(year)
    span = range(year - years + 1, year + 1)
    source = "summary" if from_summary(period) else "live"
    rows = breakdown(organisation=organisation, period=period)
    return {
        "organisation": organisation_summary(organisation),
        "period": {
            "start": period.start.isoformat(),
            "end": period.end.isoformat(),
            "year": period.year,
            "label": period.label,
        },
        "trend_period": Period(dt.date(span[0], 1, 1), period.end).label,
        "freshness": freshness(),
        "source": source,
        "source_statement": lag_statement() if source == "summary" else _("统计数据为实时统计结果。"),
        "deduction": deduction(organisation),
        "headline": headline(organisation=organisation, period=period),
        "trends": trends(organisation=organisation, years=span),
        "breakdown": rows,
        "by_type": results_by_type(organisation=organisation, period=period),
        "by_domain": results_by_domain(organisation=organisation, period=period),
        "grades": grade_distribution(organisation=organisation, period=period),
        "rankings": rankings(organisation=organisation, period=period),
        "map": [
            {
                "name": row["province"],
                "value": row["circles_registered"],
                "code": row["code"],
                "results": row["results"],
                "benefit": row["benefit"],
            }
            for row in rows
            if row["province"]
        ]
        if organisation.kind == OrganisationKind.NATIONAL_ASSOCIATION
        else [],
    }


def key_figures(*, organisation: Organisation) -> dict:
    """The key figures the home page of the decision layer embeds (with a link to the
    dashboard): the latest year's (:func:`latest_year`) trend row of :func:`trends` —
    registered circles, members, participation and results rates, results, confirmed benefit,
    spending, each with its change over the year before (active circles and graded results are
    left out: zero) — plus ``year``, ``period`` (label) and ``freshness``. Five queries."""
    year = latest_year(organisation)
    parts = ("circles", "members", "projects", "figures")
    row = trends(organisation=organisation, years=range(year, year + 1), parts=parts)[0]
    return {"year": year, "period": row["period"], "freshness": freshness(), "figures": row}
