"""Request middleware of QC Portal (besides tenancy and audit)."""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout, user_logged_in
from django.contrib.auth.views import redirect_to_login
from django.dispatch import receiver
from django.http import HttpResponse
from django.middleware.locale import LocaleMiddleware
from django.template.defaultfilters import filesizeformat
from django.utils import translation
from django.utils.translation import gettext as _

from .filters import MAX_ID


class ChineseFirstLocaleMiddleware(LocaleMiddleware):
    """Chinese unless the user chose another language (the language switch sets a cookie).

    Django's own middleware would follow the browser's ``Accept-Language``; the portal is
    Chinese first, so only an explicit choice switches to English.
    """

    def process_request(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class RequestSizeLimitMiddleware:
    """Refuse request bodies above ``settings.MAX_REQUEST_BYTES`` with 413 before reading them.

    Uploads are streamed to disk by Django; this bounds what a client can make the server
    store at all (each upload form then applies its own, smaller limit and type check).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.MAX_REQUEST_BYTES:
            return HttpResponse(
                _("请求过大：单次上传不能超过%(max)s。")
                % {"max": filesizeformat(settings.MAX_REQUEST_BYTES)},
                status=413,
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)


def client_ip(request) -> str:
    """The client's address: ``REMOTE_ADDR``, or, behind ``settings.PROXY_COUNT`` trusted
    reverse proxies, the address those proxies recorded in ``X-Forwarded-For`` (used by the
    rate limits; django-axes and the audit trail read the same header)."""
    proxies = getattr(settings, "PROXY_COUNT", 0)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR", "")


#: Session keys of :class:`SessionTimeoutMiddleware`: when the user logged in and when the
#: session was last used (seconds since the epoch).
SESSION_STARTED_KEY = "_qc_session_started"
SESSION_ACTIVITY_KEY = "_qc_session_activity"
#: The last activity is written at most once per this many seconds, so that ordinary
#: requests do not rewrite the session (the idle timeout is exact to within this).
ACTIVITY_RESOLUTION = 60


@receiver(user_logged_in, dispatch_uid="qcportal.session_started")
def _mark_session_start(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session[SESSION_STARTED_KEY] = now
        request.session[SESSION_ACTIVITY_KEY] = now


class SessionTimeoutMiddleware:
    """Log a session user out after ``settings.SESSION_IDLE_TIMEOUT`` seconds without a
    request, and ``settings.SESSION_ABSOLUTE_TIMEOUT`` seconds after the login whatever the
    activity (OWASP ASVS 3.3). HTML requests are then sent to the login page with a Chinese
    message; API requests go on anonymously (and are refused by the API's permissions).

    Only sessions are concerned: API requests with a token carry no session user.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        if session is not None and SESSION_KEY in session:
            expired = self._expired(session)
            if expired:
                logout(request)
                if not request.path.startswith("/api/"):
                    messages.warning(request, expired)
                    return redirect_to_login(request.get_full_path())
        return self.get_response(request)

    @staticmethod
    def _expired(session) -> str | None:
        now = int(time.time())
        started = session.setdefault(SESSION_STARTED_KEY, now)
        last = session.get(SESSION_ACTIVITY_KEY, now)
        if now - started > settings.SESSION_ABSOLUTE_TIMEOUT:
            return _("登录已超过最长有效期，请重新登录。")
        if now - last > settings.SESSION_IDLE_TIMEOUT:
            return _("您已长时间未操作，请重新登录。")
        if SESSION_ACTIVITY_KEY not in session or now - last >= ACTIVITY_RESOLUTION:
            session[SESSION_ACTIVITY_KEY] = now
        return None


#: The largest value a ``bigint`` primary key can hold: a larger id in a URL names nothing.
MAX_BIGINT = MAX_ID


class InputNormalisationMiddleware:
    """Where HTML requests' input enters (issue 9 item 3, R-SC-20…R-SC-22): every query
    parameter and every field of a form body is normalised once with
    :func:`qcportal.text.normalise_text` (NFC, bidi and other format characters removed) before
    any view, form, filter or service reads it; query parameters also lose their control
    characters (they are never stored); upload file names are normalised and lose theirs.

    Control characters in a form body are left for the form to refuse inline
    (``qcportal.forms_base.CleanInputMixin``). API bodies are normalised by the API's parsers
    (``qcportal.api``), not here, so that a DRF view parses its own body.

    A URL path segment holding a control or format character, or an integer beyond the
    ``bigint`` range (``99999999999999999999``), names no object: 404 before the view runs.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        from django.http import Http404

        from .text import (
            clean_file_name,
            has_control_characters,
            has_invisible_characters,
            normalise_querydict,
        )

        for name, value in [(None, v) for v in view_args] + list(view_kwargs.items()):
            if isinstance(value, int) and not -MAX_BIGINT <= value <= MAX_BIGINT:
                raise Http404
            if _names_an_id(name) and _beyond_any_id(value):
                raise Http404  # an API route's ``pk`` (a string there), beyond any id
            if isinstance(value, str) and (has_control_characters(value) or has_invisible_characters(value)):
                raise Http404
        request.GET = normalise_querydict(request.GET, strip=True)
        if request.method == "POST" and not _is_api_view(view_func):
            content_type = request.content_type or ""
            if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
                request.POST = normalise_querydict(request.POST)
                for _field, uploads in request.FILES.lists():
                    for upload in uploads:
                        upload.name = clean_file_name(upload.name)
        return None


def _names_an_id(name) -> bool:
    """True for a URL argument that holds an object id (``pk``, ``import_id``, ``round_pk``)."""
    return isinstance(name, str) and (name == "pk" or name.endswith(("_pk", "_id")))


def _beyond_any_id(value) -> bool:
    """True for a string of ASCII digits larger than any ``bigint`` id."""
    return (
        isinstance(value, str)
        and value.isascii()
        and value.isdigit()
        and (len(value) > 19 or int(value) > MAX_BIGINT)
    )


def _is_api_view(view_func) -> bool:
    """True for a Django REST framework view (it parses and normalises its own body)."""
    from rest_framework.views import APIView

    cls = getattr(view_func, "cls", None)
    return isinstance(cls, type) and issubclass(cls, APIView)
