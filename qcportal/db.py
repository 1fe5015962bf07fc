"""Database plumbing beyond one connection (issue 10 items 5 and 6).

- :func:`replica_reads` and :class:`ReplicaRouter`: with ``DATABASE_REPLICA_URL`` set, the
  settings define a second alias ``replica`` (a streaming replica of ``default``); reads go
  there only inside an explicit ``replica_reads()`` scope, which the dashboard and report
  code paths open around their figure reads. Writes, reads inside a transaction and every
  read outside the scope stay on ``default``. Without the alias the scope changes nothing.
- :func:`redundant_indexes`: indexes of the migrated PostgreSQL schema that another index
  makes redundant (its key columns are a prefix of the other's), used by
  ``tests/qcportal/test_db_indexes.py`` so that none comes back.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS, NotSupportedError, connections

#: The alias of the read replica (settings: ``DATABASES["replica"]`` from DATABASE_REPLICA_URL).
REPLICA_ALIAS = "replica"

_replica_reads: ContextVar[bool] = ContextVar("qcportal_replica_reads", default=False)


@contextmanager
def replica_reads() -> Iterator[None]:
    """Send the enclosed block's reads to the read replica, when there is one.

    A context manager and, called, a decorator (``@replica_reads()``). Inside it
    :class:`ReplicaRouter` routes reads (querysets evaluated inside the block) to the
    ``replica`` alias, unless that alias is not configured or ``default`` is inside a
    transaction (read-your-writes). Writes always go to ``default``. Thread- and task-local
    (a context variable). Querysets evaluated after the block read from ``default`` again:
    evaluate them inside it (``list(...)``).
    """
    token = _replica_reads.set(True)
    try:
        yield
    finally:
        _replica_reads.reset(token)


def replica_configured() -> bool:
    """True when the ``replica`` alias is configured (``DATABASE_REPLICA_URL`` set)."""
    return REPLICA_ALIAS in connections.settings


def read_alias() -> str:
    """The alias a read issued now goes to: ``replica`` inside :func:`replica_reads` when the
    alias is configured and ``default`` is not in a transaction; ``default`` otherwise."""
    if not _replica_reads.get() or not replica_configured():
        return DEFAULT_DB_ALIAS
    if connections[DEFAULT_DB_ALIAS].in_atomic_block:
        return DEFAULT_DB_ALIAS
    return REPLICA_ALIAS


class ReplicaRouter:
    """Database router (``DATABASE_ROUTERS``): reads to the replica only inside
    :func:`replica_reads`; every write, relation and migration on ``default``.

    ``db_for_write`` names ``default`` explicitly, so that saving an object that was read from
    the replica (``_state.db == "replica"``) still writes to the primary.
    """

    def db_for_read(self, model, **hints) -> str | None:
        """``replica`` inside the scope (see :func:`read_alias`), else no opinion (default)."""
        alias = read_alias()
        return alias if alias == REPLICA_ALIAS else None

    def db_for_write(self, model, **hints) -> str:
        """Always ``default``."""
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints) -> bool | None:
        """Objects of ``default`` and ``replica`` may be related: they are the same data."""
        aliases = {DEFAULT_DB_ALIAS, REPLICA_ALIAS}
        if obj1._state.db in aliases and obj2._state.db in aliases:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints) -> bool | None:
        """Never migrate the replica (it follows the primary by replication)."""
        return False if db == REPLICA_ALIAS else None


# --- Redundant indexes (issue 10 item 5) -----------------------------------------------

_INDEXES_SQL = """
SELECT c.relname, i.relname, x.indisunique, x.indisprimary, x.indnkeyatts,
       x.indkey::int2[], x.indclass::oid[], x.indcollation::oid[], x.indoption::int2[],
       pg_get_expr(x.indpred, x.indrelid), x.indexprs IS NOT NULL, am.amname,
       ARRAY(SELECT a.attname FROM unnest(x.indkey::int2[]) WITH ORDINALITY k(att, n)
             JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.att ORDER BY k.n)
FROM pg_index x
JOIN pg_class i ON i.oid = x.indexrelid
JOIN pg_class c ON c.oid = x.indrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_am am ON am.oid = i.relam
WHERE n.nspname = current_schema() AND x.indisvalid
ORDER BY c.relname, i.relname
"""


@dataclass(frozen=True)
class IndexInfo:
    """One index as ``pg_index`` describes it (key columns only, in order)."""

    table: str
    name: str
    unique: bool
    primary: bool
    keys: tuple[int, ...]
    classes: tuple[int, ...]
    collations: tuple[int, ...]
    options: tuple[int, ...]
    predicate: str | None
    expressions: bool
    method: str
    columns: tuple[str, ...]

    def prefix(self, length: int) -> tuple:
        """The first ``length`` key columns with their operator class, collation and order."""
        return (
            self.keys[:length],
            self.classes[:length],
            self.collations[:length],
            self.options[:length],
        )


@dataclass(frozen=True)
class RedundantIndex:
    """An index whose work another index of the same table does: ``covered_by`` starts with
    the same key columns (same operator classes, collations and order)."""

    table: str
    index: str
    columns: tuple[str, ...]
    covered_by: str
    covered_by_columns: tuple[str, ...]

    def __str__(self) -> str:
        return (
            f"{self.table}.{self.index} ({', '.join(self.columns)}) is a prefix of "
            f"{self.covered_by} ({', '.join(self.covered_by_columns)})"
        )


def schema_indexes(using: str = DEFAULT_DB_ALIAS) -> list[IndexInfo]:
    """Every valid index of the current schema of the PostgreSQL database ``using``.

    Output: :class:`IndexInfo` rows ordered by table and name. Raises
    ``django.db.NotSupportedError`` on another database backend (the check reads ``pg_index``).
    """
    connection = connections[using]
    if connection.vendor != "postgresql":
        raise NotSupportedError("schema_indexes reads PostgreSQL's pg_index")
    with connection.cursor() as cursor:
        cursor.execute(_INDEXES_SQL)
        rows = cursor.fetchall()
    indexes = []
    for table, name, unique, primary, nkeys, keys, classes, colls, opts, pred, exprs, method, cols in rows:
        indexes.append(
            IndexInfo(
                table=table,
                name=name,
                unique=unique,
                primary=primary,
                keys=tuple(keys[:nkeys]),
                classes=tuple(classes[:nkeys]),
                collations=tuple(colls[:nkeys]),
                options=tuple(opts[:nkeys]),
                predicate=pred,
                expressions=exprs,
                method=method,
                columns=tuple(cols[:nkeys]),
            )
        )
    return indexes


def redundant_indexes(indexes: list[IndexInfo]) -> list[RedundantIndex]:
    """The indexes of ``indexes`` that another index of the same table makes redundant.

    A B-tree index A is redundant when another B-tree index B of the same table has A's key
    columns as its leading key columns, with the same operator classes (so ``_like`` pattern
    indexes are kept), collations and sort order, and the same predicate (both full, or both
    partial on the same condition). Always kept: unique indexes and primary keys (they enforce
    a rule, even when a longer index starts with their columns), indexes on expressions. Of two identical non-unique indexes the one with the greater name
    is reported. Output: one :class:`RedundantIndex` per redundant index, in table order.
    """
    by_table: dict[str, list[IndexInfo]] = {}
    for index in indexes:
        by_table.setdefault(index.table, []).append(index)
    found = []
    for table, group in by_table.items():
        for a in group:
            if a.unique or a.primary or a.expressions or a.method != "btree":
                continue
            n = len(a.keys)
            for b in group:
                if b is a or b.method != a.method or b.expressions or len(b.keys) < n:
                    continue
                if b.predicate != a.predicate:
                    continue
                if b.prefix(n) != a.prefix(n):
                    continue
                identical = len(b.keys) == n
                if identical and not b.unique and b.name > a.name:
                    continue  # the other one of the pair is reported
                found.append(RedundantIndex(table, a.name, a.columns, b.name, b.columns))
                break
    return found
