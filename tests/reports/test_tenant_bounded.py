"""Every page of one enterprise reads that enterprise's rows only (issue 10 item 4, rule
R-SC-71): the SQL of the enterprise home's statistics and of the enterprise's lists filters
every circles table it reads by the enterprise (``organisation_id = <id>``) before any join,
so its cost does not grow with the country (measured at scale by benchmarks/page_plans.py)."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

pytestmark = pytest.mark.django_db

#: ``FROM "circles_circle" U0`` / ``JOIN "circles_circle" ON`` → the table and its alias.
TABLE = re.compile(
    r'(FROM|JOIN) "(circles_\w+|promotion_enterpriseannualfigures|reports_enterprisestatistics)"(?: ([A-Z]+\d+)\b)?'
)


def unbounded_reads(sql: str, enterprise_id: int) -> list[str]:
    """The tables ``sql`` reads without a condition on the enterprise: those whose
    ``<alias>."organisation_id"`` is never compared with the enterprise's id (``= 42`` or
    ``IN (42)``). A correlated subquery looking rows up by an outer row's key counts as
    unbounded too: the planner may turn it into a join over the whole table."""
    unbounded = []
    for keyword, table, alias in TABLE.findall(sql):
        name = alias or f'"{table}"'
        owner = re.compile(
            rf'{re.escape(name)}\."organisation_id" (= {enterprise_id}\b|IN \({enterprise_id}\))'
        )
        if not owner.search(sql):
            unbounded.append(f"{keyword} {table} {alias}".strip())
    return unbounded


def statistics_queries(captured) -> list[str]:
    """The aggregate queries (COUNT/SUM) over the circles tables and the yearly figures, and
    every read of the statistics summary (one enterprise's row is read as it is)."""
    return [
        q["sql"]
        for q in captured.captured_queries
        if re.search(
            r'"(circles_\w+|promotion_enterpriseannualfigures|reports_enterprisestatistics)"', q["sql"]
        )
        and (
            re.match(r"SELECT (COUNT|SUM)\(|SELECT .*(COUNT|SUM)\(", q["sql"])
            or 'FROM "reports_enterprisestatistics"' in q["sql"]
        )
    ]


def test_the_checker_finds_an_unbounded_join():
    """The check can fail: the members query as it was (joined to every circle of the period)."""
    before = (
        'SELECT COUNT(*) AS "__count" FROM "circles_circlemember" INNER JOIN "circles_circle" ON '
        '("circles_circlemember"."circle_id" = "circles_circle"."id") WHERE ("circles_circlemember".'
        '"organisation_id" IN (7) AND "circles_circle"."registered_on" >= \'2019-06-01\'::date)'
    )
    assert unbounded_reads(before, 7) == ["JOIN circles_circle"]
    after = (
        'SELECT COUNT(*) AS "__count" FROM "circles_circlemember" WHERE ("circles_circlemember".'
        '"organisation_id" IN (7) AND "circles_circlemember"."circle_id" IN (SELECT U0."id" AS "pk" '
        'FROM "circles_circle" U0 WHERE (U0."organisation_id" IN (7) AND U0."registered_on" >= '
        "'2019-06-01'::date)))"
    )
    assert unbounded_reads(after, 7) == []
    assert unbounded_reads(after.replace("IN (7)", "IN (8)"), 7) == [
        "FROM circles_circlemember",
        "FROM circles_circle U0",
    ]


@pytest.mark.parametrize("username", ["e1_coord", "e1_exec"])
def test_enterprise_home_statistics_read_the_enterprise_only(
    network, login, username, django_assert_max_num_queries
):
    from qcportal.cache import generation_bump
    from reports.summaries import STATISTICS_GENERATION

    client = login(getattr(network.users, username))
    client.get(reverse("home"))  # the session's memberships are cached from here on
    generation_bump(STATISTICS_GENERATION)  # the figures computed again (R-SC-74)
    with CaptureQueriesContext(connection) as captured, django_assert_max_num_queries(18):
        response = client.get(reverse("home"))
    assert response.status_code == 200 and "stats" in response.context
    queries = statistics_queries(captured)
    # the figures (the enterprise's summary row), the yearly figures, circles per year, the to-dos
    assert len(queries) >= 5
    assert [sql for sql in queries if '"reports_enterprisestatistics"' in sql]
    for sql in queries:
        assert unbounded_reads(sql, network.e1.pk) == [], sql


def test_enterprise_home_figures_are_kept_until_they_change(
    network, login, django_capture_on_commit_callbacks
):
    """Rule R-SC-74: the second home of the enterprise reads its figures from the cache (no
    query on the summary, the yearly figures or the circles); a new circle registered through
    the service and new yearly figures show on the next request after their commit."""
    from circles import services
    from promotion.models import EnterpriseAnnualFigures
    from qcportal.models import Membership
    from qcportal.tenancy import membership_scope, no_tenant

    client = login(network.users.e1_coord)
    first = client.get(reverse("home"))
    before = sum(row["circles"] for row in first.context["by_year"])
    with CaptureQueriesContext(connection) as captured:
        again = client.get(reverse("home"))
    tables = ('"reports_enterprisestatistics"', '"promotion_enterpriseannualfigures"', "GROUP BY")
    assert not [q["sql"] for q in captured.captured_queries if any(t in q["sql"] for t in tables)]
    assert sum(row["circles"] for row in again.context["by_year"]) == before

    with no_tenant():
        coord = Membership.objects.select_related("organisation", "user").get(user=network.users.e1_coord)
    with django_capture_on_commit_callbacks(execute=True), membership_scope(coord):
        services.circle_register(
            membership=coord,
            name="缓存测试QC小组",
            members=[
                {"name": f"成员{i}", "role": "leader" if i == 0 else "member", "position": "工"}
                for i in range(3)
            ],
        )
    with django_capture_on_commit_callbacks(execute=True), no_tenant():
        figures = EnterpriseAnnualFigures.objects.get(organisation=network.e1, year=network.campaign.year)
        figures.total_employees = 4321
        figures.save()
    after = client.get(reverse("home"))
    assert sum(row["circles"] for row in after.context["by_year"]) == before + 1
    assert after.context["annual"]["total_employees"] == 4321


def test_enterprise_home_figures_are_unchanged(network, login):
    """The rewritten statistics give the figures of the hand computation (tests/reports)."""
    from circles.selectors import circle_statistics
    from qcportal.tenancy import tenant_scope

    with tenant_scope(network.e1):
        stats = circle_statistics(
            enterprises=[network.e1.pk],
            period_start=network.campaign.period_start,
            period_end=network.campaign.period_end,
        )
    with tenant_scope(network.e1):
        from circles.models import Circle, CircleMember, Project

        in_period = Circle.objects.filter(
            registered_on__gte=network.campaign.period_start, registered_on__lte=network.campaign.period_end
        )
        assert stats["circles_this_year"] == in_period.count()
        assert stats["members_this_year"] == CircleMember.objects.filter(circle__in=list(in_period)).count()
        results = Project.objects.filter(
            status="accepted",
            circle__in=list(in_period),
            accepted_on__gte=network.campaign.period_start,
            accepted_on__lte=network.campaign.period_end,
        )
        assert stats["circles_with_results"] == results.values("circle").distinct().count()
    assert stats["members_this_year"] > 0 and stats["circles_this_year"] > 0


def test_unit_home_overview_reads_each_enterprise_by_its_own_rows(network, login):
    client = login(network.users.ru1_coord)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("home")).status_code == 200
    overview = [q["sql"] for q in captured.captured_queries if "members_this_year" in q["sql"]]
    assert len(overview) == 1
    sql = overview[0]
    # Each subquery's tables are tied to the outer enterprise row: circles and members alike.
    members = sql[sql.index('"circles_circlemember"') : sql.index('"members_this_year"')]
    assert '."organisation_id" = ("qcportal_organisation"."id")' in members
    assert members.count('"organisation_id" = ("qcportal_organisation"."id")') == 2


LIST_CASES = [
    ("circles:circle-list", {"q": "小组", "overdue": "on", "department": "车间"}),
    ("circles:project-list", {"q": "焊接", "department": "车间", "overdue": "on"}),
    ("circles:project-list", {"q": "QC"}),
    ("circles:record-list", {"q": "焊接", "department": "车间", "overdue": "on"}),
]


@pytest.mark.parametrize(("route", "params"), LIST_CASES)
def test_enterprise_lists_filter_related_rows_by_the_enterprise_first(network, login, route, params):
    """A filter on a related row (a project's circle's department, a search in the circle's
    name, overdue projects) is a subquery of the enterprise's own rows, never a join."""
    client = login(network.users.e1_coord)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse(route), params).status_code == 200
    # The page's ids (and the capped count, which is skipped when the first page is short).
    listing = [
        q["sql"]
        for q in captured.captured_queries
        if re.match(r'SELECT (COUNT\(\*\) FROM \(SELECT )?"circles_\w+"\."id" AS "pk"', q["sql"])
    ]
    assert listing
    for sql in listing:
        assert " JOIN " not in sql
        assert unbounded_reads(sql, network.e1.pk) == [], sql
