"""Celery tasks of the tenancy core."""

import datetime as dt

from celery import shared_task
from django.conf import settings
from django.db import OperationalError

from .audit_chain import prune
from .notifications import notification_emails_send
from .tenancy import TenantTask


@shared_task(ignore_result=True, soft_time_limit=5 * 60, time_limit=6 * 60, acks_late=True)
def notification_emails_send_task(*, notification_ids: list[int]) -> int:
    """E-mail the notifications ``notification_ids`` to the recipients who chose
    「邮件和站内通知」 (issue 7 item 9, rule R-PT-20).

    Inputs: notification ids (JSON). Output: the number of e-mails sent. Notifications are
    personal rows (not tenant data), so the task needs no tenant scope. Failures to send are
    logged by the service and never retried (a notice is not worth a second copy).
    """
    return notification_emails_send(notification_ids=notification_ids)


@shared_task(ignore_result=True, soft_time_limit=50 * 60, time_limit=55 * 60, acks_late=True)
def audit_prune_task() -> int:
    """Delete audit entries older than ``settings.AUDIT_RETENTION_DAYS`` (Celery beat, nightly;
    issue 9 item 5, rule R-SC-47) through :func:`qcportal.audit_chain.prune`.

    Inputs: none. Output: the number of entries deleted. The trail is not tenant data of one
    organisation, so the task needs no tenant scope; it is idempotent (a second run finds
    nothing older than the cut-off).
    """
    return prune()


@shared_task(ignore_result=True, soft_time_limit=20 * 60, time_limit=25 * 60, acks_late=True)
def orphan_files_remove_task() -> dict:
    """Remove stored files that no row references and that are older than
    ``settings.ORPHAN_FILES_GRACE_HOURS`` (:func:`qcportal.files.orphan_files_remove`; issue 9
    item 4, rule R-SC-36). Run daily by Celery beat (``CELERY_BEAT_SCHEDULE["orphan-files"]``).

    Inputs: none. Output: ``{"removed": n, "bytes": b, "scanned": n, "kept_recent": n}``;
    each removed file is logged. Safe to run twice or concurrently with uploads (files in the
    grace period and referenced files are kept). No tenant scope: files are not tenant data.
    """
    from .files import orphan_files_remove

    report = orphan_files_remove(grace=dt.timedelta(hours=settings.ORPHAN_FILES_GRACE_HOURS))
    return {
        "removed": len(report.removed),
        "bytes": report.bytes_removed,
        "scanned": report.scanned,
        "kept_recent": report.kept_recent,
    }


@shared_task(
    base=TenantTask,
    bind=True,
    ignore_result=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
    soft_time_limit=5 * 60,
    time_limit=6 * 60,
    acks_late=True,
)
def figure_refresh_task(self, *, name: str, params: dict, organisation_id: int) -> str:
    """Recompute the cached dashboard figure ``name`` for ``params`` and store it with its
    computation time (:func:`qcportal.cache.refresh`; issue 10 item 4), on the ``statistics``
    queue. Enqueued by the first request that finds the figure stale; the others are served
    the previous value meanwhile.

    Inputs: the registered computation's name, its keyword arguments (ids and primitives,
    JSON) and ``organisation_id``, the organisation whose tenant scope it runs in
    (``TenantTask``). Output: the cache key written. Idempotent (a second run stores a newer
    value of the same figure); releases the figure's lock however it ends; retries up to 3
    times on database ``OperationalError``. Hard limit 6 minutes, as the lock's lifetime.
    """
    from .cache import cache_key, refresh

    refresh(name, params)
    return cache_key(name, params)
