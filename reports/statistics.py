"""Statistics of seed 002, Annex 3 (质量管理小组活动统计表), computed by SQL aggregation."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from circles.selectors import circle_counts_by_year, circle_statistics
from promotion.models import Campaign, PresentationConference
from promotion.selectors import CAMPAIGNS_GENERATION, annual_figures_totals, conference_get
from qcportal.cache import KEEP_SECONDS, CachedFigure, cached_figure, cached_until_changed
from qcportal.choices import OrganisationKind
from qcportal.db import replica_configured, replica_reads
from qcportal.models import Organisation

from .summaries import (
    STATISTICS_GENERATION,
    circle_statistics_from_summary,
    enterprise_generation,
    lag_statement,
    period_is_summarised,
)

WAN = Decimal(10000)
FOUR_PLACES = Decimal("0.0001")
TWO_PLACES = Decimal("0.01")


def _orgs():
    return Organisation._base_manager


def reporting_enterprises(association: Organisation) -> QuerySet:
    """The enterprises whose data an association's Annex 3 counts (queryset of pks).

    Seed 002, Annex 3, note 2: provincial and industry associations deduct the data of
    enterprises directly affiliated to an industry association (行业直属企业), so that no
    enterprise is counted twice in national totals. Hence:

    - national association: every enterprise in its subtree;
    - provincial/municipal association: its subtree minus enterprises directly affiliated to
      any industry association;
    - industry association: its subtree minus enterprises directly affiliated to another
      industry association, plus the enterprises directly affiliated to it.

    Raises ``ValueError`` for an organisation that is not an association.
    """
    if not association.is_association:
        raise ValueError("reporting_enterprises needs an association")
    enterprises = _orgs().filter(kind=OrganisationKind.ENTERPRISE)
    subtree = Q(path__startswith=association.path)
    if association.kind == OrganisationKind.NATIONAL_ASSOCIATION:
        return enterprises.filter(subtree).values("pk")
    own = Q(industry_association__isnull=True) | Q(industry_association=association)
    condition = subtree & own
    if association.kind == OrganisationKind.INDUSTRY_ASSOCIATION:
        condition |= Q(industry_association=association)
    return enterprises.filter(condition).values("pk")


def deducted_enterprises(association: Organisation) -> QuerySet[Organisation]:
    """Enterprises in the association's subtree deducted under seed 002, Annex 3, note 2
    (directly affiliated to an industry association other than ``association``)."""
    if association.kind == OrganisationKind.NATIONAL_ASSOCIATION:
        return _orgs().none()
    return (
        _orgs()
        .filter(
            kind=OrganisationKind.ENTERPRISE,
            path__startswith=association.path,
            industry_association__isnull=False,
        )
        .exclude(industry_association=association)
    )


def affiliated_enterprises_outside(association: Organisation) -> QuerySet[Organisation]:
    """Enterprises directly affiliated to an industry association that sit outside its subtree
    (added to the industry association's Annex 3)."""
    if association.kind != OrganisationKind.INDUSTRY_ASSOCIATION:
        return _orgs().none()
    return _orgs().filter(industry_association=association).exclude(path__startswith=association.path)


def to_wan(count: int | None) -> Decimal:
    """A count in 万个 (count / 10,000), rounded half-up to 4 decimal places."""
    return (Decimal(count or 0) / WAN).quantize(FOUR_PLACES, rounding=ROUND_HALF_UP)


def money(value: Decimal | None) -> Decimal:
    """An amount in 万元 rounded half-up to 2 decimal places (``None`` counts as 0)."""
    return Decimal(value or 0).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def percentage(numerator: int | None, denominator: int | None) -> Decimal | None:
    """``numerator / denominator × 100`` as a percentage rounded half-up to 2 decimal places;
    ``None`` when the denominator is 0 or missing (the form then shows "—")."""
    if not denominator:
        return None
    return (Decimal(numerator or 0) * 100 / Decimal(denominator)).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Annex3Figures:
    """The figures of one association's Annex 3 for one campaign period.

    Counts are kept raw (``*_count``) and in the form's unit (万个, 4 places); rates are
    percentages (2 places, half-up) or ``None``; money is in 万元 (2 places, half-up).
    ``source`` says where the circle figures come from: ``"summary"`` (the statistics
    summary, :mod:`reports.summaries`, computed as of ``as_of``) or ``"live"``.
    """

    association: Organisation
    campaign: Campaign
    circles_cumulative_count: int
    circles_this_year_count: int
    members_this_year: int
    total_employees: int
    circles_active_count: int
    circles_with_results_count: int
    benefit_cumulative: Decimal
    benefit_this_year: Decimal
    qc_activity_spending: Decimal
    reward_spending: Decimal
    participation_rate: Decimal | None
    results_rate: Decimal | None
    conference: PresentationConference | None
    deducted_count: int
    added_affiliated_count: int
    source: str = "live"
    as_of: dt.datetime | None = None

    @property
    def circles_cumulative(self) -> Decimal:
        """历年来累计已登记注册QC小组数, 万个."""
        return to_wan(self.circles_cumulative_count)

    @property
    def circles_this_year(self) -> Decimal:
        """本年度已登记注册QC小组数, 万个."""
        return to_wan(self.circles_this_year_count)

    @property
    def circles_active(self) -> Decimal:
        """本年度坚持活动的QC小组数, 万个."""
        return to_wan(self.circles_active_count)

    @property
    def participation_rate_text(self) -> str:
        """The participation rate as printed, e.g. ``12.34%`` (``—`` without employees)."""
        return "—" if self.participation_rate is None else f"{self.participation_rate}%"

    @property
    def results_rate_text(self) -> str:
        """The results rate as printed, e.g. ``56.10%`` (``—`` without registered circles)."""
        return "—" if self.results_rate is None else f"{self.results_rate}%"

    @property
    def period_label(self) -> str:
        """The period line under the title, e.g. ``(2019 年 6 月至 2020 年 8 月)``."""
        return period_label(self.campaign.period_start, self.campaign.period_end)

    @property
    def source_statement(self) -> str:
        """Where the figures come from and how current they are, for pages (issue 10 item 2)."""
        if self.source == "summary":
            return lag_statement()
        return _("统计数据为实时统计结果。")

    @property
    def deduction_statement(self) -> str:
        """The sentence printed on the form stating how note 2 was applied."""
        return deduction_statement(self)


def period_label(start: dt.date, end: dt.date) -> str:
    """Format a statistical period as on seed 002 Annex 3: ``(2019年6月至2020年8月)``."""
    return f"（{start.year}年{start.month}月至{end.year}年{end.month}月）"


def deduction_statement(figures: Annex3Figures) -> str:
    """State the 行业直属 deduction of seed 002, Annex 3, note 2 for the form."""
    kind = figures.association.kind
    if kind == OrganisationKind.NATIONAL_ASSOCIATION:
        return "本表为全国汇总数据，各行业直属企业数据只计算一次。"
    text = f"本表已按注2扣除行业直属企业数据（扣除{figures.deducted_count}家）。"
    if kind == OrganisationKind.INDUSTRY_ASSOCIATION and figures.added_affiliated_count:
        text += f"本表含本行业直属企业{figures.added_affiliated_count}家。"
    return text


def circle_figures(*, enterprises, period_start: dt.date, period_end: dt.date) -> tuple[dict, str]:
    """The circle figures of ``enterprises`` (a queryset of organisation pks or a list of ids)
    for a campaign's statistical period, as :func:`circles.selectors.circle_statistics` gives
    them (same keys), read from the summary's campaign rows in one query once the period is
    summarised (:func:`reports.summaries.period_is_summarised`), else computed live (four
    queries). Output: ``(figures, "summary" | "live")``. Seed 002 Annex 3."""
    bounds = {"period_start": period_start, "period_end": period_end}
    if period_is_summarised(**bounds):
        return circle_statistics_from_summary(enterprises=enterprises, **bounds), "summary"
    return circle_statistics(enterprises=enterprises, **bounds), "live"


#: How long an enterprise home's figures read on a replica are kept at most (seconds).
REPLICA_CACHE_SECONDS = 30


def enterprise_home_figures(*, enterprise_id: int, campaign: Campaign) -> dict:
    """The figures of one enterprise's home for ``campaign`` (seed 002 Annex 3), kept in the
    cache until they change (rule R-SC-74): ``{"stats": circle_figures(...)[0], "annual":
    annual_figures_totals(...), "by_year": circle_counts_by_year(...)}`` — the campaign row of
    the statistics summary (live before the period is built), the yearly figures of the
    campaign's year (万元 for the spending) and the circles registered per year.

    Stored under the generations of the statistics (a rebuild, a period built), of this
    enterprise (its rows rewritten or marked dirty by a change, its yearly figures saved) and
    of the campaigns (a period changed), so a change shows on the next request after its
    commit; computing costs four queries, a hit none. Reads go to the replica when there is
    one, and then the value is kept ``REPLICA_CACHE_SECONDS`` at most (a replica behind the
    commit may give the old figures). Inputs: the enterprise's id and the campaign."""

    def compute() -> dict:
        enterprises = [enterprise_id]
        with replica_reads():  # figure reads: the replica when there is one (issue 10 item 6)
            stats, _source = circle_figures(
                enterprises=enterprises, period_start=campaign.period_start, period_end=campaign.period_end
            )
            return {
                "stats": stats,
                "annual": annual_figures_totals(enterprises=enterprises, year=campaign.year),
                "by_year": circle_counts_by_year(enterprises=enterprises),
            }

    return cached_until_changed(
        f"home-figures:{enterprise_id}:{campaign.pk}",
        depends_on=(STATISTICS_GENERATION, enterprise_generation(enterprise_id), CAMPAIGNS_GENERATION),
        compute=compute,
        # a replica may lag behind the commit that bumped the generation: what it gave is
        # kept for REPLICA_CACHE_SECONDS at most
        timeout=REPLICA_CACHE_SECONDS if replica_configured() else KEEP_SECONDS,
    )


def annex3_figures(*, campaign: Campaign, association: Organisation) -> Annex3Figures:
    """Compute seed 002 Annex 3 for ``association`` over ``campaign``'s statistical period.

    Definitions (seed 002 Annex 3; standard.md §6):
    participation rate = members of circles registered this year / total employees × 100%;
    results rate = circles registered this year with a result accepted this year /
    circles registered this year × 100%. Enterprise figures are those of ``campaign.year``.
    Enterprises are :func:`reporting_enterprises` (note 2 deduction applied).

    The circle figures are read from the ``campaign`` rows of the statistics summary
    (:func:`reports.summaries.circle_statistics_from_summary`, one query summing the
    reporting enterprises' rows in SQL) once the campaign's period is summarised
    (:func:`reports.summaries.period_is_summarised`: its ``StatisticsPeriod`` row has
    ``built_at``); for a period not built yet (a new campaign, until its build ran) they are
    computed live (:func:`circles.selectors.circle_statistics`). Six queries from the summary,
    eight live, in the active tenant scope; raises ``ValueError`` if ``association`` is not an
    association.
    """
    enterprises = reporting_enterprises(association)
    circles, source = circle_figures(
        enterprises=enterprises, period_start=campaign.period_start, period_end=campaign.period_end
    )
    figures = annual_figures_totals(enterprises=enterprises, year=campaign.year)
    employees = figures["total_employees"] or 0
    return Annex3Figures(
        association=association,
        campaign=campaign,
        circles_cumulative_count=circles["circles_cumulative"],
        circles_this_year_count=circles["circles_this_year"],
        members_this_year=circles["members_this_year"],
        total_employees=employees,
        circles_active_count=circles["circles_active"],
        circles_with_results_count=circles["circles_with_results"],
        benefit_cumulative=money(circles["benefit_cumulative"]),
        benefit_this_year=money(circles["benefit_this_year"]),
        qc_activity_spending=money(figures["qc_activity_spending"]),
        reward_spending=money(figures["reward_spending"]),
        participation_rate=percentage(circles["members_this_year"], employees),
        results_rate=percentage(circles["circles_with_results"], circles["circles_this_year"]),
        conference=conference_get(campaign=campaign, organisation=association),
        deducted_count=deducted_enterprises(association).count(),
        added_affiliated_count=affiliated_enterprises_outside(association).count(),
        source=source,
        as_of=circles.get("as_of"),
    )


def annex3_figures_cached(*, campaign: Campaign, association: Organisation) -> CachedFigure:
    """:func:`annex3_figures` for dashboards, through the figure cache (``qcportal.cache``,
    computation ``reports.annex3`` in ``reports/figures.py``; issue 10 item 4): fresh for
    ``DASHBOARD_FRESH_SECONDS``, then refreshed in the background while the previous value is
    served. Output: a :class:`~qcportal.cache.CachedFigure` whose ``value`` is the
    :class:`Annex3Figures` and ``computed_at`` the time it was computed (the official form
    itself is always computed afresh by the report task)."""
    return cached_figure(
        "reports.annex3",
        campaign_id=campaign.pk,
        association_id=association.pk,
        preloaded=(campaign, association),
    )
