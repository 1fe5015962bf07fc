"""Benchmark: the circle and project lists and the bulk import at national scale.

Loads the demo and the national shape for ``--circles`` (default 200,000) circles
(``seed_demo --circles N``, ``reports/national.py``; a database holding a national load of another
size is refused: flush it first) on PostgreSQL (``DATABASE_URL``;
``make bench`` provides a throwaway server), ``VACUUM ANALYZE`` (the state autovacuum keeps),
then:

1. Lists. For an enterprise (SAQ-PD-E1), a recommending unit (SAQ-PD) and a province (SAQ),
   the circle and project lists: the first page, a filtered page (status and year), a search
   and page 100, each timed five ways in the same run, interleaved, median of ``--repeat``:

   - ``request``: the real request (Django's test client logged in as the organisation's demo
     login): middleware, tenant scope, FilterSet, capped paginator, template;
   - ``data``: the page's data alone, as the view gets it (selector + FilterSet +
     ``CappedPaginator`` inside the membership's scope: the capped count and the page);
   - ``count`` and ``SQL``: the view's two statements (the capped count, the page) alone;
   - ``floor``: one hand-written SQL statement returning the same page (same columns, rows
     and order; the rows are checked equal to the request's links): the page's ids by the
     indexes over the tenant's organisations given as literal ids, then the per-row counts
     for those rows only.

   Prints the ratios to the floor and the SQL queries of one page request.
   Target: an enterprise's page ≤ 3× the floor.
2. Country size. The enterprise's first pages at the demo's default size (a scratch database,
   ``--small``; 0 skips it) and at ``--circles``: times, and the circle rows and buffers the
   count, the page statement and the floor touch (EXPLAIN ANALYZE).
3. Import. ``--import-rows`` (5,000) rows in the import template's format, imported by the
   enterprise's coordinator inside its scope: the check (``import_start(dry_run=True)``) and
   the import (``import_confirm`` + ``import_execute``), in a transaction rolled back
   afterwards so that the database does not grow. Target: ≤ 30 s.

Prints figures only; asserts nothing but that every way returns the same rows.
"""

import argparse
import atexit
import io
import json
import logging
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qcportal.settings.local")
os.environ.setdefault("DEBUG", "False")
MEDIA = tempfile.mkdtemp(prefix="qcportal-bench-media-")
os.environ["MEDIA_ROOT"] = MEDIA  # the import's uploaded files go to a folder removed at exit
atexit.register(shutil.rmtree, MEDIA, ignore_errors=True)

import django  # noqa: E402

django.setup()

import openpyxl  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.http import QueryDict  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from circles import imports, selectors  # noqa: E402
from circles.filtersets import CircleFilterSet, ProjectFilterSet  # noqa: E402
from circles.models import Circle  # noqa: E402
from circles.views import CircleListView, ProjectListView  # noqa: E402
from qcportal.models import Membership  # noqa: E402
from qcportal.otp import session_verified_with, totp_device  # noqa: E402
from qcportal.pagination import CappedPaginator  # noqa: E402
from qcportal.tenancy import SESSION_KEY, membership_scope, no_tenant, visible_organisations  # noqa: E402
from reports.demo import DEFAULT_CIRCLES  # noqa: E402

#: (organisation, demo login acting for it)
TENANTS = [("SAQ-PD-E1", "company"), ("SAQ-PD", "unit"), ("SAQ", "saq_staff")]
ENTERPRISE = TENANTS[0][0]
YEAR = 2019  # a registration year of the demo's circles (2016–2020)

# The floors: the page's ids by the indexes (ORDER BY … LIMIT/OFFSET over the tenant's
# organisations, given as literal ids), then the page's columns and per-row counts for those
# 25 rows only. {join} joins the circle when a filter needs it. The searches are Chinese
# (no letter case), so a plain LIKE finds the same rows as a case-insensitive one.
CIRCLE_SQL = """
SELECT c.id, c.name, c.department, c.registration_number, c.registered_on, c.status, o.name,
       (SELECT count(*) FROM circles_circlemember m WHERE m.circle_id = c.id) AS member_count,
       (SELECT m.name FROM circles_circlemember m WHERE m.circle_id = c.id AND m.role = 'leader') AS leader
FROM (SELECT c.id FROM circles_circle c
      WHERE c.organisation_id IN ({orgs}) {where}
      ORDER BY c.registered_on DESC NULLS FIRST, c.id DESC LIMIT %(limit)s OFFSET %(offset)s) page
JOIN circles_circle c ON c.id = page.id JOIN qcportal_organisation o ON o.id = c.organisation_id
ORDER BY c.registered_on DESC NULLS FIRST, c.id DESC
"""
PROJECT_SQL = """
SELECT p.id, p.title, p.project_type, p.applied_on, p.planned_end, p.status, c.name,
       (SELECT count(*) FROM circles_activityrecord a WHERE a.project_id = p.id) AS record_count,
       (SELECT count(*) FROM circles_recordcomment rc JOIN circles_activityrecord a ON a.id = rc.record_id
         WHERE a.project_id = p.id AND rc.status = 'open') AS open_comments
FROM (SELECT p.id FROM circles_project p {join}
      WHERE p.organisation_id IN ({orgs}) {where}
      ORDER BY p.applied_on DESC, p.id DESC LIMIT %(limit)s OFFSET %(offset)s) page
JOIN circles_project p ON p.id = page.id JOIN circles_circle c ON c.id = p.circle_id
ORDER BY p.applied_on DESC, p.id DESC
"""

#: list → (view, FilterSet, selector, floor SQL, detail URL name, pages: (label, params, floor WHERE))
LISTS = {
    "circles": (
        CircleListView,
        CircleFilterSet,
        selectors.circle_list,
        CIRCLE_SQL,
        "circles:circle-detail",
        [
            ("first page", {}, ""),
            (
                f"status+year {YEAR}",
                {"status": "registered", "year": str(YEAR)},
                f"AND c.status = 'registered' AND c.registration_year = {YEAR}",
            ),
            (
                "search 匠心",
                {"q": "匠心"},
                "AND (c.name LIKE '%%匠心%%' OR c.registration_number LIKE '%%匠心%%'"
                " OR c.department LIKE '%%匠心%%')",
            ),
            ("page 100", {"page": "100"}, ""),
        ],
    ),
    "projects": (
        ProjectListView,
        ProjectFilterSet,
        selectors.project_list,
        PROJECT_SQL,
        "circles:project-detail",
        [
            ("first page", {}, ""),
            (
                f"status+year {YEAR}",
                {"status": "accepted", "year": str(YEAR)},
                f"AND p.status = 'accepted' AND p.applied_on BETWEEN '{YEAR}-01-01' AND '{YEAR}-12-31'",
            ),
            (
                "search 焊接组件",
                {"q": "焊接组件"},
                "AND (p.title LIKE '%%焊接组件%%' OR p.registration_number LIKE '%%焊接组件%%'"
                " OR c.name LIKE '%%焊接组件%%')",
            ),
            ("page 100", {"page": "100"}, ""),
        ],
    ),
}


class Tenant:
    """One organisation's login: a logged-in test client, its membership, its visible organisations."""

    def __init__(self, code: str, username: str):
        with no_tenant():
            self.membership = Membership.objects.select_related("organisation", "user").get(
                organisation__code=code, user__username=username, is_active=True
            )
            self.org_ids = sorted(row["pk"] for row in visible_organisations(self.membership.organisation))
        self.code = code
        self.client = Client(HTTP_HOST="localhost", raise_request_exception=True)
        self.client.force_login(self.membership.user)
        session = self.client.session
        session[SESSION_KEY] = self.membership.pk
        device = totp_device(self.membership.user)
        if device is not None:  # association staff sign in with two-factor (issue 9): verified
            session_verified_with(session, device)
        session.save()


def median_times(functions: dict, repeat: int) -> dict:
    """Run each function once (warm-up), then ``repeat`` rounds of all of them interleaved;
    output: median seconds per name."""
    for fn in functions.values():
        fn()
    times = {name: [] for name in functions}
    for _ in range(repeat):
        for name, fn in functions.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}


def page_case(tenant: Tenant, list_name: str, params: dict, where: str):
    """The three ways of getting one page: functions returning the page's circle/project ids."""
    view, filterset_class, selector, sql, detail, _pages = LISTS[list_name]
    url = reverse(view_url(list_name))
    link = re.compile(re.escape(reverse(detail, args=[0])).replace("/0/", "/(\\d+)/"))
    per_page = view.paginate_by
    shown = {"number": int(params.get("page", 1))}  # the page the paginator answers (last page if beyond)
    join = "JOIN circles_circle c ON c.id = p.circle_id" if " c." in where else ""
    floor_sql = sql.format(orgs=", ".join(map(str, tenant.org_ids)), where=where, join=join)

    def page():
        response = tenant.client.get(url, params)
        assert response.status_code == 200, response.status_code
        return [int(pk) for pk in link.findall(response.content.decode())]

    def data():
        with membership_scope(tenant.membership):
            filterset = filterset_class(QueryDict(urlencode(params)), queryset=selector())
            queryset = filterset.qs if filterset.is_valid() else selector().none()
            paginator = CappedPaginator(queryset, per_page)
            current = paginator.get_page(params.get("page"))
            shown["number"] = current.number
            rows = [row.pk for row in current.object_list]
            assert paginator.count >= len(rows)  # the count the page shows
            return rows

    def floor_params():
        return {"limit": per_page, "offset": (shown["number"] - 1) * per_page}

    def floor():
        with connection.cursor() as cursor:
            cursor.execute(floor_sql, floor_params())
            return [row[0] for row in cursor.fetchall()]

    *count_sql, page_sql = queries_of(data)  # the capped count and the page, as the view sends them
    if not data():  # an empty result (a small enterprise of the national shape): the count only
        count_sql, page_sql = [*count_sql, page_sql], None

    def count():
        with connection.cursor() as cursor:
            for statement in count_sql:
                cursor.execute(statement)
                cursor.fetchall()

    def page_sql_rows():
        if page_sql is None:
            return []
        with connection.cursor() as cursor:
            cursor.execute(page_sql)
            return [row[0] for row in cursor.fetchall()]

    functions = {"page": page, "data": data, "count": count, "sql": page_sql_rows, "floor": floor}
    return functions, floor_sql, floor_params


def view_url(list_name: str) -> str:
    return {"circles": "circles:circle-list", "projects": "circles:project-list"}[list_name]


def queries_of(fn) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        fn()
    return [q["sql"] for q in captured.captured_queries]


def touched(sql: str, params=None, table: str = "circles_circle") -> dict:
    """EXPLAIN (ANALYZE, BUFFERS) of ``sql``: execution ms, rows of ``table`` read (returned or
    filtered out, all loops), shared buffers hit or read."""
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    top = plan[0]

    def walk(node):
        yield node
        for child in node.get("Plans", []):
            yield from walk(child)

    rows = sum(
        (n.get("Actual Rows", 0) + n.get("Rows Removed by Filter", 0)) * n.get("Actual Loops", 1)
        for n in walk(top["Plan"])
        if n.get("Relation Name") == table
    )
    buffers = top["Plan"].get("Shared Hit Blocks", 0) + top["Plan"].get("Shared Read Blocks", 0)
    return {"ms": top["Execution Time"], "rows": int(rows), "buffers": buffers}


def measure_lists(tenants: list[Tenant], repeat: int, only=None) -> list[dict]:
    results = []
    for tenant in tenants:
        for list_name, (_view, _fs, _sel, _sql, _detail, pages) in LISTS.items():
            for label, params, where in pages:
                if only and (tenant.code, list_name, label) not in only:
                    continue
                functions, floor_sql, floor_params = page_case(tenant, list_name, params, where)
                page_ids, data_ids, floor_ids = (functions[name]() for name in ("page", "data", "floor"))
                assert page_ids == data_ids == functions["sql"]() == floor_ids, (
                    tenant.code,
                    list_name,
                    label,
                )
                times = median_times(functions, repeat)
                page_queries = queries_of(functions["page"])
                data_queries = queries_of(functions["data"])
                shown = floor_params()["offset"] // floor_params()["limit"] + 1
                if shown != int(params.get("page", 1)):
                    label = f"{label} (→{shown})"  # beyond the last page: the last page
                results.append(
                    {
                        "tenant": tenant.code,
                        "list": list_name,
                        "label": label,
                        "rows": len(floor_ids),
                        **times,
                        "queries": len(page_queries),
                        "data_queries": data_queries,
                        "floor_sql": floor_sql,
                        "floor_params": floor_params(),
                    }
                )
    return results


def print_lists(results: list[dict]) -> None:
    print(
        f"{'tenant':<10}{'list':<9}{'page':<17}{'rows':>4}{'request':>8}{'data':>7}{'count':>7}{'SQL':>7}"
        f"{'floor':>7}{'req/fl':>7}{'data/fl':>8}{'SQL/fl':>7}{'queries':>8}"
    )
    for r in results:
        print(
            f"{r['tenant']:<10}{r['list']:<9}{r['label']:<17}{r['rows']:>4}{r['page'] * 1e3:>8.1f}"
            f"{r['data'] * 1e3:>7.1f}{r['count'] * 1e3:>7.1f}{r['sql'] * 1e3:>7.1f}{r['floor'] * 1e3:>7.1f}"
            f"{r['page'] / r['floor']:>7.1f}{r['data'] / r['floor']:>8.1f}{r['sql'] / r['floor']:>7.1f}"
            f"{r['queries']:>8}"
        )


def explain_enterprise(results: list[dict]) -> dict:
    """EXPLAIN figures of the enterprise's first circle page: the view's page query and count, and the floor."""
    r = next(
        r
        for r in results
        if r["tenant"] == ENTERPRISE and r["list"] == "circles" and r["label"] == "first page"
    )
    count_sql, page_sql = r["data_queries"][-2:]
    return {
        "count": touched(count_sql),
        "page": touched(page_sql),
        "floor": touched(r["floor_sql"], r["floor_params"]),
    }


def country_figures(tenants: list[Tenant], repeat: int) -> dict:
    with no_tenant():
        enterprise = next(t for t in tenants if t.code == ENTERPRISE)
        counts = {
            "country": Circle.objects.count(),
            "enterprise": Circle.objects.filter(organisation=enterprise.membership.organisation).count(),
        }
    only = {(ENTERPRISE, "circles", "first page"), (ENTERPRISE, "projects", "first page")}
    results = measure_lists([enterprise], repeat, only)
    return {**counts, "results": results, "explain": explain_enterprise(results)}


COUNTRY_HEADER = (
    f"{'circles':>9}{'ent.':>6} {'circles: request':>16}{'data':>6}{'count':>6}{'SQL':>6}{'floor':>6}"
    f" {'projects: request':>17}{'data':>6}{'count':>6}{'SQL':>6}{'floor':>6}"
    f" {'EXPLAIN count: rows':>19}{'buf':>6} {'SQL: rows':>9}{'buf':>6} {'floor: rows':>11}{'buf':>6}"
)


def print_country(figures: dict) -> None:
    c = next(r for r in figures["results"] if r["list"] == "circles")
    p = next(r for r in figures["results"] if r["list"] == "projects")
    e = figures["explain"]

    def ms(r, first):
        return "".join(
            f"{r[k] * 1e3:>{16 if first and k == 'page' else 17 if k == 'page' else 6}.1f}"
            for k in ("page", "data", "count", "sql", "floor")
        )

    print(
        f"{figures['country']:>9,}{figures['enterprise']:>6,} {ms(c, True)} {ms(p, False)}"
        f" {e['count']['rows']:>19,}{e['count']['buffers']:>6,} {e['page']['rows']:>9,}{e['page']['buffers']:>6,}"
        f" {e['floor']['rows']:>11,}{e['floor']['buffers']:>6,}"
    )


def small_country(small: int, repeat: int) -> dict:
    """The enterprise's first pages in a scratch database holding the default demo."""
    old_name = connection.settings_dict["NAME"]
    connection.settings_dict.setdefault("TEST", {})["NAME"] = f"{old_name}_lists_small_{os.getpid()}"
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        call_command("seed_demo", circles=small, stdout=io.StringIO())
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")  # as autovacuum leaves it: statistics, visibility map
        return country_figures([Tenant(*TENANTS[0])], repeat)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def import_workbook(rows: int) -> bytes:
    """A filled import template: ``rows`` circles of 3–6 members, names unique this year."""
    year = timezone.localdate().year
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "导入"
    ws.append(list(imports.HEADERS))
    positions = ("操作工", "技术员", "质检员", "班组长", "设备员")
    for i in range(rows):
        others = "；".join(f"组员{i}_{n}/{positions[n % len(positions)]}" for n in range(2 + i % 4))
        ws.append([f"压测导入{i:05d}QC小组", f"{i % 12 + 1}车间", year, f"组长{i}", "班长", others])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def measure_import(rows: int, repeat: int) -> dict:
    """Median seconds of the check and of the import (each run rolled back)."""
    content = import_workbook(rows)
    with no_tenant():
        membership = Membership.objects.select_related("organisation", "user").get(
            organisation__code=ENTERPRISE, user__username="company"
        )
    checks, runs = [], []
    for _ in range(repeat):
        upload = SimpleUploadedFile("压测导入.xlsx", content, content_type=next(iter(imports.XLSX)))
        with membership_scope(membership), transaction.atomic():
            start = time.perf_counter()
            job = imports.import_start(membership=membership, upload=upload, dry_run=True)
            checks.append(time.perf_counter() - start)
            assert job.status == "valid" and job.circles_created == rows, (job.status, job.errors[:3])
            start = time.perf_counter()
            imports.import_confirm(membership=membership, job=job)  # enqueues on commit: never here
            result = imports.import_execute(import_id=job.pk, membership=membership)
            runs.append(time.perf_counter() - start)
            assert result.status == "succeeded" and result.circles_created == rows, result.status
            members = result.members_created
            transaction.set_rollback(True)
    return {
        "bytes": len(content),
        "members": members,
        "check": statistics.median(checks),
        "import": statistics.median(runs),
        "all": [round(c, 2) for c in checks] + [round(r, 2) for r in runs],
    }


def main() -> None:
    logging.getLogger("celery").setLevel(logging.WARNING)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--circles", type=int, default=200_000)
    parser.add_argument(
        "--small", type=int, default=DEFAULT_CIRCLES, help="circles of the small country (0: skip)"
    )
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--import-rows", type=int, default=5_000)
    parser.add_argument("--import-repeat", type=int, default=3)
    parser.add_argument("--skip", choices=["lists", "import"], action="append", default=[])
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("This benchmark needs PostgreSQL: set DATABASE_URL (make bench starts a throwaway server).")
    small = small_country(args.small, args.repeat) if args.small and "lists" not in args.skip else None
    call_command("migrate", verbosity=0)
    start = time.perf_counter()
    call_command("seed_demo", circles=args.circles, stdout=io.StringIO())
    print(f"seed_demo --circles {args.circles}: {time.perf_counter() - start:.1f} s")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # as autovacuum leaves it: statistics, visibility map
    if "lists" not in args.skip:
        tenants = [Tenant(code, username) for code, username in TENANTS]
        print(
            f"\n1. Lists at {args.circles:,} circles (ms, median of {args.repeat}): request = the page "
            "request, data = selector+FilterSet+paginator, count/SQL = the view's count and page "
            "statements, floor = hand-written SQL; queries = SQL statements per request"
        )
        print_lists(measure_lists(tenants, args.repeat))
        print(
            "target: an enterprise's page ≤ 3× the floor; every way's rows were checked equal to the floor's"
        )
        print(
            f"\n2. {ENTERPRISE}'s first pages as the country grows (ms; EXPLAIN ANALYZE: circle rows read, buffers)"
        )
        print(COUNTRY_HEADER)
        if small:
            print_country(small)
        print_country(country_figures(tenants, args.repeat))
    if "import" not in args.skip:
        result = measure_import(args.import_rows, args.import_repeat)
        print(
            f"\n3. Import of {args.import_rows:,} rows ({result['members']:,} members, "
            f"{result['bytes'] / 1024:.0f} KB) by {ENTERPRISE}'s coordinator, median of {args.import_repeat}: "
            f"check {result['check']:.1f} s, import {result['import']:.1f} s "
            f"(runs: {result['all']}); target ≤ 30 s"
        )


if __name__ == "__main__":
    main()
