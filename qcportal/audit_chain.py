"""The audit trail's hash chain, its verification and its retention (issue 9 item 5; rules
R-SC-45 … R-SC-48).

Every :class:`~qcportal.models.AuditEntry` stores ``prev_hash`` (the hash of the entry
before it, in id order) and ``hash`` = SHA-256 over a canonical serialisation of its content
fields and ``prev_hash`` (:func:`entry_hash`). :func:`seal` fills both in the model's insert
path, under a transaction-scoped PostgreSQL advisory lock, so concurrent inserts form one
chain. :func:`verify` (``manage.py audit_verify``) walks the chain; a changed row breaks its
own hash, a deleted row breaks the next row's ``prev_hash``. :func:`prune`
(``manage.py audit_prune``, Celery beat) deletes entries older than
``settings.AUDIT_RETENTION_DAYS`` from the start of the chain and records an
:class:`~qcportal.models.AuditCheckpoint` (the last pruned entry's id and hash) that
verification starts from.

This module does not import the models at import time (the models import it).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import ipaddress
import json
from dataclasses import dataclass

from django.conf import settings
from django.db import connections, router, transaction
from django.utils import timezone

#: Version tag of the canonical serialisation (part of every hash).
HASH_VERSION = "qcportal-audit-v1"

#: The content fields covered by the hash, in this order (plus ``prev_hash``). ``id`` is not
#: included: it is known only after the insert, and the chain's order already fixes it.
HASHED_FIELDS = (
    "timestamp",
    "action",
    "event",
    "content_type_id",
    "object_pk",
    "object_id",
    "object_repr",
    "serialized_data",
    "changes_text",
    "changes",
    "actor_id",
    "actor_email",
    "cid",
    "remote_addr",
    "remote_port",
    "additional_data",
    "organisation_id",
    "acting_organisation_id",
    "acting_role",
)

#: Key of the PostgreSQL advisory lock that serialises inserts (and pruning) of the chain.
CHAIN_LOCK_KEY = 7_310_514_115

ENTRY_TABLE = "qcportal_auditentry"
CHECKPOINT_TABLE = "qcportal_auditcheckpoint"

#: The transaction-local PostgreSQL setting under which the append-only trigger lets
#: :func:`prune` delete entries (every other DELETE, and every UPDATE, is refused).
PRUNE_SETTING = "qcportal.audit_prune"


def _json_value(value):
    """``value`` as it reads back from a JSON column: keys as strings, tuples as lists,
    integral floats as integers (PostgreSQL's jsonb may print ``1e20`` as an integer)."""
    if isinstance(value, dict):
        return {str(k): _json_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_value(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def _timestamp(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        value = value.astimezone(dt.UTC)
    return value.isoformat()


def _address(value) -> str | None:
    if not value:
        return None
    try:
        return ipaddress.ip_address(str(value)).compressed
    except ValueError:
        return str(value)


def _int(value) -> int | None:
    return None if value is None or value == "" else int(value)


_INT_FIELDS = (
    "action",
    "content_type_id",
    "object_id",
    "actor_id",
    "remote_port",
    "organisation_id",
    "acting_organisation_id",
)


def canonical(entry) -> str:
    """The canonical serialisation of an entry's content (``HASHED_FIELDS``) as compact,
    key-sorted JSON. Input: an ``AuditEntry`` (in memory before its insert, or as read back
    from the database: both give the same text). Output: the JSON text."""
    record = {}
    for name in HASHED_FIELDS:
        value = getattr(entry, name, None)
        if name == "timestamp":
            value = _timestamp(value)
        elif name == "remote_addr":
            value = _address(value)
        elif name in _INT_FIELDS:
            value = _int(value)
        elif name in ("serialized_data", "changes", "additional_data"):
            value = _json_value(value)
        elif name == "object_pk":
            value = "" if value is None else str(value)
        else:
            value = value if value is None else str(value)
        record[name] = value
    return json.dumps(record, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def entry_hash(entry, prev_hash: str) -> str:
    """SHA-256 (hex) of ``HASH_VERSION``, ``prev_hash`` and :func:`canonical` of ``entry``
    (rule R-SC-45)."""
    digest = hashlib.sha256()
    for part in (HASH_VERSION, prev_hash or "", canonical(entry)):
        digest.update(part.encode("utf-8"))
        digest.update(b"\x1e")
    return digest.hexdigest()


def _lock(connection) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK_KEY])


def chain_head(connection) -> str:
    """The hash the next entry chains to: the newest entry's, else the newest checkpoint's
    (everything pruned), else ``""`` (the empty trail)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT hash FROM {ENTRY_TABLE} ORDER BY id DESC LIMIT 1")  # noqa: S608
        row = cursor.fetchone()
        if row is None:
            cursor.execute(f"SELECT last_hash FROM {CHECKPOINT_TABLE} ORDER BY last_entry_id DESC LIMIT 1")  # noqa: S608
            row = cursor.fetchone()
    return row[0] if row else ""


def seal(entries, using: str) -> None:
    """Set ``prev_hash`` and ``hash`` of ``entries`` (one entry or a list, in the order they
    will be inserted) just before their insert (rule R-SC-45).

    Must run inside the transaction of the insert (``AuditEntry.save`` and
    ``AuditEntry.objects.bulk_create`` open one): on PostgreSQL it takes the chain's
    transaction-scoped advisory lock first, so that no other transaction reads the same head
    before this one commits (one extra, fast query); SQLite serialises writers itself.
    """
    if not isinstance(entries, (list, tuple)):
        entries = [entries]
    connection = connections[using]
    _lock(connection)
    previous = chain_head(connection)
    for entry in entries:
        entry.prev_hash = previous
        entry.hash = previous = entry_hash(entry, previous)


# --- verification ----------------------------------------------------------------------


@dataclass(frozen=True)
class VerifyResult:
    """What :func:`verify` found: ``checked`` entries verified, the ``first_id`` and
    ``last_id``/``head`` of the chain, and ``broken_id``/``problem`` for the first broken
    link (``None``/``""`` when the chain is intact)."""

    checked: int
    first_id: int | None
    last_id: int | None
    head: str
    broken_id: int | None = None
    problem: str = ""

    @property
    def ok(self) -> bool:
        """True when every link holds."""
        return self.broken_id is None


def verify(*, chunk_size: int = 2000) -> VerifyResult:
    """Walk the audit chain in id order (``iterator()``: bounded memory) from the newest
    checkpoint, and stop at the first broken link (rule R-SC-46).

    Output: a :class:`VerifyResult`. An entry whose ``hash`` does not match its content was
    changed (``problem`` ``"hash"``); an entry whose ``prev_hash`` is not the hash of the entry
    before it (or of the checkpoint) follows a deleted or changed entry (``"prev_hash"``).
    """
    from .models import AuditCheckpoint, AuditEntry

    checkpoint = AuditCheckpoint.objects.order_by("-last_entry_id").first()
    expected = checkpoint.last_hash if checkpoint else ""
    start = checkpoint.last_entry_id if checkpoint else 0
    checked, first_id, last_id = 0, None, None
    entries = AuditEntry._base_manager.filter(pk__gt=start).order_by("pk")
    for entry in entries.iterator(chunk_size=chunk_size):
        if first_id is None:
            first_id = entry.pk
        if entry.prev_hash != expected:
            return VerifyResult(checked, first_id, last_id, expected, entry.pk, "prev_hash")
        if entry.hash != entry_hash(entry, entry.prev_hash):
            return VerifyResult(checked, first_id, last_id, expected, entry.pk, "hash")
        expected, last_id = entry.hash, entry.pk
        checked += 1
    return VerifyResult(checked, first_id, last_id, expected)


# --- retention ---------------------------------------------------------------------------


def prune(*, days: int | None = None, batch_size: int = 1000, now=None) -> int:
    """Delete the audit entries older than ``days`` (default ``settings.AUDIT_RETENTION_DAYS``;
    0 keeps everything) in batches, from the start of the chain (rule R-SC-47).

    Each batch is one transaction: it takes the chain's lock, deletes the longest prefix (in
    id order) of at most ``batch_size`` entries whose timestamps are all before the cut-off,
    and records an :class:`~qcportal.models.AuditCheckpoint` with the last deleted entry's id
    and hash, so :func:`verify` still proves the rest. On PostgreSQL the append-only trigger
    lets the DELETE through only under ``SET LOCAL qcportal.audit_prune = 'on'``, set here.
    Output: the number of entries deleted.
    """
    from .models import AuditCheckpoint, AuditEntry

    days = settings.AUDIT_RETENTION_DAYS if days is None else days
    if days <= 0:
        return 0
    cutoff = (now or timezone.now()) - dt.timedelta(days=days)
    using = router.db_for_write(AuditEntry)
    connection = connections[using]
    deleted = 0
    while True:
        with transaction.atomic(using=using):
            _lock(connection)
            rows = list(
                AuditEntry._base_manager.using(using)
                .order_by("pk")
                .values_list("pk", "timestamp", "hash")[:batch_size]
            )
            prefix = []
            for row in rows:
                if row[1] >= cutoff:
                    break
                prefix.append(row)
            if not prefix:
                return deleted
            last_id, _timestamp, last_hash = prefix[-1]
            with connection.cursor() as cursor:
                if connection.vendor == "postgresql":
                    cursor.execute("SELECT set_config(%s, 'on', true)", [PRUNE_SETTING])
                cursor.execute(f"DELETE FROM {ENTRY_TABLE} WHERE id <= %s", [last_id])  # noqa: S608
                count = cursor.rowcount
                if connection.vendor == "postgresql":  # this DELETE only, not the outer transaction
                    cursor.execute("SELECT set_config(%s, 'off', true)", [PRUNE_SETTING])
            AuditCheckpoint.objects.using(using).create(
                last_entry_id=last_id, last_hash=last_hash, cutoff=cutoff, deleted=count
            )
        deleted += count
        if len(prefix) < batch_size:
            return deleted
