"""The production cache backend (qcportal.redis_cache): Django's Redis cache with one Redis
client per connection pool instead of one per operation (issue 10 item 4, the fixed cost of
a request), against the real Redis of the suite."""

import threading
import uuid

from django.conf import settings

from qcportal.redis_cache import SharedClientRedisCache


def redis_cache():
    assert settings.REDIS_URL.startswith("redis://"), "REDIS_URL must point at Redis (make test starts one)"
    return SharedClientRedisCache(settings.REDIS_URL, {"KEY_PREFIX": f"test-{uuid.uuid4().hex}"})


def test_the_production_settings_use_it():
    from qcportal.settings import base

    assert base.REDIS_URL  # make test provides Redis
    assert base.CACHES["default"]["BACKEND"] == "qcportal.redis_cache.SharedClientRedisCache"


def test_one_client_serves_every_operation():
    cache = redis_cache()
    client = cache._cache.get_client()
    assert cache._cache.get_client(write=True) is client
    cache.set("figure", {"circles": 20}, 30)
    assert cache.get("figure") == {"circles": 20}
    assert cache.get_many(["figure", "missing"]) == {"figure": {"circles": 20}}
    assert cache.add("figure", 1, 30) is False and cache.add("lock", 1, 30) is True
    cache.delete_many(["figure", "lock"])
    assert cache.get("figure") is None
    assert cache._cache.get_client() is client


def test_threads_share_the_client_safely():
    cache = redis_cache()
    errors, clients = [], set()

    def work(n):
        try:
            for i in range(50):
                cache.set(f"k{n}:{i}", i, 30)
                assert cache.get(f"k{n}:{i}") == i
            clients.add(id(cache._cache.get_client()))
        except Exception as exc:  # collected: an assertion in a thread would be lost
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and len(clients) == 1
    cache.delete_many([f"k{n}:{i}" for n in range(8) for i in range(50)])
