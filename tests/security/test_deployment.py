"""The Docker image and the demo: static files collect under the production settings, and the
local (demo) settings behave like the product (no debug pages)."""

import json
import re
import subprocess
import sys
from pathlib import Path

from .test_hardening import REPO_ROOT, production_env

VENDOR = Path(REPO_ROOT) / "static" / "vendor"


def test_collectstatic_succeeds_under_production_settings(tmp_path):
    """The Dockerfile's ``collectstatic`` (WhiteNoise's CompressedManifestStaticFilesStorage)
    must not fail on a vendored file that names a missing source map."""
    env = production_env(tmp_path, SECRET_KEY="build-only", ALLOWED_HOSTS="localhost")
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]
    manifest = tmp_path / "static" / "staticfiles.json"
    assert manifest.exists()
    assert "vendor/bootstrap/bootstrap.min.css" in manifest.read_text()


def test_vendored_files_name_no_missing_source_maps():
    """Every ``sourceMappingURL`` in static/vendor points at a file that exists (there are none:
    static/vendor/README.md says they are stripped)."""
    pattern = re.compile(rb"sourceMappingURL=([^\s*]+)")
    missing = []
    for path in VENDOR.rglob("*"):
        if path.suffix in {".js", ".css"}:
            for name in pattern.findall(path.read_bytes()):
                if not (path.parent / name.decode()).exists():
                    missing.append(f"{path.relative_to(VENDOR)} → {name.decode()}")
    assert missing == []


def local_env(tmp_path) -> dict:
    """The environment of ``make demo`` on a fresh machine: the local settings, no DEBUG, no
    services, a throwaway SQLite database and no collected static files."""
    env = production_env(
        tmp_path,
        DJANGO_SETTINGS_MODULE=None,
        SECRET_KEY=None,
        ALLOWED_HOSTS=None,
        STATIC_ROOT=str(tmp_path / "not-collected"),
        REDIS_URL=None,  # the demo needs no services: in-process tasks, local-memory cache
    )
    return env


DEMO_REQUESTS = """
import json, os, warnings
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qcportal.settings.local")  # as manage.py does
warnings.simplefilter("error")  # the demo starts without warnings (e.g. no STATIC_ROOT yet)
import django
django.setup()
from django.conf import settings
from django.test import Client
client = Client(raise_request_exception=False)
out = {"DEBUG": settings.DEBUG, "settings": settings.SETTINGS_MODULE}
out["embedded"] = [settings.DATABASES["default"]["ENGINE"], settings.CELERY_TASK_ALWAYS_EAGER,
                   settings.CACHES["default"]["BACKEND"], sorted(settings.DATABASES)]
for host in ("127.0.0.1:8000", "localhost:8000"):
    missing = client.get("/no-such-page/", HTTP_HOST=host)
    out[host] = [missing.status_code, missing.content.decode()]
static = client.get("/static/css/app.css", HTTP_HOST="127.0.0.1:8000")
out["static"] = [static.status_code, static.getvalue().decode()[:200]]
print(json.dumps(out))
"""


def test_demo_settings_look_like_the_product(tmp_path):
    """``make demo`` (manage.py's default local settings, no DEBUG in the environment) runs with
    DEBUG off: an unknown URL answers the portal's own Chinese 404 page, not Django's
    technical page listing every URL, on 127.0.0.1 and localhost; static files are served
    without ``collectstatic`` (WhiteNoise with the finders)."""
    env = local_env(tmp_path)
    assert "DEBUG" not in env and "DJANGO_SETTINGS_MODULE" not in env
    env["PYTHONWARNINGS"] = ""
    result = subprocess.run(
        [sys.executable, "-c", DEMO_REQUESTS],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    out = json.loads(result.stdout.strip().splitlines()[-1])
    assert out["settings"] == "qcportal.settings.local"
    assert out["DEBUG"] is False
    # The embedded defaults (issue 10 item 4: Redis is required only in production): SQLite,
    # in-process tasks, a local-memory cache, no replica.
    assert out["embedded"] == [
        "django.db.backends.sqlite3",
        True,
        "django.core.cache.backends.locmem.LocMemCache",
        ["default"],
    ]
    for host in ("127.0.0.1:8000", "localhost:8000"):
        status, body = out[host]
        assert status == 404, (host, status, body[:300])
        assert "页面不存在" in body and "QC Portal" in body
        assert "URLconf" not in body and "Using the URLconf" not in body and "technical" not in body
    status, css = out["static"]
    assert status == 200 and "QC Portal styles" in css


def test_unknown_url_renders_the_portals_404_page(client, settings):
    settings.DEBUG = False
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert [t.name for t in response.templates][0] == "404.html"
    assert "页面不存在" in response.content.decode()
