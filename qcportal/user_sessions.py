"""Active sessions (issue 9 item 1; OWASP ASVS 3.3.2, 3.3.4): which browsers are signed in
as a user, and ending them.

A small own model (:class:`~qcportal.models.UserSession`) keyed by the Django session key,
written at login and refreshed at most once a minute, rather than django-user-sessions:
that package (2.0.0, December 2022, Django ≤ 4.1) replaces the session engine and its
middleware, while this keeps Django's database sessions and the timeout middleware as
they are.

- :func:`user_session_started` (``user_logged_in``) records the session;
- :func:`user_session_touch` (called by the account middleware) refreshes the last activity
  once a minute and follows the key when Django cycles it (password change, 2FA verification);
- :func:`user_sessions_active` lists the live ones (expired, idle or over the absolute
  timeout are left out and pruned);
- :func:`user_sessions_end` ends one, all or all but the current: the Django session is
  deleted, so its browser is signed out at once.

Deactivating a user ends all their sessions (:func:`qcportal.services.user_deactivate`); a
password change ends the user's other sessions and a password reset all of them
(:mod:`qcportal.security_views`).
"""

from __future__ import annotations

import datetime as dt
import time
from importlib import import_module

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils import timezone

from .models import UserSession

#: The session entry holding the id of the session's :class:`UserSession` row.
ROW_SESSION_KEY = "_qc_user_session"
#: When the row was last refreshed (seconds since the epoch), so that it is written at most
#: once per :data:`TOUCH_EVERY` seconds.
TOUCHED_SESSION_KEY = "_qc_user_session_touched"
TOUCH_EVERY = 60


def _client(request) -> tuple[str, str | None]:
    from .middleware import client_ip

    agent = (request.META.get("HTTP_USER_AGENT") or "")[:300]
    address = client_ip(request) or None
    return agent, address


def _ensure_key(session) -> str:
    if not session.session_key:
        session.save()
    return session.session_key


@receiver(user_logged_in, dispatch_uid="qcportal.user_session_started")
def user_session_started(sender, request, user, **kwargs) -> UserSession | None:
    """Record the session a user just signed in with (``user_logged_in`` receiver).

    Inputs: the login request (its session already cycled by ``login()``) and the user.
    Output: the new :class:`UserSession` (``None`` without a session). Source: issue 9 item 1.
    """
    session = getattr(request, "session", None) if request is not None else None
    if session is None:
        return None
    agent, address = _client(request)
    key = _ensure_key(session)
    now = timezone.now()
    row, _created = UserSession.objects.update_or_create(
        session_key=key,
        defaults={
            "user": user,
            "user_agent": agent,
            "ip_address": address,
            "started_at": now,
            "last_activity": now,
        },
    )
    session[ROW_SESSION_KEY] = row.pk
    session[TOUCHED_SESSION_KEY] = int(time.time())
    return row


def user_session_touch(request, *, force: bool = False) -> None:
    """Refresh the current session's row: last activity (at most once a minute unless
    ``force``), and its key when Django cycled the session since. A signed-in session
    without a row (one from before this feature) gets one. Source: issue 9 item 1."""
    session = request.session
    now = int(time.time())
    if not force and now - session.get(TOUCHED_SESSION_KEY, 0) < TOUCH_EVERY:
        return
    key = _ensure_key(session)
    agent, address = _client(request)
    updated = UserSession.objects.filter(pk=session.get(ROW_SESSION_KEY), user_id=request.user.pk).update(
        session_key=key, last_activity=timezone.now(), ip_address=address
    )
    if not updated:
        row, _created = UserSession.objects.update_or_create(
            session_key=key,
            defaults={"user_id": request.user.pk, "user_agent": agent, "ip_address": address},
        )
        session[ROW_SESSION_KEY] = row.pk
    session[TOUCHED_SESSION_KEY] = now


def current_row_id(request) -> int | None:
    """The id of the request's own :class:`UserSession` row (``None`` when unknown)."""
    return request.session.get(ROW_SESSION_KEY)


def _session_store():
    return import_module(settings.SESSION_ENGINE).SessionStore


def _live_keys(keys: list[str]) -> set[str] | None:
    """The keys among ``keys`` whose Django session still exists and has not expired, for
    database-backed session engines (``None``: cannot tell, treat all as live)."""
    if "db" not in settings.SESSION_ENGINE.rsplit(".", 1)[-1]:
        return None
    from django.contrib.sessions.models import Session

    return set(
        Session.objects.filter(session_key__in=keys, expire_date__gt=timezone.now()).values_list(
            "session_key", flat=True
        )
    )


def user_sessions_active(*, user) -> list[UserSession]:
    """The user's live sessions, most recently used first.

    A row counts as live while its Django session exists and is unexpired, it was used within
    ``SESSION_IDLE_TIMEOUT`` and started within ``SESSION_ABSOLUTE_TIMEOUT`` (the limits of
    :class:`qcportal.middleware.SessionTimeoutMiddleware`); other rows are deleted. Output: a
    list of :class:`UserSession`.
    """
    now = timezone.now()
    rows = list(UserSession.objects.filter(user=user).order_by("-last_activity", "-id"))
    live_keys = _live_keys([r.session_key for r in rows])
    idle = dt.timedelta(seconds=settings.SESSION_IDLE_TIMEOUT + TOUCH_EVERY)
    absolute = dt.timedelta(seconds=settings.SESSION_ABSOLUTE_TIMEOUT)
    live, dead = [], []
    for row in rows:
        alive = (
            (live_keys is None or row.session_key in live_keys)
            and now - row.last_activity <= idle
            and now - row.started_at <= absolute
        )
        (live if alive else dead).append(row)
    if dead:
        UserSession.objects.filter(pk__in=[r.pk for r in dead]).delete()
    return live


def user_sessions_end(*, user, pk: int | None = None, keep: int | None = None) -> int:
    """End sessions of ``user``: the one with row id ``pk``, or, without ``pk``, all of them
    except the row ``keep`` (the current session, or ``None`` for all).

    Each Django session is deleted from the session store (its browser is signed out at its
    next request) together with its row. Output: how many sessions were ended. A ``pk`` of
    another user's session ends nothing (0). Source: issue 9 item 1 (ASVS 3.3.4, 3.3.2).
    """
    rows = UserSession.objects.filter(user=user)
    if pk is not None:
        rows = rows.filter(pk=pk)
    if keep is not None:
        rows = rows.exclude(pk=keep)
    store = _session_store()
    ended = 0
    for row in list(rows):
        store(session_key=row.session_key).delete()
        row.delete()
        ended += 1
    return ended
