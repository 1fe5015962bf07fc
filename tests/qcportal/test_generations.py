"""Values kept until what they derive from changes (qcportal/cache.py, rule R-SC-74): stored
under the current tokens of their generations, read from the cache until a generation is
bumped (at once and again at commit), ``None`` kept like any value, and computed afresh
when the cache fails."""

import pytest
from django.core.cache import cache
from django.db import transaction

from qcportal.cache import cached_until_changed, generation_bump, generation_key, generations

pytestmark = pytest.mark.django_db(transaction=True)


def _counting(value):
    calls = []

    def compute():
        calls.append(1)
        return value

    return compute, calls


def test_a_value_is_kept_until_its_generation_is_bumped():
    compute, calls = _counting({"a": 1})
    for _ in range(3):
        assert cached_until_changed("t:1", depends_on=("g1", "g2"), compute=compute) == {"a": 1}
    assert len(calls) == 1
    generation_bump("g2")
    assert cached_until_changed("t:1", depends_on=("g1", "g2"), compute=compute) == {"a": 1}
    assert len(calls) == 2
    generation_bump("other")  # another generation leaves it alone
    cached_until_changed("t:1", depends_on=("g1", "g2"), compute=compute)
    assert len(calls) == 2


def test_none_is_kept_too():
    compute, calls = _counting(None)
    assert cached_until_changed("t:none", depends_on=("g",), compute=compute) is None
    assert cached_until_changed("t:none", depends_on=("g",), compute=compute) is None
    assert len(calls) == 1


def test_a_bump_inside_a_transaction_is_repeated_at_commit():
    """A value computed from the old data between the bump and the commit (another request)
    is not served after the commit."""
    before = generations("g")
    with transaction.atomic():
        generation_bump("g")
        during = generations("g")
        assert during != before
        cached_until_changed("t:tx", depends_on=("g",), compute=lambda: "old data")
    assert generations("g") not in (before, during)
    assert cached_until_changed("t:tx", depends_on=("g",), compute=lambda: "new data") == "new data"


def test_a_lost_generation_token_makes_every_value_stale():
    cached_until_changed("t:lost", depends_on=("g",), compute=lambda: "first")
    cache.delete(generation_key("g"))
    assert cached_until_changed("t:lost", depends_on=("g",), compute=lambda: "second") == "second"


def test_without_a_working_cache_the_value_is_computed(monkeypatch):
    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "get_many", broken)
    compute, calls = _counting(7)
    assert cached_until_changed("t:down", depends_on=("g",), compute=compute) == 7
    assert cached_until_changed("t:down", depends_on=("g",), compute=compute) == 7
    assert len(calls) == 2
    generation_bump("g")  # never raises


def test_a_short_timeout_bounds_what_a_lagging_replica_gave():
    """Values read on a replica are kept ``timeout`` seconds at most (reports.statistics
    .enterprise_home_figures uses REPLICA_CACHE_SECONDS when a replica is configured)."""
    import time

    cached_until_changed("t:short", depends_on=("g",), compute=lambda: "from the replica", timeout=1)
    time.sleep(1.2)
    assert (
        cached_until_changed("t:short", depends_on=("g",), compute=lambda: "current", timeout=1) == "current"
    )
