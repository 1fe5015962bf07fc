"""Delivery of notifications (通知): every in-app notification is also e-mailed to its
recipient when they chose 「邮件和站内通知」 (``User.notify_by_email``, issue 7 item 9).

- :func:`notifications_create` is the one place that writes :class:`~qcportal.models.Notification`
  rows (workflow side effects through :func:`qcportal.workflow.notify`, reminders through
  :func:`reminders_record`); it schedules the e-mails with ``transaction.on_commit``, so a
  rolled-back transition sends nothing and a slow mail server never holds a request.
- :func:`notification_emails_send` (run by the Celery task ``notification_emails_send_task``)
  e-mails the notifications whose recipient wants e-mail and has an address; a failure to send
  is logged, never shown to the user.
- :func:`reminders_record` records reminders in :class:`~qcportal.models.ReminderLog` so that
  each is sent once, however often Celery beat runs (rule R-PT-22).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence

from django.conf import settings
from django.core import mail
from django.db import connection, transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .models import Notification, ReminderLog

logger = logging.getLogger(__name__)

#: Longest e-mail subject (characters); longer notice texts are shortened with "…".
SUBJECT_MAX_CHARS = 120


def notifications_create(rows: Sequence[Notification]) -> list[Notification]:
    """Write in-app notifications and e-mail them after the transaction commits.

    Inputs: unsaved :class:`Notification` instances. Output: the saved rows (with ids).
    The e-mail task is enqueued with ``transaction.on_commit`` (nothing is sent when the
    surrounding transaction rolls back); enqueueing failures are logged, never raised
    (rule R-PT-20, issue 7 item 9).
    """
    if not rows:
        return []
    created = Notification.objects.bulk_create(rows)
    ids = [n.pk for n in created if n.pk is not None]
    if ids:
        transaction.on_commit(lambda: _enqueue_emails(ids), robust=True)
    return created


def _enqueue_emails(notification_ids: list[int]) -> None:
    """Send the e-mail task (after commit); a broker failure is logged, not raised."""
    from .tasks import notification_emails_send_task

    try:
        notification_emails_send_task.apply_async(kwargs={"notification_ids": notification_ids})
    except Exception:
        logger.exception("could not enqueue notification e-mails for %s", notification_ids)


def absolute_url(path: str) -> str:
    """``path`` (a site path such as ``/evaluation/submissions/3/``) as an absolute link on
    ``settings.SITE_URL``; an empty or foreign path gives the site's home page."""
    base = getattr(settings, "SITE_URL", "http://127.0.0.1:8000").rstrip("/")
    if not path or not path.startswith("/") or path.startswith("//"):
        return f"{base}/"
    return f"{base}{path}"


def notification_email(notification: Notification) -> tuple[str, str]:
    """The e-mail of one notification: ``(subject, body)`` in the active language.

    The subject is 「质量管理小组活动管理平台：<notice text>」 (shortened to 120 characters);
    the body holds the notice text, the reason or comment given with it, and the absolute
    link to the object's page (``SITE_URL`` + the notification's ``url``).
    """
    from .workflow import notice_text

    params = notification.params or {}
    comment = params.get("comment") or ""
    text = notice_text(notification, with_comment=False)
    subject = _("质量管理小组活动管理平台：%(text)s") % {"text": text}
    subject = " ".join(subject.split())
    if len(subject) > SUBJECT_MAX_CHARS:
        subject = subject[: SUBJECT_MAX_CHARS - 1] + "…"
    lines = [text]
    if comment:
        lines.append(_("说明：%(comment)s") % {"comment": comment})
    lines += [
        "",
        _("查看详情：%(url)s") % {"url": absolute_url(params.get("url") or "")},
        "",
        _(
            "本邮件由质量管理小组活动管理平台自动发送，请勿回复。如不需要邮件通知，可在平台的“通知设置”中选择“仅站内通知”。"
        ),
    ]
    return subject, "\n".join(lines)


def notification_emails_send(*, notification_ids: Iterable[int]) -> int:
    """E-mail the notifications ``notification_ids`` to recipients who want e-mail.

    Inputs: notification ids. Output: the number of e-mails sent. Recipients with
    ``notify_by_email`` off (「仅站内通知」) or without an e-mail address are skipped; the
    texts are in the site's default language (``LANGUAGE_CODE``). One SMTP connection for
    the batch; a failure to send is logged and the rest still go (rule R-PT-20).
    """
    rows = list(
        Notification.objects.filter(
            pk__in=list(notification_ids), recipient__notify_by_email=True, recipient__is_active=True
        )
        .exclude(recipient__email="")
        .select_related("recipient")
        .order_by("pk")
    )
    if not rows:
        return 0
    sent = 0
    with translation.override(settings.LANGUAGE_CODE):
        try:
            connection_ = mail.get_connection(fail_silently=False)
        except Exception:
            logger.exception("no e-mail connection for notifications %s", [n.pk for n in rows])
            return 0
        for notification in rows:
            subject, body = notification_email(notification)
            message = mail.EmailMessage(
                subject=subject,
                body=body,
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=[notification.recipient.email],
                connection=connection_,
            )
            try:
                sent += message.send()
            except Exception:
                logger.exception("could not e-mail notification %s", notification.pk)
        try:
            connection_.close()
        except Exception:
            logger.exception("could not close the e-mail connection")
    return sent


def reminders_record(keys: Iterable[str]) -> set[str]:
    """Record reminders as sent; output: the keys recorded now (not sent before).

    Inputs: reminder keys (e.g. ``stage:SAQ-2026:submission:3d:user42``, at most 200
    characters). Runs ``INSERT … ON CONFLICT (key) DO NOTHING RETURNING key`` on
    :class:`ReminderLog`, so a key already recorded — by an earlier run or by a concurrent
    one, which waits on the unique index until the other commits — is not returned. Call it
    in the same transaction as the notifications it guards: a rolled-back run records
    nothing (rule R-PT-22).
    """
    keys = sorted({k[:200] for k in keys})
    if not keys:
        return set()
    quote = connection.ops.quote_name
    table, key_col, sent_col = quote(ReminderLog._meta.db_table), quote("key"), quote("sent_at")
    now = timezone.now()
    recorded: set[str] = set()
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        values = ", ".join(["(%s, %s)"] * len(chunk))
        params: list = []
        for reminder_key in chunk:
            params += [reminder_key, now]
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} ({key_col}, {sent_col}) VALUES {values} "  # noqa: S608
                f"ON CONFLICT ({key_col}) DO NOTHING RETURNING {key_col}",
                params,
            )
            recorded.update(row[0] for row in cursor.fetchall())
    return recorded


def notification_list(*, user) -> QuerySet[Notification]:
    """The notifications of ``user`` (their own only, whatever membership acts), newest
    first, with the organisation joined."""
    return (
        Notification.objects.filter(recipient=user)
        .select_related("organisation")
        .order_by("-created_at", "-id")
    )


def notification_mark_read(*, user, pk: int) -> Notification:
    """Mark ``user``'s notification ``pk`` read (kept as it is when already read) and return
    it; raises ``Http404`` for a notification that is not theirs (never reveals another
    user's rows)."""
    notification = Notification.objects.filter(pk=pk, recipient=user).first()
    if notification is None:
        raise Http404
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=pk).update(read_at=notification.read_at)
    return notification


def notifications_mark_all_read(*, user) -> int:
    """Mark every unread notification of ``user`` read; output: how many were unread."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())


def notification_preference_set(*, user, notify_by_email: bool) -> None:
    """Record how ``user`` wants to be notified: ``True`` = 「邮件和站内通知」, ``False`` =
    「仅站内通知」 (``User.notify_by_email``; issue 7 item 9, rule R-PT-20)."""
    user.notify_by_email = bool(notify_by_email)
    user.save(update_fields=["notify_by_email"])
