"""Settings of the benchmark server: the local settings (``DATABASE_URL``/``REDIS_URL`` from the
environment) with the benchmark's floor views added (``benchmarks/bench_urls.py``), debug off
and the rate limits lifted (the benchmark's simulated users share one address)."""

from qcportal.settings.local import *  # noqa: F403

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
ROOT_URLCONF = "benchmarks.bench_urls"
RATELIMIT_ENABLE = False
AXES_ENABLED = False
