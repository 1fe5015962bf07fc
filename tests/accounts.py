"""Test helpers for two-factor authentication (issue 9 item 1).

Enforcement stays on in the suite. The test client's logins (``client.force_login`` and
``client.login``, which log in through a bare ``HttpRequest``) verify the session with the
user's TOTP device when the user needs one: a user whose roles require two-factor gets a
confirmed device on first login (:func:`otp_device`), and an enrolled user's session is
verified with theirs. So every test that logs in with the client acts as a fully verified
user, the way a person does after the verify step. Logins through the pages (the login
view, the invitation page, the browser tests) are untouched: the browser tests type a real
code (:func:`otp_code`).

Tests of the second step itself switch this off with :func:`unverified_logins` (or the
``otp_unverified`` fixture).
"""

from __future__ import annotations

from contextlib import contextmanager

from django.contrib.auth.signals import user_logged_in
from django.http import HttpRequest
from django_otp.plugins.otp_totp.models import TOTPDevice

from qcportal.otp import current_code, otp_enrolled, otp_required, session_verified_with

_AUTO_VERIFY = {"on": True}


def otp_device(user, *, create: bool = True) -> TOTPDevice | None:
    """The user's confirmed TOTP device, created (named 测试设备) when missing and ``create``."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-id").first()
    if device is None and create:
        device = TOTPDevice.objects.create(user=user, name="测试设备", confirmed=True)
    return device


def otp_code(device: TOTPDevice) -> str:
    """The device's current code, usable now: the device's replay guard (``last_t``) and
    back-off are reset first, so a test may log the same user in twice within 30 seconds."""
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1, throttling_failure_count=0)
    device.refresh_from_db()
    return current_code(device)


def _verify_client_login(sender, request, user, **kwargs):
    """``user_logged_in`` receiver: verify the test client's logins (module docstring)."""
    if not _AUTO_VERIFY["on"] or type(request) is not HttpRequest:
        return
    if otp_required(user) or otp_enrolled(user):
        session_verified_with(request.session, otp_device(user))


def connect() -> None:
    """Connect the receiver (once per test session, tests/conftest.py)."""
    user_logged_in.connect(_verify_client_login, dispatch_uid="tests.verify_client_login")


@contextmanager
def unverified_logins():
    """Within the block the test client's logins are left unverified (as right after the
    password step)."""
    _AUTO_VERIFY["on"] = False
    try:
        yield
    finally:
        _AUTO_VERIFY["on"] = True
