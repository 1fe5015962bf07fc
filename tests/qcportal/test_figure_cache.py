"""Dashboard figures cached without a stampede (qcportal/cache.py; issue 10 item 4): a stale
figure is served at once while one background refresh is enqueued; a cold figure is computed
once while the other requests wait for it; the refresh task stores the new value with its
time; the association home shows when its figures were computed."""

import datetime as dt
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from qcportal import cache as figure_cache
from qcportal.cache import CachedFigure, cache_key, cached_computation, cached_figure, store
from qcportal.queues import STATISTICS, queue_for
from qcportal.tasks import figure_refresh_task
from qcportal.tenancy import tenant_scope
from reports.figures import circles_by_year

pytestmark = pytest.mark.django_db

READERS = 8


@cached_computation("tests.figure", scope="organisation_id", fresh_for=60)
def _test_figure(*, organisation_id: int) -> str:
    """A figure for these tests: the organisation's code."""
    from qcportal.models import Organisation

    return Organisation._base_manager.get(pk=organisation_id).code


@pytest.fixture
def enqueued(monkeypatch):
    """The refresh tasks enqueued during the test (not run)."""
    calls = []

    def record(*args, **kwargs):
        time.sleep(0.02)  # a broker round trip: widens the window for a second enqueue
        calls.append(kwargs["kwargs"])

    monkeypatch.setattr(figure_refresh_task, "apply_async", record)
    return calls


def read_concurrently(name, **params) -> list[CachedFigure]:
    barrier = threading.Barrier(READERS)

    def read(_):
        barrier.wait()
        return cached_figure(name, **params)

    with ThreadPoolExecutor(READERS) as pool:
        return list(pool.map(read, range(READERS)))


def test_concurrent_stale_reads_enqueue_one_refresh_and_serve_the_old_value(enqueued):
    long_ago = timezone.now() - dt.timedelta(hours=1)
    store("tests.figure", {"organisation_id": 1}, "old", computed_at=long_ago)
    results = read_concurrently("tests.figure", organisation_id=1)
    assert [r.value for r in results] == ["old"] * READERS
    assert all(r.stale and abs((r.computed_at - long_ago).total_seconds()) < 1 for r in results)
    assert enqueued == [{"name": "tests.figure", "params": {"organisation_id": 1}, "organisation_id": 1}]
    # While the refresh is under way (its lock held) later stale reads enqueue nothing more.
    assert cached_figure("tests.figure", organisation_id=1).value == "old"
    assert len(enqueued) == 1


def test_a_fresh_value_is_served_without_a_refresh(enqueued):
    store("tests.figure", {"organisation_id": 1}, "new")
    figure = cached_figure("tests.figure", organisation_id=1)
    assert figure.value == "new" and not figure.stale
    assert enqueued == []


def test_cold_start_computes_once_while_the_others_wait(monkeypatch, enqueued):
    started, release, computed = threading.Event(), threading.Event(), []

    def slow_compute(name, params, preloaded=()):
        computed.append(params)
        started.set()
        release.wait(5)
        return "computed"

    monkeypatch.setattr(figure_cache, "compute", slow_compute)
    with ThreadPoolExecutor(READERS) as pool:
        first = pool.submit(cached_figure, "tests.figure", organisation_id=2)
        assert started.wait(5)
        others = [pool.submit(cached_figure, "tests.figure", organisation_id=2) for _ in range(READERS - 1)]
        time.sleep(0.2)  # the others are waiting for the first one's value
        release.set()
        results = [first.result(), *(o.result() for o in others)]
    assert [r.value for r in results] == ["computed"] * READERS
    assert computed == [{"organisation_id": 2}], "one computation for all the cold readers"
    assert enqueued == [], "a cold figure is computed inline, not enqueued"
    assert cached_figure("tests.figure", organisation_id=2).value == "computed"


def test_a_cold_reader_computes_itself_when_the_first_takes_too_long(monkeypatch):
    monkeypatch.setattr(figure_cache, "COLD_WAIT_SECONDS", 0.2)
    monkeypatch.setattr(figure_cache, "compute", lambda name, params, preloaded=(): "mine")
    key = cache_key("tests.figure", {"organisation_id": 3})
    figure_cache.cache.add(f"{key}:lock", 1, 60)  # another request is computing it
    started = time.monotonic()
    assert cached_figure("tests.figure", organisation_id=3).value == "mine"
    assert 0.2 <= time.monotonic() - started < 2
    assert figure_cache.cache.get(key) is None, "only the lock holder stores"


def test_arguments_must_be_ids_or_primitives(network):
    with pytest.raises(TypeError):
        cached_figure("tests.figure", organisation_id=network.caq)
    with pytest.raises(KeyError):
        cached_figure("no.such.figure", organisation_id=1)


def test_the_refresh_task_stores_the_value_with_its_time_and_releases_the_lock(network):
    params = {"association_id": network.pa.pk}
    key = cache_key("reports.circles_by_year", params)
    store("reports.circles_by_year", params, [], computed_at=timezone.now() - dt.timedelta(days=1))
    figure_cache.cache.add(f"{key}:lock", 1, 60)  # taken by the request that enqueued it
    before = timezone.now()
    for _ in range(2):  # idempotent
        result = figure_refresh_task.apply(
            kwargs={"name": "reports.circles_by_year", "params": params, "organisation_id": network.pa.pk}
        )
        assert result.successful(), result.traceback
    figure = cached_figure("reports.circles_by_year", **params)
    with tenant_scope(network.pa):
        expected = circles_by_year(association_id=network.pa.pk)
    assert expected and figure.value == expected
    assert figure.computed_at >= before - dt.timedelta(seconds=1) and not figure.stale
    assert figure_cache.cache.get(f"{key}:lock") is None
    assert queue_for(figure_refresh_task.name) == STATISTICS


def test_association_home_serves_cached_figures_with_their_time(network, login, enqueued, monkeypatch):
    client = login(network.users.pa_staff)
    cold = client.get(reverse("home"))
    assert cold.status_code == 200
    page = cold.content.decode()
    assert 'data-testid="figures-as-of"' in page and "数据更新于" in page
    assert 'data-testid="by-year-as-of"' in page
    by_year = cold.context["by_year"]
    assert by_year and cold.context["figures"].circles_this_year_count >= 0
    # Warm: the figures come from the cache, no aggregate runs.
    with CaptureQueriesContext(connection) as warm_queries:
        warm = client.get(reverse("home"))
    assert (
        warm.context["by_year"] == by_year and warm.context["figures_as_of"] == cold.context["figures_as_of"]
    )
    assert not [q["sql"] for q in warm_queries.captured_queries if '"circles_circle"' in q["sql"]]
    # Stale: the page still shows the stored figures, one refresh per figure is enqueued.
    calls = []
    monkeypatch.setattr(figure_cache, "compute", lambda name, params, preloaded=(): calls.append(name))
    long_ago = timezone.now() - dt.timedelta(hours=1)
    for name, params in (
        ("reports.annex3", {"campaign_id": cold.context["campaign"].pk, "association_id": network.pa.pk}),
        ("reports.circles_by_year", {"association_id": network.pa.pk}),
    ):
        _, value = figure_cache.cache.get(cache_key(name, params))
        store(name, params, value, computed_at=long_ago)
    stale = client.get(reverse("home"))
    assert stale.status_code == 200 and stale.context["by_year"] == by_year
    assert calls == [], "nothing computed inline once a value is stored"
    assert sorted(c["name"] for c in enqueued) == ["reports.annex3", "reports.circles_by_year"]
    client.get(reverse("home"))
    assert len(enqueued) == 2, "the refreshes are under way: no second enqueue"
