"""Celery tasks of the reports app."""

import datetime as dt

from celery import shared_task
from django.db import OperationalError

from qcportal.tenancy import TenantTask

from .services import report_run_execute

SWEEP_LOCK_KEY = "reports:statistics-sweep"


@shared_task(
    base=TenantTask,
    bind=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
    soft_time_limit=25 * 60,
    time_limit=30 * 60,
    acks_late=True,
)
def form_render_task(
    self, *, run_id: int, membership_id: int | None = None, organisation_id: int | None = None
) -> str:
    """Render the official form of report run ``run_id`` in the scope of the membership that
    asked (``membership_id``) or, for the command line, of ``organisation_id``.

    Inputs: ids only (JSON). Output: the run's final status (``succeeded``/``failed``).
    Retries up to 3 times on database ``OperationalError``; idempotent (a finished run is
    left as it is). Runs on the ``exports`` queue (qcportal/queues.py); the form's figures are
    read from the read replica when one is configured (``replica_reads`` around the rendering
    in :func:`reports.services.report_run_execute`; the run's bookkeeping stays on the primary).
    """
    return report_run_execute(run_id=run_id).status


@shared_task(ignore_result=True, soft_time_limit=50 * 60, time_limit=55 * 60, acks_late=True)
def statistics_period_build_task(*, period_start: str, period_end: str) -> int:
    """Build the statistics summary's ``campaign`` rows of one statistical period for every
    enterprise (:func:`reports.summaries.build_first_or_period`: the first build of a
    database that predates the summary rebuilds everything), enqueued when a campaign is saved
    with a new period (issue 10 item 2; seed 002 Annex 3).

    Inputs: the period's bounds as ISO dates. Output: rows written. Summary rows are system
    data over every tenant, so the task needs no tenant scope; idempotent (a second run
    rebuilds the same rows); retried by the sweep if lost.
    """
    from .summaries import build_first_or_period

    return build_first_or_period(dt.date.fromisoformat(period_start), dt.date.fromisoformat(period_end))


@shared_task(ignore_result=True, soft_time_limit=9 * 60, time_limit=10 * 60, acks_late=True)
def statistics_sweep_task() -> dict:
    """Catch up on the statistics summary (Celery beat every ``STATISTICS_SWEEP_SECONDS``;
    :func:`reports.summaries.sweep`): build the campaign periods not built yet and refresh
    the enterprises left in the dirty queue (a crash between commit and refresh).

    Inputs: none. Output: ``{"periods_built": n, "enterprises_refreshed": n, "rollups_refreshed": n}``, or
    ``{"skipped": True}`` while another sweep holds the lock (cache, 10 minutes). No tenant
    scope (system data); safe to run any number of times.
    """
    from django.core.cache import cache

    from .summaries import sweep

    if not cache.add(SWEEP_LOCK_KEY, 1, 10 * 60):
        return {"skipped": True}
    try:
        return sweep()
    finally:
        cache.delete(SWEEP_LOCK_KEY)


@shared_task(ignore_result=True, soft_time_limit=50 * 60, time_limit=55 * 60, acks_late=True)
def statistics_rollup_rebuild_task() -> int:
    """Rebuild every association's and unit's rollup of the statistics summary (nightly,
    Celery beat; :func:`reports.rollups.rollup_rebuild`), so that an organisation an
    enterprise moved away from, or one built before any change reached it, is exact by the
    next morning (the sweep keeps the others current within ``STATISTICS_SWEEP_SECONDS``).

    Inputs: none. Output: rows written. No tenant scope (system data); safe to rerun.
    """
    from .rollups import rollup_rebuild

    return rollup_rebuild()
