"""Celery tasks of the tenancy core."""

from celery import shared_task

from .notifications import notification_emails_send


@shared_task(ignore_result=True, soft_time_limit=5 * 60, time_limit=6 * 60, acks_late=True)
def notification_emails_send_task(*, notification_ids: list[int]) -> int:
    """E-mail the notifications ``notification_ids`` to the recipients who chose
    「邮件和站内通知」 (issue 7 item 9, rule R-PT-20).

    Inputs: notification ids (JSON). Output: the number of e-mails sent. Notifications are
    personal rows (not tenant data), so the task needs no tenant scope. Failures to send are
    logged by the service and never retried (a notice is not worth a second copy).
    """
    return notification_emails_send(notification_ids=notification_ids)
