"""Benchmark: the statistics summary (reports.summaries, issue 10 item 2) at national shape.

With ``--load`` it first fills an EMPTY PostgreSQL database (``DATABASE_URL``, migrated) with
a synthetic national shape in a few set-based statements: 1 national, 32 provincial and 30
industry associations, 2,000 recommending units, ``--enterprises`` enterprises (5 % directly
affiliated to an industry association), ``--circles`` circles skewed over the enterprises (a
few large groups, many small firms) registered 2016–2025 with 3–12 members each (≈7.5), one
project each (60 % accepted, 85 % of those with confirmed benefit, 30 % innovation), 2–8
activity records each, and campaigns (national 2017–2025 with periods June–August of the
next year, three provinces with calendar-year periods). Then ANALYZE.

Then it times and prints (median of ``--repeat``):

- ``rebuild_statistics()`` — rows written, seconds, rows/s (written and source rows read);
- ``refresh_enterprise_statistics`` for the largest and a median enterprise (the work after a
  write's commit), and the statements a write adds inside its transaction;
- Annex 3's circle figures for the national association: from the summary (one SUM over the
  campaign rows) against the live aggregate (``circle_statistics``), and ``annex3_figures``.

Prints figures only; asserts nothing.
"""

import argparse
import logging
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qcportal.settings.local")
os.environ.setdefault("DEBUG", "False")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from circles.models import Circle  # noqa: E402
from circles.selectors import circle_statistics  # noqa: E402
from promotion.models import Campaign  # noqa: E402
from qcportal.models import Organisation  # noqa: E402
from qcportal.tenancy import no_tenant, tenant_scope  # noqa: E402
from reports import summaries  # noqa: E402
from reports.statistics import annex3_figures, reporting_enterprises  # noqa: E402

LOAD = [
    # organisations: national, 32 provinces, 30 industries, 2,000 units, N enterprises
    """INSERT INTO qcportal_organisation (code, name, short_name, kind, path, depth, unit_kind, region,
        industry, address, postcode, qc_department, qc_department_head, contact_person, contact_phone,
        contact_mobile, contact_email, is_active, created_at, circle_number_pattern, parent_id)
       VALUES ('CAQ', '中国质量协会', '中国质协', 'national_association', '/CAQ/', 0, '', '', '', '', '', '',
        '', '', '', '', '', true, now(), '', NULL)""",
    """INSERT INTO qcportal_organisation (code, name, short_name, kind, path, depth, unit_kind, region,
        industry, address, postcode, qc_department, qc_department_head, contact_person, contact_phone,
        contact_mobile, contact_email, is_active, created_at, circle_number_pattern, parent_id)
       SELECT code, code || '质量协会', '', kind, '/CAQ/' || code || '/', 1, '', '', '', '', '', '', '', '',
        '', '', '', true, now(), '', (SELECT id FROM qcportal_organisation WHERE code = 'CAQ')
       FROM (SELECT 'P' || lpad(i::text, 2, '0') AS code, 'regional_association' AS kind
             FROM generate_series(1, 32) i
             UNION ALL SELECT 'I' || lpad(i::text, 2, '0'), 'industry_association'
             FROM generate_series(1, 30) i) a""",
    # units: 1,800 under provinces, 200 under industries
    """INSERT INTO qcportal_organisation (code, name, short_name, kind, path, depth, unit_kind, region,
        industry, address, postcode, qc_department, qc_department_head, contact_person, contact_phone,
        contact_mobile, contact_email, is_active, created_at, circle_number_pattern, parent_id)
       SELECT 'U' || lpad(i::text, 4, '0'), '推荐单位' || i, '', 'recommending_unit', a.path || 'U' || lpad(i::text, 4, '0') || '/',
        2, '', '', '', '', '', '', '', '', '', '', '', true, now(), '', a.id
       FROM generate_series(1, 2000) i
       JOIN qcportal_organisation a ON a.code = CASE WHEN i <= 1800 THEN 'P' || lpad((1 + i % 32)::text, 2, '0')
                                               ELSE 'I' || lpad((1 + i % 30)::text, 2, '0') END""",
    """INSERT INTO qcportal_organisation (code, name, short_name, kind, path, depth, unit_kind, region,
        industry, address, postcode, qc_department, qc_department_head, contact_person, contact_phone,
        contact_mobile, contact_email, is_active, created_at, circle_number_pattern, parent_id,
        industry_association_id)
       SELECT 'E' || i, '企业' || i, '', 'enterprise', u.path || 'E' || i || '/', 3, '', '', '', '', '', '',
        '', '', '', '', '', true, now(), '', u.id,
        CASE WHEN i % 20 = 0 THEN (SELECT id FROM qcportal_organisation WHERE code = 'I' || lpad((1 + i % 30)::text, 2, '0')) END
       FROM generate_series(1, %(enterprises)s) i
       JOIN qcportal_organisation u ON u.code = 'U' || lpad((1 + i % 2000)::text, 4, '0')""",
    # circles: enterprise rank = floor(N * random()^2): a few large groups, many small firms
    """CREATE TEMP TABLE bench_enterprise AS
       SELECT row_number() OVER (ORDER BY id) - 1 AS rank, id FROM qcportal_organisation WHERE kind = 'enterprise'""",
    """INSERT INTO circles_circle (department, name, status, registration_number, registration_year, registered_on,
        created_at, organisation_id)
       SELECT '', 'QC小组' || g, 'registered', 'C' || g, extract(year FROM d)::int, d, now(), e.id
       FROM (SELECT g, date '2016-01-01' + (random() * 3651)::int AS d,
                    floor(%(enterprises)s * random() ^ 2)::int AS rank
             FROM generate_series(1, %(circles)s) g) s
       JOIN bench_enterprise e ON e.rank = s.rank""",
    """INSERT INTO circles_circlemember (name, role, position, position_order, circle_id, organisation_id)
       SELECT '成员' || n, CASE WHEN n = 1 THEN 'leader' ELSE 'member' END, '', n, c.id, c.organisation_id
       FROM circles_circle c CROSS JOIN LATERAL generate_series(1, 3 + (c.id * 7) % 10) n""",
    """INSERT INTO circles_project (title, project_type, target_kind, status, applied_on, registered_on,
        accepted_on, baseline_value, target_value, achieved_value, economic_benefit, benefit_confirmed,
        benefit_confirmed_by, benefit_confirmed_on, intangible_benefits, indicator, reasons, unit, circle_id,
        organisation_id)
       SELECT '课题' || c.id, t.type, CASE WHEN t.type = 'problem_solving' THEN 'self_set' END,
        CASE WHEN a.accepted THEN 'accepted' ELSE 'in_progress' END, c.registered_on, c.registered_on,
        CASE WHEN a.accepted THEN c.registered_on + 30 + (c.id % 370)::int END, '', '', '',
        CASE WHEN a.accepted THEN round((random() * 150)::numeric, 2) ELSE 0 END,
        a.accepted AND c.id % 7 <> 0, CASE WHEN a.accepted AND c.id % 7 <> 0 THEN '财务部' ELSE '' END,
        CASE WHEN a.accepted AND c.id % 7 <> 0 THEN c.registered_on + 30 + (c.id % 370)::int END,
        '', '', '', '', c.id, c.organisation_id
       FROM circles_circle c
       CROSS JOIN LATERAL (SELECT c.id % 10 < 6 AS accepted) a
       CROSS JOIN LATERAL (SELECT CASE WHEN c.id % 10 >= 7 THEN 'innovation' ELSE 'problem_solving' END AS type) t""",
    """INSERT INTO circles_activityrecord (step, held_on, participant_count, content, tools, data_before,
        data_after, organisation_id, circle_id, project_id, created_at)
       SELECT 'topic', p.applied_on + (n * 41 + p.id % 30)::int, 3, '', '', '', '', p.organisation_id,
        p.circle_id, p.id, now()
       FROM circles_project p CROSS JOIN LATERAL generate_series(1, 2 + (p.id * 3) % 7) n""",
    """INSERT INTO promotion_campaign (code, year, title, document_number, theme, period_start, period_end,
        status, score_trim_min_judges, created_at, updated_at, organisation_id, grade_scheme, submission_quota)
       SELECT 'CAQ-' || y, y, y || '年度全国活动', '', '', make_date(y - 1, 6, 1), make_date(y, 8, 31), 'closed',
        5, now(), now(), (SELECT id FROM qcportal_organisation WHERE code = 'CAQ'), 'benchmark_excellent', 2
       FROM generate_series(2017, 2025) y
       UNION ALL
       SELECT p || '-' || y, y, y || '年度省活动', '', '', make_date(y, 1, 1), make_date(y, 12, 31), 'closed', 5,
        now(), now(), (SELECT id FROM qcportal_organisation WHERE code = p), 'benchmark_excellent', 2
       FROM generate_series(2017, 2025) y CROSS JOIN (VALUES ('P01'), ('P02'), ('P03')) v(p)""",
]


def load(enterprises: int, circles: int) -> None:
    """Fill the empty database with the synthetic national shape (see the module docstring)."""
    if Organisation._base_manager.exists():
        sys.exit("--load needs an empty (migrated) database")
    started = time.perf_counter()
    with connection.cursor() as cursor:
        # consistent by construction: no per-row foreign-key triggers (superuser), one
        # transaction per statement
        cursor.execute("SET session_replication_role = replica")
        for sql in LOAD:
            t = time.perf_counter()
            with transaction.atomic():
                cursor.execute(sql.replace(" % ", " %% "), {"enterprises": enterprises, "circles": circles})
            print(
                f"  {sql.split()[2]:<24} {cursor.rowcount:>12,} rows {time.perf_counter() - t:8.1f} s",
                flush=True,
            )
        cursor.execute("SET session_replication_role = DEFAULT")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"loaded in {time.perf_counter() - started:.0f} s")


def timed(fn, repeat: int = 1):
    """(median seconds, last result) of ``repeat`` calls of ``fn``."""
    times, result = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), result


def count(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {table}")  # noqa: S608 (fixed names)
        return cursor.fetchone()[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--load", action="store_true", help="fill an empty database first")
    parser.add_argument("--enterprises", type=int, default=100_000)
    parser.add_argument("--circles", type=int, default=2_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-rebuild", action="store_true")
    args = parser.parse_args()
    logging.disable(logging.INFO)
    if connection.vendor != "postgresql":
        sys.exit("PostgreSQL only (DATABASE_URL)")
    with no_tenant():
        if args.load:
            load(args.enterprises, args.circles)
        sizes = {
            t: count(t)
            for t in ("circles_circle", "circles_circlemember", "circles_project", "circles_activityrecord")
        }
        source_rows = sum(sizes.values())
        print("source rows:", ", ".join(f"{t.split('_', 1)[1]} {n:,}" for t, n in sizes.items()))
        print("enterprises:", f"{Organisation._base_manager.filter(kind='enterprise').count():,}")

        if not args.skip_rebuild:
            seconds, written = timed(summaries.rebuild_statistics)
            print(
                f"rebuild_statistics: {written:,} rows in {seconds:.1f} s = {written / seconds:,.0f} rows written/s, "
                f"{source_rows / seconds:,.0f} source rows read/s"
            )
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT period_kind, count(*) FROM reports_enterprisestatistics GROUP BY 1 ORDER BY 1"
            )
            print("summary rows:", ", ".join(f"{k} {n:,}" for k, n in cursor.fetchall()))
            cursor.execute("SELECT organisation_id, count(*) FROM circles_circle GROUP BY 1 ORDER BY 2 DESC")
            per_enterprise = cursor.fetchall()
        largest, median = per_enterprise[0], per_enterprise[len(per_enterprise) // 2]
        for label, (org, circles) in (("largest", largest), ("median", median)):
            seconds, _ = timed(lambda org=org: _refresh(org), args.repeat)
            print(f"refresh after a write, {label} enterprise ({circles:,} circles): {seconds * 1000:.1f} ms")

        circle = Circle._base_manager.filter(organisation_id=median[0]).first()
        with CaptureQueriesContext(connection) as queries, transaction.atomic():
            circle.save()
            circle.save()
            transaction.set_rollback(True)
        added = [q for q in queries.captured_queries if "reports_" in q["sql"]]
        print(f"queries a transaction saving a circle twice adds in the transaction: {len(added)}")
        with CaptureQueriesContext(connection) as queries:
            summaries.refresh_after_commit([median[0]], token=0)
        print(f"statements of the after-commit refresh: {len(queries)}")

    caq = Organisation._base_manager.get(code="CAQ")
    campaign = Campaign._base_manager.filter(organisation=caq).order_by("-year").first()
    bounds = {"period_start": campaign.period_start, "period_end": campaign.period_end}
    with tenant_scope(caq):
        enterprises = reporting_enterprises(caq)
        summary_s, summary = timed(
            lambda: summaries.circle_statistics_from_summary(enterprises=enterprises, **bounds), args.repeat
        )
        live_s, live = timed(lambda: circle_statistics(enterprises=enterprises, **bounds), args.repeat)
        form_s, figures = timed(lambda: annex3_figures(campaign=campaign, association=caq), args.repeat)
    same = all(summary[k] == (live[k] or 0) for k in live)
    print(
        f"Annex 3 circle figures, national, {campaign.code}: summary {summary_s * 1000:.0f} ms, "
        f"live {live_s * 1000:.0f} ms (×{live_s / summary_s:.0f}); equal: {same}"
    )
    print(f"annex3_figures (national, source {figures.source}): {form_s * 1000:.0f} ms")


def _refresh(org: int) -> None:
    with transaction.atomic():
        summaries.refresh_enterprise_statistics([org])


if __name__ == "__main__":
    main()
