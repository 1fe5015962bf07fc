"""Structured logs (issue 9, item 8): every record of a request carries its request id, the
acting organisation and user; the response returns the id in ``X-Request-ID``; a malformed
incoming id is replaced; Celery tasks log their task id and their publisher's request id;
production writes one JSON object per line on stdout."""

from __future__ import annotations

import io
import json
import logging
import re
import subprocess
import sys
from types import SimpleNamespace

import pytest

from qcportal import logs
from qcportal.celery import app

from ..security.test_hardening import REPO_ROOT, production_env

HEX32 = re.compile(r"[0-9a-f]{32}")


@pytest.fixture
def json_log():
    """The configured console handler (the one with the context filter), writing JSON into a
    buffer for the test; returns a function giving the records written so far."""
    handler = next(
        handler
        for handler in logging.getLogger().handlers
        if any(isinstance(f, logs.RequestContextFilter) for f in handler.filters)
    )
    buffer = io.StringIO()
    old_stream, old_formatter = handler.setStream(buffer), handler.formatter
    handler.setFormatter(logs.JsonFormatter())
    try:
        yield lambda: [json.loads(line) for line in buffer.getvalue().splitlines() if line.strip()]
    finally:
        handler.setStream(old_stream)
        handler.setFormatter(old_formatter)


def test_request_log_record_has_request_id_organisation_and_user(network, login, json_log):
    """R-SC-56: a record written during a request (here Django's "Not Found" warning) carries
    the request id that the response returns in X-Request-ID, and the acting membership's
    organisation and user."""
    client = login(network.users.pa_admin)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    request_id = response["X-Request-ID"]
    assert HEX32.fullmatch(request_id)
    [record] = [r for r in json_log() if r["logger"] == "django.request"]
    assert record["message"] == "Not Found: /no-such-page/"
    assert record["level"] == "WARNING" and record["time"]
    assert record["request_id"] == request_id
    assert record["organisation_id"] == network.pa.pk
    assert record["user_id"] == network.users.pa_admin.pk
    assert "request" not in record


def test_sane_incoming_request_id_is_kept_and_a_malicious_one_replaced(client, json_log):
    """R-SC-56: an incoming X-Request-ID of 8 to 128 letters, digits and ``._:-`` is kept (a
    proxy's id ties its logs to ours); anything else is replaced by a fresh id, both in the
    response and in the logs; anonymous requests log no organisation or user."""
    for kept in (
        "0123456789abcdef0123456789abcdef",
        "3f2b8c1e-6a8d-4d7e-9c1b-2f0a9e8d7c6b",
        "lb-2026.03:01_x",
    ):
        assert client.get("/no-such-page/", HTTP_X_REQUEST_ID=kept)["X-Request-ID"] == kept
    for bad in (
        "short",
        "x" * 129,
        "-" * 5000 + "0123456789abcdef0123456789abcdef",  # what uuid.UUID() would accept
        "id with spaces",
        '"}, "level": "CRITICAL", "x": "',
        "<script>alert(1)</script>",
        "abcd1234\u2028efgh",
        "../../etc/passwd",
    ):
        response = client.get("/no-such-page/", HTTP_X_REQUEST_ID=bad)
        assert HEX32.fullmatch(response["X-Request-ID"]), bad
    records = [r for r in json_log() if r["logger"] == "django.request"]
    assert len(records) == 11
    assert all(HEX32.fullmatch(r["request_id"]) for r in records[3:])
    assert all(r["organisation_id"] is None and r["user_id"] is None for r in records)


@app.task(bind=True, name="tests.qcportal.test_logs.logging_task")
def logging_task(self):
    """A task that logs one line."""
    logging.getLogger("qcportal.test").warning("inside the task")
    return self.request.id


def test_task_logs_its_task_id(json_log):
    """R-SC-58: a record written inside a Celery task carries the task's id and name."""
    result = logging_task.apply()
    [record] = [r for r in json_log() if r["message"] == "inside the task"]
    assert (
        record["task_id"] == result.get() and record["task_name"] == "tests.qcportal.test_logs.logging_task"
    )


def test_published_task_runs_under_its_publishers_request_id():
    """R-SC-58: a task published during a request carries the request's id in its message
    headers; the worker logs the task under it and restores its own context afterwards."""
    token = logs.request_id_var.set("req-from-the-request")
    try:
        headers = {}
        logs._task_publish(headers=headers)
        assert headers == {logs.REQUEST_ID_HEADER: "req-from-the-request"}
    finally:
        logs.request_id_var.reset(token)

    before = logs.request_id_var.get(), logs.log_context.get()
    request = SimpleNamespace(is_eager=False, get=headers.get)
    logs._task_prerun(task_id="t-1", task=SimpleNamespace(request=request))
    assert logs.request_id_var.get() == "req-from-the-request" and logs.log_context.get() is None
    logs._task_postrun(task_id="t-1")
    assert (logs.request_id_var.get(), logs.log_context.get()) == before


PRODUCTION_REQUESTS = """
import json, logging
import django
django.setup()
from django.test import Client
client = Client(raise_request_exception=False)
out = {}
for name, path, accept in (
    ("schema", "/api/v1/schema/", "application/json"),
    ("docs", "/api/v1/docs/", "text/html"),
):
    response = client.get(path, secure=True, HTTP_HOST="qc.example.cn", HTTP_ACCEPT=accept)
    out[name] = [response.status_code, response.get("Location", ""), response.get("X-Request-ID", "")]
logging.getLogger("qcportal.test").warning("中文消息", extra={"note": 1})
print("RESULT " + json.dumps(out))
"""


def test_production_logs_json_lines_and_keeps_api_docs_behind_login(tmp_path):
    """R-SC-57, R-SC-59: under the production settings every log line on stdout is one JSON
    object with the request id; the OpenAPI schema answers an anonymous request 401 and the
    Swagger UI sends it to the login page (302)."""
    result = subprocess.run(
        [sys.executable, "-c", PRODUCTION_REQUESTS],
        cwd=REPO_ROOT,
        env=production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    lines = result.stdout.strip().splitlines()
    out = json.loads(lines[-1].removeprefix("RESULT "))
    records = [json.loads(line) for line in lines[:-1]]  # every other line is JSON
    status, _, request_id = out["schema"]
    assert status == 401
    assert out["docs"][0] == 302 and out["docs"][1].startswith("/accounts/login/?next=")
    [refused] = [r for r in records if r.get("message") == "Unauthorized: /api/v1/schema/"]
    assert refused["request_id"] == request_id and refused["level"] == "WARNING"
    [mine] = [r for r in records if r.get("logger") == "qcportal.test"]
    assert mine["message"] == "中文消息" and mine["note"] == 1 and mine["request_id"] is None
    assert set(logs.CONTEXT_FIELDS) <= set(mine)
