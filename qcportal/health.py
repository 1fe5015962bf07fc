"""Liveness and readiness for the load balancer (issue 9, item 8), on django-health-check.

- ``/healthz``: liveness — the process answers; touches nothing else (200 ``{"status": "ok"}``).
- ``/readyz``: readiness — the database, the cache, the file storage and, when ``REDIS_URL``
  is configured, the broker; 200 when every check passes, 503 otherwise (``?format=json`` or
  ``Accept: application/json`` for JSON). Anonymous, never cached, no tenant data.
"""

from __future__ import annotations

from django.conf import settings
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from health_check.views import HealthCheckView


@never_cache
def healthz(request):
    """Liveness: 200 ``{"status": "ok"}`` while the process can answer."""
    return JsonResponse({"status": "ok"})


def readiness_checks() -> list:
    """The checks of ``/readyz``: database, cache, storage, and the Redis broker when
    ``REDIS_URL`` is set (tasks run in-process without it)."""
    checks: list = [
        "health_check.checks.Database",
        "health_check.checks.Cache",
        "health_check.checks.Storage",
    ]
    url = getattr(settings, "REDIS_URL", "")
    if url:
        from redis.asyncio import Redis as RedisClient

        checks.append(
            ("health_check.contrib.redis.Redis", {"client_factory": lambda: RedisClient.from_url(url)})
        )
    return checks


class ReadyView(HealthCheckView):
    """Readiness: the library's view with the portal's checks; a failing check answers 503
    (service unavailable) rather than the library's 500, so that no request of the portal
    answers a server error for a dependency that is merely down."""

    async def dispatch(self, request, *args, **kwargs):
        """Run the checks; map the library's failure status (500) to 503."""
        response = await super().dispatch(request, *args, **kwargs)
        if response.status_code == 500:
            response.status_code = 503
        return response
