"""The executive dashboards in a real browser (issue 10 item 3): the demo's national
leadership (``caq_leader``) drills down national → 上海市质协 → 浦东新区质量技术协会 → the demo
enterprise, each page's key figure equal to the dashboards' own computation, the charts
drawn without a script error, and the table view of each level's breakdown (whose rows are
the drill-down links). Runs on the demo (``seed_demo``) in its own database."""

import io

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from qcportal.models import Organisation
from qcportal.tenancy import no_tenant, tenant_scope
from reports import dashboards as d
from reports.dashboard_tables import format_cell
from reports.demo import DEMO_PASSWORD

from ..conftest import flush_database

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(transactional_db):
    """The demo, loaded into this test's database, flushed first: whatever it holds (the
    session's network, a previous test's leftovers) goes, and the standard's score sheets,
    which a previous transactional test's teardown flush removed too, are seeded again."""
    flush_database()
    call_command("seed_demo", stdout=io.StringIO())


def expected(code: str, key: str, kind: str) -> str:
    """The figure ``key`` of ``code``'s dashboard (its default year), as the page prints it."""
    with no_tenant():
        organisation = Organisation.objects.get(code=code)
        caq = Organisation.objects.get(code="CAQ")
    with tenant_scope(caq):
        year = d.latest_year(organisation)
        value = d.headline(organisation=organisation, period=d.Period.of_year(year))[key]
    return format_cell(value, kind)


def test_national_leadership_drills_down_to_an_enterprise(demo, signed_in, live_server):
    errors = []
    page = signed_in("caq_leader", password=DEMO_PASSWORD)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.click("#mainnav >> text=数据看板")
    expect(page.locator("body")).to_have_attribute("data-dashboard", "ready")
    expect(page.locator("[data-testid=dashboard-title]")).to_have_text("中国质量协会")
    expect(page.locator("[data-testid=dashboard-freshness]")).to_contain_text("截至")
    expect(page.locator("[data-testid=dashboard-period]")).to_contain_text("统计期")
    expect(page.locator("[data-testid=stat-circles_registered]")).to_have_text(
        expected("CAQ", "circles_registered", "int")
    )
    expect(page.locator("[data-testid=chart-breakdown] canvas").first).to_be_visible()

    # National → 上海市质协, through the table view of the breakdown (the map's table).
    page.click("[data-testid=show-table-breakdown]")
    expect(page.locator("[data-testid=table-breakdown]")).to_be_visible()
    expect(page.locator("[data-testid=table-breakdown]")).to_contain_text("中国机械工业质量管理协会")
    page.click("[data-testid=drill-SAQ]")
    expect(page.locator("[data-testid=dashboard-title]")).to_have_text("上海市质量协会")
    expect(page.locator("body")).to_have_attribute("data-dashboard", "ready")
    expect(page.locator("[data-testid=stat-benefit]")).to_have_text(expected("SAQ", "benefit", "money"))
    expect(page.locator("[data-testid=dashboard-deduction]")).to_contain_text("扣除2家")  # 行业直属, 附件3注2
    expect(page.locator("[data-testid=dashboard-trail]")).to_contain_text("中国质协")

    # 上海市质协 → 浦东新区质量技术协会.
    page.click("[data-testid=show-table-breakdown]")
    page.click("[data-testid=drill-SAQ-PD]")
    expect(page.locator("[data-testid=dashboard-title]")).to_have_text("上海市浦东新区质量技术协会")
    expect(page.locator("[data-testid=stat-results]")).to_have_text(expected("SAQ-PD", "results", "int"))
    expect(page.locator("[data-testid=stat-participation_rate]")).to_have_text(
        expected("SAQ-PD", "participation_rate", "rate")
    )

    # → the demo enterprise: its figures, and the trend as a table.
    page.click("[data-testid=show-table-breakdown]")
    page.click("[data-testid=drill-SAQ-PD-E1]")
    with no_tenant():
        enterprise = Organisation.objects.get(code="SAQ-PD-E1")
    expect(page.locator("[data-testid=dashboard-title]")).to_have_text(enterprise.name)
    expect(page.locator("[data-testid=stat-circles_registered]")).to_have_text(
        expected("SAQ-PD-E1", "circles_registered", "int")
    )
    expect(page.locator("[data-testid=dashboard-trail] li")).to_have_count(4)
    page.click("[data-testid=show-table-trends]")
    trends = page.locator("[data-testid=table-trends]")
    expect(trends).to_be_visible()
    expect(trends.locator("tbody tr")).to_have_count(5)
    expect(trends.locator("tbody tr").last.locator("td").first).to_have_text(
        expected("SAQ-PD-E1", "circles_registered", "int")
    )

    # Back up the trail to the province.
    page.click("[data-testid=trail-SAQ]")
    expect(page.locator("[data-testid=dashboard-title]")).to_have_text("上海市质量协会")
    assert errors == []
