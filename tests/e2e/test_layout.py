"""Layout in a real browser: tables on a phone and on a desktop, charts of counts."""

import pytest
from playwright.sync_api import expect

from qcportal.choices import OrganisationKind
from qcportal.roles import Role
from qcportal.tenancy import no_tenant

from .. import factories as f
from ..conftest import build_network

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 800}
DESKTOP = {"width": 1366, "height": 900}

#: Measures a table: text lines of each header cell and of the name-like cells of the first
#: row (text-node line boxes grouped by their top), the widths, and whether the table scrolls
#: in its .table-responsive container.
MEASURE = """
(table) => {
  const lines = (el) => {
    const tops = [];
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
      const range = document.createRange();
      range.selectNodeContents(walker.currentNode);
      for (const rect of range.getClientRects()) {
        if (rect.width > 0 && !tops.some((top) => Math.abs(top - rect.top) < 4)) tops.push(rect.top);
      }
    }
    return tops.length;
  };
  const container = table.closest(".table-responsive");
  const headers = Array.from(table.querySelectorAll("thead th"));
  const firstRow = table.querySelector("tbody tr");
  const names = headers
    .map((th, index) => [th, index])
    .filter(([th]) => th.classList.contains("col-name"))
    .map(([th, index]) => firstRow.children[index]);
  return {
    inContainer: container !== null,
    scrolls: container !== null && container.scrollWidth > container.clientWidth + 1,
    pageOverflows: document.documentElement.scrollWidth > window.innerWidth + 1,
    headers: headers.map((th) => [th.textContent.trim(), lines(th)]),
    names: names.map((td) => [td.textContent.trim(), lines(td), td.getBoundingClientRect().width]),
  };
}
"""


@pytest.fixture
def network():
    return build_network()


def measure(page, selector):
    return page.locator(selector).evaluate(MEASURE)


@pytest.mark.parametrize(
    ("username", "path", "selector"),
    [
        ("pa_judge", "/evaluation/tasks/", "[data-testid=tasks]"),
        ("pa_staff", "/reports/runs/", "table"),
    ],
)
def test_tables_scroll_on_a_phone_and_keep_headers_on_one_line(
    network, signed_in, live_server, username, path, selector
):
    page = signed_in(username)
    page.goto(f"{live_server.url}{path}")
    expect(page.locator(f"{selector} tbody tr").first).to_be_visible()

    page.set_viewport_size(PHONE)
    phone = measure(page, selector)
    assert phone["inContainer"]
    assert all(count == 1 for _, count in phone["headers"]), phone["headers"]
    assert phone["scrolls"], "the table should scroll sideways in its container on a phone"
    assert not phone["pageOverflows"], "the page itself must not scroll sideways"
    assert phone["names"], "the table should have name-like columns (th.col-name)"
    for text, count, width in phone["names"]:
        assert width >= 12 * 16 - 1, (text, width)  # col-name: min-width 12rem
        assert count <= 2, (text, count)

    page.set_viewport_size(DESKTOP)
    desktop = measure(page, selector)
    assert all(count == 1 for _, count in desktop["headers"]), desktop["headers"]
    assert not desktop["scrolls"], "a desktop has room for the whole table"
    assert all(count == 1 for _, count, _ in desktop["names"]), desktop["names"]


def test_count_charts_have_whole_number_axes(network, signed_in):
    page = signed_in("pa_staff")
    chart = page.locator("[data-testid=chart-by-year]")
    expect(chart.locator("canvas")).to_have_count(1)
    option = chart.evaluate("(el) => window.echarts.getInstanceByDom(el).getOption()")
    assert option["yAxis"][0]["minInterval"] == 1
    assert option["xAxis"][0]["data"] == ["2018", "2019", "2020"]


@pytest.fixture
def empty_enterprise(network):
    """An enterprise without circles, and its coordinator ``e5_coord``."""
    with no_tenant():
        e5 = f.OrganisationFactory(
            code="E5", name="测试戊新材料有限公司", kind=OrganisationKind.ENTERPRISE, parent=network.ru1
        )
        f.MembershipFactory(
            user=f.UserFactory(username="e5_coord"), organisation=e5, role=Role.ENTERPRISE_COORDINATOR
        )
    return e5


def test_a_chart_without_rows_says_no_data(network, empty_enterprise, signed_in, live_server):
    page = signed_in("e5_coord")
    chart = page.locator("[data-testid=chart-by-year]")
    expect(chart).to_have_text("暂无数据")
    expect(chart.locator("canvas")).to_have_count(0)
    assert chart.evaluate("(el) => window.echarts.getInstanceByDom(el) === undefined")

    page.locator("a.dropdown-toggle:has(.bi-person-circle)").click()
    page.click("button[name=language][value=en]")
    expect(page.locator("[data-testid=chart-by-year]")).to_have_text("No data")
