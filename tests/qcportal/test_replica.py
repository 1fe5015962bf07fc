"""Dashboard and report reads on a read replica (qcportal/db.py; issue 10 item 6).

The replica is a second alias ``replica``, made here a test mirror of ``default`` (same test
database, its own connection, read-only sessions as ``DATABASE_REPLICA_URL`` configures it).
Each test records the queries of both connections: the figure reads inside
``replica_reads()`` run on ``replica``; writes, reads outside the scope and reads inside a
transaction run on ``default``. Transactional tests: the replica's connection sees only
committed rows, as a real replica does."""

import copy
import json
import subprocess
import sys
from contextlib import ExitStack, contextmanager

import pytest
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from circles.models import Circle
from qcportal.db import REPLICA_ALIAS, read_alias, replica_reads
from qcportal.models import Membership, Organisation
from qcportal.settings.database import replica_settings
from qcportal.tenancy import no_tenant, tenant_scope
from reports.services import report_run_start

from ..security.test_hardening import REPO_ROOT, production_env


@contextmanager
def replica_mirror():
    """Settings override: the alias ``replica`` as a TEST MIRROR of ``default`` (what
    ``DATABASE_REPLICA_URL`` adds, pointed at the test database), removed afterwards."""
    entry = replica_settings(copy.deepcopy(connections[DEFAULT_DB_ALIAS].settings_dict))
    assert entry["TEST"] == {"MIRROR": "default"}
    connections.settings[REPLICA_ALIAS] = entry
    try:
        yield
    finally:
        connections[REPLICA_ALIAS].close()
        del connections[REPLICA_ALIAS]
        del connections.settings[REPLICA_ALIAS]


@pytest.fixture(scope="module")
def replica():
    """The mirror alias, set up before the test's database fixture (module scope), which must
    list it: ``@pytest.mark.django_db(transaction=True, databases=BOTH)``."""
    with replica_mirror():
        yield


BOTH = ["default", REPLICA_ALIAS]


@contextmanager
def queries():
    """Record the SQL of both aliases: yields ``{"default": [...], "replica": [...]}``."""
    with ExitStack() as stack:
        captured = {
            alias: stack.enter_context(CaptureQueriesContext(connections[alias])) for alias in connections
        }
        recorded: dict[str, list[str]] = {}
        yield recorded
    for alias, context in captured.items():
        recorded[alias] = [q["sql"] for q in context.captured_queries]


def touching(sqls: list[str], table: str) -> list[str]:
    return [sql for sql in sqls if f'"{table}"' in sql]


def test_without_a_replica_the_scope_changes_nothing(monkeypatch):
    monkeypatch.delitem(connections.settings, REPLICA_ALIAS, raising=False)
    with replica_reads():
        assert read_alias() == DEFAULT_DB_ALIAS


@pytest.mark.django_db(transaction=True, databases=BOTH)
def test_scoped_reads_go_to_the_replica_and_writes_to_the_primary(committed_network, replica):
    network = committed_network
    with queries() as q, tenant_scope(network.pa):
        with replica_reads():
            assert read_alias() == REPLICA_ALIAS
            circles = list(Circle.objects.order_by("pk"))
            organisation = Organisation.objects.get(pk=network.pa.pk)
            assert organisation._state.db == REPLICA_ALIAS
            organisation.name += "（改）"
            with transaction.atomic():  # as services write: inside a transaction, all on default
                assert read_alias() == DEFAULT_DB_ALIAS
                Organisation.objects.get(pk=network.pa.pk)
                organisation.save(update_fields=["name"])
        Circle.objects.count()  # outside the scope: default
    assert circles and organisation._state.db == DEFAULT_DB_ALIAS  # saved on the primary
    assert len(touching(q["replica"], "circles_circle")) == 1
    gets = [sql for sql in q["replica"] if sql.startswith('SELECT "qcportal_organisation"')]
    assert len(gets) == 1  # the get before the transaction
    assert not [
        sql for sql in q["replica"] if sql.lstrip().upper().startswith(("UPDATE", "INSERT", "DELETE"))
    ]
    organisation_sql = touching(q["default"], "qcportal_organisation")
    assert [sql for sql in organisation_sql if sql.startswith("UPDATE")]
    assert [sql for sql in organisation_sql if sql.startswith("SELECT") and f"= {network.pa.pk}" in sql]
    assert len(touching(q["default"], "circles_circle")) == 1  # the count outside the scope
    with no_tenant():
        assert Organisation.objects.get(pk=network.pa.pk).name.endswith("（改）")


@pytest.mark.django_db(transaction=True, databases=BOTH)
@pytest.mark.parametrize(
    ("user", "tables"),
    [
        ("pa_staff", ["circles_circle", "promotion_enterpriseannualfigures"]),
        ("ru1_coord", ["circles_circle"]),
        ("e1_coord", ["circles_circle", "promotion_enterpriseannualfigures"]),
    ],
)
def test_home_figures_are_read_on_the_replica(committed_network, replica, client, user, tables):
    """The association home's cached figures are computed on the replica (cold cache), the
    unit's and the enterprise's figures are read there; the session, the membership and the
    lists of the page stay on the primary."""
    client.force_login(getattr(committed_network.users, user))
    with queries() as q:
        response = client.get(reverse("home"))
    assert response.status_code == 200
    for table in tables:
        assert touching(q["replica"], table), f"{table} not read on the replica"
        assert not [sql for sql in touching(q["default"], table) if "GROUP BY" in sql or "SUM(" in sql]
    # The session and the acting membership come from the cache (cached_db sessions and the
    # per-session membership cache when REDIS_URL is set) or from the primary, never the replica.
    for table in ("django_session", "qcportal_membership", "qcportal_user"):
        assert not touching(q["replica"], table), f"{table} read on the replica"
    assert touching(q["default"], "qcportal_user")


@pytest.mark.django_db(transaction=True, databases=BOTH)
def test_report_rendering_reads_on_the_replica(committed_network, replica):
    network = committed_network
    with no_tenant():
        membership = Membership.objects.get(user=network.users.pa_staff)
    with queries() as q, tenant_scope(network.pa):
        run = report_run_start(
            membership=membership,
            user=network.users.pa_staff,
            campaign=network.campaign,
            form="annex3",
            file_format="xlsx",
            organisation=network.pa,
        )  # the task runs in-process here (no broker), after the commit
    run.refresh_from_db()
    assert run.status == "succeeded", run.error
    # the circle figures come from the statistics summary (built: the network is committed)
    assert touching(q["replica"], "reports_enterprisestatistics"), (
        "the form's figures are read on the replica"
    )
    assert touching(q["replica"], "promotion_enterpriseannualfigures")
    assert not touching(q["replica"], "reports_reportrun"), "the run's bookkeeping stays on the primary"
    assert [sql for sql in touching(q["default"], "reports_reportrun") if sql.startswith("UPDATE")]


SETTINGS_DUMP = (
    "import json\n"
    "from django.conf import settings as s\n"
    "print(json.dumps({alias: {'OPTIONS': d.get('OPTIONS', {}), 'CONN_MAX_AGE': d.get('CONN_MAX_AGE'),"
    " 'TEST': d.get('TEST', {}), 'NAME': d.get('NAME')} for alias, d in s.DATABASES.items()}))\n"
)


def settings_dump(tmp_path, **overrides) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", SETTINGS_DUMP],
        cwd=REPO_ROOT,
        env=production_env(tmp_path, **overrides),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_replica_alias_exists_only_with_its_url_and_the_pool_only_when_asked(tmp_path):
    plain = settings_dump(tmp_path, DATABASE_URL="postgres://u@db:5432/qc")
    assert list(plain) == ["default"] and "pool" not in plain["default"]["OPTIONS"]
    assert plain["default"]["CONN_MAX_AGE"] == 60
    scaled = settings_dump(
        tmp_path,
        DATABASE_URL="postgres://u@db:5432/qc",
        DATABASE_REPLICA_URL="postgres://u@replica:5432/qc",
        DATABASE_POOL="min_size=2,max_size=4,timeout=10",
    )
    assert list(scaled) == ["default", "replica"]
    assert scaled["replica"]["TEST"] == {"MIRROR": "default"}
    assert "default_transaction_read_only=on" in scaled["replica"]["OPTIONS"]["options"]
    for alias in ("default", "replica"):
        assert scaled[alias]["OPTIONS"]["pool"] == {"min_size": 2, "max_size": 4, "timeout": 10.0}
        assert scaled[alias]["CONN_MAX_AGE"] == 0, "Django refuses persistent connections with a pool"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"DATABASE_POOL": "max_size=two"}, "DATABASE_POOL"),
        ({"DATABASE_POOL": "size=4"}, "DATABASE_POOL"),
        ({"DATABASE_POOL": "max_size=4"}, "PostgreSQL"),  # the default SQLite of production_env
        (
            {"DATABASE_URL": "postgres://u@db/qc", "DATABASE_POOL": "max_size=4", "CONN_MAX_AGE": "60"},
            "CONN_MAX_AGE",
        ),
    ],
)
def test_bad_pool_settings_refuse_to_start(tmp_path, overrides, message):
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=REPO_ROOT,
        env=production_env(tmp_path, **overrides),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and message in result.stderr


POOL_RUN = """
import json, os, threading, django
django.setup()
from django.db import connection, connections
pids, errors = [], []
def work():
    try:
        for _ in range(5):
            with connections["default"].cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                pids.append(cursor.fetchone()[0])
            connections["default"].close()  # back to the pool
    except Exception as exc:
        errors.append(repr(exc))
threads = [threading.Thread(target=work) for _ in range(6)]
[t.start() for t in threads]
[t.join() for t in threads]
pool = connection.pool
print(json.dumps({"errors": errors, "queries": len(pids), "backends": len(set(pids)),
                  "max_size": pool.max_size, "conn_max_age": connection.settings_dict["CONN_MAX_AGE"]}))
"""


@pytest.mark.django_db
def test_the_pool_serves_many_threads_with_few_connections(tmp_path):
    """``DATABASE_POOL=min_size=1,max_size=2``: 6 threads × 5 queries share at most 2 server
    connections (psycopg_pool, Django 5.2's ``OPTIONS["pool"]``), against the test database."""
    assert connections[DEFAULT_DB_ALIAS].vendor == "postgresql", "the pool needs PostgreSQL (make test)"
    db = connections[DEFAULT_DB_ALIAS].settings_dict
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = production_env(
        tmp_path,
        DJANGO_SETTINGS_MODULE="qcportal.settings.local",
        DATABASE_URL=url,
        DATABASE_POOL="min_size=1,max_size=2,timeout=30",
    )
    result = subprocess.run(
        [sys.executable, "-c", POOL_RUN], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-3000:]
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert out["errors"] == [] and out["queries"] == 30
    assert out["max_size"] == 2 and 1 <= out["backends"] <= 2 and out["conn_max_age"] == 0
