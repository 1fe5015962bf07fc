"""Dashboard figures cached without a stampede (issue 10 item 4).

A registry of named computations (:func:`cached_computation`): each takes only ids and other
primitive keyword arguments and returns a picklable value. :func:`cached_figure` returns the
stored value with the time it was computed (:class:`CachedFigure`), so pages can say
「数据更新于 HH:MM」:

- fresh (computed less than ``fresh_for`` seconds ago): the stored value;
- stale: the first request takes the figure's lock (``cache.add`` with a timeout) and enqueues
  :func:`qcportal.tasks.figure_refresh_task` on the ``statistics`` queue, which recomputes and
  stores; that request and every other one meanwhile get the previous value at once;
- cold (nothing stored): the request that takes the lock computes inline and stores; the others
  wait up to ``COLD_WAIT_SECONDS`` for that value, then compute it themselves (without storing)
  rather than fail, so a crashed or very slow first computation never blocks a page for long.

Values are kept ``KEEP_SECONDS`` (a day) so a stale value is there to serve while the refresh
runs. The lock expires after the task's time limit, so a lost task never stops refreshes. The
computation runs in the tenant scope of the organisation named by the registration's
``scope`` argument (the figure is shared by every member of that organisation) and, when a
replica is configured, reads from it (:func:`qcportal.db.replica_reads`). The cache must be
shared by all processes (Redis in production; the demo's local-memory cache is per process).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
import uuid
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from .db import replica_reads

logger = logging.getLogger(__name__)

#: How long stored values are kept (they are served stale while a refresh runs).
KEEP_SECONDS = 24 * 60 * 60
#: How long the lock of one figure lives at most: the refresh task's hard time limit.
LOCK_SECONDS = 6 * 60
#: How long a request waits for another request's cold computation before computing itself.
COLD_WAIT_SECONDS = 5.0
COLD_POLL_SECONDS = 0.05

_PRIMITIVES = (int, str, bool, type(None))


@dataclass(frozen=True)
class Computation:
    """A registered computation: its ``name``, the ``function`` (keyword arguments only), how
    many seconds a value stays ``fresh_for``, the keyword argument naming the organisation whose
    tenant ``scope`` it runs in, and a ``version`` that is part of the cache key (bump it when
    the value's shape changes, so old pickles are never read)."""

    name: str
    function: Callable[..., Any]
    fresh_for: int
    scope: str
    version: str


@dataclass(frozen=True)
class CachedFigure:
    """A figure as served: the ``value``, when it was ``computed_at`` (aware datetime) and
    whether it is ``stale`` (older than its freshness; a refresh is under way)."""

    value: Any
    computed_at: dt.datetime
    stale: bool = False


_REGISTRY: dict[str, Computation] = {}


def cached_computation(
    name: str, *, scope: str, fresh_for: int | None = None, version: str = "1"
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register the decorated function as computation ``name`` (unique; ``ValueError`` if
    taken by another function). ``scope``: the keyword argument holding the id of the
    organisation whose tenant scope the computation runs in. ``fresh_for``: seconds, default
    ``settings.DASHBOARD_FRESH_SECONDS``. The function is returned unchanged."""

    def register(function: Callable[..., Any]) -> Callable[..., Any]:
        existing = _REGISTRY.get(name)
        if existing is not None and existing.function.__qualname__ != function.__qualname__:
            raise ValueError(f"cached computation {name!r} is already registered")
        _REGISTRY[name] = Computation(
            name=name,
            function=function,
            fresh_for=fresh_for if fresh_for is not None else settings.DASHBOARD_FRESH_SECONDS,
            scope=scope,
            version=version,
        )
        return function

    return register


def computation(name: str) -> Computation:
    """The registered computation ``name``; ``KeyError`` if there is none."""
    return _REGISTRY[name]


def cache_key(name: str, params: dict) -> str:
    """The cache key of computation ``name`` with ``params`` (primitives only, else
    ``TypeError``): ``qcportal:figure:<name>:v<version>:<k>=<v>:…`` in key order."""
    bad = [key for key, value in params.items() if not isinstance(value, _PRIMITIVES)]
    if bad:
        raise TypeError(f"cached computation {name!r} takes ids and primitives only, not {bad}")
    entry = computation(name)
    parts = ":".join(f"{key}={params[key]}" for key in sorted(params))
    return f"qcportal:figure:{name}:v{entry.version}:{parts}"


def _lock_key(key: str) -> str:
    return f"{key}:lock"


_preloaded: ContextVar[dict | None] = ContextVar("qcportal_cache_preloaded", default=None)


def loaded(model, pk: int, fetch: Callable[[], Any] | None = None):
    """For computations: the ``model`` instance with primary key ``pk`` that the request handed
    to :func:`cached_figure` (``preloaded``, no query), else ``fetch()`` (default
    ``model._base_manager.get(pk=pk)``). Raises the model's ``DoesNotExist`` when not found."""
    instance = (_preloaded.get() or {}).get((model._meta.label_lower, pk))
    if instance is not None:
        return instance
    return fetch() if fetch is not None else model._base_manager.get(pk=pk)


def compute(name: str, params: dict, preloaded: Iterable = ()) -> Any:
    """Run computation ``name`` with ``params`` in its organisation's tenant scope, reading from
    the replica when there is one. ``preloaded``: model instances the caller already holds
    (the computation gets them through :func:`loaded` instead of querying them again).
    Output: the computation's value (nothing is stored)."""
    from .models import Organisation
    from .tenancy import tenant_scope

    entry = computation(name)
    token = _preloaded.set({(type(obj)._meta.label_lower, obj.pk): obj for obj in preloaded})
    try:
        organisation = loaded(Organisation, params[entry.scope])
        with tenant_scope(organisation), replica_reads():
            return entry.function(**params)
    finally:
        _preloaded.reset(token)


def store(name: str, params: dict, value: Any, computed_at: dt.datetime | None = None) -> CachedFigure:
    """Store ``value`` as computation ``name``'s value for ``params``, stamped ``computed_at``
    (default now), for ``KEEP_SECONDS``. Output: the :class:`CachedFigure` stored."""
    computed_at = computed_at or timezone.now()
    cache.set(cache_key(name, params), (computed_at.timestamp(), value), KEEP_SECONDS)
    return CachedFigure(value=value, computed_at=computed_at)


def _stored(key: str) -> tuple[float, Any] | None:
    return cache.get(key)


def refresh(name: str, params: dict) -> CachedFigure:
    """Recompute computation ``name`` for ``params``, store it and release its lock (what the
    refresh task does; idempotent: running it twice stores the newer value). Output: the new
    :class:`CachedFigure`."""
    key = cache_key(name, params)
    try:
        return store(name, params, compute(name, params))
    finally:
        cache.delete(_lock_key(key))


def _enqueue_refresh(name: str, params: dict) -> None:
    from .tasks import figure_refresh_task

    entry = computation(name)
    figure_refresh_task.apply_async(
        kwargs={"name": name, "params": params, "organisation_id": params[entry.scope]}
    )


def cached_figure(name: str, *, preloaded: Iterable = (), **params) -> CachedFigure:
    """Computation ``name``'s value for ``params`` as stored, refreshed in the background.

    Inputs: the registered name and its keyword arguments (ids and primitives); optionally the
    model instances the caller already holds (``preloaded``: used by a cold computation in this
    request instead of querying them again; never part of the key). Output: a
    :class:`CachedFigure` (value, computation time, stale flag). Stale: one request (the one
    that takes the lock) enqueues the refresh task; all get the previous value. Cold: computed
    inline by the request holding the lock; the others wait for it (module docstring). Raises
    ``KeyError`` for an unknown name, ``TypeError`` for non-primitive arguments.
    """
    entry = computation(name)
    key = cache_key(name, params)
    stored = _stored(key)
    now = timezone.now()
    if stored is not None:
        computed_at = dt.datetime.fromtimestamp(stored[0], tz=dt.UTC)
        stale = (now - computed_at).total_seconds() >= entry.fresh_for
        if stale and cache.add(_lock_key(key), now.timestamp(), LOCK_SECONDS):
            try:
                _enqueue_refresh(name, params)
            except Exception:  # the broker is down: serve the old value, try again later
                logger.exception("could not enqueue the refresh of %s", key)
                cache.delete(_lock_key(key))
        return CachedFigure(value=stored[1], computed_at=computed_at, stale=stale)
    return _cold(name, params, key, preloaded)


def _cold(name: str, params: dict, key: str, preloaded: Iterable) -> CachedFigure:
    lock = _lock_key(key)
    if cache.add(lock, timezone.now().timestamp(), LOCK_SECONDS):
        try:
            return store(name, params, compute(name, params, preloaded))
        finally:
            cache.delete(lock)
    deadline = time.monotonic() + COLD_WAIT_SECONDS
    while time.monotonic() < deadline:
        time.sleep(COLD_POLL_SECONDS)
        stored = _stored(key)
        if stored is not None:
            return CachedFigure(value=stored[1], computed_at=dt.datetime.fromtimestamp(stored[0], tz=dt.UTC))
    logger.warning(
        "cold figure %s still being computed after %s s: computing it here too", key, COLD_WAIT_SECONDS
    )
    return CachedFigure(value=compute(name, params, preloaded), computed_at=timezone.now())


# --- generations: values kept until what they derive from changes ---------------------------------
#: Cache-key prefix of the generation tokens.
GENERATION_PREFIX = "qc:gen:"
_MISSING = object()


def generation_key(name: str) -> str:
    """The cache key holding generation ``name``'s current token (``qc:gen:<name>``)."""
    return f"{GENERATION_PREFIX}{name}"


def generations(*names: str) -> tuple[str, ...] | None:
    """The current tokens of the generations ``names``, in order, in one cache read; a missing
    one (never set, evicted) is created (a fresh token matches no stored value). Output: a
    tuple of strings, or ``None`` when the cache fails (callers then read the database)."""
    keys = [generation_key(name) for name in names]
    try:
        found = cache.get_many(keys)
        for key in keys:
            if key not in found:
                cache.add(key, uuid.uuid4().hex, None)
                found[key] = cache.get(key)
    except Exception:  # the cache is an optimisation: without it, read the database
        logger.warning("cache unavailable for generations %s", names, exc_info=True)
        return None
    tokens = tuple(found[key] for key in keys)
    return None if None in tokens else tokens


def generation_bump(*names: str) -> None:
    """Make every value stored under the generations ``names`` stale: their tokens are replaced
    at once and again when the surrounding transaction commits, so that a request which read
    the database before the commit cannot keep its value under the new token (rule R-SC-74).
    Never raises (a failing cache is logged)."""

    def bump() -> None:
        try:
            cache.set_many({generation_key(name): uuid.uuid4().hex for name in names}, None)
        except Exception:
            logger.warning("cache unavailable: generations %s not bumped", names, exc_info=True)

    bump()
    transaction.on_commit(bump)


def cached_until_changed(
    key: str, *, depends_on: Iterable[str], compute: Callable[[], Any], timeout: int = KEEP_SECONDS
) -> Any:
    """``compute()``'s value (picklable; ``None`` allowed), stored under ``key`` for the current
    tokens of the generations ``depends_on`` and read from the cache until one of them is
    bumped (:func:`generation_bump`, by the signals of the data the value derives from) or
    ``timeout`` seconds pass (default ``KEEP_SECONDS``; shorter for values read on a replica,
    which may lag behind the commit that bumped the generation). Two cache reads on a hit;
    without a working cache it computes. Rule R-SC-74."""
    tokens = generations(*depends_on)
    if tokens is None:
        return compute()
    full_key = f"qc:until:{key}:" + ":".join(tokens)
    try:
        stored = cache.get(full_key, _MISSING)
    except Exception:
        logger.warning("cache unavailable for %s", key, exc_info=True)
        return compute()
    if stored is not _MISSING:
        return stored
    value = compute()
    try:
        cache.set(full_key, value, timeout)
    except Exception:
        logger.warning("cache unavailable for %s", key, exc_info=True)
    return value
