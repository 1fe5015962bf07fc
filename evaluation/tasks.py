"""Celery tasks of the evaluation app."""

from celery import shared_task
from django.db import OperationalError

from .reminders import reminders_send


@shared_task(
    ignore_result=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
    soft_time_limit=10 * 60,
    time_limit=12 * 60,
)
def reminders_send_task() -> int:
    """Send the deadline reminders due today (Celery beat, daily at 08:00 Asia/Shanghai:
    ``CELERY_BEAT_SCHEDULE``; issue 7 item 9, rules R-PT-21 to R-PT-23).

    Inputs: none (system work across every tenant, so not a ``TenantTask``). Output: the
    number of notifications created. Idempotent: each reminder is recorded once in
    ``ReminderLog``, so a second run the same day, a restarted beat or a retry after a
    database ``OperationalError`` (up to 3 times) sends nothing twice.
    """
    return reminders_send()


@shared_task(
    ignore_result=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
    soft_time_limit=30 * 60,
    time_limit=32 * 60,
)
def library_index_task(project_ids: list[int]) -> int:
    """(Re)build the knowledge-base entries of the projects (issue 11 item 3, rule R-KB-01):
    segmentation, keywords and the report's text, outside the request that accepted a
    project, uploaded a report or published a judging.

    Inputs: project ids (system work across tenants, so not a ``TenantTask``). Output: the
    number of entries written. Idempotent: each entry is rebuilt from the rows as they are.
    """
    from .library import library_index

    return sum(1 for pid in project_ids if library_index(pid) is not None)
