"""Celery tasks of the reports app."""

from celery import shared_task
from django.db import OperationalError

from qcportal.tenancy import TenantTask

from .services import report_run_execute


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
