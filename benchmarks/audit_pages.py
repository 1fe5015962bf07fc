"""Benchmark: page 1 and page 1,000 of the audit trail at millions of entries.

On the database of ``DATABASE_URL`` (PostgreSQL with a large ``qcportal_auditentry``; the
issue's figure is 10,000,000 entries), for each ``--logins`` (default ``saq_admin``: a
province's subtree, and ``caq_admin``: the whole country), with Django's test ``Client``
(the session verified with the login's two-factor device):

- ``page 1``: ``/audit/`` (keys: the first 50 entries);
- ``page 1000 by keys``: ``/audit/?after=<id>``, the id of the last entry of page 999 (the link
  a reader following "下一页" 999 times gets);
- ``page 200 by number``: ``/audit/?page=200``, the deepest page the count cap (10,000 rows)
  lets a page number reach (OFFSET 9,950);
- ``OFFSET 49,950``: page 1,000 as the list's page statement with ``LIMIT 50 OFFSET 49950`` —
  what page 1,000 would cost without keys (SQL only, no request).

Prints the median of ``--repeat`` requests per case, the ratio of page 1,000 to page 1, the
total shown (「约 N 条」) and the keys statement's EXPLAIN (ANALYZE, BUFFERS) summary.
Prints figures only; asserts nothing.
"""

import argparse
import json
import logging
import os
import re
import statistics
import sys
import time
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
from django_otp import DEVICE_ID_SESSION_KEY  # noqa: E402

from qcportal.models import AuditEntry, Membership  # noqa: E402
from qcportal.otp import totp_device_ensure  # noqa: E402
from qcportal.selectors import audit_entry_list  # noqa: E402
from qcportal.tenancy import membership_scope, no_tenant  # noqa: E402

URL = "/audit/"
PER_PAGE = 50


def signed_in(username: str) -> tuple[Client, Membership]:
    """A client logged in as ``username`` with a verified second factor, and its membership."""
    with no_tenant():
        membership = (
            Membership.objects.select_related("user", "organisation").filter(user__username=username).first()
        )
        device = totp_device_ensure(user=membership.user)
    client = Client(HTTP_HOST="localhost", raise_request_exception=True)
    client.force_login(membership.user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client, membership


def median_ms(client: Client, params: dict, repeat: int) -> float:
    client.get(URL, params)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(URL, params)
        times.append(time.perf_counter() - start)
        assert response.status_code == 200
    return statistics.median(times) * 1000


def explain(sql: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {sql}")
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    top = plan[0]
    buffers = top["Plan"].get("Shared Hit Blocks", 0) + top["Plan"].get("Shared Read Blocks", 0)
    return f"{top['Execution Time']:.2f} ms, {buffers:,} buffers"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--logins", default="saq_admin,caq_admin")
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    with no_tenant():
        total = AuditEntry.objects.count()
    print(f"audit entries: {total:,}")
    for username in args.logins.split(","):
        client, membership = signed_in(username)
        with membership_scope(membership):
            listing = audit_entry_list()
            anchor = listing.values_list("pk", flat=True)[PER_PAGE * 999 - 1]
            offset_sql = listing.values("pk")[PER_PAGE * 999 : PER_PAGE * 1000].query.sql_with_params()
        first = client.get(URL)
        shown = first.content.decode().split('data-testid="page-total">')[1].split("</span>")[0]
        page_1000 = {"after": str(anchor)}
        with CaptureQueriesContext(connection) as captured:
            response = client.get(URL, page_1000)
        rows = [int(pk) for pk in re.findall(r'href="/audit/(\d+)/"', response.content.decode())]
        with membership_scope(membership):
            expected = list(listing.values_list("pk", flat=True)[PER_PAGE * 999 : PER_PAGE * 1000])
        keys_sql = next(
            q["sql"]
            for q in captured.captured_queries
            if q["sql"].startswith('SELECT "qcportal_auditentry"."id" AS "pk"')
        )
        times = {
            "page 1": median_ms(client, {}, args.repeat),
            "page 1000 by keys": median_ms(client, page_1000, args.repeat),
            "page 200 by number": median_ms(client, {"page": "200"}, args.repeat),
        }
        start = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(*offset_sql)
            cursor.fetchall()
        offset_ms = (time.perf_counter() - start) * 1000
        print(f"\n{username} ({membership.organisation.code}): shown 「{shown.strip()}」")
        print(f"  page 1000 by keys = rows 49,951–50,000 of the list: {rows == expected}")
        for name, ms in times.items():
            print(f"  {name:<20} {ms:>9.1f} ms")
        print(f"  {'OFFSET 49,950 (SQL)':<20} {offset_ms:>9.1f} ms")
        print(f"  page 1000 / page 1: {times['page 1000 by keys'] / times['page 1']:.2f}")
        print(f"  keys statement of page 1000: {explain(keys_sql)}")


if __name__ == "__main__":
    main()
