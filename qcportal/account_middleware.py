"""Account security middleware (issue 9 item 1): two-factor enforcement, re-authentication
redirects and the active-sessions list's last activity.

Placed after ``TenantMiddleware`` (it reads the memberships it resolved) and after
django-otp's ``OTPMiddleware`` (``request.user.is_verified()``).
"""

from __future__ import annotations

from django.http import HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from .otp import otp_state
from .reauth import ReauthRequired, reauth_redirect
from .user_sessions import user_session_touch

#: Pages open to a signed-in user who still owes the second factor: the two-factor pages
#: themselves, logging out and in, the password reset by e-mail, the language switch and
#: the health checks (static files are served before any middleware, by WhiteNoise).
OTP_EXEMPT_URL_NAMES = frozenset(
    {
        "otp-setup",
        "otp-verify",
        "otp-recovery",
        "login",
        "logout",
        "password_reset",
        "password_reset_done",
        "password_reset_confirm",
        "password_reset_complete",
        "set_language",
        "healthz",
        "readyz",
    }
)


def _is_api(request) -> bool:
    return request.path_info.startswith("/api/")


class AccountSecurityMiddleware:
    """Per request, for a signed-in session user:

    - refreshes the session's row of the active sessions list (at most once a minute;
      :func:`qcportal.user_sessions.user_session_touch`);
    - two-factor enforcement (:func:`qcportal.otp.otp_state`): a user whose roles require it
      and who has no confirmed device is sent to the setup page, an enrolled user whose
      session is not verified to the verify page, from any page but those of
      :data:`OTP_EXEMPT_URL_NAMES`; API requests of such a session get 403
      ``{"detail": "…"}`` (Chinese). Token-authenticated API requests carry no session user
      and are not concerned;
    - turns :class:`qcportal.reauth.ReauthRequired` raised by an HTML view into the redirect
      to the re-authentication page (the API's exception handler answers 403 instead).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated and hasattr(request, "session"):
            user_session_touch(request)
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not request.user.is_authenticated:
            return None
        match = request.resolver_match
        if match is not None and match.url_name in OTP_EXEMPT_URL_NAMES and not match.namespace:
            return None
        state = otp_state(request)
        if state is None:
            return None
        if _is_api(request):
            message = (
                _("您的账户须使用两步验证：请先在网页上完成两步验证的设置后再使用接口。")
                if state == "setup"
                else _("请先在网页上完成两步验证后再使用接口。")
            )
            return JsonResponse({"detail": message}, status=403, json_dumps_params={"ensure_ascii": False})
        target = reverse("otp-setup" if state == "setup" else "otp-verify")
        if request.method == "GET":
            target += "?" + urlencode({"next": request.get_full_path()})
        return HttpResponseRedirect(target)

    def process_exception(self, request, exception):
        if isinstance(exception, ReauthRequired) and not _is_api(request):
            return reauth_redirect(request, request.path)
        return None
