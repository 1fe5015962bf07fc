"""Celery tasks of the circles app."""

from celery import shared_task
from django.db import OperationalError

from qcportal.models import Membership
from qcportal.tenancy import TenantTask


@shared_task(
    base=TenantTask,
    bind=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=2,
    soft_time_limit=10 * 60,
    time_limit=12 * 60,
    acks_late=True,
)
def circle_import_task(self, *, import_id: int, membership_id: int) -> str:
    """Run the confirmed bulk import ``import_id`` in the scope of the membership that
    confirmed it (:func:`circles.imports.import_execute`).

    Inputs: ids only. Output: the import's final status. Idempotent (an import that is not
    waiting to run is left as it is); retried on database ``OperationalError``.
    """
    from .imports import import_execute

    membership = Membership._base_manager.select_related("user", "organisation").get(pk=membership_id)
    return import_execute(import_id=import_id, membership=membership).status
