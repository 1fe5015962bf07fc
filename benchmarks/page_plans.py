"""Benchmark: what one page's SQL reads, statement by statement (EXPLAIN ANALYZE).

Requests a page as a demo login with Django's test ``Client`` on the database of
``DATABASE_URL`` (PostgreSQL, e.g. the demo grown with ``seed_demo --circles 200000``),
captures its SQL, and runs ``EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON)`` on each statement that
reads a table of ``--tables`` (default: the circles, evaluation and promotion apps). For
each statement it prints the execution time, the shared buffers touched and, per table, the
rows its scan nodes read (returned plus removed by filters, × loops) — a page of one enterprise should read
only that enterprise's rows, whatever the country's size. Then the page's median time over
``--repeat`` requests.

    python benchmarks/page_plans.py --login company --path / [--plans]

``--plans`` also prints each plan as text. ``--campaign CAQ-2020`` makes the home pages show
that campaign instead of the live one (its statistical period, 2019-06 … 2020-08, holds most
of the grown demo's circles). Prints figures only; asserts nothing.
"""

import argparse
import json
import logging
import os
import re
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qcportal.settings.local")
os.environ.setdefault("DEBUG", "False")
os.environ["ALLOWED_HOSTS"] = "localhost,testserver"

import django  # noqa: E402

django.setup()
logging.disable(logging.WARNING)

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from qcportal.models import User  # noqa: E402


def scans(node: dict, rows: dict) -> None:
    """Add the rows each scan node read to ``rows`` per table: those it returned and those
    its filters removed, times its loops."""
    relation = node.get("Relation Name")
    if relation:
        read = (
            node.get("Actual Rows", 0)
            + node.get("Rows Removed by Filter", 0)
            + node.get("Rows Removed by Index Recheck", 0)
        )
        rows[relation] += int(read * node.get("Actual Loops", 1))
    for child in node.get("Plans", []):
        scans(child, rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--login", default="company")
    parser.add_argument("--path", default="/")
    parser.add_argument("--tables", default=r"circles_|evaluation_|promotion_")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--plans", action="store_true", help="print each plan as text")
    parser.add_argument("--campaign", default="", help="campaign code the home pages show")
    args = parser.parse_args()
    if args.campaign:
        from promotion.models import Campaign
        from qcportal.tenancy import no_tenant
        from reports import views

        with no_tenant():
            shown = (
                Campaign.objects.select_related("organisation")
                .prefetch_related("stages")
                .get(code=args.campaign)
            )
        views.campaign_live = lambda organisation: shown

    client = Client(HTTP_HOST="localhost", raise_request_exception=True)
    client.force_login(User.objects.get(username=args.login))
    assert client.get(args.path).status_code == 200
    with CaptureQueriesContext(connection) as captured:
        client.get(args.path)
    pattern = re.compile(rf'"({args.tables})\w*"')
    total = 0.0
    print(f"{args.path} as {args.login}: {len(captured.captured_queries)} queries")
    for number, query in enumerate(captured.captured_queries, 1):
        sql = query["sql"]
        if not pattern.search(sql):
            continue
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {sql}")
            plan = cursor.fetchone()[0]
            plan = json.loads(plan) if isinstance(plan, str) else plan
            text = ""
            if args.plans:
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
                text = "\n".join(row[0] for row in cursor.fetchall())
        top = plan[0]
        rows: dict = defaultdict(int)
        scans(top["Plan"], rows)
        buffers = top["Plan"].get("Shared Hit Blocks", 0) + top["Plan"].get("Shared Read Blocks", 0)
        total += top["Execution Time"]
        read = ", ".join(
            f"{table} {n:,}" for table, n in sorted(rows.items()) if pattern.search(f'"{table}"')
        )
        print(f"#{number:<2} {top['Execution Time']:>9.2f} ms {buffers:>7,} buffers  rows read: {read}")
        print("    ", sql[:220])
        if text:
            print("\n".join("      " + line for line in text.splitlines()))
    print(f"sum of execution times: {total:.1f} ms")
    times = []
    for _ in range(args.repeat):
        start = time.perf_counter()
        client.get(args.path)
        times.append(time.perf_counter() - start)
    print(f"page median over {args.repeat} requests: {statistics.median(times) * 1000:.1f} ms")


if __name__ == "__main__":
    main()
