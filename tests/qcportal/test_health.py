"""Liveness and readiness for the load balancer (issue 9, item 8)."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_healthz_answers_anonymously_without_touching_the_database(django_assert_num_queries):
    with django_assert_num_queries(0):
        response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-cache" in response.headers["Cache-Control"] or "max-age=0" in response.headers["Cache-Control"]


def test_readyz_checks_database_cache_and_storage():
    response = Client().get("/readyz?format=json")
    assert response.status_code == 200, response.content
    body = response.json()
    text = str(body)
    for name in ("Database", "Cache", "Storage"):
        assert name in text, body
    assert "max-age=0" in response.headers["Cache-Control"]


def test_readyz_answers_503_when_a_check_fails(monkeypatch):
    from health_check.checks import Database

    async def broken(self, executor):
        from health_check.base import HealthCheckResult
        from health_check.exceptions import ServiceUnavailable

        return HealthCheckResult(check=self, error=ServiceUnavailable("数据库不可用"), time_taken=0.0)

    monkeypatch.setattr(Database, "get_result", broken)
    response = Client().get("/readyz?format=json")
    assert response.status_code == 503
