"""The executive dashboards (issue 10 item 3) against hand computations on the small network
(tests/conftest.py), calendar year 2020:

circle  enterprise        registered   members  accepted    benefit (confirmed)  record
c1      E1 (PA/RU1)       2019-07-01   5        2020-03-01  10.5                 2019-08-01
c2      E1                2018-05-01   4        2018-12-01  20                   2018-06-01
c3      E1                2020-01-10   3        —           —                    2020-02-01
c4      E1 (innovation)   2019-09-01   6        2020-05-01  7.25 (unconfirmed)   —
c5      E2 (PA/RU1, 行业直属 → IA) 2019-10-01 4 2020-04-01  100                  2020-01-01
c6      E3 (IA/RU2)       2020-02-01   5        2020-06-30  3.333                2020-03-03
c7      E1                2020-09-10   3        2020-10-01  50                   2020-09-20
c8      E4 (PB/RU3)       2019-08-01   7        2020-01-01  9                    2019-09-01
2020 figures: E1 100 employees, 5.5 / 2.25 万元; E2 50, 10 / 1; E3 200, 1.111 / 0.5; E4 80, 2 / 1.

National 2020: registered c3 c6 c7 = 3 (cumulative 8); members 3+5+3 = 11 / 430 = 2.56%;
active c3 c5 c6 c7 = 4; results c1 c4 c5 c6 c7 c8 = 6; circles with results c6 c7 = 2 / 3 =
66.67%; benefit 10.5+100+3.333+50+9 = 172.83 (cumulative +20 = 192.83); spending 18.61 + 4.75.
By association (E2 counts under IA, seed 002 附件3 注2):
  PA = E1: 2 registered, 6 members / 100 = 6.00%, 2 active, 3 results, 1/2 = 50.00%, 60.50 万元;
  PB = E4: 0 registered, 0 / 80 = 0.00%, 0 active, 1 result, rate —, 9.00 万元;
  IA = E2+E3: 1 registered, 5 / 250 = 2.00%, 2 active, 2 results, 1/1 = 100.00%, 103.33 万元.
Trend: registered 2018 1, 2019 4 (c1 c4 c5 c8), 2020 3 → 2020 over 2019 −25.00%.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.urls import reverse

from evaluation.choices import JudgingStatus
from evaluation.models import GradeLevel, Judging, Result
from qcportal.models import AuditEntry
from qcportal.tenancy import no_tenant, tenant_scope
from reports import dashboards as d
from reports.provinces import province_name
from tests import factories as f
from tests.conftest import xlsx_text

pytestmark = pytest.mark.django_db

Y2020 = d.Period.of_year(2020)
URL = "/dashboard/"
API = "/api/v1/dashboard/"


def rows_by_code(rows):
    return {row["code"]: row for row in rows}


def test_national_figures_equal_the_hand_computation(network):
    with tenant_scope(network.caq):
        head = d.headline(organisation=network.caq, period=Y2020)
        rows = rows_by_code(d.breakdown(organisation=network.caq, period=Y2020))
    assert head["enterprises"] == 4
    assert (head["circles_registered"], head["circles_cumulative"]) == (3, 8)
    assert (head["members"], head["total_employees"], head["participation_rate"]) == (
        11,
        430,
        Decimal("2.56"),
    )
    assert head["circles_active"] == 4 and head["results"] == 6
    assert (head["circles_with_results"], head["results_rate"]) == (2, Decimal("66.67"))
    assert (head["benefit"], head["benefit_cumulative"]) == (Decimal("172.83"), Decimal("192.83"))
    assert (head["qc_activity_spending"], head["reward_spending"], head["spending"]) == (
        Decimal("18.61"),
        Decimal("4.75"),
        Decimal("23.36"),
    )
    assert set(rows) == {"PA", "PB", "IA"}
    pa, pb, ia = rows["PA"], rows["PB"], rows["IA"]
    assert (pa["circles_registered"], pa["members"], pa["participation_rate"]) == (2, 6, Decimal("6.00"))
    assert (pa["circles_active"], pa["results"], pa["results_rate"], pa["benefit"]) == (
        2,
        3,
        Decimal("50.00"),
        Decimal("60.50"),
    )
    assert (pb["circles_registered"], pb["participation_rate"], pb["results"], pb["results_rate"]) == (
        0,
        Decimal("0.00"),
        1,
        None,
    )
    assert (ia["circles_registered"], ia["members"], ia["total_employees"]) == (1, 5, 250)
    assert (ia["participation_rate"], ia["results_rate"], ia["benefit"]) == (
        Decimal("2.00"),
        Decimal("100.00"),
        Decimal("103.33"),
    )
    # Each enterprise under exactly one association: the rows add up to the national figures.
    for key in ("circles_registered", "circles_cumulative", "members", "total_employees", "circles_active"):
        assert sum(row[key] for row in rows.values()) == head[key], key
    assert sum(row["results"] for row in rows.values()) == head["results"]


def test_provincial_dashboard_deducts_directly_affiliated_enterprises(network):
    """Seed 002 附件3 注2 at the provincial level: PA counts E1 only (E2 reports to IA)."""
    with tenant_scope(network.pa):
        head = d.headline(organisation=network.pa, period=Y2020)
        rows = d.breakdown(organisation=network.pa, period=Y2020)
        assert d.deduction(network.pa) == {"deducted": 1, "added": 0}
        unit = d.breakdown(organisation=network.ru1, period=Y2020)
        assert d.deduction(network.ru1) == {"deducted": 1, "added": 0}
    assert head["enterprises"] == 1
    assert (head["circles_registered"], head["members"], head["total_employees"]) == (2, 6, 100)
    assert (head["results"], head["benefit"], head["benefit_cumulative"]) == (
        3,
        Decimal("60.50"),
        Decimal("80.50"),
    )
    assert [row["code"] for row in rows] == ["RU1"]
    assert rows[0]["benefit"] == head["benefit"] and rows[0]["results"] == head["results"]
    # The unit's page drills to its counted enterprises: E1, not the deducted E2.
    assert [row["code"] for row in unit] == ["E1"]


def test_industry_association_counts_its_directly_affiliated_enterprises(network):
    with tenant_scope(network.ia):
        head = d.headline(organisation=network.ia, period=Y2020)
        rows = rows_by_code(d.breakdown(organisation=network.ia, period=Y2020))
        assert d.deduction(network.ia) == {"deducted": 0, "added": 1}
    assert set(rows) == {"RU2", "E2"} and rows["E2"]["directly_affiliated"]
    assert (rows["E2"]["results"], rows["E2"]["benefit"]) == (1, Decimal("100.00"))
    assert (head["results"], head["benefit"], head["participation_rate"]) == (
        2,
        Decimal("103.33"),
        Decimal("2.00"),
    )


def test_enterprise_level_has_its_own_figures_and_no_breakdown(network):
    with tenant_scope(network.e2):
        head = d.headline(organisation=network.e2, period=Y2020)
        assert d.breakdown(organisation=network.e2, period=Y2020) == []
        assert d.rankings(organisation=network.e2, period=Y2020) == {"enterprises": {}, "units": {}}
    assert (head["enterprises"], head["results"], head["benefit"], head["circles_active"]) == (
        1,
        1,
        Decimal("100.00"),
        1,
    )


def test_trends_with_year_over_year_change(network):
    with tenant_scope(network.caq):
        rows = d.trends(organisation=network.caq, years=range(2018, 2021))
        head = d.headline(organisation=network.caq, period=Y2020)
    assert [r["year"] for r in rows] == [2018, 2019, 2020]
    assert [r["circles_registered"] for r in rows] == [1, 4, 3]
    assert [r["results"] for r in rows] == [1, 0, 6]
    assert rows[0]["benefit"] == Decimal("20.00")
    last = rows[-1]
    for key in ("circles_registered", "members", "total_employees", "participation_rate", "circles_active"):
        assert last[key] == head[key], key
    for key in ("results", "circles_with_results", "results_rate", "benefit", "spending"):
        assert last[key] == head[key], key
    assert last["yoy"]["circles_registered"] == Decimal("-25.00")  # (3 − 4) / 4
    assert last["yoy"]["members"] == Decimal("-50.00")  # 11 over 22
    assert last["yoy"]["results"] is None  # nothing accepted in 2019
    assert rows[1]["yoy"]["circles_registered"] == Decimal("300.00")
    # 2019: 22 members / 399,996 employees = 0.01%; 2020: 2.56% → +2.55 points.
    assert last["yoy"]["participation_rate"] == Decimal("2.55")
    assert d.change(5, 4) == Decimal("25.00") and d.change(3, 0) is None


def _publish_grades(network, *, published=True):
    """A judging of the network's campaign by CAQ with two grades: s1 (E1) 一等奖, s4 (E3) 二等奖."""
    with no_tenant():
        judging = Judging._base_manager.create(
            campaign=network.campaign,
            organisation=network.caq,
            status=JudgingStatus.PUBLISHED if published else JudgingStatus.GRADING,
        )
        first = GradeLevel.objects.create(judging=judging, name="一等奖", position=1)
        second = GradeLevel.objects.create(judging=judging, name="二等奖", position=2)
        s1, s4 = network.submissions[0], network.submissions[3]
        Result.objects.create(organisation=s1.organisation, judging=judging, submission=s1, grade=first)
        Result.objects.create(organisation=s4.organisation, judging=judging, submission=s4, grade=second)


def test_results_by_type_domain_and_published_grades(network):
    with tenant_scope(network.caq):
        by_type = {r["type"]: r for r in d.results_by_type(organisation=network.caq, period=Y2020)}
        assert d.grade_distribution(organisation=network.caq, period=Y2020) == []
    assert (by_type["problem_solving"]["results"], by_type["problem_solving"]["benefit"]) == (
        5,
        Decimal("172.83"),
    )
    assert (by_type["innovation"]["results"], by_type["innovation"]["benefit"]) == (1, Decimal("0.00"))
    with no_tenant():
        domain = network.campaign.domains.create(name="制造类", position=1)
        type(network.submissions[0])._base_manager.filter(pk=network.submissions[0].pk).update(domain=domain)
    with tenant_scope(network.caq):
        domains = {
            r["domain"]: r["results"] for r in d.results_by_domain(organisation=network.caq, period=Y2020)
        }
    # s1 in 制造类; s2 s3 s4 s5 s6 without a domain (all 2020 campaign submissions count once each).
    assert domains == {"制造类": 1, "未分领域": 5}
    _publish_grades(network, published=False)
    with tenant_scope(network.caq):
        assert d.grade_distribution(organisation=network.caq, period=Y2020) == []  # not published
    with no_tenant():
        Judging._base_manager.update(status=JudgingStatus.PUBLISHED)
    with tenant_scope(network.caq):
        assert d.grade_distribution(organisation=network.caq, period=Y2020) == [
            {"grade": "一等奖", "results": 1},
            {"grade": "二等奖", "results": 1},
        ]
        rows = rows_by_code(d.breakdown(organisation=network.caq, period=Y2020))
        assert (rows["PA"]["graded"], rows["IA"]["graded"], rows["PB"]["graded"]) == (1, 1, 0)
        assert d.headline(organisation=network.caq, period=Y2020)["graded"] == 2
        assert d.trends(organisation=network.caq, years=range(2020, 2021))[0]["graded"] == 2
    with tenant_scope(network.pb):
        assert d.grade_distribution(organisation=network.pb, period=Y2020) == []


def test_rankings(network):
    with tenant_scope(network.caq):
        ranks = d.rankings(organisation=network.caq, period=Y2020)
    enterprises = ranks["enterprises"]
    assert [(r["code"], r["value"]) for r in enterprises["results"]] == [
        ("E1", 3),
        ("E2", 1),
        ("E3", 1),
        ("E4", 1),
    ]
    assert [r["code"] for r in enterprises["benefit"]] == ["E2", "E1", "E4", "E3"]
    assert enterprises["benefit"][0]["value"] == Decimal("100.00")
    assert [(r["code"], r["value"]) for r in enterprises["participation"][:2]] == [
        ("E1", Decimal("6.00")),
        ("E3", Decimal("2.50")),
    ]
    units = ranks["units"]
    assert [(r["code"], r["value"]) for r in units["results"]] == [("RU1", 4), ("RU2", 1), ("RU3", 1)]
    assert [(r["code"], r["value"]) for r in units["participation"]] == [
        ("RU1", Decimal("4.00")),  # 6 members / 150 employees (E1 + E2)
        ("RU2", Decimal("2.50")),
        ("RU3", Decimal("0.00")),
    ]


def _grow(network, n):
    """More of everything: a new unit and enterprise with ``n`` circles, projects, records."""
    with no_tenant():
        unit = f.OrganisationFactory(
            code=f"RUX{n}", name=f"新增推荐单位{n}", kind="recommending_unit", parent=network.pa
        )
        enterprise = f.OrganisationFactory(code=f"EX{n}", name=f"新增企业{n}", kind="enterprise", parent=unit)
        f.FiguresFactory(organisation=enterprise, year=2020, total_employees=500)
        for i in range(n):
            circle = f.CircleFactory(
                organisation=enterprise, registered_on=dt.date(2020, 3, 1 + i % 20), members=4
            )
            project = f.ProjectFactory(
                circle=circle,
                status="accepted",
                accepted_on=dt.date(2020, 6, 1),
                economic_benefit=Decimal("1"),
            )
            f.ActivityRecordFactory(project=project, held_on=dt.date(2020, 4, 1))


def test_query_budget_is_constant_as_data_grows(network, django_assert_max_num_queries):
    """Every figure is an SQL aggregate: the dashboard's queries do not grow with the data."""
    counts = []
    for n in (0, 3, 12):
        if n:
            _grow(network, n)
        with tenant_scope(network.caq), django_assert_max_num_queries(40) as captured:
            d.dashboard(organisation=network.caq, year=2020, years=5)
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1] == counts[2], counts


def test_page_query_budget_is_constant(network, client, django_assert_max_num_queries):
    client.force_login(network.users.caq_admin)
    client.get(URL)  # the session's first request caches the acting membership (issue 10 item 4)
    counts = []
    for n in (0, 5):
        if n:
            _grow(network, n)
        cache.clear()  # cold each time: the figures are computed (then cached) by the request
        with django_assert_max_num_queries(70) as captured:
            assert client.get(URL + "?org=PA&year=2020").status_code == 200
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1], counts


def test_the_cached_figures_tables_are_rendered_once_per_computation_and_language(network, client):
    """The tables of a dashboard whose figures come from the figure cache are rendered once
    per computation (its time is in the fragment's key) and language; a new computation or
    another language renders again (issue 10 item 4: the warm page's cost was its template)."""
    from django.core.cache.utils import make_template_fragment_key

    client.force_login(network.users.caq_admin)
    first = client.get(URL + "?org=PA&year=2020")
    context = first.context
    as_of = context["data"]["freshness"]["as_of"]
    assert as_of  # served from the figure cache
    key = make_template_fragment_key(
        "dashboard-tables", [context["organisation"].pk, context["year"], context["years"], as_of, "zh-hans"]
    )
    fragment = cache.get(key)
    assert fragment and 'data-testid="drill-RU1"' in fragment
    cache.set(key, fragment.replace("测试区推荐单位", "已缓存的片段"))  # a marker only the cached copy has
    assert "已缓存的片段" in client.get(URL + "?org=PA&year=2020").content.decode()
    client.post(reverse("set_language"), {"language": "en"})
    english = client.get(URL + "?org=PA&year=2020").content.decode()
    assert "已缓存的片段" not in english and 'data-testid="drill-RU1"' in english


# --- pages, scope, export, API ------------------------------------------------------------------
def test_page_drills_down_from_national_to_enterprise(network, client):
    client.force_login(network.users.caq_admin)
    page = client.get(URL + "?year=2020")
    assert page.status_code == 200
    body = page.content.decode()
    assert "中国质量协会" in body and "2020年1月至2020年12月" in body and "截至" in body
    assert 'data-testid="stat-benefit">172.83<' in body
    for code in ("PA", "PB", "IA"):
        assert f'data-testid="drill-{code}"' in body
    province = client.get(URL + "?org=PA&year=2020").content.decode()
    assert 'data-testid="drill-RU1"' in province and "扣除1家" in province
    assert 'data-testid="stat-benefit">60.50<' in province
    unit = client.get(URL + "?org=RU1&year=2020").content.decode()
    assert 'data-testid="drill-E1"' in unit and 'data-testid="drill-E2"' not in unit
    enterprise = client.get(URL + "?org=E1&year=2020").content.decode()
    assert 'data-testid="stat-results">3<' in enterprise and 'data-testid="trail-RU1"' in enterprise


def test_provincial_leadership_cannot_drill_into_another_province(network, client):
    client.force_login(network.users.pa_leader)
    assert client.get(URL + "?year=2020").context["organisation"] == network.pa
    for code in ("PB", "E4", "RU3", "CAQ", "NOPE"):
        assert client.get(URL + f"?org={code}").status_code == 404, code
        assert client.get(API + f"?org={code}").status_code == 404, code
    assert client.get(URL + "?org=E2&year=2020").status_code == 200  # in PA's subtree (deducted)
    body = client.get(URL + "?year=2020").content.decode()
    for marker in ("另一省质量协会", "另一丁化工有限公司", "另一区推荐单位"):
        assert marker not in body


def test_who_may_see_the_dashboards(network, client):
    for username, status in (
        ("pa_leader", 200),
        ("pa_admin", 200),
        ("pa_staff", 200),
        ("ru1_coord", 200),
        ("e1_exec", 200),
        ("e1_coord", 200),
        ("e1_leader", 403),
        ("pa_judge", 403),
    ):
        client.force_login(getattr(network.users, username))
        assert client.get(URL).status_code == status, username
        assert client.get(API).status_code == status, username
    client.force_login(network.users.e1_exec)
    assert client.get(URL + "?org=RU1").status_code == 404  # the unit above the enterprise


def test_navigation_and_homes_link_the_dashboard(network, client):
    client.force_login(network.users.pa_leader)
    home = client.get("/").content.decode()
    assert 'data-testid="home-dashboard"' in home and reverse("reports:dashboard") in home
    client.force_login(network.users.e1_exec)
    home = client.get("/").content.decode()
    assert 'data-testid="home-dashboard-benefit">60.50<' in home  # E1, 2020 (its latest year)
    client.force_login(network.users.pa_staff)
    home = client.get("/").content.decode()
    assert 'data-testid="home-dashboard-link"' in home and 'data-testid="home-dashboard"' not in home
    client.force_login(network.users.e1_leader)
    assert reverse("reports:dashboard") not in client.get("/").content.decode()


def test_bad_parameters_answer_400(network, client):
    client.force_login(network.users.pa_leader)
    assert client.get(URL + "?export=pdf").status_code == 400
    for query in ("year=abc", "year=1999", "year=2999", "years=0", "years=11", "org=" + "X" * 50):
        assert client.get(URL + "?" + query).status_code == 400, query
        response = client.get(API + "?" + query)
        assert response.status_code == 400, query
        body = response.json()
        assert set(body) == {"detail", "errors"} and body["detail"], query


def test_the_page_is_served_from_the_figure_cache(network, client, django_assert_max_num_queries):
    """The dashboard's figures are computed once per organisation, year and span, then served
    from the cache (refreshed in the background when stale, qcportal/cache.py): a second view
    reads no statistics table."""
    client.force_login(network.users.caq_admin)
    assert client.get(URL + "?org=PA&year=2020").status_code == 200
    with django_assert_max_num_queries(60) as captured:
        again = client.get(URL + "?org=PA&year=2020")
    assert again.status_code == 200 and 'data-testid="stat-benefit">60.50<' in again.content.decode()
    read = " ".join(q["sql"] for q in captured.captured_queries)
    for table in ("reports_enterprisestatistics", "circles_circle", "promotion_enterpriseannualfigures"):
        assert f'"{table}"' not in read, table


def test_api_shape(network, client):
    client.force_login(network.users.caq_staff)
    body = client.get(API + "?org=PA&year=2020&years=3").json()
    assert set(body) >= {
        "organisation",
        "period",
        "freshness",
        "headline",
        "trends",
        "breakdown",
        "by_type",
        "by_domain",
        "grades",
        "rankings",
        "map",
        "deduction",
    }
    assert body["organisation"]["code"] == "PA" and body["period"]["label"] == "2020年1月至2020年12月"
    # served from the figure cache: labelled with when it was computed (issue 10 item 4)
    assert body["freshness"]["live"] is False and body["freshness"]["label"].startswith("截至 ")
    assert body["headline"]["benefit"] == 60.5 and body["headline"]["participation_rate"] == 6.0
    assert [t["year"] for t in body["trends"]] == [2018, 2019, 2020]
    assert body["breakdown"][0]["code"] == "RU1" and body["deduction"] == {"deducted": 1, "added": 0}
    default = client.get(API).json()
    assert default["organisation"]["code"] == "CAQ" and default["period"]["year"] == 2020


def test_excel_export_holds_every_table(network, client):
    client.force_login(network.users.pa_leader)
    response = client.get(URL + "?org=PA&year=2020&export=xlsx")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    text = xlsx_text(b"".join(response.streaming_content))
    for label in (
        "主要指标",
        "按推荐单位",
        "历年趋势",
        "按课题类型",
        "测试区推荐单位",
        "2020年1月至2020年12月 · 截至",
    ):
        assert label in text, label
    assert "60.5" in text
    with no_tenant():
        entry = AuditEntry.objects.filter(object_repr="数据看板").order_by("-id").first()
    assert entry is not None and entry.additional_data["exporter"] == "reports.dashboard"
    one = client.get(URL + "?org=PA&year=2020&export=xlsx&table=breakdown")
    single = xlsx_text(b"".join(one.streaming_content))
    assert "测试区推荐单位" in single and "历年趋势" not in single
    assert client.get(URL + "?org=PA&year=2020&export=xlsx&table=nothing").status_code == 404


def test_map_places_provincial_associations_by_region(network):
    assert province_name("上海") == province_name("上海市") == province_name("310000") == "上海"
    assert province_name("广西壮族自治区") == "广西" and province_name("内蒙古自治区") == "内蒙古"
    assert province_name("") is None and province_name("浦东新区") is None
    with no_tenant():
        type(network.pa)._base_manager.filter(pk=network.pa.pk).update(region="浙江省")
        network.pa.refresh_from_db()
    with tenant_scope(network.caq):
        data = d.dashboard(organisation=network.caq, year=2020, years=1)
        assert d.dashboard(organisation=network.pa, year=2020, years=1)["map"] == []
    assert data["map"] == [
        {"name": "浙江", "value": 2, "code": "PA", "results": 3, "benefit": Decimal("60.50")}
    ]


def test_latest_year_and_periods(network):
    with tenant_scope(network.caq):
        assert d.latest_year(network.caq) == 2020
        assert d.latest_year(network.caq, today=dt.date(2019, 12, 31)) == 2019
    assert d.Period.of_year(2021).label == "2021年1月至2021年12月"
    assert d.freshness(dt.datetime(2026, 1, 2, 3, 4, tzinfo=dt.UTC))["label"] == "截至 11:04"


def test_industry_association_drills_to_its_directly_affiliated_enterprise(network, client):
    """IA sees E2 (行业直属, sitting under PA's unit RU1) as a row of its own and opens its
    dashboard in one step; RU1 itself stays outside IA's share."""
    client.force_login(network.users.ia_staff)
    body = client.get(URL + "?year=2020").content.decode()
    assert (
        'data-testid="drill-E2"' in body
        and 'data-testid="drill-RU2"' in body
        and "含本行业直属企业1家" in body
    )
    page = client.get(URL + "?org=E2&year=2020")
    assert page.status_code == 200
    assert [o.code for o in page.context["trail"]] == ["IA", "E2"]
    assert client.get(URL + "?org=RU1").status_code == 404
