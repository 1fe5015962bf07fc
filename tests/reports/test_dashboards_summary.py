"""The executive dashboards read the statistics summary (issue 10 items 2–3): once the summary is
built (``reports.summaries.summary_ready``), the circle figures of the headline, breakdown and
trends come from its ``year`` rows. The test network is built committed, so its campaign's
period build (the first, hence a full rebuild) ran and the model signals kept it current:
tests/reports/test_dashboards.py checks the hand computations on the summary. Here the same
hand computations are checked on the live path (before a summary exists), the whole dashboard
is compared between the two, and a change reaches the summary figures after commit."""

import datetime as dt

import pytest

from circles.models import Circle, CircleMember
from promotion.models import EnterpriseAnnualFigures
from qcportal.tenancy import no_tenant, tenant_scope
from reports import dashboards as d
from reports.models import RollupQueue
from reports.summaries import rebuild_statistics, summary_ready, sweep
from tests import factories as f

from . import test_dashboards as hand

pytestmark = pytest.mark.django_db


@pytest.fixture
def summarised(network):
    """The small network with its summary rebuilt (as ``seed_demo`` and
    ``manage.py stats_rebuild`` leave it)."""
    with no_tenant():
        rebuild_statistics()
    assert summary_ready() and d.from_summary(hand.Y2020)
    return network


@pytest.fixture
def live(network, monkeypatch):
    """The small network as a database that predates the summary sees it: figures live."""
    monkeypatch.setattr(d, "summary_ready", lambda: False)
    assert not d.from_summary(hand.Y2020)
    return network


@pytest.mark.parametrize(
    "check",
    [
        hand.test_national_figures_equal_the_hand_computation,
        hand.test_provincial_dashboard_deducts_directly_affiliated_enterprises,
        hand.test_industry_association_counts_its_directly_affiliated_enterprises,
        hand.test_enterprise_level_has_its_own_figures_and_no_breakdown,
        hand.test_trends_with_year_over_year_change,
        hand.test_rankings,
    ],
    ids=lambda check: check.__name__.removeprefix("test_"),
)
def test_hand_computations_hold_on_the_live_path(live, check):
    check(live)


def _without_source(data: dict) -> dict:
    return {k: v for k, v in data.items() if k not in ("freshness", "source", "source_statement")}


@pytest.mark.parametrize("code", ["caq", "pa", "ia", "ru1", "e1"])
def test_the_whole_dashboard_equals_the_live_one(summarised, monkeypatch, code):
    network = summarised
    organisation = getattr(network, code)
    with tenant_scope(network.caq):
        summary = d.dashboard(organisation=organisation, year=2020, years=4)
        monkeypatch.setattr(d, "summary_ready", lambda: False)
        live = d.dashboard(organisation=organisation, year=2020, years=4)
    assert summary["source"] == "summary" and "最长约" in summary["source_statement"]
    assert live["source"] == "live" and live["source_statement"] == "统计数据为实时统计结果。"
    assert _without_source(summary) == _without_source(live)


def test_a_new_circle_reaches_the_dashboard_after_commit(summarised, django_capture_on_commit_callbacks):
    network = summarised
    with tenant_scope(network.caq):
        before = d.headline(organisation=network.caq, period=hand.Y2020)
    with django_capture_on_commit_callbacks(execute=True), no_tenant():
        circle = f.CircleFactory(organisation=network.e4, registered_on=dt.date(2020, 11, 2))
        for i in range(2):  # one by one: each save's signal marks the enterprise
            CircleMember.objects.create(
                organisation=network.e4,
                circle=circle,
                name=f"新成员{i}",
                position="工程师",
                position_order=i + 1,
            )
    # the enterprise's summary rows are current after commit; the organisations counting it
    # are queued for their rollups, which the statistics sweep (Celery beat) refreshes
    with no_tenant():
        queued = set(RollupQueue.objects.values_list("organisation_id", flat=True))
    assert {network.caq.pk, network.pb.pk, network.ru3.pk} <= queued
    with tenant_scope(network.e4):
        assert d.headline(organisation=network.e4, period=hand.Y2020)["circles_registered"] == 1
    assert sweep()["rollups_refreshed"] >= 3
    with tenant_scope(network.caq):
        after = d.headline(organisation=network.caq, period=hand.Y2020)
        trend = d.trends(organisation=network.caq, years=range(2020, 2021))[0]
    assert after["circles_registered"] == before["circles_registered"] + 1
    assert after["members"] == before["members"] + 2
    assert trend["circles_registered"] == after["circles_registered"]
    with no_tenant():
        assert Circle.objects.filter(organisation=network.e4).count() == 2


def test_query_budget_on_the_summary(summarised, django_assert_max_num_queries):
    """A cold national dashboard reads its rollup and its children's (reports.rollups): a
    few rows, not the enterprises' summary rows, nor any live circles table."""
    with tenant_scope(summarised.caq), django_assert_max_num_queries(25) as captured:
        d.dashboard(organisation=summarised.caq, year=2020, years=5)
    sqls = [q["sql"] for q in captured.captured_queries]
    rollup = [sql for sql in sqls if '"reports_organisationstatistics"' in sql]
    assert len(rollup) >= 5  # headline, trends, breakdown, results by type, rankings
    assert not [sql for sql in sqls if '"reports_enterprisestatistics"' in sql]
    assert not [sql for sql in sqls if 'FROM "circles_' in sql or 'JOIN "circles_' in sql]


def test_the_rollup_follows_yearly_figures_and_equals_the_summary(summarised):
    """A change of an enterprise's yearly figures queues the organisations counting it; after
    the sweep their rollups hold it, and every level's dashboard equals the one computed from
    the enterprises' summary rows (no rollup)."""
    network = summarised
    with no_tenant():
        figures = EnterpriseAnnualFigures.objects.get(organisation=network.e3, year=2020)
        figures.total_employees += 100
        figures.save()
        queued = set(RollupQueue.objects.values_list("organisation_id", flat=True))
    assert {network.caq.pk, network.ia.pk, network.ru2.pk} <= queued
    sweep()
    with no_tenant():
        assert not RollupQueue.objects.exists()
    for code in ("caq", "ia", "ru2", "pa"):
        organisation = getattr(network, code)
        with tenant_scope(network.caq):
            rolled = d.dashboard(organisation=organisation, year=2020, years=4)
            with d.without_rollups():
                summary = d.dashboard(organisation=organisation, year=2020, years=4)
        assert _without_source(rolled) == _without_source(summary), code
    with tenant_scope(network.caq):
        assert d.headline(organisation=network.ia, period=hand.Y2020)["total_employees"] == 350
