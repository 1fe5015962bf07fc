# ruff: noqa: S608 -- every statement is built from the generator's own constants and integers, never from input
"""The national-shape demo generator (issue 10 item 1): ``seed_demo --scale national``.

On top of the ordinary demo (``reports.demo``), :func:`seed_national` creates the shape of
the real national network scaled to ``circles`` QC circles (2,000,000 for ``--scale
national``): about 60 associations (provincial/municipal and industry, under the demo's
中国质协), 2,000 recommending units, one enterprise per 20 circles (100,000 at national
scale; at least the demo's, in proportion below), circles with 3–10 members registered
2016 up to today, one project (课题) per circle with its activity records, the enterprises'
yearly figures (职工总数, 经费投入 in 万元) and, for every completed year but 2020 (the demo's
own campaign ``CAQ-2020``), a national campaign ``CAQ-<year>`` with one child campaign per
association, their submissions (成果申报), the judged results with grades, and the results
recommended to the national campaign, judged there in turn.

Real-life skew: circles per enterprise follow a log-normal law (many small firms with a
handful of circles, a few large groups with hundreds; capped at 1,000), the associations
carry weights (江苏 and 广东 large, 西藏 small) and about 6 % of the provincial enterprises
are directly affiliated to an industry association (行业直属, ``Organisation.
industry_association``), whose results that association recommends (seed 002 Annex 3 note 2).

Speed (PostgreSQL only): organisations and the per-enterprise plan are written with COPY
(psycopg 3 ``cursor.copy``); every bulk child table (circles, members, projects, records,
figures, submissions, results) is generated on the server by ``INSERT … SELECT`` over
``generate_series`` with deterministic pseudo-random values (``hashint8extended`` of the row
id and a salt), in chunks, all in one transaction: a failed load leaves nothing behind.
For a superuser the load sets ``session_replication_role = replica`` for its transaction,
so the foreign-key triggers do not run (the generator guarantees every reference); other
roles keep the checks (slower). No audit entry is written (the rows are not the users'
doing). Sequences are set past the new ids afterwards; ``ANALYZE`` follows.

Idempotent: run again with the same number of circles, the load is skipped; with another
number it is refused (:class:`NationalSeedError`) — flush the database first.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import queue
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from circles.choices import PROCEDURES, ProjectType, TargetKind
from circles.models import ActivityRecord, Circle, CircleMember, Project, RegistrationSequence
from evaluation.models import GradeLevel, Judging, Result, Submission
from promotion.models import (
    Campaign,
    CampaignDomain,
    CampaignStage,
    EnterpriseAnnualFigures,
    PresentationConference,
)
from qcportal.choices import OrganisationKind, UnitKind
from qcportal.models import Organisation

from . import demo_names as DN
from . import national_names as NN

K = OrganisationKind

NATIONAL_CIRCLES = 2_000_000
NATIONAL_ASSOCIATIONS = 60
NATIONAL_UNITS = 2_000
CIRCLES_PER_ENTERPRISE = 20
FIRST_YEAR = 2016
MAX_CIRCLES_PER_ENTERPRISE = 1_000
#: Share of the provincial enterprises directly affiliated to an industry association (行业直属).
AFFILIATED_SHARE = 0.06
#: Member counts 3–10 and their weights (mean ≈ 7.4 members per circle).
SIZE_WEIGHTS = (1, 3, 6, 9, 12, 12, 10, 8)
MEAN_SIZE = sum((3 + i) * w for i, w in enumerate(SIZE_WEIGHTS)) / sum(SIZE_WEIGHTS)
#: Circles per INSERT statement (bounds the work memory of each statement).
CHUNK = 250_000
#: Share of accepted projects entered into their association's campaign (成果申报).
SUBMISSION_SHARE = 0.06
#: Submissions a participating enterprise may enter per campaign (seed 003 §三.2).
SUBMISSION_QUOTA = 2
#: Score from which a provincial result is recommended to the national campaign.
RECOMMEND_SCORE = 91
DOMAINS = ["制造类", "市场服务类", "非营利性服务类", "建造类", "“专精特新”中小企业类"]
CHILD_GRADES = ["标杆级", "优秀级", "推进级"]
#: Lowest scores of 标杆级 and 优秀级 in the child judgings (about 7 % and 37 % of the results).
CHILD_GRADE_SCORES = (94, 85)
NATIONAL_GRADE = "全国优秀质量管理小组"
#: Lowest national score of 全国优秀质量管理小组 (about 30 % of the national results).
NATIONAL_GRADE_SCORE = 92

Progress = Callable[[str, int, float, bool], None]


class NationalSeedError(Exception):
    """The national-shape load cannot run: not PostgreSQL, or the database already holds a
    national load of another size. The message is Chinese, for the command's output."""


@dataclass
class EnterprisePlan:
    """One enterprise of the plan: ids, code, its recommending unit and association (the
    industry association for a directly affiliated one), its circle count, the offset of its
    first circle in the load and its base head count (persons)."""

    org_id: int
    code: str
    unit_id: int
    association_id: int
    circles: int
    first: int = 0
    employees: int = 0


@dataclass
class NationalPlan:
    """What :func:`national_plan` decided: organisation rows to COPY (column → value), the
    enterprises with their circles, and every association (demo and new) as (id, code, name,
    kind, region)."""

    organisations: list[dict] = field(default_factory=list)
    enterprises: list[EnterprisePlan] = field(default_factory=list)
    associations: list[tuple[int, str, str, str, str]] = field(default_factory=list)
    new_associations: int = 0
    new_units: int = 0

    @property
    def circles(self) -> int:
        """Circles the plan loads."""
        return sum(e.circles for e in self.enterprises)


# --------------------------------------------------------------------------- planning


def _largest_remainder(total: int, weights: list[float], minimum: list[int] | None = None) -> list[int]:
    """Split ``total`` into integers proportional to ``weights`` (largest remainder), each at
    least ``minimum[i]`` (when the minimums fit in ``total``)."""
    minimum = minimum or [0] * len(weights)
    base = list(minimum)
    rest = total - sum(base)
    if rest <= 0 or not weights:
        return base
    whole = sum(weights)
    shares = [rest * w / whole for w in weights]
    counts = [b + math.floor(s) for b, s in zip(base, shares, strict=True)]
    left = total - sum(counts)
    order = sorted(range(len(weights)), key=lambda i: (shares[i] - math.floor(shares[i]), -i), reverse=True)
    for i in order[:left]:
        counts[i] += 1
    return counts


def _circle_counts(rng: random.Random, total: int, factors: list[float]) -> list[int]:
    """Circles per enterprise: log-normal (σ 1.2) times a per-enterprise factor, scaled to sum
    exactly to ``total``, each between 1 and :data:`MAX_CIRCLES_PER_ENTERPRISE`."""
    n = len(factors)
    if n == 0:
        return []
    raw = [rng.lognormvariate(0.0, 1.2) * f for f in factors]
    whole = sum(raw)
    cap = max(MAX_CIRCLES_PER_ENTERPRISE, -(-total // n))
    counts = [min(cap, max(1, math.floor(total * r / whole))) for r in raw]
    by_size = sorted(range(n), key=lambda i: raw[i], reverse=True)
    diff = total - sum(counts)
    while diff:
        step = 1 if diff > 0 else -1
        moved = False
        for i in by_size:
            if diff == 0:
                break
            if (step > 0 and counts[i] < cap) or (step < 0 and counts[i] > 1):
                counts[i] += step
                diff -= step
                moved = True
        if not moved:  # pragma: no cover - total < n cannot happen (one enterprise per 20 circles)
            break
    return counts


class _FastRandom(random.Random):
    """``random.Random`` with ``choice`` and ``randint`` from one ``random()`` call each
    (deterministic for a seed; about three times faster for the 100,000 enterprises)."""

    def choice(self, seq):
        """One element of ``seq``."""
        return seq[int(self.random() * len(seq))]

    def randint(self, a: int, b: int) -> int:
        """An integer in [a, b]."""
        return a + int(self.random() * (b - a + 1))


def _person(rng: random.Random) -> str:
    given = rng.choice(DN.GIVEN) + (rng.choice(DN.GIVEN) if rng.random() < 0.7 else "")
    return rng.choice(DN.SURNAMES) + given


def national_plan(*, circles: int, demo: dict[str, Organisation], first_id: int) -> NationalPlan:
    """Decide the national shape for ``circles`` circles in total (the demo's
    ``DEFAULT_CIRCLES`` included), deterministically (fixed seed).

    Inputs: the total circle count (> the demo's), the demo's organisations by code (CAQ,
    its associations and units) and the first free organisation id. Output: a
    :class:`NationalPlan` — new associations (60 in all at national scale, in proportion
    below, at least the demo's 6), new recommending units (2,000 in all likewise, at least
    the demo's 17), one new enterprise per 20 new circles under the demo's and the new units,
    their circle counts (log-normal skew) and 行业直属 affiliations. Organisation paths are
    the parent's path plus the code and ``/``; codes are unique (``<association>-U001``
    units, ``<unit>-001`` enterprises)."""
    from .demo import DEFAULT_CIRCLES

    rng = _FastRandom(f"national-{circles}")
    bulk = circles - DEFAULT_CIRCLES
    scale = circles / NATIONAL_CIRCLES
    plan = NationalPlan()
    caq = demo["CAQ"]
    next_id = first_id
    now = timezone.now()

    def add(code: str, name: str, kind: str, parent: dict | Organisation, **fields) -> dict:
        nonlocal next_id
        parent_id = parent["id"] if isinstance(parent, dict) else parent.pk
        parent_path = parent["path"] if isinstance(parent, dict) else parent.path
        parent_depth = parent["depth"] if isinstance(parent, dict) else parent.depth
        row = {
            "id": next_id,
            "code": code,
            "name": name,
            "kind": kind,
            "parent_id": parent_id,
            "path": f"{parent_path}{code}/",
            "depth": parent_depth + 1,
            "created_at": now,
            **fields,
        }
        next_id += 1
        plan.organisations.append(row)
        return row

    # Associations: the demo's six, then new ones in NN.ORDER as the country grows.
    regional = {r[0]: r for r in NN.REGIONAL}
    industry = {i[0]: i for i in NN.INDUSTRY}
    new_count = min(len(NN.ORDER), round((NATIONAL_ASSOCIATIONS - 6) * scale))
    plan.new_associations = new_count
    assocs: list[dict] = []  # {"row"/"org", code, kind, weight, places (cities or trades), region}
    for code, org in demo.items():
        if org.kind in (K.REGIONAL_ASSOCIATION, K.INDUSTRY_ASSOCIATION):
            assocs.append(
                {
                    "ref": org,
                    "id": org.pk,
                    "code": code,
                    "name": org.name,
                    "kind": org.kind,
                    "region": org.region,
                    "weight": NN.DEMO_WEIGHTS.get(code, 3.0),
                    "places": NN.DEMO_CITIES.get(code) or NN.DEMO_TRADES.get(code) or [org.region or "北京"],
                    "units": 0,
                }
            )
    for code in NN.ORDER[:new_count]:
        person = _person(rng)
        if code in regional:
            _c, name, short, region, weight, cities = regional[code]
            kind, places = K.REGIONAL_ASSOCIATION, cities
        else:
            _c, name, short, weight, places = industry[code]
            kind, region = K.INDUSTRY_ASSOCIATION, ""
        city = places[0] if kind == K.REGIONAL_ASSOCIATION else "北京"
        row = add(
            code,
            name,
            kind,
            caq,
            short_name=short,
            region=region,
            address=f"{city}市{rng.choice(NN.DISTRICTS)}路{rng.randint(1, 300)}号",
            postcode=f"{rng.randint(100000, 850000)}",
            qc_department="会员与质量推进部" if kind == K.REGIONAL_ASSOCIATION else "质量活动推进部",
            qc_department_head=person,
            contact_person=person,
            contact_mobile=f"139{rng.randint(10000000, 99999999)}",
            contact_email=f"qc@{code.lower()}.org.cn",
        )
        assocs.append(
            {
                "ref": row,
                "id": row["id"],
                "code": code,
                "name": name,
                "kind": kind,
                "region": region,
                "weight": weight,
                "places": places,
                "units": 0,
            }
        )
    plan.associations = [(a["id"], a["code"], a["name"], a["kind"], a["region"]) for a in assocs]

    # Recommending units: the demo's 17 plus new ones in proportion (at least one per new association).
    demo_units = [o for o in demo.values() if o.kind == K.RECOMMENDING_UNIT]
    total_units = max(len(demo_units), round(NATIONAL_UNITS * scale))
    new_units = max(total_units - len(demo_units), new_count)
    plan.new_units = new_units
    minimum = [0 if isinstance(a["ref"], Organisation) else 1 for a in assocs]
    per_assoc = _largest_remainder(new_units, [a["weight"] for a in assocs], minimum)
    units: list[dict] = []  # {"id", "row"/"org", "assoc", "group", "places"}
    by_code = {a["code"]: a for a in assocs}
    for unit in demo_units:
        assoc = by_code[unit.path.strip("/").split("/")[1]]
        assoc["units"] += 1
        units.append({"ref": unit, "id": unit.pk, "assoc": assoc, "group": "集团" in unit.name})
    for assoc, count in zip(assocs, per_assoc, strict=True):
        regional_kind = assoc["kind"] == K.REGIONAL_ASSOCIATION
        for n in range(1, count + 1):
            place = rng.choice(assoc["places"])
            roll = rng.random()
            if regional_kind and roll < 0.7:
                kind, name = UnitKind.DISTRICT, f"{place}市{rng.choice(NN.DISTRICTS)}区质量技术协会"
            elif roll < (0.9 if regional_kind else 0.75):
                brand = rng.choice(NN.BRAND_CHARS) + rng.choice(NN.BRAND_CHARS)
                trade = place if not regional_kind else rng.choice(NN.TRADES)[0]
                kind, name = UnitKind.GROUP_COMPANY, f"{brand}{trade}集团有限公司"
            else:
                label = assoc["region"] or place
                trade = place if not regional_kind else rng.choice(NN.TRADES)[0]
                kind, name = UnitKind.INDUSTRY_BUREAU, f"{label}{trade}行业协会"
            row = add(
                f"{assoc['code']}-U{n:03d}",
                name,
                K.RECOMMENDING_UNIT,
                assoc["ref"],
                unit_kind=kind,
                region=place if regional_kind else assoc["region"],
                contact_person=_person(rng),
                contact_mobile=f"139{rng.randint(10000000, 99999999)}",
            )
            assoc["units"] += 1
            units.append(
                {"ref": row, "id": row["id"], "assoc": assoc, "group": kind == UnitKind.GROUP_COMPANY}
            )

    # Enterprises: one per 20 new circles, spread over the units by their association's weight.
    enterprise_count = max(1, round(bulk / CIRCLES_PER_ENTERPRISE))
    weights = [u["assoc"]["weight"] / u["assoc"]["units"] * rng.lognormvariate(0.0, 0.4) for u in units]
    per_unit = _largest_remainder(enterprise_count, weights)
    industries = [a for a in assocs if a["kind"] == K.INDUSTRY_ASSOCIATION]
    industry_weights = [a["weight"] for a in industries]
    brand_index = 0
    staged: list[tuple[dict, dict, dict | None]] = []  # (row, unit, affiliated industry association)
    for unit, count in zip(units, per_unit, strict=True):
        assoc = unit["assoc"]
        regional_kind = assoc["kind"] == K.REGIONAL_ASSOCIATION
        parent = unit["ref"]
        parent_code = parent.code if isinstance(parent, Organisation) else parent["code"]
        for n in range(1, count + 1):
            brand_index += 1
            brand = NN.BRAND_CHARS[brand_index % len(NN.BRAND_CHARS)] + rng.choice(NN.BRAND_CHARS)
            if regional_kind:
                city = rng.choice(assoc["places"])
                trade, suffix = rng.choice(NN.TRADES)
            else:
                city = rng.choice(["北京", "上海", "天津", "武汉", "成都", "西安", "沈阳", "广州", "南京"])
                trade, suffix = rng.choice(assoc["places"]), "有限公司"
            affiliated = None
            if regional_kind and industries and rng.random() < AFFILIATED_SHARE:
                affiliated = rng.choices(industries, weights=industry_weights)[0]
            row = add(
                f"{parent_code}-{n:03d}",
                f"{city}{brand}{trade}{suffix}",
                K.ENTERPRISE,
                parent,
                industry_association_id=affiliated["id"] if affiliated else None,
                region=city,
                industry=trade,
                address=f"{city}市{rng.choice(['经济技术开发区', '高新区', '工业园区'])}{rng.choice(NN.DISTRICTS)}路{rng.randint(1, 999)}号",
                postcode=f"{rng.randint(100000, 899999)}",
                qc_department="质量管理部",
                contact_person=_person(rng),
                contact_mobile=f"138{rng.randint(10000000, 99999999)}",
            )
            staged.append((row, unit, affiliated))
    counts = _circle_counts(rng, bulk, [1.8 if unit["group"] else 1.0 for _r, unit, _a in staged])
    years = timezone.localdate().year - FIRST_YEAR + 1
    first = 0
    for (row, unit, affiliated), n in zip(staged, counts, strict=True):
        rate = rng.uniform(0.015, 0.075)  # members / employees: a few per cent
        employees = max(30, round(n * MEAN_SIZE / years / rate))
        plan.enterprises.append(
            EnterprisePlan(
                org_id=row["id"],
                code=row["code"],
                unit_id=unit["id"],
                association_id=(affiliated or unit["assoc"])["id"],
                circles=n,
                first=first,
                employees=employees,
            )
        )
        first += n
    return plan


# --------------------------------------------------------------------------- SQL helpers


def _h(expr: str, salt: int) -> str:
    """SQL: a deterministic pseudo-random non-negative integer (< 2³¹) from ``expr`` (bigint)."""
    return f"((hashint8extended(({expr})::bigint, {salt}) & 2147483647)::int)"


def _u(expr: str, salt: int) -> str:
    """SQL: a deterministic pseudo-random float in [0, 1) from ``expr``."""
    return f"({_h(expr, salt)}::float8 / 2147483648)"


def _raw(expr: str, salt: int) -> str:
    """SQL: a 64-bit hash of ``expr``, computed once per row in a fenced subquery (``OFFSET
    0``) and sliced into four independent 16-bit values with :func:`_bits` and :func:`_frac`."""
    return f"hashint8extended(({expr})::bigint, {salt})"


def _bits(column: str, part: int, modulo: int) -> str:
    """SQL: slice ``part`` (0–3) of the raw hash ``column`` as an integer in [0, modulo)."""
    return f"(((({column}) >> {16 * part}) & 65535)::int % {modulo})"


def _frac(column: str, part: int) -> str:
    """SQL: slice ``part`` (0–3) of the raw hash ``column`` as a float in [0, 1)."""
    return f"(((({column}) >> {16 * part}) & 65535)::float8 / 65536)"


def _lit(value) -> str:
    """SQL literal of a trusted constant (str, int, date, bool, None)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float | Decimal):
        return str(value)
    if isinstance(value, dt.datetime):
        return f"'{value.isoformat()}'::timestamptz"
    if isinstance(value, dt.date):
        return f"DATE '{value.isoformat()}'"
    return "'" + str(value).replace("'", "''") + "'"


def _array(values) -> str:
    """SQL text array of trusted constants (parenthesised, ready to subscript)."""
    return "(ARRAY[" + ",".join(_lit(v) for v in values) + "]::text[])"


#: Member counts indexed by a hash modulo their total weight (:data:`SIZE_WEIGHTS`).
SIZE_TABLE = [3 + i for i, w in enumerate(SIZE_WEIGHTS) for _ in range(w)]


def _size(circle_id: str) -> str:
    """SQL: the member count (3–10, weights :data:`SIZE_WEIGHTS`) of the circle ``circle_id``
    — the same for its members and its records' participant counts."""
    table = "(ARRAY[" + ",".join(map(str, SIZE_TABLE)) + "]::int[])"
    return f"{table}[1 + {_h(circle_id, 7)} % {len(SIZE_TABLE)}]"


def _default_sql(model, f) -> str:
    """SQL for a column the generator does not set: its default, ``now()`` for automatic
    timestamps, NULL, or the empty text of a blank text column. Raises :class:`NationalSeedError` for a required column without one."""
    if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
        return "now()"
    if f.has_default():
        value = f.get_default()
        if isinstance(value, dict | list):
            import json

            return _lit(json.dumps(value)) + "::jsonb"
        return _lit(value)
    if f.null:
        return "NULL"
    if f.empty_strings_allowed and f.get_internal_type() in (
        "CharField",
        "TextField",
        "FileField",
        "EmailField",
    ):
        return "''"
    raise NationalSeedError(f"{model._meta.db_table}.{f.column} 没有默认值，全国规模数据生成器需要更新。")


def _column_exprs(model, given: dict[str, str]) -> list[tuple[str, str]]:
    """(column, SQL expression) pairs for every concrete column of ``model``'s table: the
    expressions ``given`` and, for every other column, its default (the primary key is left
    to its identity when not given). Raises :class:`NationalSeedError` for an unknown column."""
    unknown = set(given) - {f.column for f in model._meta.concrete_fields}
    if unknown:
        raise NationalSeedError(f"{model._meta.db_table} 没有这些列：{', '.join(sorted(unknown))}")
    pairs = []
    for f in model._meta.concrete_fields:
        if f.column in given:
            pairs.append((f.column, given[f.column]))
        elif not f.primary_key:
            pairs.append((f.column, _default_sql(model, f)))
    return pairs


def _insert(cursor, model, given: dict[str, str], source: str) -> int:
    """``INSERT INTO <model> (…) SELECT <given and defaults> FROM <source>``; output: rows."""
    spec = _Spec(model, given, source)
    cols = ", ".join(f'"{c}"' for c in spec.columns())
    cursor.execute(f"INSERT INTO {model._meta.db_table} ({cols}) {spec.select()}")
    return cursor.rowcount


@dataclass
class _Spec:
    """One bulk statement: the model, its generated columns (column → SQL) and the FROM source."""

    model: type
    given: dict[str, str]
    source: str

    def columns(self) -> list[str]:
        """The target columns, in the order of :meth:`select`."""
        return [c for c, _e in _column_exprs(self.model, self.given)]

    def select(self) -> str:
        """``SELECT <expr> AS <column>, … FROM <source>``."""
        listed = ", ".join(f'{e} AS "{c}"' for c, e in _column_exprs(self.model, self.given))
        return f"SELECT {listed} FROM {self.source}"


def _copy(cursor, table: str, columns: list[str], rows) -> int:
    """COPY ``rows`` (tuples in ``columns`` order) into ``table``; output: rows written."""
    n = 0
    cols = ", ".join(f'"{c}"' for c in columns)
    with cursor.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            n += 1
    return n


# --------------------------------------------------------------------------- the load


def _previous_bulk() -> int:
    """Circles of an earlier national load: circles outside the demo's enterprises that no
    user registered (``created_by`` empty)."""
    from .demo import ENTERPRISES_PER_UNIT, UNITS

    demo_codes = [
        f"{code}-E{n}" for code, _name, _parent in UNITS for n in range(1, ENTERPRISES_PER_UNIT + 1)
    ]
    return (
        Circle._base_manager.filter(created_by__isnull=True)
        .exclude(organisation__code__in=demo_codes)
        .count()
    )


def _refuse_other_size(previous: int, circles: int) -> None:
    from .demo import DEFAULT_CIRCLES

    if previous and previous != circles - DEFAULT_CIRCLES:
        raise NationalSeedError(
            f"数据库中已有按 {previous + DEFAULT_CIRCLES:,} 个QC小组生成的全国规模演示数据，"
            f"不能再按 {circles:,} 个生成。如需改变规模，请先清空数据库（python manage.py flush）后重新运行。"
        )


def national_precheck(circles: int) -> int:
    """Refuse early, before the demo is touched, a national load that cannot run: a database
    other than PostgreSQL, or an earlier national load of another size. Input: the total
    circle count. Output: the circles of an earlier load of the same size (0: none).
    Raises :class:`NationalSeedError` (Chinese)."""
    from .demo import DEFAULT_CIRCLES

    if connection.vendor != "postgresql":
        raise NationalSeedError(
            "全国规模演示数据（--scale national 或 --circles 大于360）只能在 PostgreSQL 上生成："
            "请设置 DATABASE_URL 指向 PostgreSQL 数据库后重试。默认演示数据（不带参数）在 SQLite 上照常可用。"
        )
    if circles <= DEFAULT_CIRCLES:
        raise NationalSeedError(f"全国规模数据的QC小组总数须大于 {DEFAULT_CIRCLES}。")
    previous = _previous_bulk()
    _refuse_other_size(previous, circles)
    return previous


def _is_superuser(cursor) -> bool:
    cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
    row = cursor.fetchone()
    return bool(row and row[0])


class _Timer:
    """Per-table rows and seconds; ``progress(label, rows, seconds, done)`` is called after
    each chunk with the table's running totals, ``done`` true after its last chunk."""

    def __init__(self, progress: Progress | None):
        self.progress = progress
        self.rows: dict[str, int] = {}
        self.seconds: dict[str, float] = {}

    def run(self, label: str, work: Callable[[], int], *, done: bool = True) -> int:
        start = time.perf_counter()
        rows = work()
        self.add(label, rows, time.perf_counter() - start, done=done)
        return rows

    def add(self, label: str, rows: int, seconds: float, *, done: bool) -> None:
        self.rows[label] = self.rows.get(label, 0) + rows
        self.seconds[label] = self.seconds.get(label, 0.0) + seconds
        if self.progress:
            self.progress(label, self.rows[label], self.seconds[label], done)

    def report(self, label: str) -> None:
        if self.progress:
            self.progress(label, self.rows.get(label, 0), self.seconds.get(label, 0.0), True)


def seed_national(
    demo: dict[str, Organisation], *, circles: int = NATIONAL_CIRCLES, progress: Progress | None = None
) -> dict:
    """Load the national shape for ``circles`` circles in total on top of the demo.

    Inputs: the demo's organisations by code (``reports.demo.seed_organisations``; CAQ, its
    associations, units and enterprises must exist), the total circle count (more than the
    demo's 360; 2,000,000 for ``--scale national``), and ``progress(label, rows, seconds,
    done)`` called after each table or chunk with the table's running totals (labels in
    Chinese). Output: a summary dict (``skipped``,
    organisation counts, rows per table, ``seconds``). Raises :class:`NationalSeedError`
    (Chinese) on a database other than PostgreSQL or when a load of another size exists.
    Idempotent for the same ``circles``: the second run loads nothing (``skipped``).
    Afterwards the summary tables are rebuilt (``reports.summaries.rebuild_statistics``,
    when present) and the database is analysed.
    """
    started = time.perf_counter()
    if national_precheck(circles):
        return {"skipped": True, "circles": circles, "seconds": time.perf_counter() - started}
    timer = _Timer(progress)
    with transaction.atomic(), connection.cursor() as cursor:
        restore = _session_settings(cursor)
        plan = _load_organisations(cursor, demo, circles, timer)
        ids = _load_circles(cursor, plan, timer)
        _load_campaigns(cursor, demo, plan, ids, timer)
        _reset_sequences(cursor)
        cursor.execute("DROP TABLE IF EXISTS seed_ent, seed_camp")
        for sql in restore:
            cursor.execute(sql)
    rebuilt = _rebuild_statistics(timer)
    timer.run("ANALYZE（规划器统计）", _analyze)
    return {
        "skipped": False,
        "circles": circles,
        "associations": len(plan.associations),
        "new_associations": plan.new_associations,
        "new_units": plan.new_units,
        "enterprises": len(plan.enterprises),
        "rows": dict(timer.rows),
        "table_seconds": dict(timer.seconds),
        "statistics_rebuilt": rebuilt,
        "seconds": time.perf_counter() - started,
    }


def _session_settings(cursor) -> list[str]:
    """Set this transaction's load settings; output: the statements that restore them."""
    # jit off: the planner overestimates generate_series and would compile every statement (≈1.5 s each).
    settings = {
        "work_mem": "256MB",
        "maintenance_work_mem": "1GB",
        "synchronous_commit": "off",
        "jit": "off",
    }
    if _is_superuser(cursor):
        settings["session_replication_role"] = "replica"  # no FK triggers: the generator guarantees them
    restore = []
    for name, value in settings.items():
        cursor.execute("SELECT current_setting(%s)", [name])
        restore.append(f"SELECT set_config('{name}', '{cursor.fetchone()[0]}', true)")
        cursor.execute("SELECT set_config(%s, %s, true)", [name, value])
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    return restore


def _load_organisations(cursor, demo, circles: int, timer: _Timer) -> NationalPlan:
    """COPY the new associations, units and enterprises, and the per-enterprise plan into the
    temporary table ``seed_ent``."""
    first_id = (Organisation._base_manager.aggregate(m=Max("id"))["m"] or 0) + 1
    plan = national_plan(circles=circles, demo=demo, first_id=first_id)
    fields = [f for f in Organisation._meta.concrete_fields]
    columns = [f.column for f in fields]

    def rows():
        for row in plan.organisations:
            yield tuple(
                row[c] if c in row else _python_default(f) for c, f in zip(columns, fields, strict=True)
            )

    timer.run(
        "组织（协会、推荐单位、企业）", lambda: _copy(cursor, Organisation._meta.db_table, columns, rows())
    )
    cursor.execute(
        "CREATE TEMPORARY TABLE seed_ent (org_id bigint PRIMARY KEY, code text, unit_id bigint, "
        "assoc_id bigint, n int, first bigint, employees int) ON COMMIT DROP"
    )
    timer.run(
        "生成计划（企业）",
        lambda: _copy(
            cursor,
            "seed_ent",
            ["org_id", "code", "unit_id", "assoc_id", "n", "first", "employees"],
            (
                (e.org_id, e.code, e.unit_id, e.association_id, e.circles, e.first, e.employees)
                for e in plan.enterprises
            ),
        ),
    )
    cursor.execute("CREATE INDEX ON seed_ent (first)")
    cursor.execute("ANALYZE seed_ent")
    return plan


def _python_default(f):
    """The value COPY writes for an organisation column the plan does not set."""
    if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
        return timezone.now()
    if f.has_default():
        return f.get_default()
    return None if f.null else ""


@dataclass
class _Ids:
    """First ids of the bulk rows (each table's ids are the previous maximum + 1 onwards)."""

    circle: int
    member: int
    project: int
    record: int
    today: dt.date


def _next_id(cursor, model) -> int:
    cursor.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {model._meta.db_table}")
    return cursor.fetchone()[0]


def _chunks(plan: NationalPlan):
    """Circle offsets [lo, hi) of about :data:`CHUNK` circles, on enterprise boundaries."""
    lo, size = 0, 0
    for e in plan.enterprises:
        size += e.circles
        if size >= CHUNK:
            yield lo, e.first + e.circles
            lo, size = e.first + e.circles, 0
    if size:
        yield lo, plan.circles


#: The tables the COPY pipeline loads: (progress label, model, drop and rebuild its indexes).
BULK = (
    ("QC小组", Circle, True),
    ("小组成员", CircleMember, True),
    ("课题", Project, True),
    ("活动记录", ActivityRecord, True),
    ("企业年度数据", EnterpriseAnnualFigures, True),
    ("注册号序列（本年度）", RegistrationSequence, False),
)


def _load_circles(cursor, plan: NationalPlan, timer: _Timer) -> _Ids:
    """Circles, members, projects, activity records, yearly figures and this year's
    registration sequences through the COPY pipeline (:class:`_Generator`); the secondary
    indexes of the large tables are dropped first and rebuilt afterwards from their exact
    definitions."""
    ids = _Ids(
        circle=_next_id(cursor, Circle),
        member=_next_id(cursor, CircleMember),
        project=_next_id(cursor, Project),
        record=_next_id(cursor, ActivityRecord),
        today=timezone.localdate(),
    )
    dropped = {model: _drop_secondary_indexes(cursor, model) for _label, model, drop in BULK if drop}
    _Generator(plan, ids).pump(cursor, timer)
    for label, model, _drop in BULK:
        if dropped.get(model):
            timer.run(
                f"{label}（重建索引 {len(dropped[model])} 个）",
                lambda r=dropped[model]: _restore_indexes(cursor, r),
            )
    # Planner statistics for the tables the submissions are drawn from (the rest after commit).
    cursor.execute(f"ANALYZE {Circle._meta.db_table}, {Project._meta.db_table}")
    return ids


class _Generator:
    """The COPY pipeline of the bulk tables: a second connection computes each chunk's rows
    (``COPY (SELECT …) TO STDOUT`` over its own copy of the plan and temporary tables of the
    chunk's circles and projects, which the projects and records are derived from) while the
    loading connection writes them with ``COPY … FROM STDIN`` inside its transaction — two
    cores, and COPY's batched inserts. A thread reads the generator's output in blocks of
    about 1 MB into a bounded queue; an error on either side stops both and the load's
    transaction rolls back."""

    BLOCK = 1 << 20

    def __init__(self, plan: NationalPlan, ids: _Ids):
        self.plan, self.ids = plan, ids
        self.queue: queue.Queue = queue.Queue(maxsize=16)
        self.stop = threading.Event()

    def _connect(self):
        conn = connection.get_new_connection(connection.get_connection_params())
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute("SET jit = off")
            cur.execute("SET work_mem = '256MB'")
            cur.execute("SET temp_buffers = '512MB'")
            cur.execute(
                "CREATE TEMPORARY TABLE seed_ent (org_id bigint PRIMARY KEY, code text, unit_id bigint, "
                "assoc_id bigint, n int, first bigint, employees int)"
            )
            with cur.copy("COPY seed_ent (org_id, code, n, first, employees) FROM STDIN") as copy:
                for e in self.plan.enterprises:
                    copy.write_row((e.org_id, e.code, e.circles, e.first, e.employees))
            cur.execute("ANALYZE seed_ent")
            # Members' names: a join on a table of names is four times cheaper than building
            # each name from characters (substr on multibyte text).
            cur.execute("CREATE TEMPORARY TABLE seed_name (i int PRIMARY KEY, name text)")
            rng = _FastRandom("national-names")
            with cur.copy("COPY seed_name (i, name) FROM STDIN") as copy:
                for i in range(NAMES):
                    copy.write_row((i, _person(rng)))
            cur.execute("ANALYZE seed_name")
        return conn

    def _stream(self, cur, label: str, model, sql: str, columns: list[str]) -> None:
        put = self.queue.put
        put(("begin", label, model, columns))
        block = bytearray()
        with cur.copy(sql) as copy:
            for row in copy:
                block += row
                if len(block) >= self.BLOCK:
                    if self.stop.is_set():
                        raise RuntimeError("stopped")
                    put(("data", bytes(block)))
                    block.clear()
        if block:
            put(("data", bytes(block)))
        put(("end", label))

    def _chunk(self, cur, lo: int, hi: int) -> None:
        """Stream one chunk's rows of every bulk table (plan offsets [lo, hi))."""
        ids = self.ids

        def stream(label: str, spec: _Spec, table: str | None = None) -> None:
            cols = spec.columns()
            if table:  # kept for the tables derived from it
                cur.execute(f"CREATE TEMPORARY TABLE {table} AS {spec.select()}")
                sql = f"COPY {table} ({', '.join(f'{chr(34)}{c}{chr(34)}' for c in cols)}) TO STDOUT"
            else:
                sql = f"COPY ({spec.select()}) TO STDOUT"
            self._stream(cur, label, spec.model, sql, cols)

        cur.execute("DROP TABLE IF EXISTS t_circle, t_project")
        stream("QC小组", _circles_sql(ids, lo, hi), "t_circle")
        stream("小组成员", _members_sql(ids, lo, hi))
        stream("课题", _projects_sql(ids, lo, hi, "t_circle"), "t_project")
        stream("活动记录", _records_sql(ids, lo, hi, "t_project"))
        stream("企业年度数据", _figures_sql(ids, lo, hi, "t_circle"))
        stream("注册号序列（本年度）", _sequences_sql(ids, "t_circle"))

    def _produce(self) -> None:
        try:
            conn = self._connect()
        except Exception as error:  # noqa: BLE001 - handed to the loading thread
            self.queue.put(("error", error))
            return
        try:
            with conn.cursor() as cur:
                for lo, hi in _chunks(self.plan):
                    self._chunk(cur, lo, hi)
            self.queue.put(("done",))
        except Exception as error:  # noqa: BLE001 - handed to the loading thread
            self.queue.put(("error", error))
        finally:
            conn.close()

    def pump(self, cursor, timer: _Timer) -> None:
        """Run the generator thread and write its rows into the bulk tables through
        ``cursor`` (the loading connection). Reports each table chunk to ``timer``."""
        worker = threading.Thread(target=self._produce, name="national-seed-generator", daemon=True)
        worker.start()
        copy_cm = copy = None
        try:
            while True:
                item = self.queue.get()
                kind = item[0]
                if kind == "data":
                    copy.write(item[1])
                elif kind == "begin":
                    _kind, label, model, columns = item
                    started = time.perf_counter()
                    cols = ", ".join(f'"{c}"' for c in columns)
                    copy_cm = cursor.cursor.copy(f"COPY {model._meta.db_table} ({cols}) FROM STDIN")
                    copy = copy_cm.__enter__()
                elif kind == "end":
                    copy_cm.__exit__(None, None, None)
                    copy_cm = copy = None
                    rows = cursor.cursor.rowcount
                    timer.add(item[1], rows, time.perf_counter() - started, done=False)
                elif kind == "error":
                    raise item[1]
                else:  # done
                    break
        except BaseException:
            self.stop.set()
            while worker.is_alive():  # let a blocked producer finish or fail
                with contextlib.suppress(queue.Empty):
                    self.queue.get(timeout=0.1)
            if copy_cm is not None:
                copy_cm.__exit__(RuntimeError, RuntimeError("aborted"), None)
            raise
        worker.join()
        for label, _model, _drop in BULK:
            timer.report(label)


def _drop_secondary_indexes(cursor, model) -> list[tuple[str, str]]:
    """Drop every index of ``model``'s table but the primary key, unique constraints
    included, for the bulk load; they are rebuilt afterwards from their exact definitions in
    the same transaction (a failed load restores them by rolling back). Building an index
    once costs a fraction of maintaining it row by row (measured: the bulk tables load about
    twice as fast). Output: the statements that recreate them exactly (``pg_get_indexdef``,
    ``pg_get_constraintdef``), in order."""
    table = model._meta.db_table
    cursor.execute(
        """SELECT c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c
           WHERE c.conrelid = %s::regclass AND c.contype IN ('u', 'x') ORDER BY c.conname""",
        [table],
    )
    constraints = cursor.fetchall()
    cursor.execute(
        """SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
           WHERE x.indrelid = %s::regclass AND NOT x.indisprimary
             AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
           ORDER BY i.relname""",
        [table],
    )
    indexes = cursor.fetchall()
    restore = []
    for name, definition in constraints:
        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        restore.append((name, f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}'))
    for name, definition in indexes:
        cursor.execute(f'DROP INDEX "{name}"')
        restore.append((name, definition))
    return restore


def _restore_indexes(cursor, restore: list[tuple[str, str]]) -> int:
    """Recreate the indexes and constraints :func:`_drop_secondary_indexes` dropped; output: 0 rows."""
    for _name, statement in restore:
        cursor.execute(statement)
    return 0


def _circles_sql(ids: _Ids, lo: int, hi: int) -> _Spec:
    """Circles of plan offsets [lo, hi): registration dates from 2016-01-01 to 30 days ago with
    activity growing over the years (density rising 2.5× from 2016 to today), registration
    numbers ``<enterprise>-<year>-<seq:03d>`` numbered per enterprise and year in date order,
    4 % of those older than two years deactivated."""
    start = dt.date(FIRST_YEAR, 1, 1)
    span = (ids.today - dt.timedelta(days=30) - start).days
    depts, nd = _array(DN.DEPARTMENTS), len(DN.DEPARTMENTS)
    prefixes, np_ = _array(DN.CIRCLE_PREFIXES), len(DN.CIRCLE_PREFIXES)
    old = _lit(ids.today - dt.timedelta(days=730))
    ramp = f"((sqrt(1 + 5.25 * {_frac('g.hx', 0)}) - 1) / 1.5)"
    source = f"""(
        SELECT s.*, extract(year FROM s.reg)::int AS yr,
               row_number() OVER (PARTITION BY s.org_id, extract(year FROM s.reg) ORDER BY s.reg, s.id) AS seq
        FROM (
            SELECT g.*, {_lit(start)} + floor({span} * {ramp})::int AS reg
            FROM (
                SELECT {ids.circle} + e.first + k AS id, e.org_id, e.code, {_raw(f"{ids.circle} + e.first + k", 1)} AS hx
                FROM seed_ent e, generate_series(0, e.n - 1) AS k
                WHERE e.first >= {lo} AND e.first < {hi} OFFSET 0
            ) g OFFSET 0
        ) s
    ) c"""
    inactive = f"(c.reg < {old} AND {_bits('c.hx', 1, 100)} < 4)"
    return _Spec(
        Circle,
        {
            "id": "c.id",
            "organisation_id": "c.org_id",
            "department": f"{depts}[1 + {_bits('c.hx', 2, nd)}]",
            "name": f"left({depts}[1 + {_bits('c.hx', 3, nd)}], -1) || {prefixes}[1 + {_bits('c.hx', 3, 15 * np_)} / {nd}]"
            " || 'QC小组'",
            "status": f"CASE WHEN {inactive} THEN 'inactive' ELSE 'registered' END",
            "registration_number": "c.code || '-' || c.yr || '-' || "
            "CASE WHEN c.seq < 1000 THEN lpad(c.seq::text, 3, '0') ELSE c.seq::text END",
            "registration_year": "c.yr",
            "registered_on": "c.reg",
            "deactivated_on": f"CASE WHEN {inactive} THEN c.reg + 300 + {_bits('c.hx', 1, 30000)} / 100 END",
        },
        source,
    )


#: Distinct member names (drawn from ``reports.demo_names``; the members' names repeat).
NAMES = 65_536


def _members_sql(ids: _Ids, lo: int, hi: int) -> _Spec:
    """Members of the circles of plan offsets [lo, hi): 3–10 per circle (:func:`_size`), the
    first the leader; names from the generator's name table ``seed_name``; ids ``first member
    id + 10 × circle offset + position``."""
    cid = f"{ids.circle} + e.first + j"
    mid = f"{ids.member} + (c.cid - {ids.circle}) * 10 + k"
    source = f"""(
        SELECT {mid} AS id, c.org_id, c.cid, k, {_raw(mid, 11)} AS hx
        FROM (
            SELECT {cid} AS cid, e.org_id, {_size(cid)} AS size
            FROM seed_ent e, generate_series(0, e.n - 1) AS j
            WHERE e.first >= {lo} AND e.first < {hi} OFFSET 0
        ) c CROSS JOIN LATERAL generate_series(0, c.size - 1) AS k
        OFFSET 0
    ) m JOIN seed_name n ON n.i = (m.hx & {NAMES - 1})::int"""
    return _Spec(
        CircleMember,
        {
            "id": "m.id",
            "organisation_id": "m.org_id",
            "circle_id": "m.cid",
            "name": "n.name",
            "role": "CASE WHEN m.k = 0 THEN 'leader' ELSE 'member' END",
            "position": f"{_array(DN.POSITIONS)}[1 + {_bits('m.hx', 2, 10 * len(DN.POSITIONS))} / 10]",
            "position_order": "m.k + 1",
        },
        source,
    )


def _projects_sql(ids: _Ids, lo: int, hi: int, circles: str) -> _Spec:
    """One project (课题) for 96 % of the circles of plan offsets [lo, hi): 30 % 创新型, the
    others 问题解决型 (75 % 自定目标); applied within 10 days of the circle's registration,
    registered 3–20 days later; acceptance (验收) 3–12 months after registration when that
    date has passed (88 % accepted, the rest withdrawn, refused or stalled), otherwise in
    progress, completed or waiting; calculable benefit in 万元 (skewed: median ≈ 13, mean ≈ 40)
    for accepted ones, 85 % of it confirmed by the finance department. Numbers
    ``<enterprise>-<year>-K<seq>`` follow the circle's."""
    today = _lit(ids.today)
    lo_id, hi_id = ids.circle + lo, ids.circle + hi
    ps, innov = _array(DN.PS_TOPICS), _array(DN.INNOVATION_TOPICS)
    products = _array(DN.PRODUCTS)
    source = f"""(
        SELECT b.*,
            CASE WHEN b.acc <= {today} THEN
                CASE WHEN b.u < 0.88 THEN 'accepted' WHEN b.u < 0.92 THEN 'withdrawn'
                     WHEN b.u < 0.94 THEN 'rejected' ELSE 'in_progress' END
            ELSE
                CASE WHEN b.u < 0.15 THEN 'completed' WHEN b.u < 0.25 THEN 'registered'
                     WHEN b.u < 0.30 THEN 'applied' ELSE 'in_progress' END
            END AS st
        FROM (
            SELECT a.*, {ids.project} + (a.cid - {ids.circle}) AS id,
                   a.creg + {_bits("a.hx", 0, 10)} AS applied,
                   a.creg + {_bits("a.hx", 0, 10)} + 3 + {_bits("a.hx", 1, 18)} AS preg,
                   a.creg + {_bits("a.hx", 0, 10)} + 3 + {_bits("a.hx", 1, 18)} + 90 + {_bits("a.hx", 2, 270)} AS acc,
                   {_bits("a.hx", 3, 10)} < 3 AS innov, {_bits("a.hy", 0, 4)} < 3 AS self_set,
                   {_frac("a.hy", 1)} AS u, {_frac("a.hy", 2)} AS u2, {_frac("a.hy", 3)} AS u3,
                   5 + {_bits("a.hz", 0, 26)} AS base
            FROM (
                SELECT c.id AS cid, c.organisation_id AS org, c.registration_number AS crn,
                       c.registered_on AS creg, {_raw("c.id", 21)} AS hx, {_raw("c.id", 22)} AS hy,
                       {_raw("c.id", 23)} AS hz
                FROM {circles} c
                WHERE c.id >= {lo_id} AND c.id < {hi_id} AND {_h("c.id", 20)} % 100 < 96 OFFSET 0
            ) a OFFSET 0
        ) b OFFSET 0
    ) p"""
    accepted = "p.st = 'accepted'"
    confirmed = f"({accepted} AND p.u3 < 0.85)"
    registered = "p.st NOT IN ('applied', 'rejected')"
    misc = "(((p.hz >> 48) & 65535)::int)"
    return _Spec(
        Project,
        {
            "id": "p.id",
            "organisation_id": "p.org",
            "circle_id": "p.cid",
            "title": f"replace(CASE WHEN p.innov THEN {innov}[1 + {_bits('p.hz', 1, len(DN.INNOVATION_TOPICS))}]"
            f" ELSE {ps}[1 + {_bits('p.hz', 1, len(DN.PS_TOPICS))}] END, '{{p}}',"
            f" {products}[1 + {_bits('p.hz', 2, len(DN.PRODUCTS))}])",
            "project_type": f"CASE WHEN p.innov THEN '{ProjectType.INNOVATION}' ELSE '{ProjectType.PROBLEM_SOLVING}' END",
            "target_kind": f"CASE WHEN p.innov THEN NULL WHEN p.self_set THEN '{TargetKind.SELF_SET}'"
            f" ELSE '{TargetKind.ASSIGNED}' END",
            "status": "p.st",
            "registration_number": f"CASE WHEN {registered} THEN regexp_replace(p.crn, '-([0-9]+)$', '-K\\1') END",
            "planned_start": f"CASE WHEN {registered} THEN p.preg ELSE p.applied + 7 END",
            "planned_end": f"CASE WHEN {registered} THEN p.preg ELSE p.applied + 7 END + 180",
            "applied_on": "p.applied",
            "registered_on": f"CASE WHEN {registered} THEN p.preg END",
            "completed_on": f"CASE WHEN {accepted} THEN greatest(p.preg, p.acc - {misc} % 10)"
            f" WHEN p.st = 'completed' THEN greatest(p.preg, {today} - {misc} % 20) END",
            "accepted_on": f"CASE WHEN {accepted} THEN p.acc END",
            "baseline_value": "p.base || '%'",
            "target_value": "(p.base / 2) || '%'",
            "achieved_value": f"CASE WHEN {accepted} THEN greatest(1, p.base / 2 - {misc} / 20 % 4) || '%' ELSE '' END",
            "economic_benefit": f"CASE WHEN {accepted} THEN round((0.5 + 200 * power(p.u2, 4))::numeric, 2) ELSE 0 END",
            "benefit_confirmed": confirmed,
            "benefit_confirmed_by": f"CASE WHEN {confirmed} THEN '财务部' ELSE '' END",
            "benefit_confirmed_on": f"CASE WHEN {confirmed} THEN p.acc END",
            "intangible_benefits": f"CASE WHEN {accepted} THEN {_array(DN.BENEFIT_TEXTS)}"
            f"[1 + {misc} / 80 % {len(DN.BENEFIT_TEXTS)}] ELSE '' END",
        },
        source,
    )


def _records_sql(ids: _Ids, lo: int, hi: int, projects: str) -> _Spec:
    """Activity records of the projects of plan offsets [lo, hi): accepted 2–4, in progress or
    completed 1–3, withdrawn 0–1, dated evenly between the project's registration and its
    acceptance (or today, at most a year on), stepping through the procedure of its type
    (standard.md §2; ongoing ones in its first half); participants 3 to the circle's size."""
    today = _lit(ids.today)
    lo_id, hi_id = ids.project + lo, ids.project + hi
    ps_self = _array(PROCEDURES[(ProjectType.PROBLEM_SOLVING, TargetKind.SELF_SET)])
    ps_assigned = _array(PROCEDURES[(ProjectType.PROBLEM_SOLVING, TargetKind.ASSIGNED)])
    innovation = _array(PROCEDURES[(ProjectType.INNOVATION, None)])
    rid = f"{ids.record} + (p.pid - {ids.project}) * 6 + k"
    source = f"""(
        SELECT {rid} AS id, p.*, k, {_raw(rid, 41)} AS hx
        FROM (
            SELECT q.id AS pid, q.organisation_id, q.circle_id, q.registered_on, q.status,
                   coalesce(q.accepted_on, q.completed_on, least({today}, q.registered_on + 365)) AS until,
                   CASE WHEN q.project_type = '{ProjectType.INNOVATION}' THEN {innovation}
                        WHEN q.target_kind = '{TargetKind.SELF_SET}' THEN {ps_self} ELSE {ps_assigned} END AS steps,
                   CASE q.status WHEN 'accepted' THEN 2 + {_h("q.id", 40)} % 3
                                 WHEN 'in_progress' THEN 1 + {_h("q.id", 40)} % 3
                                 WHEN 'completed' THEN 1 + {_h("q.id", 40)} % 3
                                 WHEN 'withdrawn' THEN {_h("q.id", 40)} % 2 ELSE 0 END AS cnt,
                   {_size("q.circle_id")} AS size
            FROM {projects} q
            WHERE q.id >= {lo_id} AND q.id < {hi_id} AND q.registered_on IS NOT NULL OFFSET 0
        ) p CROSS JOIN LATERAL generate_series(0, p.cnt - 1) AS k
        OFFSET 0
    ) r"""
    return _Spec(
        ActivityRecord,
        {
            "id": "r.id",
            "organisation_id": "r.organisation_id",
            "circle_id": "r.circle_id",
            "project_id": "r.pid",
            "step": "CASE WHEN r.status = 'accepted' THEN r.steps[1 + round(r.k * (cardinality(r.steps) - 1)::float8"
            " / greatest(r.cnt - 1, 1))::int] ELSE r.steps[1 + floor(r.k * cardinality(r.steps)::float8 / (2 * r.cnt))::int] END",
            "held_on": f"r.registered_on + floor((r.k + {_frac('r.hx', 0)}) / r.cnt * (r.until - r.registered_on))::int",
            "participant_count": f"3 + {_bits('r.hx', 1, 8)} % (r.size - 2)",
            "content": f"{_array(NN.RECORD_TEXTS)}[1 + {_bits('r.hx', 2, len(NN.RECORD_TEXTS))}]",
            "tools": f"{_array(NN.TOOL_PAIRS)}[1 + {_bits('r.hx', 3, len(NN.TOOL_PAIRS))}]",
        },
        source,
    )


def _sequences_sql(ids: _Ids, circles: str) -> _Spec:
    """The current year's registration sequences (circles and projects; projects are numbered
    after their circle) of the chunk's enterprises, so that the portal's next number follows
    the loaded ones (``circles.numbers.reserve_numbers``)."""
    year = ids.today.year
    return _Spec(
        RegistrationSequence,
        {"organisation_id": "s.org", "kind": "k.kind", "year": str(year), "last": "s.n"},
        f"""(SELECT organisation_id AS org, count(*) AS n FROM {circles}
             WHERE registration_year = {year} GROUP BY organisation_id) s
            CROSS JOIN (VALUES ('circle'), ('project')) AS k(kind)""",
    )


def _figures_sql(ids: _Ids, lo: int, hi: int, circles: str) -> _Spec:
    """Yearly figures (seed 002 Annex 3) of the chunk's enterprises, 2016 to this year:
    职工总数 from the plan's base head count (members are a few per cent of it), growing 1.5 %
    a year; QC activity spending and rewards in 万元, in proportion to the circles registered
    that year."""
    year = ids.today.year
    source = f"""(
        SELECT f.*, {_raw("f.org_id * 10000 + f.y", 50)} AS hx
        FROM (
            SELECT e.org_id, y.y, e.employees, coalesce(a.n, 0) AS n
            FROM seed_ent e CROSS JOIN generate_series({FIRST_YEAR}, {year}) AS y(y)
            LEFT JOIN (
                SELECT organisation_id, registration_year, count(*) AS n FROM {circles}
                GROUP BY organisation_id, registration_year
            ) a ON a.organisation_id = e.org_id AND a.registration_year = y.y
            WHERE e.first >= {lo} AND e.first < {hi}
        ) f OFFSET 0
    ) f"""
    return _Spec(
        EnterpriseAnnualFigures,
        {
            "organisation_id": "f.org_id",
            "year": "f.y",
            "total_employees": f"greatest(30, round(f.employees * (0.85 + 0.015 * (f.y - {FIRST_YEAR}))"
            f" * (0.95 + 0.1 * {_frac('f.hx', 0)})))::int",
            # the totals equal their typed parts (no training or honour recorded in a load)
            **{
                column: f"round((0.2 + f.n * (0.3 + 1.5 * {_frac('f.hx', 1)}))::numeric, 2)"
                for column in ("qc_activity_spending", "other_activity_spending")
            },
            **{
                column: f"round((0.1 + f.n * (0.1 + 0.8 * {_frac('f.hx', 2)}))::numeric, 2)"
                for column in ("reward_spending", "other_reward_spending")
            },
        },
        source,
    )


def history_years(today: dt.date | None = None) -> list[int]:
    """Completed years that get a national campaign with its children and judged results:
    2016 to last year, except 2020 (the demo's own campaign ``CAQ-2020``)."""
    today = today or timezone.localdate()
    return [y for y in range(FIRST_YEAR, today.year) if y != 2020]


def _load_campaigns(cursor, demo, plan: NationalPlan, ids: _Ids, timer: _Timer) -> None:
    """Per history year: the national campaign ``CAQ-<year>`` and one child campaign
    ``<association>-<year>`` per association (closed, five domains, seven stages), each with a
    published judging and its grades (标杆级/优秀级/推进级; nationally 全国优秀质量管理小组),
    and the national presentation conferences; then the submissions, results and national
    recommendations (:func:`_insert_submissions`)."""
    from evaluation.choices import GradeMethod, JudgingStatus
    from promotion.choices import CampaignStatus, GradeScheme

    from .demo import STAGES

    caq = demo["CAQ"]
    # A year whose national campaign exists already (the dashboards' demo history of a database
    # loaded with the plain demo first) is left as it is.
    existing = set(Campaign._base_manager.filter(code__startswith="CAQ-").values_list("code", flat=True))
    years = [y for y in history_years(ids.today) if f"CAQ-{y}" not in existing]
    tz = timezone.get_current_timezone()
    rng = random.Random("national-campaigns")

    def campaign(code, organisation_id, year, title, parent=None, scheme=GradeScheme.BENCHMARK_EXCELLENT):
        return Campaign(
            code=code,
            organisation_id=organisation_id,
            year=year,
            title=title,
            document_number=f"中国质协字〔{year}〕21号" if parent is None else f"质协〔{year}〕8号",
            theme="扎根基层 落实标准 创新赋能",
            period_start=dt.date(year - 1, 9, 1),
            period_end=dt.date(year, 8, 31),
            deadline=dt.date(year, 9, 15) if parent is None else dt.date(year, 7, 31),
            parent=parent,
            status=CampaignStatus.CLOSED,
            grade_scheme=scheme,
        )

    def load() -> int:
        nationals = Campaign._base_manager.bulk_create(
            [
                campaign(
                    f"CAQ-{y}",
                    caq.pk,
                    y,
                    f"{y}年度全国质量管理小组活动",
                    scheme=GradeScheme.NATIONAL_EXCELLENT,
                )
                for y in years
            ]
        )
        national_of = {c.year: c for c in nationals}
        children = Campaign._base_manager.bulk_create(
            [
                campaign(f"{code}-{y}", aid, y, f"{y}年度{name}质量管理小组活动", parent=national_of[y])
                for y in years
                for aid, code, name, _kind, _region in plan.associations
            ]
        )
        every = nationals + children
        domains = CampaignDomain.objects.bulk_create(
            [
                CampaignDomain(campaign=c, name=name, position=i)
                for c in every
                for i, name in enumerate(DOMAINS, 1)
            ]
        )
        CampaignStage.objects.bulk_create(
            [
                CampaignStage(
                    campaign=c,
                    kind=kind,
                    starts_on=starts.replace(year=c.year),
                    ends_on=ends.replace(year=c.year),
                    responsible=responsible,
                )
                for c in every
                for kind, starts, ends, responsible in STAGES
            ]
        )
        judgings = Judging._base_manager.bulk_create(
            [
                Judging(
                    organisation_id=c.organisation_id,
                    campaign=c,
                    grade_method=GradeMethod.PLACES,
                    status=JudgingStatus.PUBLISHED,
                    approved_at=dt.datetime(c.year, 9, 25 if c.parent_id else 11, 10, tzinfo=tz),
                    published_at=dt.datetime(c.year, 9, 30 if c.parent_id else 11, 10, tzinfo=tz),
                )
                for c in every
            ]
        )
        levels = GradeLevel._base_manager.bulk_create(
            [
                GradeLevel(judging=j, name=name, position=i)
                for j in judgings
                for i, name in enumerate(CHILD_GRADES if j.campaign.parent_id else [NATIONAL_GRADE], 1)
            ]
        )
        conferences = PresentationConference._base_manager.bulk_create(
            [
                PresentationConference(
                    organisation_id=aid,
                    campaign=c,
                    held=True,
                    held_on=dt.date(c.year, 7, rng.randint(6, 28)),
                    place=f"{region or '北京'}国际会议中心",
                    signed_up_circles=(signed := rng.randint(40, 240)),
                    presented_circles=signed - rng.randint(5, 30),
                    attendance=rng.randint(300, 1500),
                )
                for c in nationals
                for aid, _code, _name, _kind, region in [
                    (caq.pk, "CAQ", caq.name, caq.kind, ""),
                    *plan.associations,
                ]
            ]
        )
        # The mapping the SQL below joins: campaign → judging, domains and grades (by position).
        domains_of: dict[int, list[int]] = {}
        for d in domains:
            domains_of.setdefault(d.campaign_id, []).append(d.pk)
        grades_of: dict[int, list[int]] = {}
        for level in levels:
            grades_of.setdefault(level.judging_id, []).append(level.pk)
        cursor.execute(
            "CREATE TEMPORARY TABLE seed_camp (campaign_id bigint PRIMARY KEY, assoc_id bigint, year int, "
            "national_id bigint, judging_id bigint, domains bigint[], grades bigint[], national boolean) "
            "ON COMMIT DROP"
        )
        judging_of = {j.campaign_id: j.pk for j in judgings}
        _copy(
            cursor,
            "seed_camp",
            ["campaign_id", "assoc_id", "year", "national_id", "judging_id", "domains", "grades", "national"],
            (
                (
                    c.pk,
                    c.organisation_id,
                    c.year,
                    c.parent_id or c.pk,
                    judging_of[c.pk],
                    domains_of[c.pk],
                    grades_of[judging_of[c.pk]],
                    c.parent_id is None,
                )
                for c in every
            ),
        )
        cursor.execute("ANALYZE seed_camp")
        return len(every) + len(domains) + len(judgings) + len(levels) + len(conferences)

    timer.run("年度活动、领域、评审与等级", load)
    _insert_submissions(cursor, caq, ids, timer)


def _insert_submissions(cursor, caq: Organisation, ids: _Ids, timer: _Timer) -> None:
    """Submissions and judged results of the history campaigns.

    Child campaigns: 6 % of the accepted projects of the new enterprises, in the campaign of
    the year whose period (September to August) holds the acceptance, of the enterprise's
    association (its industry association when directly affiliated, seed 002 Annex 3 note 2),
    at most :data:`SUBMISSION_QUOTA` per enterprise (seed 003 §三.2); 4 % refused at formal
    review, 2 % withdrawn, the others scored 70–95 (2 decimals): from :data:`RECOMMEND_SCORE`
    recommended to the national campaign (推荐全国), the others not. Each recommended result is
    entered into the national campaign (``source`` the child submission, recommended by its
    association to 中国质协) and scored there. Every scored submission has a result in its
    campaign's judging, ranked per domain; grades by score (:data:`CHILD_GRADE_SCORES`,
    :data:`NATIONAL_GRADE_SCORE`): nationally about the top 30 % 全国优秀质量管理小组 (the others
    no grade), in the child campaigns about 7 % 标杆级, 37 % 优秀级, the rest 推进级."""
    cursor.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {Submission._meta.db_table}")
    first = cursor.fetchone()[0]
    tz_stamp = "make_timestamptz(c.y, {m}, {d}, 10, 0, 0)"
    strengths, weaknesses = _array(DN.ASSESSMENT_STRENGTHS), _array(DN.ASSESSMENT_WEAKNESSES)
    ns, nw = len(DN.ASSESSMENT_STRENGTHS), len(DN.ASSESSMENT_WEAKNESSES)
    source = f"""(
        SELECT b.*, CASE WHEN b.v < 0.04 THEN 'rejected' WHEN b.v < 0.06 THEN 'withdrawn'
                         WHEN b.score >= {RECOMMEND_SCORE} THEN 'recommended' ELSE 'not_recommended' END AS st
        FROM (
            SELECT a.*, {_u("a.pid", 61)} AS v, round((70 + 25 * power({_u("a.pid", 62)}, 0.6))::numeric, 2) AS score
            FROM (
                SELECT p.id AS pid, p.organisation_id AS org, p.circle_id AS cid, p.title, p.economic_benefit,
                       m.campaign_id, m.domains, e.unit_id, e.assoc_id, m.year AS y,
                       row_number() OVER (PARTITION BY m.campaign_id, p.organisation_id ORDER BY p.id) AS rn
                FROM {Project._meta.db_table} p
                JOIN seed_ent e ON e.org_id = p.organisation_id
                JOIN seed_camp m ON m.assoc_id = e.assoc_id AND NOT m.national
                     AND m.year = extract(year FROM p.accepted_on + interval '4 months')::int
                WHERE p.id >= {ids.project} AND p.status = 'accepted'
                  AND {_h("p.id", 60)} % 10000 < {round(SUBMISSION_SHARE * 10000)}
            ) a WHERE a.rn <= {SUBMISSION_QUOTA}
        ) b
    ) c
    JOIN {Organisation._meta.db_table} o ON o.id = c.org
    JOIN {Circle._meta.db_table} ci ON ci.id = c.cid"""
    judged = "c.st IN ('recommended', 'not_recommended')"
    given = {
        "organisation_id": "c.org",
        "seal_name": "o.name",
        "campaign_id": "c.campaign_id",
        "project_id": "c.pid",
        "circle_id": "c.cid",
        "recommending_unit_id": "c.unit_id",
        "recommending_association_id": "c.assoc_id",
        "domain_id": f"c.domains[1 + {_h('c.pid', 63)} % cardinality(c.domains)]",
        "status": "c.st",
        "benchmark_candidate": "coalesce(c.score >= 94, FALSE) AND c.v >= 0.06",
        "address": "o.address",
        "postcode": "o.postcode",
        "contact_department": "ci.department",
        "contact_person": f"substr({_lit(DN.SURNAMES)}, 1 + {_h('c.pid', 64)} % {len(DN.SURNAMES)}, 1)"
        f" || substr({_lit(DN.GIVEN)}, 1 + {_h('c.pid', 65)} % {len(DN.GIVEN)}, 1)",
        "contact_mobile": f"'135' || lpad(({_h('c.pid', 66)} % 100000000)::text, 8, '0')",
        "introduction": "ci.name || '成立于' || to_char(ci.registered_on, 'YYYY\"年\"MM\"月\"') || '，小组围绕“' || c.title"
        " || '”课题，严格按照T/CAQ 10201-2020的活动程序开展活动，课题目标全面实现，取得可计算的经济效益'"
        " || to_char(c.economic_benefit, 'FM999999990.00') || '万元。'",
        "panel_assessment": f"CASE WHEN {judged} THEN '优势：' || {strengths}[1 + {_h('c.pid', 67)} % {ns}] || '；'"
        f" || {strengths}[1 + ({_h('c.pid', 67)} + 1) % {ns}] || '。不足：' || {weaknesses}[1 + {_h('c.pid', 68)} % {nw}]"
        " || '。' ELSE '' END",
        "score": f"CASE WHEN {judged} THEN c.score END",
        "submitted_at": tz_stamp.format(m=5, d=1) + f" + ({_h('c.pid', 69)} % 10) * interval '1 day'",
        "recommended_at": f"CASE WHEN c.st = 'recommended' THEN {tz_stamp.format(m=8, d=10)} END",
        "scores_released_at": f"CASE WHEN {judged} THEN {tz_stamp.format(m=9, d=30)} END",
    }
    timer.run("成果申报（省市、行业）", lambda: _insert(cursor, Submission, given, source))
    national = f"""(
        SELECT s.*, m.national_id, n.domains AS ndomains, m.domains, m.year AS y,
               round((75 + 22 * power({_u("s.id", 70)}, 0.7))::numeric, 2) AS nscore
        FROM {Submission._meta.db_table} s
        JOIN seed_camp m ON m.campaign_id = s.campaign_id
        JOIN seed_camp n ON n.campaign_id = m.national_id
        WHERE s.id >= {first} AND s.status = 'recommended'
    ) c"""
    timer.run(
        "成果申报（推荐全国）",
        lambda: _insert(
            cursor,
            Submission,
            {
                "organisation_id": "c.organisation_id",
                "seal_name": "c.seal_name",
                "campaign_id": "c.national_id",
                "project_id": "c.project_id",
                "circle_id": "c.circle_id",
                "recommending_unit_id": "c.recommending_association_id",
                "recommending_association_id": str(caq.pk),
                "domain_id": "c.ndomains[array_position(c.domains, c.domain_id)]",
                "status": "'scored'",
                "benchmark_candidate": "c.benchmark_candidate",
                "source_id": "c.id",
                "recommended_score": "c.score",
                "address": "c.address",
                "postcode": "c.postcode",
                "contact_department": "c.contact_department",
                "contact_person": "c.contact_person",
                "contact_mobile": "c.contact_mobile",
                "introduction": "c.introduction",
                "panel_assessment": "c.panel_assessment",
                "score": "c.nscore",
                "submitted_at": "c.recommended_at",
                "recommended_at": "c.recommended_at",
                "scores_released_at": tz_stamp.format(m=11, d=30),
            },
            national,
        ),
    )
    results = f"""(
        SELECT s.id, s.organisation_id, m.judging_id, m.grades, m.national, s.score,
               rank() OVER w AS rk
        FROM {Submission._meta.db_table} s JOIN seed_camp m ON m.campaign_id = s.campaign_id
        WHERE s.id >= {first} AND s.score IS NOT NULL
        WINDOW w AS (PARTITION BY s.campaign_id, s.domain_id ORDER BY s.score DESC)
    ) r"""
    timer.run(
        "评审结果与等级",
        lambda: _insert(
            cursor,
            Result,
            {
                "organisation_id": "r.organisation_id",
                "judging_id": "r.judging_id",
                "submission_id": "r.id",
                "final_score": "r.score",
                "rank": "r.rk",
                "grade_id": f"CASE WHEN r.national THEN CASE WHEN r.score >= {NATIONAL_GRADE_SCORE} THEN r.grades[1] END"
                f" WHEN r.score >= {CHILD_GRADE_SCORES[0]} THEN r.grades[1]"
                f" WHEN r.score >= {CHILD_GRADE_SCORES[1]} THEN r.grades[2] ELSE r.grades[3] END",
            },
            results,
        ),
    )


#: Tables whose ids the generator sets itself (their identity sequences are moved past them).
EXPLICIT_ID_MODELS = (Organisation, Circle, CircleMember, Project, ActivityRecord)


def _reset_sequences(cursor) -> None:
    """Move the identity sequences of the tables loaded with explicit ids past the largest id,
    so that later inserts through the ORM do not collide."""
    for model in EXPLICIT_ID_MODELS:
        table = model._meta.db_table
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
        )


def _rebuild_statistics(timer: _Timer) -> bool:
    """Rebuild the statistics summary after the load (:func:`reports.summaries.rebuild_statistics`:
    every enterprise, month, year and campaign period); output: True."""
    from reports.summaries import rebuild_statistics

    timer.run("统计汇总表", rebuild_statistics)
    return True


def _analyze() -> int:
    """ANALYZE the whole database (planner statistics for the new rows); output: 0 rows."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return 0
