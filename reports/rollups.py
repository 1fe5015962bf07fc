"""Organisation rollups of the statistics summary (issue 10 items 2–4): the dashboard figures of
every association and recommending unit per calendar year, so that a cold dashboard of the
national association reads a few rows instead of summing the summary rows of 100,000
enterprises several times.

:class:`reports.models.OrganisationStatistics` holds, per organisation and year, the sums of
:class:`reports.models.EnterpriseStatistics` year rows and of the enterprises' yearly figures
over the enterprises that organisation's dashboard counts
(:func:`reports.dashboards.dashboard_enterprises`, seed 002 附件3 注2), and for its latest
two years (:data:`DETAIL_YEARS`) the results by project type and the ranking tables as
:mod:`reports.dashboards` computes them. Every figure is computed by the same functions and
querysets as the dashboards' own, so a rollup equals the dashboard computed from the summary
(tests/reports/test_dashboards_summary.py).

Keeping current (bounded lag): when an enterprise's summary rows are refreshed
(:mod:`reports.summaries`) or its yearly figures or place in the tree change, the
organisations counting it — its ancestors and the industry association it is directly
affiliated to (:func:`affected_organisations`) — are queued
(:class:`reports.models.RollupQueue`, in the changing transaction); the statistics sweep
(Celery beat, ``STATISTICS_SWEEP_SECONDS``) refreshes them (:func:`rollup_sweep`), and a
nightly full rebuild (:func:`rollup_rebuild`) covers organisations an enterprise moved away
from. An organisation without rollup rows (none built yet, or no data) is computed from the
summary by the dashboards, which is exact, only slower.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction
from django.db.models import Q, Sum
from django.db.models.functions import ExtractYear
from django.utils import timezone

from promotion.models import EnterpriseAnnualFigures
from qcportal.choices import OrganisationKind
from qcportal.models import Organisation
from qcportal.tenancy import tenant_scope

from .choices import StatisticsPeriodKind
from .models import EnterpriseStatistics, OrganisationStatistics, RollupQueue

logger = logging.getLogger(__name__)

#: The organisations that have a rollup (every dashboard level above the enterprise).
ROLLUP_KINDS = (
    OrganisationKind.NATIONAL_ASSOCIATION,
    OrganisationKind.REGIONAL_ASSOCIATION,
    OrganisationKind.INDUSTRY_ASSOCIATION,
    OrganisationKind.RECOMMENDING_UNIT,
)
#: The latest years (ending with the dashboard's default year) whose results by type and
#: rankings are kept in ``details``; other years compute them from the summary on demand.
DETAIL_YEARS = 2
#: Keys of the ``details`` rows that hold Decimal values (stored as strings in JSON).
_DECIMAL_KEYS = ("benefit", "value")

_SUMS = {
    "circles_registered": "circles_registered",
    "members": "members",
    "circles_active": "circles_active",
    "circles_with_results": "circles_with_results",
    "results": "results",
    "benefit": "benefit",
}
_ANNUAL = ("total_employees", "qc_activity_spending", "reward_spending")


def _orgs():
    return Organisation._base_manager


# --- which organisations an enterprise's change concerns ------------------------------------------
def affected_organisations(enterprise_ids: Iterable[int]) -> set[int]:
    """The ids of the associations and units whose dashboards may count the enterprises
    ``enterprise_ids``: every ancestor (by path) and the industry association each is
    directly affiliated to. One or two queries; an empty set for no ids."""
    ids = {int(i) for i in enterprise_ids if i is not None}
    if not ids:
        return set()
    paths: set[str] = set()
    industry: set[int] = set()
    for path, affiliated in _orgs().filter(pk__in=ids).values_list("path", "industry_association_id"):
        codes = [code for code in path.split("/") if code]
        paths.update("/" + "/".join(codes[:n]) + "/" for n in range(1, len(codes)))
        if affiliated:
            industry.add(affiliated)
    if not paths and not industry:
        return set()
    return set(
        _orgs()
        .filter(Q(path__in=paths) | Q(pk__in=industry), kind__in=ROLLUP_KINDS)
        .values_list("pk", flat=True)
    )


def mark_rollups_dirty(enterprise_ids: Iterable[int]) -> int:
    """Queue the rollups of the organisations counting ``enterprise_ids``
    (:func:`affected_organisations`) for the sweep, in the current transaction (one upsert:
    an organisation already queued gets the new time, so a sweep refreshing it meanwhile
    leaves it queued). Output: organisations concerned."""
    organisations = affected_organisations(enterprise_ids)
    if organisations:
        now = timezone.now()
        RollupQueue.objects.bulk_create(
            [RollupQueue(organisation_id=pk, marked_at=now) for pk in sorted(organisations)],
            update_conflicts=True,
            unique_fields=["organisation"],
            update_fields=["marked_at"],
        )
    return len(organisations)


# --- computing ------------------------------------------------------------------------------------
def _jsonable(value):
    """``value`` with every Decimal as its string (JSON keeps them exact)."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def decoded(value):
    """The inverse of :func:`_jsonable` for ``details``: the values under ``benefit`` and
    ``value`` back to Decimal (a ranked count stays an int, a missing rate ``None``)."""
    if isinstance(value, dict):
        return {
            k: Decimal(v) if k in _DECIMAL_KEYS and isinstance(v, str) else decoded(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [decoded(v) for v in value]
    return value


def compute_rollup(organisation: Organisation) -> list[OrganisationStatistics]:
    """The rollup rows of ``organisation`` (unsaved), one per year with data, computed in its
    own tenant scope from the summary's year rows and the enterprises' yearly figures (two
    ``GROUP BY`` queries and a count), with ``details`` for :data:`DETAIL_YEARS` years up to
    its dashboard's default year (:func:`reports.dashboards.latest_year`)."""
    from . import dashboards as d

    now = timezone.now()
    with tenant_scope(organisation), d.without_rollups():
        enterprises = d.dashboard_enterprises(organisation)
        sums = {f"agg_{name}": Sum(column) for name, column in _SUMS.items()}
        by_year: dict[int, dict] = {}
        summary = (
            EnterpriseStatistics.objects.filter(
                organisation__in=enterprises, period_kind=StatisticsPeriodKind.YEAR
            )
            .annotate(row_year=ExtractYear("period_start"))
            .values("row_year")
            .annotate(**sums)
            .order_by()
        )
        for row in summary:
            by_year.setdefault(row["row_year"], {}).update({name: row[f"agg_{name}"] or 0 for name in _SUMS})
        annual = (
            EnterpriseAnnualFigures.objects.filter(organisation__in=enterprises)
            .values("year")
            .annotate(**{f"agg_{name}": Sum(name) for name in _ANNUAL})
            .order_by()
        )
        for row in annual:
            by_year.setdefault(row["year"], {}).update({name: row[f"agg_{name}"] or 0 for name in _ANNUAL})
        count = _orgs().filter(pk__in=enterprises).count()
        latest = d.latest_year(organisation)
        details = {}
        for year in range(latest - DETAIL_YEARS + 1, latest + 1):
            period = d.Period.of_year(year)
            details[year] = _jsonable(
                {
                    "by_type": d.results_by_type(organisation=organisation, period=period),
                    "rankings": d.rankings(organisation=organisation, period=period),
                }
            )
    return [
        OrganisationStatistics(
            organisation=organisation,
            year=year,
            enterprises=count,
            refreshed_at=now,
            details=details.get(year),
            **values,
        )
        for year, values in sorted(by_year.items())
    ]


def refresh_rollups(organisation_ids: Iterable[int]) -> int:
    """Recompute the rollup rows of ``organisation_ids`` (those of :data:`ROLLUP_KINDS`;
    others are ignored), replacing theirs, one transaction per organisation. Output: rows
    written. Cost: the national association's reads its 100,000 enterprises' rows (about a
    second at 2,000,000 circles); a unit's a few of its own."""
    written = 0
    organisations = _orgs().filter(pk__in=list(organisation_ids), kind__in=ROLLUP_KINDS).order_by("path")
    for organisation in organisations:
        rows = compute_rollup(organisation)
        with transaction.atomic():
            OrganisationStatistics.objects.filter(organisation=organisation).delete()
            OrganisationStatistics.objects.bulk_create(rows)
        written += len(rows)
    return written


def rollup_rebuild() -> int:
    """Rebuild the rollups of every association and unit (the end of
    :func:`reports.summaries.rebuild_statistics`, and nightly). Output: rows written."""
    with transaction.atomic():
        RollupQueue.objects.all().delete()
    ids = list(_orgs().filter(kind__in=ROLLUP_KINDS).values_list("pk", flat=True))
    return refresh_rollups(ids)


def rollup_sweep(*, limit: int = 5000) -> int:
    """Refresh the queued rollups (oldest first, at most ``limit``). Each organisation's
    queue row is removed after its refresh only if it was not marked again meanwhile (a
    newer ``marked_at``), so no change is lost; a failed refresh stays queued. Output:
    organisations refreshed."""
    taken = list(
        RollupQueue.objects.order_by("marked_at", "pk").values_list("organisation_id", "marked_at")[:limit]
    )
    for organisation_id, marked_at in taken:
        refresh_rollups([organisation_id])
        RollupQueue.objects.filter(organisation_id=organisation_id, marked_at__lte=marked_at).delete()
    return len(taken)
