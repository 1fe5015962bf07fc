"""Benchmark: the Annex 3 task at national scale against one raw SQL aggregate.

Loads the demo and the national shape for ``--circles`` (default 200,000) circles
(``seed_demo --circles N``, ``reports/national.py``; a database holding a national load of another
size is refused: flush it first) on PostgreSQL (``DATABASE_URL``;
``make bench`` provides a throwaway server), then times, for CAQ and SAQ:

- the Annex 3 task as the portal runs it (``form_render_task`` for an xlsx report run:
  statistics in SQL + the workbook), and the statistics alone;
- the single raw SQL statement that computes the same figures;

and prints the median of ``--repeat`` runs of each and the ratio task / raw SQL.
Target (issue 2): ratio ≤ 1.5. Prints figures only; asserts nothing.
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

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from promotion.models import Campaign  # noqa: E402
from qcportal.models import Organisation  # noqa: E402
from qcportal.tenancy import no_tenant, tenant_scope  # noqa: E402
from reports.models import ReportRun  # noqa: E402
from reports.statistics import annex3_figures  # noqa: E402
from reports.tasks import form_render_task  # noqa: E402

RAW_SQL = """
WITH ent AS (
    SELECT o.id FROM qcportal_organisation o
    WHERE o.kind = 'enterprise' AND o.path LIKE %(path)s
      AND (%(national)s OR o.industry_association_id IS NULL OR o.industry_association_id = %(assoc)s)
    UNION
    SELECT o.id FROM qcportal_organisation o WHERE o.industry_association_id = %(assoc)s AND %(industry)s
)
SELECT
  (SELECT count(*) FROM circles_circle c WHERE c.organisation_id IN (SELECT id FROM ent) AND c.registered_on <= %(end)s),
  (SELECT count(*) FROM circles_circle c WHERE c.organisation_id IN (SELECT id FROM ent)
      AND c.registered_on BETWEEN %(start)s AND %(end)s),
  (SELECT count(*) FROM circles_circlemember m JOIN circles_circle c ON c.id = m.circle_id
      WHERE m.organisation_id IN (SELECT id FROM ent) AND c.registered_on BETWEEN %(start)s AND %(end)s),
  (SELECT count(DISTINCT a.circle_id) FROM circles_activityrecord a
      WHERE a.organisation_id IN (SELECT id FROM ent) AND a.held_on BETWEEN %(start)s AND %(end)s),
  (SELECT sum(p.economic_benefit) FROM circles_project p WHERE p.organisation_id IN (SELECT id FROM ent)
      AND p.status = 'accepted' AND p.benefit_confirmed AND p.accepted_on <= %(end)s),
  (SELECT sum(p.economic_benefit) FROM circles_project p WHERE p.organisation_id IN (SELECT id FROM ent)
      AND p.status = 'accepted' AND p.benefit_confirmed AND p.accepted_on BETWEEN %(start)s AND %(end)s),
  (SELECT count(DISTINCT p.circle_id) FROM circles_project p JOIN circles_circle c ON c.id = p.circle_id
      WHERE p.organisation_id IN (SELECT id FROM ent) AND p.status = 'accepted'
        AND p.accepted_on BETWEEN %(start)s AND %(end)s AND c.registered_on BETWEEN %(start)s AND %(end)s),
  (SELECT sum(f.total_employees) FROM promotion_enterpriseannualfigures f
      WHERE f.organisation_id IN (SELECT id FROM ent) AND f.year = %(year)s),
  (SELECT sum(f.qc_activity_spending) FROM promotion_enterpriseannualfigures f
      WHERE f.organisation_id IN (SELECT id FROM ent) AND f.year = %(year)s),
  (SELECT sum(f.reward_spending) FROM promotion_enterpriseannualfigures f
      WHERE f.organisation_id IN (SELECT id FROM ent) AND f.year = %(year)s)
"""


def timed(fn, repeat):
    """Median wall time of ``repeat`` calls (seconds) and the last result."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def raw_sql(association, campaign):
    params = {
        "path": f"{association.path}%",
        "national": association.kind == "national_association",
        "industry": association.kind == "industry_association",
        "assoc": association.pk,
        "start": campaign.period_start,
        "end": campaign.period_end,
        "year": campaign.year,
    }
    with connection.cursor() as cursor:
        cursor.execute(RAW_SQL, params)
        return cursor.fetchone()


def task(association, campaign):
    with no_tenant():
        run = ReportRun.objects.create(
            organisation=association, campaign=campaign, form="annex3", file_format="xlsx"
        )
    form_render_task.apply(kwargs={"run_id": run.pk, "organisation_id": association.pk}, throw=True)
    with no_tenant():
        run.refresh_from_db()
    assert run.status == "succeeded", run.error
    return run


def main() -> None:
    logging.getLogger("celery").setLevel(logging.WARNING)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--circles", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("This benchmark needs PostgreSQL: set DATABASE_URL (make bench starts a throwaway server).")
    call_command("migrate", verbosity=0)
    start = time.perf_counter()
    call_command("seed_demo", circles=args.circles)
    print(f"seed_demo --circles {args.circles}: {time.perf_counter() - start:.1f} s")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    with no_tenant():
        campaign = Campaign.objects.get(code="CAQ-2020")
        associations = [Organisation.objects.get(code=code) for code in ("CAQ", "SAQ", "MIQA")]
    print(
        f"{'association':<12}{'task (s)':>10}{'stats (s)':>11}{'raw SQL (s)':>13}{'task/raw':>10}{'stats/raw':>11}"
    )
    for association in associations:
        timed(lambda a=association: raw_sql(a, campaign), 1)  # warm the cache
        raw_time, raw = timed(lambda a=association: raw_sql(a, campaign), args.repeat)
        task_time, _ = timed(lambda a=association: task(a, campaign), args.repeat)
        with tenant_scope(association):
            stats_time, figures = timed(
                lambda a=association: annex3_figures(campaign=campaign, association=a), args.repeat
            )
        assert raw[0] == figures.circles_cumulative_count and raw[1] == figures.circles_this_year_count, (
            raw,
            figures,
        )
        assert raw[2] == figures.members_this_year and raw[3] == figures.circles_active_count, (raw, figures)
        assert raw[6] == figures.circles_with_results_count, (raw, figures)
        print(
            f"{association.code:<12}{task_time:>10.3f}{stats_time:>11.3f}{raw_time:>13.3f}"
            f"{task_time / raw_time:>10.2f}{stats_time / raw_time:>11.2f}"
        )
    print("ratio target ≤ 1.5; the task's figures were checked equal to the raw SQL's")


if __name__ == "__main__":
    main()
