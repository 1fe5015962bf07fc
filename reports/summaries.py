"""The statistics summary: circle figures per enterprise and period, kept current (issue 10
item 2; architecture.md, "Statistics at scale").

Annex 3 of seed 002 and the dashboards sum figures over every circle, member, project and
activity record of an association's subtree. At national scale (2,000,000 circles, 100,000
enterprises) that is read instead from :class:`reports.models.EnterpriseStatistics`, one row
per enterprise and period (month, year, campaign statistical period), whose columns are the
live definitions of :func:`circles.selectors.circle_statistics` (the reference, which
``manage.py stats_verify`` compares against).

Writing (set-based SQL, PostgreSQL and the SQLite default alike):

- :func:`refresh_enterprise_statistics` recomputes every row of some enterprises (delete +
  one ``INSERT … SELECT`` filtered by ``organisation_id`` before any join, so its cost is
  bounded by those enterprises' own rows), inside the caller's transaction;
- :func:`build_period` builds the ``campaign`` rows of one statistical period for every
  enterprise; :func:`rebuild_statistics` rebuilds everything (``manage.py stats_rebuild``).

Keeping current (one mechanism): ``post_save``/``post_delete`` of ``Circle``,
``CircleMember``, ``Project`` and ``ActivityRecord`` (and ``circles.signals.rows_bulk_changed``
for bulk writes that send no model signals) mark the row's enterprise dirty
(:func:`mark_enterprises_dirty`): one row in :class:`reports.models.StatisticsQueue` written in
the same transaction, at most once per enterprise and transaction, and one
``transaction.on_commit`` callback that refreshes the marked enterprises and deletes their
queue rows. Rows left by a crash between commit and refresh, or by a refresh that could not
get its locks in time, are refreshed by :func:`sweep` (Celery beat every
``STATISTICS_SWEEP_SECONDS``), which bounds the lag (:func:`lag_statement`). Saving a campaign
with a new statistical period registers it (:class:`reports.models.StatisticsPeriod`) and
builds its rows after commit; until built, Annex 3 for it is computed live.

Reading (tenant-scoped, summing in SQL): :func:`summary_totals` (one period),
:func:`summary_by_year` (trend per year), :func:`circle_statistics_from_summary` (Annex 3's
circle figures). Verifying: :func:`verify_statistics` (``manage.py stats_verify``).
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import secrets
from collections.abc import Iterable, Iterator
from decimal import Decimal

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import F, Func, Max, Q, QuerySet, Sum, Window
from django.db.models.functions import Coalesce
from django.db.models.signals import post_delete, post_save
from django.utils import timezone
from django.utils.translation import gettext as _

from circles.choices import ProjectStatus, ProjectType
from circles.models import ActivityRecord, Circle, CircleMember, Project
from circles.signals import rows_bulk_changed
from promotion.models import Campaign, EnterpriseAnnualFigures
from qcportal.cache import generation_bump
from qcportal.choices import OrganisationKind
from qcportal.models import Organisation

from .choices import StatisticsPeriodKind as Kind
from .models import EnterpriseStatistics, StatisticsPeriod, StatisticsQueue

logger = logging.getLogger(__name__)

#: The count column of each project type (``circles.choices.ProjectType``): results of that
#: type accepted within the period. Every type has one (checked by the tests).
RESULT_TYPE_COLUMNS: dict[str, str] = {
    ProjectType.PROBLEM_SOLVING: "results_problem_solving",
    ProjectType.INNOVATION: "results_innovation",
}

#: The value columns of :class:`EnterpriseStatistics`, in the order the SQL below writes them.
VALUE_COLUMNS: tuple[str, ...] = (
    "circles_registered",
    "circles_cumulative",
    "members",
    "circles_active",
    "circles_with_results",
    "results",
    *RESULT_TYPE_COLUMNS.values(),
    "benefit",
    "benefit_cumulative",
)

#: Additive columns: their sum over several periods is the figure of the union of periods.
ADDITIVE_COLUMNS: tuple[str, ...] = (
    "circles_registered",
    "members",
    "results",
    *RESULT_TYPE_COLUMNS.values(),
    "benefit",
)

#: Enterprises refreshed per statement (bounds the IN list and the advisory locks held).
CHUNK = 500
#: PostgreSQL advisory-lock class of the per-enterprise refresh lock (``pg_advisory_xact_lock``).
LOCK_CLASS = 0x51_53  # "QS"
#: How long the after-commit refresh waits for a lock before leaving the work to the sweep.
AFTER_COMMIT_LOCK_TIMEOUT = "5s"

_MONEY_ZERO = Decimal("0")

#: The generations (``qcportal.cache``, rule R-SC-74) of what pages keep from the summary: every
#: enterprise's (a full rebuild, a period built) and one enterprise's (its rows rewritten or
#: marked dirty, its yearly figures saved).
STATISTICS_GENERATION = "statistics"


def enterprise_generation(enterprise_id: int) -> str:
    """The generation of one enterprise's statistics (``enterprise-statistics:<id>``)."""
    return f"enterprise-statistics:{enterprise_id}"


def _bump_enterprises(ids: Iterable[int]) -> None:
    names = [enterprise_generation(i) for i in ids]
    if names:
        generation_bump(*names)


# --- SQL --------------------------------------------------------------------------------------
def _t(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _literal(value: str) -> str:
    """A code constant (choice value) as an SQL string literal; only plain identifiers."""
    if not value.replace("_", "").isalnum():
        raise ValueError(f"not a plain constant: {value!r}")
    return f"'{value}'"


def _bucket(kind: str, column: str) -> tuple[str, str]:
    """SQL for the first and last day of the calendar month/year holding ``column``."""
    if connection.vendor == "postgresql":
        trunc = f"date_trunc('{kind}', CAST({column} AS timestamp))"
        return f"CAST({trunc} AS date)", f"CAST({trunc} + interval '1 {kind}' - interval '1 day' AS date)"
    return f"date({column}, 'start of {kind}')", f"date({column}, 'start of {kind}', '+1 {kind}', '-1 day')"


def _in(column: str, ids: list[int] | None) -> tuple[str, list]:
    if ids is None:
        return "1 = 1", []
    return f"{column} IN ({', '.join(['%s'] * len(ids))})", list(ids)


_NAMES = ("c", "cc", "m", "a", "wr", "r", *(f"r_{t}" for t in RESULT_TYPE_COLUMNS), "b", "bc")


def _row(org: str, kind: str, start: str, end: str, **values: str) -> str:
    """One SELECT list of the union: organisation, kind, bounds and every value column
    (``c`` registered, ``cc`` cumulative, ``m`` members, ``a`` active, ``wr`` with results,
    ``r`` results, ``r_<type>`` per type, ``b`` benefit, ``bc`` cumulative benefit; 0 when
    the source table does not give it)."""
    head = [f"{org} AS org", f"{kind} AS kind", f"{start} AS ps", f"{end} AS pe"]
    # counts as integer, so that the outer SUMs add machine integers, not numerics
    return ", ".join(
        [
            *head,
            *[
                f"{values[n]} AS {n}"
                if n in ("b", "bc") and n in values
                else f"CAST({values[n]} AS integer) AS {n}"
                if n in values
                else f"0 AS {n}"
                for n in _NAMES
            ],
        ]
    )


def _accepted() -> str:
    return f"p.status = {_literal(ProjectStatus.ACCEPTED)} AND p.accepted_on IS NOT NULL"


def _type_counts(condition: str) -> dict[str, str]:
    return {
        f"r_{value}": f"COUNT(CASE WHEN {condition}p.project_type = {_literal(value)} THEN 1 END)"
        for value in RESULT_TYPE_COLUMNS
    }


def _members(ids: list[int] | None, prepared: str | None = None) -> tuple[str, list]:
    """Members per (member's enterprise, registration date of their circle): columns ``org``,
    ``d``, ``n``. For a few enterprises the circle's date is an index look-up per circle (the
    enterprise's members first); for all, one hash join that reduces 15 M rows to ≤ 2 M
    (computed once per rebuild into the temporary table ``prepared``)."""
    m, circles = _t(CircleMember), _t(Circle)
    if prepared:
        return prepared, []
    if ids is None:
        return (
            f"(SELECT m.organisation_id AS org, c.registered_on AS d, COUNT(*) AS n FROM {m} m "
            f"JOIN {circles} c ON c.id = m.circle_id WHERE c.registered_on IS NOT NULL "
            "GROUP BY m.organisation_id, c.registered_on)",
            [],
        )
    f, p = _in("organisation_id", ids)
    return (
        f"(SELECT x.org, x.d, SUM(x.n) AS n FROM (SELECT m.org, "
        f"(SELECT c.registered_on FROM {circles} c WHERE c.id = m.circle_id) AS d, m.n "
        f"FROM (SELECT organisation_id AS org, circle_id, COUNT(*) AS n FROM {m} WHERE {f} "
        "GROUP BY organisation_id, circle_id) m) x WHERE x.d IS NOT NULL GROUP BY x.org, x.d)",
        p,
    )


def _circle_date(ids: list[int] | None) -> tuple[str, str]:
    """(join, expression) giving a project ``p``'s circle's registration date: an index
    look-up per project for a few enterprises, a hash join for all."""
    if ids is None:
        return f"JOIN {_t(Circle)} c ON c.id = p.circle_id", "c.registered_on"
    return "", f"(SELECT c.registered_on FROM {_t(Circle)} c WHERE c.id = p.circle_id)"


def _calendar_parts(kind: str, ids: list[int] | None, members: str | None = None) -> tuple[list[str], list]:
    """The SELECTs of the month or year rows (one per figure source), with their params.
    Distinct counts are two-level (``DISTINCT`` then ``COUNT``) so that they hash."""
    circles, records, projects = _t(Circle), _t(ActivityRecord), _t(Project)
    k = _literal(kind)
    parts, params = [], []

    f, p = _in("c.organisation_id", ids)
    s, e = _bucket(kind, "c.registered_on")
    parts.append(
        f"SELECT {_row('c.organisation_id', k, s, e, c='COUNT(*)')} FROM {circles} c "
        f"WHERE c.registered_on IS NOT NULL AND {f} GROUP BY c.organisation_id, {s}, {e}"
    )
    params += p

    source, p = _members(ids, members)
    s, e = _bucket(kind, "mm.d")
    parts.append(
        f"SELECT {_row('mm.org', k, s, e, m='SUM(mm.n)')} FROM {source} mm GROUP BY mm.org, {s}, {e}"
    )
    params += p

    f, p = _in("r.organisation_id", ids)
    s, e = _bucket(kind, "r.held_on")
    parts.append(
        f"SELECT {_row('x.org', k, 'x.ps', 'x.pe', a='COUNT(*)')} FROM (SELECT DISTINCT r.organisation_id AS org, "
        f"r.circle_id, {s} AS ps, {e} AS pe FROM {records} r WHERE {f}) x GROUP BY x.org, x.ps, x.pe"
    )
    params += p

    f, p = _in("p.organisation_id", ids)
    s, e = _bucket(kind, "p.accepted_on")
    values = {
        "r": "COUNT(*)",
        **_type_counts(""),
        "b": "COALESCE(SUM(CASE WHEN p.benefit_confirmed THEN p.economic_benefit END), 0)",
    }
    parts.append(
        f"SELECT {_row('p.organisation_id', k, s, e, **values)} FROM {projects} p "
        f"WHERE {_accepted()} AND {f} GROUP BY p.organisation_id, {s}, {e}"
    )
    params += p

    join, registered = _circle_date(ids)
    cs, _ce = _bucket(kind, registered)
    parts.append(
        f"SELECT {_row('x.org', k, 'x.ps', 'x.pe', wr='COUNT(*)')} FROM (SELECT DISTINCT p.organisation_id AS org, "
        f"p.circle_id, {s} AS ps, {e} AS pe FROM {projects} p {join} "
        f"WHERE {_accepted()} AND {f} AND {cs} = {s}) x GROUP BY x.org, x.ps, x.pe"
    )
    params += p
    return parts, params


def _campaign_parts(
    ids: list[int] | None, period: tuple[dt.date, dt.date] | None, members: str | None = None
) -> tuple[list[str], list]:
    """The SELECTs of the campaign rows: every registered statistical period (or one).
    Sources are reduced per enterprise and date before the join to the few periods."""
    circles, records, projects, periods = _t(Circle), _t(ActivityRecord), _t(Project), _t(StatisticsPeriod)
    k = _literal(Kind.CAMPAIGN)
    pick = "pp.period_start = %s AND pp.period_end = %s" if period else "1 = 1"
    pick_params = list(period) if period else []
    start, end = "pp.period_start", "pp.period_end"
    parts, params = [], []

    f, p = _in("organisation_id", ids)
    values = {"c": f"SUM(CASE WHEN c.d >= {start} THEN c.n ELSE 0 END)", "cc": "SUM(c.n)"}
    parts.append(
        f"SELECT {_row('c.org', k, start, end, **values)} FROM (SELECT organisation_id AS org, registered_on AS d, "
        f"COUNT(*) AS n FROM {circles} WHERE registered_on IS NOT NULL AND {f} GROUP BY organisation_id, registered_on) c "
        f"JOIN {periods} pp ON c.d <= {end} WHERE {pick} GROUP BY c.org, {start}, {end}"
    )
    params += p + pick_params

    source, p = _members(ids, members)
    parts.append(
        f"SELECT {_row('mm.org', k, start, end, m='SUM(mm.n)')} FROM {source} mm "
        f"JOIN {periods} pp ON mm.d BETWEEN {start} AND {end} WHERE {pick} GROUP BY mm.org, {start}, {end}"
    )
    params += p + pick_params

    f, p = _in("r.organisation_id", ids)
    parts.append(
        f"SELECT {_row('x.org', k, 'x.ps', 'x.pe', a='COUNT(*)')} FROM (SELECT DISTINCT r.organisation_id AS org, "
        f"r.circle_id, {start} AS ps, {end} AS pe FROM {records} r JOIN {periods} pp "
        f"ON r.held_on BETWEEN {start} AND {end} WHERE {f} AND {pick}) x GROUP BY x.org, x.ps, x.pe"
    )
    params += p + pick_params

    f, p = _in("p.organisation_id", ids)
    within = f"p.accepted_on >= {start} AND "
    values = {
        "r": f"COUNT(CASE WHEN {within}1 = 1 THEN 1 END)",
        **_type_counts(within),
        "b": f"COALESCE(SUM(CASE WHEN {within}p.benefit_confirmed THEN p.economic_benefit END), 0)",
        "bc": "COALESCE(SUM(CASE WHEN p.benefit_confirmed THEN p.economic_benefit END), 0)",
    }
    parts.append(
        f"SELECT {_row('p.organisation_id', k, start, end, **values)} FROM {projects} p "
        f"JOIN {periods} pp ON p.accepted_on <= {end} "
        f"WHERE {_accepted()} AND {f} AND {pick} GROUP BY p.organisation_id, {start}, {end}"
    )
    params += p + pick_params

    join, registered = _circle_date(ids)
    parts.append(
        f"SELECT {_row('x.org', k, 'x.ps', 'x.pe', wr='COUNT(*)')} FROM (SELECT DISTINCT p.organisation_id AS org, "
        f"p.circle_id, {start} AS ps, {end} AS pe FROM {projects} p {join} JOIN {periods} pp "
        f"ON p.accepted_on BETWEEN {start} AND {end} "
        f"WHERE {_accepted()} AND {f} AND {pick} AND {registered} BETWEEN {start} AND {end}) x "
        "GROUP BY x.org, x.ps, x.pe"
    )
    params += p + pick_params
    return parts, params


#: SQL types of the columns, for the typed SELECT of the PostgreSQL rebuild (CREATE TABLE AS).
_PG_TYPES = {
    "organisation_id": "bigint",
    "period_kind": "varchar(8)",
    "period_start": "date",
    "period_end": "date",
    **{c: "integer" for c in VALUE_COLUMNS if not c.startswith("benefit")},
    "benefit": "numeric(18, 4)",
    "benefit_cumulative": "numeric(18, 4)",
    "refreshed_at": "timestamp with time zone",
}


def _select(parts: list[str], *, typed: bool = False) -> str:
    """The rows of the union ``parts`` grouped per (enterprise, kind, period), named like the
    table's columns (``refreshed_at`` is the first parameter). Cumulative columns of
    month/year rows are running sums over the enterprise's rows of that kind (a row exists
    for every month/year with a registration or a result, so the running sum is exactly
    "registered/accepted on or before ``period_end``"). ``typed``: cast every column to its
    PostgreSQL type."""
    sums = ", ".join(f"SUM(u.{n}) AS {n}" for n in _NAMES)
    campaign = _literal(Kind.CAMPAIGN)
    values = ["g.org", "g.kind", "g.ps", "g.pe"]
    for n in _NAMES:
        if n in ("cc", "bc"):
            running = "c" if n == "cc" else "b"
            values.append(f"CASE WHEN g.kind = {campaign} THEN g.{n} ELSE SUM(g.{running}) OVER w END")
        else:
            values.append(f"g.{n}")
    values.append("%s")
    columns = ["organisation_id", "period_kind", "period_start", "period_end", *VALUE_COLUMNS, "refreshed_at"]
    named = ", ".join(
        f"CAST({v} AS {_PG_TYPES[c]}) AS {c}" if typed else f"{v} AS {c}"
        for v, c in zip(values, columns, strict=True)
    )
    return (
        f"SELECT {named} FROM (SELECT u.org, u.kind, u.ps, u.pe, {sums} FROM ({' UNION ALL '.join(parts)}) u "
        "GROUP BY u.org, u.kind, u.ps, u.pe) g WINDOW w AS (PARTITION BY g.org, g.kind ORDER BY g.ps)"
    )


def _insert(parts: list[str], params: list, *, now: dt.datetime, update: bool) -> int:
    """Run one ``INSERT … SELECT`` of :func:`_select`. ``update``: a conflicting row (written
    by a concurrent refresh) takes the new values; else it is kept. Output: rows written."""
    columns = ", ".join(["organisation_id", "period_kind", "period_start", "period_end", *VALUE_COLUMNS])
    conflict = (
        "DO UPDATE SET " + ", ".join(f"{c} = excluded.{c}" for c in [*VALUE_COLUMNS, "refreshed_at"])
        if update
        else "DO NOTHING"
    )
    sql = (
        f"INSERT INTO {_t(EnterpriseStatistics)} ({columns}, refreshed_at) "
        f"SELECT * FROM ({_select(parts)}) s WHERE 1 = 1 "
        "ON CONFLICT (organisation_id, period_kind, period_start, period_end) " + conflict
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [now, *params])
        return max(cursor.rowcount, 0)


def _rebuild_by_swap(now: dt.datetime) -> int:
    """PostgreSQL full rebuild: write every row into a new table with one ``CREATE TABLE …
    AS SELECT`` (parallel-capable, no index maintenance, no dead duplicates of deleted rows
    in the unique index), then add the constraints and indexes of the live table (read from
    the catalogue, so the names Django's migrations know are kept), and swap the tables.

    The live table is locked ``SHARE ROW EXCLUSIVE`` from the start: reads go on, refreshes
    of other transactions wait (the after-commit ones give up after
    ``AFTER_COMMIT_LOCK_TIMEOUT`` and leave their enterprises to the sweep); the final swap
    holds an exclusive lock for a moment. Output: rows written.
    """
    import re

    table = EnterpriseStatistics._meta.db_table
    new = f"{table}_rebuild"
    with connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")
        cursor.execute(
            "SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype IN ('c', 'p')",
            [table],
        )
        constraints = cursor.fetchall()
        primary = next(name for name, kind, _def in constraints if kind == "p")
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s", [table])
        indexes = [(name, definition) for name, definition in cursor.fetchall() if name != primary]
        cursor.execute(
            "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0 "
            "AND NOT attisdropped AND attnotnull",
            [table],
        )
        not_null = [row[0] for row in cursor.fetchall()]
        cursor.execute(
            "SELECT stxname, pg_get_statisticsobjdef(oid) FROM pg_statistic_ext WHERE stxrelid = %s::regclass",
            [table],
        )
        statistics_objects = cursor.fetchall()

        parts, params = [], []
        for kind in (Kind.MONTH, Kind.YEAR):
            more, more_params = _calendar_parts(kind, None)
            parts += more
            params += more_params
        more, more_params = _campaign_parts(None, None)
        cursor.execute(f"DROP TABLE IF EXISTS {new}")
        cursor.execute(
            f"CREATE TABLE {new} AS {_select(parts + more, typed=True)}", [now, *params, *more_params]
        )
        written = max(cursor.rowcount, 0)
        alter = [f"ALTER COLUMN {column} SET NOT NULL" for column in not_null]
        alter += [
            f"ADD CONSTRAINT {name} {definition}" for name, kind, definition in constraints if kind == "c"
        ]
        alter += [
            f"ADD CONSTRAINT {new}_pkey {definition}"
            for _name, kind, definition in constraints
            if kind == "p"
        ]
        cursor.execute(f"ALTER TABLE {new} " + ", ".join(alter))
        renames = [(f"{new}_pkey", primary)]
        for name, definition in indexes:
            temporary = f"{name[:50]}_rebuild"
            statement = re.sub(
                r"^CREATE (UNIQUE )?INDEX \S+ ON (ONLY )?\S+ ",
                lambda m, t=temporary: f"CREATE {m.group(1) or ''}INDEX {t} ON {new} ",
                definition,
            )
            cursor.execute(statement)
            renames.append((temporary, name))
        statistics_renames = []
        for name, definition in statistics_objects:
            temporary = f"{name[:50]}_rebuild"
            cursor.execute(
                re.sub(
                    r"^CREATE STATISTICS \S+ (.*) FROM \S+$",
                    lambda m, t=temporary: f"CREATE STATISTICS {t} {m.group(1)} FROM {new}",
                    definition,
                )
            )
            statistics_renames.append((temporary, name))
        cursor.execute(f"ANALYZE {new}")
        cursor.execute(f"DROP TABLE {table}")
        cursor.execute(f"ALTER TABLE {new} RENAME TO {table}")
        for temporary, name in renames:
            cursor.execute(f"ALTER INDEX {temporary} RENAME TO {name}")
        for temporary, name in statistics_renames:
            cursor.execute(f"ALTER STATISTICS {temporary} RENAME TO {name}")
    return written


def _tune(**values: str) -> None:
    """Set PostgreSQL settings for the rest of the current transaction (``set_config(…,
    true)``) in one query: no JIT (compiling the large union costs more than it saves),
    and e.g. more ``work_mem`` for a rebuild's hash aggregates or a ``lock_timeout``."""
    if connection.vendor != "postgresql":
        return
    values = {"jit": "off", **values}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT " + ", ".join("set_config(%s, %s, true)" for _ in values),
            [x for pair in values.items() for x in pair],
        )


def _chunks(ids: Iterable[int]) -> Iterator[list[int]]:
    ordered = sorted({int(i) for i in ids if i is not None})
    for start in range(0, len(ordered), CHUNK):
        yield ordered[start : start + CHUNK]


def _lock_enterprises(ids: list[int]) -> None:
    """Serialise refreshes of the same enterprise (PostgreSQL transaction-level advisory
    locks, taken in id order so two refreshes never deadlock; SQLite serialises writers)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s, x) FROM (SELECT unnest(%s::int[]) AS x ORDER BY 1) s",
            [LOCK_CLASS, ids],
        )


def _refresh(ids: list[int], *, now: dt.datetime) -> int:
    _lock_enterprises(ids)
    f, p = _in("organisation_id", ids)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {_t(EnterpriseStatistics)} WHERE {f}", p)
    parts, params = [], []
    for kind in (Kind.MONTH, Kind.YEAR):
        more, more_params = _calendar_parts(kind, ids)
        parts += more
        params += more_params
    more, more_params = _campaign_parts(ids, None)
    written = _insert(parts + more, params + more_params, now=now, update=True)
    _bump_enterprises(ids)
    return written


def refresh_enterprise_statistics(enterprise_ids: Iterable[int]) -> None:
    """Recompute every summary row (month, year and campaign periods) of ``enterprise_ids``
    from the live rows, replacing what was there.

    Input: enterprise (organisation) ids; others or unknown ids simply get no rows. Runs
    inside the caller's transaction (a savepoint of it) and does not commit; on PostgreSQL it
    turns JIT compilation off for the rest of that transaction (one query: compiling the
    large statement costs seconds, running it milliseconds). Per 500 enterprises: one
    advisory lock statement (PostgreSQL), one DELETE and one
    ``INSERT … SELECT`` whose every source is filtered by ``organisation_id`` before any
    join, so its cost is bounded by those enterprises' own rows. Definitions: see
    :class:`reports.models.EnterpriseStatistics` (seed 002 Annex 3; standard.md §6).
    """
    with transaction.atomic():
        _tune()
        _refresh_chunks(enterprise_ids)


def _refresh_chunks(enterprise_ids: Iterable[int]) -> None:
    now = timezone.now()
    for ids in _chunks(enterprise_ids):
        _refresh(ids, now=now)


def _sync_periods(now: dt.datetime) -> None:
    """Register every campaign's statistical period; drop periods no campaign uses (with their
    rows)."""
    periods, campaigns, stats = _t(StatisticsPeriod), _t(Campaign), _t(EnterpriseStatistics)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {periods} (period_start, period_end, created_at) "
            f"SELECT DISTINCT period_start, period_end, %s FROM {campaigns} WHERE 1 = 1 "
            "ON CONFLICT (period_start, period_end) DO NOTHING",
            [now],
        )
        unused = (
            f"NOT EXISTS (SELECT 1 FROM {campaigns} c WHERE c.period_start = {{t}}.period_start "
            f"AND c.period_end = {{t}}.period_end)"
        )
        cursor.execute(
            f"DELETE FROM {stats} WHERE period_kind = {_literal(Kind.CAMPAIGN)} AND " + unused.format(t=stats)
        )
        cursor.execute(f"DELETE FROM {periods} WHERE " + unused.format(t=periods))


def build_period(period_start: dt.date, period_end: dt.date) -> int:
    """Build the ``campaign`` rows of one statistical period for every enterprise and mark
    the period summarised (``StatisticsPeriod.built_at``), so that Annex 3 for it reads the
    summary (seed 002 Annex 3).

    Inputs: the period's bounds (inclusive). Output: rows written. One transaction: register
    the period, delete its rows, one ``INSERT … SELECT`` over every enterprise (rows a
    concurrent refresh wrote meanwhile are kept: they are newer), mark it built. Cost: one
    pass over circles and accepted projects up to the period's end, members of the circles
    registered in it and records held in it.
    """
    now = timezone.now()
    with transaction.atomic():
        _tune(work_mem=settings.STATISTICS_REBUILD_WORK_MEM)
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {_t(StatisticsPeriod)} (period_start, period_end, created_at) "
                "VALUES (%s, %s, %s) ON CONFLICT (period_start, period_end) DO NOTHING",
                [period_start, period_end, now],
            )
            cursor.execute(
                f"DELETE FROM {_t(EnterpriseStatistics)} WHERE period_kind = {_literal(Kind.CAMPAIGN)} "
                "AND period_start = %s AND period_end = %s",
                [period_start, period_end],
            )
        parts, params = _campaign_parts(None, (period_start, period_end))
        written = _insert(parts, params, now=now, update=False)
        StatisticsPeriod.objects.filter(period_start=period_start, period_end=period_end).update(built_at=now)
        generation_bump(STATISTICS_GENERATION)
    return written


def build_first_or_period(period_start: dt.date, period_end: dt.date) -> int:
    """Build one statistical period (:func:`build_period`), or, when no period was ever built
    (a database that predates the summary, e.g. right after the migration on existing data),
    rebuild everything once (:func:`rebuild_statistics`), so that the month and year rows
    the dashboards read exist before :func:`summary_ready` turns true. Output: rows written."""
    if not StatisticsPeriod.objects.filter(built_at__isnull=False).exists():
        return rebuild_statistics()
    return build_period(period_start, period_end)


def rebuild_statistics(*, enterprise_ids: Iterable[int] | None = None) -> int:
    """Rebuild the summary from the live rows: every enterprise (``enterprise_ids=None``,
    ``manage.py stats_rebuild``, the end of ``seed_demo``) or the given ones.

    Output: rows written. Every campaign's statistical period is registered first (periods no
    campaign uses are dropped). For all enterprises, one transaction clears the dirty queue
    rows seen at the start (the rebuild covers them) and writes every row with set-based
    ``SELECT``s: the month rows (``GROUP BY`` the month of each date), the year rows and the
    campaign rows (a join to the few registered periods), each source reduced per enterprise
    and date first; every period is then marked built. On PostgreSQL through
    :func:`_rebuild_by_swap` (a new table swapped in; reads go on, refreshes of other
    transactions wait, the after-commit ones give up after ``AFTER_COMMIT_LOCK_TIMEOUT`` and
    leave their enterprises to the sweep), without JIT and with ``work_mem`` from
    ``settings.STATISTICS_REBUILD_WORK_MEM``, then ``VACUUM ANALYZE`` when not inside a
    caller's transaction; elsewhere (SQLite, the demo) by delete and ``INSERT … SELECT``.
    For given enterprises: :func:`refresh_enterprise_statistics` per 500 enterprises.
    """
    now = timezone.now()
    written = 0
    with transaction.atomic():
        _tune(work_mem=settings.STATISTICS_REBUILD_WORK_MEM)
        _sync_periods(now)
        if enterprise_ids is not None:
            for ids in _chunks(enterprise_ids):
                written += _refresh(ids, now=now)
                _rollups().mark_rollups_dirty(ids)
            return written
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {_t(StatisticsQueue)}")
        if connection.vendor == "postgresql":
            written = _rebuild_by_swap(now)
        else:
            members = "qs_rebuild_members"
            with connection.cursor() as cursor:
                cursor.execute(f"DELETE FROM {_t(EnterpriseStatistics)}")
                cursor.execute(f"DROP TABLE IF EXISTS {members}")
                cursor.execute(f"CREATE TEMPORARY TABLE {members} AS {_members(None)[0][1:-1]}")
            for kind in (Kind.MONTH, Kind.YEAR):
                written += _insert(*_calendar_parts(kind, None, members), now=now, update=False)
            written += _insert(*_campaign_parts(None, None, members), now=now, update=False)
            with connection.cursor() as cursor:
                cursor.execute(f"DROP TABLE {members}")
        StatisticsPeriod.objects.update(built_at=now)
        generation_bump(STATISTICS_GENERATION)
    _rollups().rollup_rebuild()  # the organisations' rollups from the rebuilt summary
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        # mark the new table's pages all-visible, so that period reads are index-only at once
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM ANALYZE {_t(EnterpriseStatistics)}")
    return written


# --- keeping current ---------------------------------------------------------------------------
class _Marked:
    """The enterprises one transaction (at one savepoint level) marked dirty; registered with
    ``transaction.on_commit``, it refreshes them once the transaction commits.

    Django drops the on-commit callbacks of a savepoint that rolls back, so an enterprise
    counts as marked exactly while a live (not yet run) ``_Marked`` holds it: a rolled-back
    savepoint's marks are forgotten with its queue rows and are written again if needed.
    ``token`` identifies this transaction's queue rows.
    """

    def __init__(self) -> None:
        self.token = secrets.randbits(62)
        self.enterprises: set[int] = set()
        self.done = False

    def __call__(self) -> None:
        self.done = True
        refresh_after_commit(self.enterprises, token=self.token)


def _live_marks() -> list[tuple[set, _Marked]]:
    return [
        (sids, func)
        for sids, func, *_ in connection.run_on_commit
        if isinstance(func, _Marked) and not func.done
    ]


def mark_enterprises_dirty(enterprise_ids: Iterable[int]) -> None:
    """Record that the current transaction changed rows of ``enterprise_ids`` that the
    summary derives from.

    Each enterprise not yet marked in this transaction costs one row in
    :class:`~reports.models.StatisticsQueue` (one ``INSERT … ON CONFLICT DO NOTHING`` for all
    of them, in the same transaction); an enterprise already marked costs nothing. After
    commit, one callback per transaction refreshes the marked enterprises and deletes their
    queue rows (:func:`refresh_after_commit`). Outside a transaction (autocommit) the refresh
    runs at once.
    """
    ids = {int(i) for i in enterprise_ids if i is not None}
    live = _live_marks()
    for _sids, marked in live:
        ids -= marked.enterprises
    if not ids:
        return
    _bump_enterprises(ids)  # live reads of them (circles per year) change at this commit
    level = set(connection.savepoint_ids)
    current = next((marked for sids, marked in live if sids == level), None)
    new = current is None
    if new:
        current = _Marked()
    now = timezone.now()
    rows = sorted(ids)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {_t(StatisticsQueue)} (organisation_id, token, marked_at) VALUES "
            + ", ".join(["(%s, %s, %s)"] * len(rows))
            + " ON CONFLICT (organisation_id, token) DO NOTHING",
            [value for org in rows for value in (org, current.token, now)],
        )
    current.enterprises |= ids
    if new:
        transaction.on_commit(current, robust=True)


def refresh_after_commit(enterprise_ids: Iterable[int], *, token: int) -> bool:
    """Refresh ``enterprise_ids`` and delete the queue rows of the transaction ``token``, in
    one transaction (the on-commit half of :func:`mark_enterprises_dirty`).

    On PostgreSQL it waits at most ``AFTER_COMMIT_LOCK_TIMEOUT`` for locks (e.g. while a full
    rebuild runs); on any database error it logs a warning and leaves the queue rows for the
    sweep. Output: True when refreshed. Never raises (the user's change is committed).
    """
    ids = list(enterprise_ids)
    try:
        with transaction.atomic():
            if not connection.savepoint_ids:  # our own transaction (not a test's)
                _tune(lock_timeout=AFTER_COMMIT_LOCK_TIMEOUT)  # before the first lock
            with connection.cursor() as cursor:
                cursor.execute(f"DELETE FROM {_t(StatisticsQueue)} WHERE token = %s", [token])
            _refresh_chunks(ids)
            _rollups().mark_rollups_dirty(ids)
    except DatabaseError:
        logger.warning("statistics refresh of enterprises %s deferred to the sweep", ids, exc_info=True)
        return False
    return True


def mark_period(period_start: dt.date, period_end: dt.date) -> bool:
    """Register a campaign's statistical period for the summary (one ``INSERT … ON CONFLICT
    DO NOTHING``); when it is new, build its rows after commit (Celery task
    ``statistics_period_build_task``; the sweep builds it should that be lost). Until built,
    Annex 3 for the period is computed live. Output: True when the period is new."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {_t(StatisticsPeriod)} (period_start, period_end, created_at) "
            "VALUES (%s, %s, %s) ON CONFLICT (period_start, period_end) DO NOTHING",
            [period_start, period_end, timezone.now()],
        )
        new = cursor.rowcount == 1
    if new:
        from .tasks import statistics_period_build_task

        bounds = {"period_start": period_start.isoformat(), "period_end": period_end.isoformat()}
        transaction.on_commit(lambda: statistics_period_build_task.delay(**bounds), robust=True)
    return new


#: Fields whose change alters the summary, per model (a save with ``update_fields`` outside
#: them, e.g. a circle's name, marks nothing).
_RELEVANT_FIELDS = {
    Circle: {"registered_on", "organisation"},
    CircleMember: {"circle", "organisation"},
    Project: {
        "status",
        "accepted_on",
        "economic_benefit",
        "benefit_confirmed",
        "project_type",
        "circle",
        "organisation",
    },
    ActivityRecord: {"held_on", "circle", "organisation"},
}


def _on_row_saved(sender, instance, update_fields=None, **kwargs) -> None:
    if update_fields is not None and not set(update_fields) & _RELEVANT_FIELDS[sender]:
        return
    mark_enterprises_dirty([instance.organisation_id])


def _on_row_deleted(sender, instance, **kwargs) -> None:
    mark_enterprises_dirty([instance.organisation_id])


def _on_bulk_change(sender, organisation_ids, **kwargs) -> None:
    mark_enterprises_dirty(organisation_ids)


def _on_campaign_saved(sender, instance, update_fields=None, **kwargs) -> None:
    if update_fields is not None and not {"period_start", "period_end"} & set(update_fields):
        return
    mark_period(instance.period_start, instance.period_end)


def _rollups():
    from . import rollups  # imports the dashboards, which import this module

    return rollups


def _on_figures_changed(sender, instance, **kwargs) -> None:
    _bump_enterprises([instance.organisation_id])
    _rollups().mark_rollups_dirty([instance.organisation_id])


def _on_organisation_saved(sender, instance, created=False, **kwargs) -> None:
    if instance.kind == OrganisationKind.ENTERPRISE and not created:
        _rollups().mark_rollups_dirty([instance.pk])


def connect_signals() -> None:
    """Connect the handlers that keep the summary current (``ReportsConfig.ready``): saves
    and deletions of circles, members, projects and activity records, the circles app's
    ``rows_bulk_changed``, and campaign saves (their statistical period); yearly figures and
    enterprises' saves queue the organisations' rollups (:mod:`reports.rollups`)."""
    for model in _RELEVANT_FIELDS:
        post_save.connect(_on_row_saved, sender=model, dispatch_uid=f"summaries-save-{model.__name__}")
        post_delete.connect(_on_row_deleted, sender=model, dispatch_uid=f"summaries-delete-{model.__name__}")
    rows_bulk_changed.connect(_on_bulk_change, dispatch_uid="summaries-bulk")
    post_save.connect(_on_campaign_saved, sender=Campaign, dispatch_uid="summaries-campaign")
    # the organisations' rollups (reports.rollups): yearly figures and an enterprise's place
    for sender in (EnterpriseAnnualFigures,):
        post_save.connect(_on_figures_changed, sender=sender, dispatch_uid="rollups-figures-save")
        post_delete.connect(_on_figures_changed, sender=sender, dispatch_uid="rollups-figures-delete")
    post_save.connect(_on_organisation_saved, sender=Organisation, dispatch_uid="rollups-organisation")


def sweep(*, limit: int = 5000) -> dict:
    """Catch up (Celery beat every ``STATISTICS_SWEEP_SECONDS``): register the campaigns'
    periods and build those not built yet, then refresh the enterprises whose queue rows are
    left (a crash between commit and refresh, a refresh that gave up on a lock), oldest
    first, at most ``limit`` queue rows per run.

    Output: ``{"periods_built": n, "enterprises_refreshed": n, "rollups_refreshed": n}``
    (:func:`reports.rollups.rollup_sweep` runs last). Safe to run concurrently
    with writers and with itself (queue rows are taken with ``SKIP LOCKED`` on PostgreSQL;
    refreshes of one enterprise are serialised).
    """
    now = timezone.now()
    with transaction.atomic():
        _sync_periods(now)
    pending = list(
        StatisticsPeriod.objects.filter(built_at__isnull=True).values_list("period_start", "period_end")
    )
    for start, end in pending:
        build_first_or_period(start, end)
    with transaction.atomic():
        _tune()
        rows = StatisticsQueue.objects.order_by("marked_at", "id")
        if connection.features.has_select_for_update_skip_locked:
            rows = rows.select_for_update(skip_locked=True)
        taken = list(rows.values_list("id", "organisation_id")[:limit])
        enterprises = {org for _pk, org in taken}
        refresh_enterprise_statistics(enterprises)
        _rollups().mark_rollups_dirty(enterprises)
        StatisticsQueue.objects.filter(pk__in=[pk for pk, _org in taken]).delete()
    organisations = _rollups().rollup_sweep()
    return {
        "periods_built": len(pending),
        "enterprises_refreshed": len(enterprises),
        "rollups_refreshed": organisations,
    }


def lag_statement() -> str:
    """The sentence pages print under figures read from the summary: how stale they can be
    (from ``settings.STATISTICS_SWEEP_SECONDS``), e.g. “统计数据随数据变更即时汇总，最长约1分钟内更新。”."""
    seconds = settings.STATISTICS_SWEEP_SECONDS
    if seconds < 60:
        return _("统计数据随数据变更即时汇总，最长约%(n)s秒内更新。") % {"n": int(seconds)}
    return _("统计数据随数据变更即时汇总，最长约%(n)s分钟内更新。") % {"n": math.ceil(seconds / 60)}


# --- reading ---------------------------------------------------------------------------------------
def period_is_summarised(period_start: dt.date, period_end: dt.date) -> bool:
    """True when the ``campaign`` rows of this statistical period have been built for every
    enterprise (``StatisticsPeriod.built_at`` set by :func:`build_period` or
    :func:`rebuild_statistics`); a new campaign's period is not until its build ran, and
    readers then compute live. One query."""
    return StatisticsPeriod.objects.filter(
        period_start=period_start, period_end=period_end, built_at__isnull=False
    ).exists()


def period_bounds(period_kind: str, day: dt.date) -> tuple[dt.date, dt.date]:
    """The calendar month or year holding ``day``: ``(first day, last day)``. Raises
    ``ValueError`` for the ``campaign`` kind (its bounds are the campaign's)."""
    if period_kind == Kind.YEAR:
        return dt.date(day.year, 1, 1), dt.date(day.year, 12, 31)
    if period_kind == Kind.MONTH:
        following = dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)
        return dt.date(day.year, day.month, 1), following - dt.timedelta(days=1)
    raise ValueError("a campaign period has the campaign's own bounds")


def _sum(column: str, condition: Q) -> Coalesce:
    zero = _MONEY_ZERO if column.startswith("benefit") else 0
    return Coalesce(Sum(column, filter=condition), zero)


def summary_totals(
    *, enterprises: QuerySet | Iterable[int], period_kind: str, period_start: dt.date, period_end: dt.date
) -> dict:
    """The summed figures of ``enterprises`` for one period, read from the summary in one query
    (tenant-scoped: only enterprises of the active scope's data share count).

    Inputs: ``enterprises``, a queryset of organisation pks (e.g.
    :func:`reports.statistics.reporting_enterprises`) or ids; ``period_kind`` a
    ``StatisticsPeriodKind`` value; the period's bounds: a calendar month or year
    (:func:`period_bounds`; ``ValueError`` otherwise) or a campaign's statistical period
    (registered: :func:`period_is_summarised` says whether it is built yet).

    Output: a dict with every column of :class:`~reports.models.EnterpriseStatistics`
    (``circles_registered``, ``circles_cumulative``, ``members``, ``circles_active``,
    ``circles_with_results``, ``results``, ``results_problem_solving``,
    ``results_innovation``: ints; ``benefit``, ``benefit_cumulative``: Decimal 万元, 4 places)
    plus ``as_of`` (the oldest ``refreshed_at`` of the rows read, or ``None`` without rows).
    Each is exact for the period (definitions of ``circle_statistics``, seed 002 Annex 3):
    for month/year the cumulative columns are running sums of the year rows before the
    period's year and the month rows of its year up to ``period_end`` (a month or year
    without data has no row). For one enterprise's campaign period (``enterprises`` a list or
    tuple of one id: its home page) the row is read as it is, without an aggregate.
    """
    this = Q(period_kind=period_kind, period_start=period_start, period_end=period_end)
    if period_kind == Kind.CAMPAIGN and isinstance(enterprises, list | tuple) and len(enterprises) == 1:
        return _campaign_row(enterprises[0], this)  # one enterprise (its home): its one row
    if period_kind == Kind.CAMPAIGN:
        before = this
        cumulative = {c: _sum(c, this) for c in ("circles_cumulative", "benefit_cumulative")}
    else:
        if period_bounds(period_kind, period_start) != (period_start, period_end):
            raise ValueError(f"{period_start}–{period_end} is not a calendar {period_kind}")
        year_start = dt.date(period_start.year, 1, 1)
        before = (
            Q(period_kind=Kind.YEAR, period_end__lte=period_end)
            if period_kind == Kind.YEAR
            else Q(period_kind=Kind.YEAR, period_end__lt=year_start)
            | Q(period_kind=Kind.MONTH, period_start__gte=year_start, period_end__lte=period_end)
        )
        cumulative = {
            "circles_cumulative": _sum("circles_registered", before),
            "benefit_cumulative": _sum("benefit", before),
        }
    values = {c: _sum(c, this) for c in VALUE_COLUMNS if c not in cumulative}
    # aliases differ from the field names (an alias named like a field would shadow it)
    totals = (
        EnterpriseStatistics.objects.filter(organisation__in=enterprises)
        .filter(before | this)
        .aggregate(
            **{f"sum_{c}": e for c, e in {**values, **cumulative}.items()},
            as_of=Max("refreshed_at", filter=this),
        )
    )
    return {**{c: totals[f"sum_{c}"] for c in VALUE_COLUMNS}, "as_of": totals["as_of"]}


def _campaign_row(enterprise_id: int, this: Q) -> dict:
    """One enterprise's campaign row as :func:`summary_totals` gives it (the sum over one row
    is the row; no row: zeros and ``as_of`` ``None``). One indexed query, no aggregate."""
    rows = EnterpriseStatistics.objects.filter(this, organisation_id=enterprise_id).values(
        *VALUE_COLUMNS, "refreshed_at"
    )[:1]
    row = next(iter(rows), None)  # unique per (period, enterprise); no ORDER BY needed
    if row is None:
        return {**{c: _MONEY_ZERO if c.startswith("benefit") else 0 for c in VALUE_COLUMNS}, "as_of": None}
    return {**{c: row[c] for c in VALUE_COLUMNS}, "as_of": row["refreshed_at"]}


def summary_by_year(*, enterprises: QuerySet | Iterable[int]) -> list[dict]:
    """The yearly trend of ``enterprises`` read from the ``year`` rows, one query
    (tenant-scoped), for dashboards (circles, members, active circles, results, benefit per
    year; year over year).

    Output: ``[{"year": 2019, "circles_registered": …, "circles_cumulative": …, "members": …,
    "circles_active": …, "circles_with_results": …, "results": …, "results_problem_solving": …,
    "results_innovation": …, "benefit": Decimal, "benefit_cumulative": Decimal, "as_of":
    datetime}, …]`` ordered by year; years in which none of the enterprises has data are
    absent. Per year every figure is exact (calendar year, definitions of seed 002 Annex 3);
    the cumulative ones are running sums over the years (circles registered / benefit of
    projects accepted up to 31 December of that year).
    """
    running = {"circles_cumulative": "circles_registered", "benefit_cumulative": "benefit"}
    # aliases differ from the field names, so that Sum("benefit") below is the column's sum
    sums = {f"sum_{c}": Sum(c) for c in VALUE_COLUMNS if c not in running}
    windows = {
        f"sum_{c}": Window(_RunningSum(Sum(source)), order_by=F("period_start").asc())
        for c, source in running.items()
    }
    rows = (
        EnterpriseStatistics.objects.filter(organisation__in=enterprises, period_kind=Kind.YEAR)
        .values("period_start")
        .annotate(**sums, as_of=Max("refreshed_at"))
        .annotate(**windows)
        .order_by("period_start")
    )
    return [
        {
            "year": row["period_start"].year,
            **{c: row[f"sum_{c}"] for c in VALUE_COLUMNS},
            "as_of": row["as_of"],
        }
        for row in rows
    ]


class _RunningSum(Func):
    """``SUM(<aggregate>) OVER (…)``: a running total of a grouped query's sums."""

    function = "SUM"
    window_compatible = True


def summary_ready() -> bool:
    """True once the summary has been built over the existing data: a full
    :func:`rebuild_statistics` ran (``seed_demo``, ``manage.py stats_rebuild``, or the first
    period build or sweep, :func:`build_first_or_period`), which marks every period built.
    From then on the model signals keep the month and year rows current, so the dashboards
    read them; before (a database that predates the summary), they compute live. One query."""
    return StatisticsPeriod.objects.filter(built_at__isnull=False).exists()


def circle_statistics_from_summary(
    *,
    enterprises: QuerySet | Iterable[int],
    period_start: dt.date,
    period_end: dt.date,
    period_kind: str = Kind.CAMPAIGN,
) -> dict:
    """:func:`circles.selectors.circle_statistics` read from the summary in one query (same
    keys: ``circles_cumulative``, ``circles_this_year``, ``members_this_year``,
    ``circles_active``, ``circles_with_results``, ``benefit_cumulative``,
    ``benefit_this_year``, ``results_this_year``, ``results_<type>``; plus ``as_of``).

    ``period_kind``: ``campaign`` (default) for a campaign's statistical period — call it only
    when :func:`period_is_summarised` (seed 002 Annex 3) — or ``year``/``month`` for a
    calendar period (the dashboards; :func:`summary_ready`). Raises ``ValueError`` for
    bounds that are not a calendar period of that kind."""
    t = summary_totals(
        enterprises=enterprises, period_kind=period_kind, period_start=period_start, period_end=period_end
    )
    return {
        "circles_cumulative": t["circles_cumulative"],
        "circles_this_year": t["circles_registered"],
        "members_this_year": t["members"],
        "circles_active": t["circles_active"],
        "circles_with_results": t["circles_with_results"],
        "benefit_cumulative": t["benefit_cumulative"],
        "benefit_this_year": t["benefit"],
        "results_this_year": t["results"],
        **{f"results_{kind}": t[column] for kind, column in RESULT_TYPE_COLUMNS.items()},
        "as_of": t["as_of"],
    }


# --- verifying -------------------------------------------------------------------------------------
#: circle_statistics' key of each summary column (the live reference).
LIVE_KEYS: dict[str, str] = {
    "circles_registered": "circles_this_year",
    "circles_cumulative": "circles_cumulative",
    "members": "members_this_year",
    "circles_active": "circles_active",
    "circles_with_results": "circles_with_results",
    "results": "results_this_year",
    **{column: f"results_{kind}" for kind, column in RESULT_TYPE_COLUMNS.items()},
    "benefit": "benefit_this_year",
    "benefit_cumulative": "benefit_cumulative",
}


def _label(column: str) -> str:
    return str(EnterpriseStatistics._meta.get_field(column).verbose_name)


def _period_text(kind: str, start: dt.date, end: dt.date) -> str:
    if kind == Kind.MONTH:
        return f"{start.year}年{start.month}月"
    if kind == Kind.YEAR:
        return f"{start.year}年"
    return f"统计期{start.isoformat()}至{end.isoformat()}"


def _number(value) -> Decimal:
    return Decimal(value or 0)


def _differences(prefix: str, summary: dict, live: dict) -> list[str]:
    return [
        f"{prefix}{_label(column)}：汇总表为 {_number(summary.get(column))}，实时统计为 {_number(live.get(LIVE_KEYS[column]))}"
        for column in VALUE_COLUMNS
        if _number(summary.get(column)) != _number(live.get(LIVE_KEYS[column]))
    ]


def _sample(ids: list[int], size: int) -> list[int]:
    if not size or size >= len(ids):
        return ids
    step = len(ids) / size
    return [ids[int(i * step)] for i in range(size)]


def _live_periods(enterprise_ids: list[int]) -> set[tuple[int, str, dt.date, dt.date]]:
    """(enterprise, kind, start, end) of every month and year in which the enterprises have
    live data (a circle registered, its members, a record held, a project accepted)."""
    from django.db.models.functions import TruncMonth

    months: set[tuple[int, dt.date]] = set()
    sources = (
        (Circle, "registered_on"),
        (CircleMember, "circle__registered_on"),
        (ActivityRecord, "held_on"),
        (Project, "accepted_on"),
    )
    for model, field in sources:
        qs = model._base_manager.filter(organisation_id__in=enterprise_ids, **{f"{field}__isnull": False})
        if model is Project:
            qs = qs.filter(status=ProjectStatus.ACCEPTED)
        months |= set(qs.annotate(m=TruncMonth(field)).values_list("organisation_id", "m").distinct())
    found = set()
    for org, month in months:
        for kind in (Kind.MONTH, Kind.YEAR):
            found.add((org, kind, *period_bounds(kind, month)))
    return found


def verify_enterprises(enterprise_ids: Iterable[int]) -> list[str]:
    """Compare the summary rows of ``enterprise_ids`` with the live aggregate: every month,
    year and summarised campaign period in which either side has data, column by column,
    against :func:`circles.selectors.circle_statistics` (the reference; seed 002 Annex 3).

    Output: one Chinese sentence per difference naming the enterprise, the period, the
    column and both values (empty when equal). Read-only; unscoped (system check). Costs
    four queries per enterprise and period (a verification, not a page).
    """
    from circles.selectors import circle_statistics
    from qcportal.models import Organisation
    from qcportal.tenancy import no_tenant

    ids = sorted({int(i) for i in enterprise_ids})
    differences: list[str] = []
    with no_tenant():
        built = StatisticsPeriod.objects.filter(built_at__isnull=False).values_list(
            "period_start", "period_end"
        )
        labels = {
            pk: f"企业“{name}”（{code}）"
            for pk, name, code in Organisation._base_manager.filter(pk__in=ids).values_list(
                "pk", "name", "code"
            )
        }
        rows = {
            (r["organisation_id"], r["period_kind"], r["period_start"], r["period_end"]): r
            for r in EnterpriseStatistics._base_manager.filter(organisation_id__in=ids).values()
        }
        periods = set(rows) | _live_periods(ids)
        periods |= {(org, Kind.CAMPAIGN, start, end) for org in ids for start, end in built}
        for org, kind, start, end in sorted(periods):
            live = circle_statistics(enterprises=[org], period_start=start, period_end=end)
            prefix = f"{labels.get(org, org)}{_period_text(kind, start, end)} "
            differences += _differences(prefix, rows.get((org, kind, start, end), {}), live)
    return differences


def verify_annex3(associations: Iterable) -> tuple[list[str], int]:
    """Compare Annex 3's circle figures read from the summary with the live computation, for
    each association and each campaign of the association or its ancestors whose period is
    summarised, over :func:`reports.statistics.reporting_enterprises` (the 行业直属 deduction
    of seed 002 Annex 3 note 2 applied), each in the association's tenant scope.

    Output: ``(differences, forms compared)``; a difference names the association, the
    campaign, the column and both values.
    """
    from circles.selectors import circle_statistics
    from qcportal.tenancy import tenant_scope

    from .statistics import reporting_enterprises

    built = set(
        StatisticsPeriod.objects.filter(built_at__isnull=False).values_list("period_start", "period_end")
    )
    differences: list[str] = []
    compared = 0
    for association in associations:
        lineage = [*association.ancestor_codes(), association.code]
        campaigns = Campaign._base_manager.filter(organisation__code__in=lineage).order_by("year", "code")
        with tenant_scope(association):
            reporting = reporting_enterprises(association)
            for campaign in campaigns:
                if (campaign.period_start, campaign.period_end) not in built:
                    continue
                bounds = {"period_start": campaign.period_start, "period_end": campaign.period_end}
                summary = circle_statistics_from_summary(enterprises=reporting, **bounds)
                live = circle_statistics(enterprises=reporting, **bounds)
                mapped = {column: summary[LIVE_KEYS[column]] for column in VALUE_COLUMNS}
                prefix = f"协会“{association.name}”（{association.code}）活动 {campaign.code} 附件3 "
                differences += _differences(prefix, mapped, live)
                compared += 1
    return differences, compared


def verify_statistics(
    *, association_code: str | None = None, sample: int = 100
) -> tuple[list[str], list[str]]:
    """Compare the summary with the live aggregate (``manage.py stats_verify``).

    1. Per enterprise and period (:func:`verify_enterprises`) for ``sample`` enterprises
       spread evenly over the id range (all with ``sample=0``; only those in
       ``association_code``'s data share when given).
    2. Annex 3 per association (:func:`verify_annex3`): the one given, or every association.

    Output: ``(differences, notes)``, Chinese sentences; notes say what was compared and
    what is still pending (enterprises in the queue, periods not built). Raises
    ``ValueError`` (Chinese) for an unknown association code. Read-only.
    """
    from qcportal.choices import ASSOCIATION_KINDS, OrganisationKind
    from qcportal.models import Organisation
    from qcportal.tenancy import no_tenant, visible_organisations

    orgs = Organisation._base_manager
    notes: list[str] = []
    with no_tenant():
        enterprises = orgs.filter(kind=OrganisationKind.ENTERPRISE)
        if association_code:
            association = orgs.filter(code=association_code).first()
            if association is None or not association.is_association:
                raise ValueError(f"找不到协会代码 {association_code}。")
            associations = [association]
            enterprises = enterprises.filter(pk__in=visible_organisations(association))
        else:
            associations = list(orgs.filter(kind__in=ASSOCIATION_KINDS).order_by("path"))
        queued = StatisticsQueue.objects.values("organisation").distinct().count()
        pending = StatisticsPeriod.objects.filter(built_at__isnull=True).count()
        ids = _sample(list(enterprises.order_by("pk").values_list("pk", flat=True)), sample)
    if queued:
        notes.append(f"尚有 {queued} 家企业在待更新队列中（正常情况下一分钟内更新），其差异可能只是滞后。")
    if pending:
        notes.append(f"尚有 {pending} 个活动统计期未完成汇总，附件3对这些统计期按实时统计计算。")
    differences = verify_enterprises(ids)
    notes.append(f"已逐期核对 {len(ids)} 家企业。")
    annex3, compared = verify_annex3(associations)
    notes.append(f"已核对 {len(associations)} 个协会的 {compared} 份附件3（含行业直属企业扣除）。")
    return differences + annex3, notes
