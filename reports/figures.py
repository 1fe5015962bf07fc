"""The dashboards' cached figures (issue 10 item 4), registered with the figure cache of
``qcportal/cache.py``: each takes ids only, runs in the association's tenant scope (and on the
read replica when there is one) and is served from the cache with its computation time,
refreshed in the background on the ``statistics`` queue when stale. A request computing a cold
figure hands over the campaign and association it already holds (``preloaded``), so the cold
page costs no more queries than the figures themselves.

Registered when the app is ready (``ReportsConfig.ready``), so web processes and workers know
them by name.
"""

from __future__ import annotations

from circles.selectors import circle_counts_by_year
from promotion.models import Campaign
from promotion.selectors import campaign_list
from qcportal.cache import cached_computation, cached_figure, loaded
from qcportal.models import Organisation

from . import dashboards
from .statistics import Annex3Figures, annex3_figures, reporting_enterprises


@cached_computation("reports.annex3", scope="association_id")
def annex3(*, campaign_id: int, association_id: int) -> Annex3Figures:
    """Seed 002 Annex 3 of association ``association_id`` for campaign ``campaign_id``
    (:func:`reports.statistics.annex3_figures`, the 行业直属 deduction of note 2 applied).
    Raises ``Campaign.DoesNotExist``/``Organisation.DoesNotExist`` for unknown ids and
    ``ValueError`` for an organisation that is not an association."""
    association = loaded(Organisation, association_id)
    campaign = loaded(Campaign, campaign_id, fetch=lambda: campaign_list().get(pk=campaign_id))
    return annex3_figures(campaign=campaign, association=association)


@cached_computation("reports.circles_by_year", scope="association_id")
def circles_by_year(*, association_id: int) -> list[dict]:
    """Circles registered per year among the enterprises association ``association_id``
    counts (:func:`reports.statistics.reporting_enterprises`, seed 002 Annex 3 note 2):
    ``[{"year": 2019, "circles": 120}, …]`` ordered by year (one GROUP BY query)."""
    association = loaded(Organisation, association_id)
    return circle_counts_by_year(enterprises=reporting_enterprises(association))


@cached_computation("reports.dashboard", scope="organisation_id")
def dashboard(*, organisation_id: int, year: int, years: int) -> dict:
    """Every figure of organisation ``organisation_id``'s executive dashboard for the calendar
    year ``year`` with ``years`` years of trends (:func:`reports.dashboards.dashboard`), computed
    in that organisation's own tenant scope, so the same figures serve every viewer whose share
    holds it (the view checks that first). Raises ``Organisation.DoesNotExist`` for an unknown id
    and ``ValueError`` for ``years`` out of range."""
    organisation = loaded(Organisation, organisation_id)
    return dashboards.dashboard(organisation=organisation, year=year, years=years)


def dashboard_cached(*, organisation: Organisation, year: int, years: int) -> dict:
    """The dashboard of ``organisation`` (already checked to lie in the viewer's share) from
    the figure cache (:func:`dashboard`): computed once per organisation, year and span,
    refreshed in the background under a lock when older than ``DASHBOARD_FRESH_SECONDS``, the
    previous value served meanwhile (issue 10 item 4). Output: the dict of
    :func:`reports.dashboards.dashboard` with ``freshness`` saying when it was computed
    (截至 HH:MM). Used by the page, its Excel export and the API alike."""
    figure = cached_figure(
        "reports.dashboard",
        organisation_id=organisation.pk,
        year=year,
        years=years,
        preloaded=(organisation,),
    )
    return {**figure.value, "freshness": dashboards.freshness(figure.computed_at)}
