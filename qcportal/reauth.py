"""Re-authentication before sensitive actions (issue 9 item 1; OWASP ASVS 4.3.3 / 3.7.1).

Granting roles (invitations), taking a workflow transition declared with ``reauth=True``
(e.g. publishing judging results) and exporting personal data (exporters declaring
``personal_data``) need the user to have confirmed their password, or a two-factor code
when enrolled, within ``settings.REAUTH_MAX_AGE`` seconds (default 300). The confirmation
time is kept in the session; a password login or a second-factor verification counts as one
(the password or code was just given), as GitHub's "sudo mode" does.

HTML views redirect to ``/accounts/reauth/?next=…`` (:func:`reauth_redirect`, or raise
:class:`ReauthRequired`, turned into that redirect by the account middleware); the API
answers 403 ``{"detail": "…"}``. Requests authenticated with an API token (not a session)
are not asked: the token was issued in exchange for the password, and a script has no page
to confirm on.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.core.exceptions import PermissionDenied
from django.dispatch import receiver
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

#: Session entry: when the user last confirmed their password or code (seconds since the epoch).
REAUTH_SESSION_KEY = "_qc_reauth_at"


class ReauthRequired(PermissionDenied):
    """Raised when a sensitive action needs a fresh re-authentication: HTML requests are
    redirected to the re-authentication page, API requests get 403 with this message."""

    def __init__(self, message=None):
        super().__init__(
            message or _("此操作需要重新验证身份：请先在“确认身份”页面（/accounts/reauth/）输入密码后重试。")
        )


def reauth_mark(request) -> None:
    """Record in the session that the user has just confirmed their identity."""
    request.session[REAUTH_SESSION_KEY] = int(time.time())


@receiver(user_logged_in, dispatch_uid="qcportal.reauth_on_login")
def _reauth_on_login(sender, request, user, **kwargs):
    # The login itself is a password confirmation (see the module docstring).
    if request is not None and hasattr(request, "session"):
        reauth_mark(request)


def reauth_age(request) -> float | None:
    """Seconds since the session's last confirmation (``None`` when never)."""
    session = getattr(request, "session", None)
    at = session.get(REAUTH_SESSION_KEY) if session is not None else None
    return None if at is None else time.time() - at


def _token_authenticated(request) -> bool:
    """True for a DRF request authenticated by something other than the session (a token)."""
    authenticator = getattr(request, "successful_authenticator", None)
    if authenticator is None:
        return False
    from rest_framework.authentication import SessionAuthentication

    return not isinstance(authenticator, SessionAuthentication)


def reauth_needed(request) -> bool:
    """True when a sensitive action on this request needs a (new) re-authentication: a
    session request whose last confirmation is missing or older than ``REAUTH_MAX_AGE``.
    Token-authenticated API requests never need one (module docstring)."""
    if _token_authenticated(request):
        return False
    age = reauth_age(request)
    return age is None or age > settings.REAUTH_MAX_AGE


def require_reauth(request) -> None:
    """Raise :class:`ReauthRequired` when :func:`reauth_needed` (for API views and services
    called from views)."""
    if reauth_needed(request):
        raise ReauthRequired()


def reauth_url(next_url: str) -> str:
    """The re-authentication page, returning to ``next_url`` afterwards."""
    return f"{reverse('reauth')}?{urlencode({'next': next_url})}"


def reauth_redirect(request, next_url: str | None = None) -> HttpResponseRedirect:
    """Redirect to the re-authentication page; afterwards back to ``next_url`` (default: this
    page; for a POST the user submits again there)."""
    return HttpResponseRedirect(reauth_url(next_url or request.get_full_path()))


def reauth_response(request, *, needed: bool = True, next_url: str | None = None):
    """For HTML views: the redirect to the re-authentication page when the action is
    sensitive (``needed``) and :func:`reauth_needed`, else ``None`` (go ahead)."""
    if needed and reauth_needed(request):
        return reauth_redirect(request, next_url)
    return None


class ReauthRequiredMixin:
    """View mixin: the methods in ``reauth_methods`` (default POST) need a recent
    re-authentication; otherwise the user is sent to the re-authentication page and back to
    this page. Used by the invitation form (granting a role)."""

    reauth_methods = ("post",)

    def dispatch(self, request, *args, **kwargs):
        if request.method.lower() in self.reauth_methods and request.user.is_authenticated:
            response = reauth_response(request, next_url=request.path)
            if response is not None:
                return response
        return super().dispatch(request, *args, **kwargs)
