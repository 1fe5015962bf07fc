"""Database settings helpers (issue 10 items 5 and 6): the psycopg connection pool from
``DATABASE_POOL`` and the read replica's alias from ``DATABASE_REPLICA_URL``.

Why Django's psycopg pool rather than PgBouncer: it needs no extra service, keeps session
semantics (server-side cursors of ``QuerySet.iterator()`` in the exporters, prepared
statements), works the same in the web process, the Celery workers (Celery's Django fix-up
closes the pool in each forked child and around each task) and the tests, and at this
deployment's size (a few
web and worker processes) ``processes × max_size`` stays well under PostgreSQL's
``max_connections``. PgBouncer (transaction pooling) becomes worth its caveats only with many
more processes than that; docs/scaling.md says when.
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

#: psycopg_pool.ConnectionPool arguments DATABASE_POOL may set, with their types.
POOL_KEYS = {
    "min_size": int,
    "max_size": int,
    "max_waiting": int,
    "num_workers": int,
    "timeout": float,
    "max_lifetime": float,
    "max_idle": float,
    "reconnect_timeout": float,
}


def pool_options(text: str) -> dict | None:
    """Parse ``DATABASE_POOL``: ``""``/``off`` → ``None`` (no pool); ``on`` → ``{}`` (psycopg's
    defaults); ``"min_size=2,max_size=4,timeout=10"`` → ``{"min_size": 2, "max_size": 4,
    "timeout": 10.0}``. Raises ``ImproperlyConfigured`` on an unknown key or a bad number."""
    text = (text or "").strip()
    if text.lower() in {"", "off", "false", "0", "no"}:
        return None
    if text.lower() in {"on", "true", "1", "yes"}:
        return {}
    options: dict = {}
    for part in text.split(","):
        key, sep, value = part.partition("=")
        key = key.strip()
        if not sep or key not in POOL_KEYS:
            raise ImproperlyConfigured(
                f"DATABASE_POOL: {part.strip()!r} is not one of {', '.join(POOL_KEYS)} as key=value"
            )
        try:
            options[key] = POOL_KEYS[key](value.strip())
        except ValueError as exc:
            raise ImproperlyConfigured(f"DATABASE_POOL: {key} needs a number, not {value.strip()!r}") from exc
    if options.get("max_size", options.get("min_size", 4)) < options.get("min_size", 0):
        raise ImproperlyConfigured("DATABASE_POOL: max_size must be at least min_size")
    return options


def apply_pool(database: dict, text: str) -> dict:
    """Switch on the psycopg pool of one ``DATABASES`` entry from ``DATABASE_POOL`` ``text``.

    With a pool: ``OPTIONS["pool"]`` holds the options and ``CONN_MAX_AGE`` is 0 (Django refuses
    persistent connections with a pool). Without: the entry is left as it is. Raises
    ``ImproperlyConfigured`` for a pool on a database other than PostgreSQL. Returns the entry.
    """
    options = pool_options(text)
    if options is None:
        return database
    if "postgresql" not in database.get("ENGINE", ""):
        raise ImproperlyConfigured("DATABASE_POOL needs PostgreSQL (DATABASE_URL=postgres://…)")
    database.setdefault("OPTIONS", {})["pool"] = options
    database["CONN_MAX_AGE"] = 0
    return database


def replica_settings(database: dict) -> dict:
    """The ``DATABASES["replica"]`` entry for a replica's parsed URL: read-only sessions
    (``default_transaction_read_only``, so a write routed there by mistake fails instead of
    diverging), no atomic requests, and a test mirror of ``default`` (the test runner creates
    no database for it). Returns the entry."""
    database["ATOMIC_REQUESTS"] = False
    database.setdefault("CONN_MAX_AGE", 0)
    if "postgresql" in database.get("ENGINE", ""):
        options = database.setdefault("OPTIONS", {})
        options["options"] = (options.get("options", "") + " -c default_transaction_read_only=on").strip()
    database["TEST"] = {"MIRROR": "default"}
    return database
