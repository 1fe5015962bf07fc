"""Two-factor authentication: TOTP with single-use recovery codes (issue 9 item 1; OWASP
ASVS 2.7/2.8, L2).

Built on django-otp (``otp_totp`` for the authenticator app, ``otp_static`` for the ten
recovery codes) with our own pages (:mod:`qcportal.security_views`), rather than
django-two-factor-auth: that package replaces the login with its own wizard view, while ours
is Django's ``LoginView`` wrapped by django-axes and django-ratelimit
(``qcportal/web_urls.py``); here the password login stays as it is and the second factor is
a step after it, enforced by :class:`qcportal.account_middleware.AccountSecurityMiddleware`.

Who must use it: users with an active membership whose role is in
``settings.OTP_REQUIRED_ROLES`` (association administrators and staff); they are sent to
the setup page until they have a confirmed device, and to the verify page until the
session is verified. Anyone else may enrol, and from then on verifies at every login too.
Failed codes count as failed logins for django-axes (the same lockout as the password),
and each device backs off exponentially (django-otp's throttling).
"""

from __future__ import annotations

import base64
from collections.abc import Iterable

import segno
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.exceptions import ValidationError
from django.db import transaction
from django.dispatch import receiver
from django.utils.translation import gettext as _
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp import login as otp_login
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .tenancy import memberships_of

RECOVERY_CODE_COUNT = 10
TOTP_DEVICE_NAME = "authenticator"
STATIC_DEVICE_NAME = "recovery"
#: Session entry caching whether the user has a confirmed device (set at login and when it
#: changes), so that ordinary requests of users who did not enrol cost no device query.
ENROLLED_SESSION_KEY = "_qc_otp_enrolled"


def otp_required_for(memberships: Iterable) -> bool:
    """True when one of the active ``memberships`` has a role in ``OTP_REQUIRED_ROLES``."""
    required = set(settings.OTP_REQUIRED_ROLES)
    return any(m.role in required for m in memberships)


def otp_required(user) -> bool:
    """True when ``user`` must use two-factor authentication (a role in ``OTP_REQUIRED_ROLES``)."""
    return otp_required_for(memberships_of(user))


def totp_device(user, *, confirmed: bool | None = True) -> TOTPDevice | None:
    """The user's TOTP device (confirmed ones by default; ``None``: any), newest first."""
    devices = TOTPDevice.objects.filter(user=user)
    if confirmed is not None:
        devices = devices.filter(confirmed=confirmed)
    return devices.order_by("-id").first()


def otp_enrolled(user) -> bool:
    """True when the user has a confirmed TOTP device (recovery codes alone do not count)."""
    return user.is_authenticated and TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def session_enrolled(request) -> bool:
    """Whether the request's user has a confirmed device, cached in the session."""
    cached = request.session.get(ENROLLED_SESSION_KEY)
    if cached is None:
        cached = otp_enrolled(request.user)
        request.session[ENROLLED_SESSION_KEY] = cached
    return cached


def is_verified(request) -> bool:
    """True when the session was verified with a device of the user (django-otp)."""
    user = request.user
    return bool(getattr(user, "is_verified", None) and user.is_verified())


def otp_state(request) -> str | None:
    """What the session still owes: ``"setup"`` (two-factor required but no device),
    ``"verify"`` (a device but the session is not verified) or ``None`` (nothing: verified, or
    neither required nor enrolled, or not signed in)."""
    user = request.user
    if not user.is_authenticated or is_verified(request):
        return None
    if session_enrolled(request):
        return "verify"
    if otp_required_for(getattr(request, "memberships", None) or memberships_of(user)):
        return "setup"
    return None


@receiver(user_logged_in, dispatch_uid="qcportal.otp_enrolled_on_login")
def _enrolled_on_login(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session[ENROLLED_SESSION_KEY] = otp_enrolled(user)


# --- setup ------------------------------------------------------------------------------
def totp_setup_start(*, user) -> TOTPDevice:
    """The unconfirmed TOTP device the setup page shows (created on first call, kept while
    the user has not confirmed it). Output: the device (its ``key`` is the secret)."""
    device = totp_device(user, confirmed=False)
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


def totp_device_ensure(*, user) -> TOTPDevice:
    """The user's confirmed TOTP device, created when missing (the demo enrols its association
    administrators and staff this way; with ``DEMO_SHOW_OTP`` the verify page shows the
    code). Output: the device."""
    device = totp_device(user)
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=True)
    return device


def qr_data_uri(device: TOTPDevice) -> str:
    """The device's ``otpauth://`` URI as an SVG QR code in a ``data:`` URI (for ``<img>``;
    the CSP allows ``img-src data:``)."""
    return segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2)


def secret_text(device: TOTPDevice) -> str:
    """The device's secret in base32, in groups of four, for typing into an app."""
    secret = base64.b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _clean_code(token: str) -> str:
    return "".join(str(token or "").split()).replace("-", "").lower()[:32]


@transaction.atomic
def totp_setup_confirm(*, user, token: str) -> tuple[TOTPDevice, list[str]]:
    """Confirm the pending TOTP device with a code from the app: the device becomes the
    user's only TOTP device and ten new recovery codes replace any earlier ones.

    Inputs: the user and the six-digit code. Output: the confirmed device and the recovery
    codes (shown once). Raises ``ValidationError`` (Chinese) when there is no pending device
    or the code is wrong. Source: issue 9 item 1.
    """
    device = totp_device(user, confirmed=False)
    if device is None:
        raise ValidationError({"token": _("没有待确认的身份验证器，请重新开始设置。")})
    device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
    if not device.verify_token(_clean_code(token)):
        raise ValidationError({"token": _("验证码不正确，请确认手机时间准确后输入应用中当前显示的6位数字。")})
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return device, recovery_codes_regenerate(user=user)


@transaction.atomic
def recovery_codes_regenerate(*, user) -> list[str]:
    """Replace the user's recovery codes with :data:`RECOVERY_CODE_COUNT` new single-use codes.
    Output: the codes (shown once; earlier codes stop working)."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=STATIC_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _i in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def recovery_codes_left(user) -> int:
    """How many unused recovery codes the user has."""
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


@transaction.atomic
def otp_disable(*, user, memberships: Iterable) -> None:
    """Remove the user's two-factor devices (authenticator and recovery codes).

    Raises ``ValidationError`` (Chinese) while one of the user's active ``memberships`` has a
    role in ``OTP_REQUIRED_ROLES`` (issue 9 item 1: staff must keep it).
    """
    if otp_required_for(memberships):
        raise ValidationError(_("您的角色要求使用两步验证，不能关闭。"))
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


# --- verification -----------------------------------------------------------------------
def otp_verify(request, *, token: str, recovery: bool = False):
    """Check a code for the signed-in user and, when right, mark the session verified.

    Inputs: the request (its user), the code, and ``recovery`` (a recovery code instead of
    the app's code; it is used up). Output: the device that accepted it. Raises
    ``ValidationError`` (Chinese) for a wrong code or a device backing off after failures; a
    wrong code is reported to django-axes as a failed login (``user_login_failed``), so
    repeated failures lock the account as failed passwords do. On success the session key
    is cycled and the session counts as a fresh re-authentication.
    """
    from .reauth import reauth_mark

    user = request.user
    model = StaticDevice if recovery else TOTPDevice
    code = _clean_code(token)
    with transaction.atomic():
        devices = list(model.objects.select_for_update().filter(user=user, confirmed=True).order_by("-id"))
        allowed = [d for d in devices if d.verify_is_allowed()[0]]
        device = next((d for d in allowed if code and d.verify_token(code)), None)
    if device is None:
        # Every failed attempt, also one made while the device backs off, counts for axes.
        user_login_failed.send(
            sender=__name__, credentials={"username": user.get_username()}, request=request
        )
        if devices and not allowed:
            message = _("验证失败次数过多，请稍等片刻再试。")
        elif recovery:
            message = _("恢复码不正确或已使用过。")
        else:
            message = _("验证码不正确，请输入身份验证器中当前显示的6位数字。")
        raise ValidationError({"token": message})
    request.session.cycle_key()
    otp_login(request, device)
    request.session[ENROLLED_SESSION_KEY] = True
    reauth_mark(request)
    return device


def otp_check(user, token: str) -> bool:
    """True when ``token`` is the current code of the user's authenticator (re-authentication;
    the code is used up, a wrong one counts against the device's back-off)."""
    device = totp_device(user)
    if device is None:
        return False
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        return bool(device.verify_is_allowed()[0] and device.verify_token(_clean_code(token)))


def current_code(device: TOTPDevice) -> str:
    """The device's current six-digit code (the demo's hint, ``DEMO_SHOW_OTP``; tests)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def session_verified_with(session, device) -> None:
    """Store ``device`` as the session's verified device (for a session built outside a
    request, e.g. the test client's ``force_login``)."""
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session[ENROLLED_SESSION_KEY] = True
