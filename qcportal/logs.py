"""Structured logs (issue 9, item 8; rules R-SC-56 … R-SC-58).

Every log record carries ``request_id`` (:class:`RequestIdMiddleware`, first in the chain,
keeps a sane incoming ``X-Request-ID`` — 8 to 128 letters, digits and ``._:-`` — or makes a
new one, and returns it in the response's ``X-Request-ID`` header), ``organisation_id`` and
``user_id`` (the acting membership, set by :class:`RequestContextMiddleware` after
``qcportal.tenancy.TenantMiddleware``), and in a Celery task ``task_id`` and ``task_name``;
a task published by a request carries that request's id.

django-guid and django-log-request-id were considered: the first accepts any string that
``uuid.UUID`` parses, which allows an unbounded run of hyphens, and its Celery integration
replaces the request's id during an eager task; the second does not check the incoming
header at all. The middleware here is a few lines.

``LOG_FORMAT=json`` (production's default) writes one JSON object per line to stdout
(python-json-logger); ``text`` (local and tests) a readable line.

Nothing here reads the database: the ids come from the request's membership and the task.
"""

from __future__ import annotations

import logging
import re
import uuid
from contextvars import ContextVar

from pythonjsonlogger.json import JsonFormatter as BaseJsonFormatter

#: The acting organisation and user of the current request or task, or None.
log_context: ContextVar[dict | None] = ContextVar("qcportal_log_context", default=None)
#: The id of the current request (or of the request that published the current task), or None.
request_id_var: ContextVar[str | None] = ContextVar("qcportal_request_id", default=None)

#: The request and response header of the request id.
REQUEST_ID_HTTP_HEADER = "X-Request-ID"
#: An incoming request id is kept only when it matches this: bounded length, safe characters.
REQUEST_ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{7,127}")
#: The Celery message header that carries the publishing request's id to the task.
REQUEST_ID_HEADER = "qcportal_request_id"

#: The record attributes every formatter can rely on (set by :class:`RequestContextFilter`).
CONTEXT_FIELDS = ("request_id", "organisation_id", "user_id", "task_id", "task_name")


def log_context_set(*, organisation_id: int | None, user_id: int | None):
    """Make ``organisation_id`` and ``user_id`` the acting ones of the current context; returns
    the token for :func:`log_context_reset`."""
    return log_context.set({"organisation_id": organisation_id, "user_id": user_id})


def log_context_reset(token) -> None:
    """Restore the acting organisation and user that were current before ``token``'s set."""
    log_context.reset(token)


def log_context_clear() -> None:
    """Forget the acting organisation and user."""
    log_context.set(None)


def request_context_clear(**kwargs) -> None:
    """Forget the request id and the acting organisation and user (at ``request_finished``)."""
    request_id_var.set(None)
    log_context.set(None)


def request_id_for(incoming: str | None) -> str:
    """The id of a request: ``incoming`` (its ``X-Request-ID`` header) when it matches
    :data:`REQUEST_ID_PATTERN`, else a new random one (32 hex digits) (R-SC-56)."""
    if incoming and REQUEST_ID_PATTERN.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """First in ``MIDDLEWARE``: gives the request its id (:func:`request_id_for`) as
    ``request.request_id`` and for every log record, forgets the previous request's acting
    organisation and user, and sets the response's ``X-Request-ID`` header (R-SC-56).

    The id and the acting organisation stay set until the response is closed
    (``request_finished``, after Django's own ``django.request`` records), then are cleared:
    what the thread logs between requests carries neither.
    """

    def __init__(self, get_response):
        from django.core.signals import request_finished

        self.get_response = get_response
        request_finished.connect(request_context_clear, dispatch_uid="qcportal.logs.request_finished")

    def __call__(self, request):
        request.request_id = request_id_for(request.META.get("HTTP_X_REQUEST_ID"))
        request_id_var.set(request.request_id)
        log_context_clear()
        response = self.get_response(request)
        response[REQUEST_ID_HTTP_HEADER] = request.request_id
        return response


class RequestContextMiddleware:
    """Records the acting organisation and user of a request for its log records (R-SC-56).

    Placed after ``qcportal.tenancy.TenantMiddleware`` (which resolves ``request.membership``,
    also for API token requests). The context stays until the next request starts (so that
    Django's own ``django.request`` records, written after the middleware returned, still
    carry it); :class:`RequestIdMiddleware` clears it then.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        membership = getattr(request, "membership", None)
        user = getattr(request, "user", None)
        if membership is not None:
            log_context_set(organisation_id=membership.organisation_id, user_id=membership.user_id)
        elif user is not None and user.is_authenticated:
            log_context_set(organisation_id=None, user_id=user.pk)
        else:
            log_context_clear()
        return self.get_response(request)


def current_task_ids() -> tuple[str | None, str | None]:
    """The (id, name) of the Celery task running in this context, or (None, None)."""
    from celery import current_task

    if not current_task:
        return None, None
    return current_task.request.id, current_task.name


class RequestContextFilter(logging.Filter):
    """Adds ``request_id``, ``organisation_id``, ``user_id``, ``task_id`` and ``task_name`` to
    every record its handler writes (None where there is none) (R-SC-56, R-SC-58)."""

    def filter(self, record: logging.LogRecord) -> bool:
        context = log_context.get() or {}
        record.request_id = request_id_var.get()
        record.organisation_id = context.get("organisation_id")
        record.user_id = context.get("user_id")
        record.task_id, record.task_name = current_task_ids()
        return True


class TextFormatter(logging.Formatter):
    """The readable format of local runs and tests: time, level, logger, then the context that
    is set (``[req=… org=… user=… task=…]``) and the message."""

    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s %(name)s%(context)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        parts = [
            f"{label}={value}"
            for label, value in (
                ("req", getattr(record, "request_id", None)),
                ("org", getattr(record, "organisation_id", None)),
                ("user", getattr(record, "user_id", None)),
                ("task", getattr(record, "task_id", None)),
            )
            if value is not None
        ]
        record.context = f" [{' '.join(parts)}]" if parts else ""
        return super().format(record)


class JsonFormatter(BaseJsonFormatter):
    """One JSON object per record (R-SC-57): ``time`` (UTC, ISO 8601), ``level``, ``logger``,
    ``message``, the context fields of :data:`CONTEXT_FIELDS`, any ``extra`` the caller gave
    (the ``request`` object Django's request logger passes is left out), and ``exc_info``."""

    def __init__(self):
        from pythonjsonlogger.core import RESERVED_ATTRS

        super().__init__(
            ["levelname", "name", "message", *CONTEXT_FIELDS],
            rename_fields={"levelname": "level", "name": "logger"},
            timestamp="time",
            json_ensure_ascii=False,
            reserved_attrs=[*RESERVED_ATTRS, "request", "context"],
        )


def logging_config(log_format: str = "text") -> dict:
    """The ``LOGGING`` setting: one console handler (stdout) with :class:`RequestContextFilter`
    and the ``json`` or ``text`` formatter; quieter third-party loggers (R-SC-57)."""
    if log_format not in ("json", "text"):
        raise ValueError(f"LOG_FORMAT must be 'json' or 'text', not {log_format!r}")
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"context": {"()": "qcportal.logs.RequestContextFilter"}},
        "formatters": {
            "json": {"()": "qcportal.logs.JsonFormatter"},
            "text": {"()": "qcportal.logs.TextFormatter"},
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stdout",
                "filters": ["context"],
                "formatter": log_format,
            }
        },
        "root": {"handlers": ["console"], "level": "INFO"},
        "loggers": {
            "fontTools": {"level": "WARNING"},
            "weasyprint": {"level": "ERROR"},
            "axes": {"level": "WARNING"},
        },
    }


# --- Celery ------------------------------------------------------------------------------------


def _task_publish(headers: dict | None = None, **kwargs) -> None:
    """before_task_publish: the publishing request's (or task's) id travels with the task."""
    request_id = request_id_var.get()
    if headers is not None and request_id:
        headers[REQUEST_ID_HEADER] = request_id


_task_tokens: dict[str, tuple] = {}


def _task_prerun(task_id: str | None = None, task=None, **kwargs) -> None:
    """task_prerun: a task run by a worker logs under its publisher's request id and with no
    acting organisation until ``TenantTask`` sets one. An eager task (run inside the request
    that called it) keeps the request's context as it is."""
    if task is None or task.request.is_eager:
        return
    request_id = task.request.get(REQUEST_ID_HEADER)
    _task_tokens[task_id] = (request_id_var.set(request_id), log_context.set(None))


def _task_postrun(task_id: str | None = None, **kwargs) -> None:
    """task_postrun: the worker's context is what it was before the task."""
    tokens = _task_tokens.pop(task_id, None)
    if tokens:
        request_id_var.reset(tokens[0])
        log_context.reset(tokens[1])


def _celery_setup_logging(**kwargs) -> None:
    """setup_logging: the worker and beat log through Django's ``LOGGING`` (JSON in
    production) instead of Celery's own configuration."""
    from logging.config import dictConfig

    from django.conf import settings

    dictConfig(settings.LOGGING)


def celery_logging_connect() -> None:
    """Connect the Celery signal receivers above (called by ``qcportal.celery``)."""
    from celery.signals import before_task_publish, setup_logging, task_postrun, task_prerun

    before_task_publish.connect(_task_publish, weak=False, dispatch_uid="qcportal.logs.publish")
    task_prerun.connect(_task_prerun, weak=False, dispatch_uid="qcportal.logs.prerun")
    task_postrun.connect(_task_postrun, weak=False, dispatch_uid="qcportal.logs.postrun")
    setup_logging.connect(_celery_setup_logging, weak=False, dispatch_uid="qcportal.logs.setup_logging")
