"""Schemathesis over the whole OpenAPI description of /api/v1/ (issue 9 item 3): every
operation, every method, cases that fit the schema and cases that do not, sent in process
as an association administrator and as an enterprise coordinator (token), with the rate
limits lifted; no answer may be a server error.

Deterministic (Hypothesis derandomised, no example database), so CI is stable; at least
2,000 cases in total (examples per operation and mode are set from the number of operations).
Each case runs in a savepoint rolled back afterwards, so every case starts from the same data.
The cases tried are printed with the statuses met; every server error is reported with its
operation and the request in one assertion message. Cost: 72 operations × 2 modes × 9 examples
× 2 requesters = 2,520 cases, about 2 minutes on one busy core.
"""

from __future__ import annotations

import contextlib
import math
import time

import pytest
from django.db import transaction
from django.test import Client
from django.test.client import ClientHandler
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis.errors import Unsatisfiable

from .bad_input import lifted_rate_limits, openapi_schema
from .test_isolation import _client

schemathesis = pytest.importorskip("schemathesis")
from schemathesis.generation.modes import GenerationMode  # noqa: E402

pytestmark = pytest.mark.django_db

#: Requesters: an association administrator and an enterprise coordinator.
REQUESTERS = ("pa_admin", "e1_coord")
#: The least number of cases (requests) the test sends.
MIN_CASES = 2_000
#: Operations not fuzzed, with the reason.
SKIPPED = {
    "GET /api/v1/schema/": "the OpenAPI description itself (generated, no input)",
}


class RolledBackApp:
    """A WSGI application over Django's test handler (the one the test client uses: it keeps
    the test's database connection open) that runs every request in a savepoint rolled back
    afterwards."""

    def __init__(self):
        self.handler = ClientHandler(enforce_csrf_checks=False)

    def __call__(self, environ, start_response):
        with transaction.atomic():
            response = self.handler(environ)
            content = b"".join(response.streaming_content) if response.streaming else response.content
            transaction.set_rollback(True)
        status = f"{response.status_code} {response.reason_phrase}"
        start_response(status, [(k, v) for k, v in response.items()])
        return [content]


def _operations(schema):
    for result in schema.get_all_operations():
        operation = result.ok()
        if f"{operation.method.upper()} {operation.path}" not in SKIPPED:
            yield operation


def _fuzz(operation, mode, examples, app, headers, counts, failures) -> None:
    """Send ``examples`` generated cases of one operation in one mode, once per requester."""

    @hypothesis_settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case):
        for requester, authorization in headers.items():
            response = case.call(app=app, headers={"Authorization": authorization})
            counts["cases"] += 1
            counts[response.status_code] = counts.get(response.status_code, 0) + 1
            if response.status_code >= 500:
                failures.append(
                    f"{requester} {mode.value} {case.method} {case.formatted_path} "
                    f"query={case.query!r} body={str(case.body)[:300]!r} → {response.status_code}"
                )

    # Unsatisfiable: nothing to generate in this mode (no parameter that could be made invalid).
    with contextlib.suppress(Unsatisfiable):
        run()


def test_schemathesis_finds_no_server_error(network, monkeypatch, settings, capsys):
    lifted_rate_limits(monkeypatch, settings)
    settings.ALLOWED_HOSTS = ["*"]
    schema = schemathesis.openapi.from_dict(openapi_schema())
    app = RolledBackApp()
    # The API credentials of the isolation test's helper (one place to switch the token scheme).
    headers = {
        name: _client(Client(), network, name, api=True).defaults["HTTP_AUTHORIZATION"] for name in REQUESTERS
    }
    operations = list(_operations(schema))
    modes = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    # Each example is sent once per requester.
    per_mode = math.ceil(MIN_CASES / (len(operations) * len(modes) * len(REQUESTERS))) + 2
    failures: list[str] = []
    counts = {"cases": 0}
    started = time.monotonic()

    for operation in operations:
        for mode in modes:
            _fuzz(operation, mode, per_mode, app, headers, counts, failures)

    elapsed = time.monotonic() - started
    with capsys.disabled():
        print(
            f"\nschemathesis: {len(operations)} operations × {len(modes)} modes × ≤{per_mode} examples × "
            f"{len(REQUESTERS)} requesters = {counts['cases']} cases in {elapsed:.0f} s, {len(failures)} server errors; "
            f"statuses {dict(sorted((k, v) for k, v in counts.items() if k != 'cases'))}"
        )
    assert not failures, f"{len(failures)} server errors:\n" + "\n".join(failures[:100])
    assert counts["cases"] >= MIN_CASES
    # The cases reach the views: most are authenticated and many are answered (not all refused).
    assert counts.get(401, 0) < counts["cases"] / 10 and counts.get(200, 0) + counts.get(201, 0) > 100
