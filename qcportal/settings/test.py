"""Settings for the pytest suite: fast password hashing, files in a temporary folder."""

import tempfile

from .base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = tempfile.mkdtemp(prefix="qcportal-test-media-")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Tasks run in-process in the suite; tests/reports/test_worker.py switches to a real worker
# over the Redis broker (REDIS_URL) for the end-to-end check.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = False
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SITE_URL = "https://qc.example.cn"
# Two-factor enforcement stays on: the shared login fixtures verify the session with a device
# (tests/conftest.py). The suite never calls the network: the breached-password look-up is
# off here and mocked where tested (tests/qcportal/test_passwords_breached.py).
PWNED_PASSWORDS_ENABLED = False
DEMO_SHOW_OTP = False
