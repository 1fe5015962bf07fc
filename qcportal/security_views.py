"""Account security pages under /accounts/ (issue 9 item 1): two-factor setup, verification,
recovery codes and disabling; re-authentication; the active sessions list; the password
change and reset views that end the user's other sessions.

Every page shows only the requesting user's own data (no tenant data).
"""

from __future__ import annotations

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_lockout_response
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView
from django_otp import login as otp_login
from django_ratelimit.decorators import ratelimit

from . import otp
from .actions import error_text
from .forms_base import CleanInputMixin
from .reauth import reauth_mark, reauth_response
from .user_sessions import current_row_id, user_session_touch, user_sessions_active, user_sessions_end

otp_rate = method_decorator(
    ratelimit(key="user_or_ip", rate=settings.RATE_LIMITS["otp"], method="POST", block=True)
)


class OTPTokenForm(CleanInputMixin, forms.Form):
    """A six-digit code from the authenticator app, or a recovery code."""

    token = forms.CharField(label=gettext_lazy("验证码"), max_length=32, strip=True)


class ReauthForm(CleanInputMixin, forms.Form):
    """Confirm the identity: the password, or (when enrolled) the authenticator's code."""

    password = forms.CharField(label=gettext_lazy("密码"), required=False, max_length=200, strip=False)
    token = forms.CharField(label=gettext_lazy("验证码"), required=False, max_length=32)

    def clean(self):
        data = super().clean()
        if not data.get("password") and not data.get("token"):
            raise ValidationError(_("请输入密码或身份验证器中的验证码。"))
        return data


def safe_next(request, default: str = "home") -> str:
    """The ``next`` parameter when it points at this site, else the URL of ``default``."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(default)


def _locked_out(request) -> bool:
    return AxesProxyHandler.is_locked(request, {"username": request.user.get_username()})


def _lockout(request):
    """Sign the user out and answer with django-axes' lockout page (429)."""
    credentials = {"username": request.user.get_username()}
    logout(request)
    request.axes_locked_out = True
    return get_lockout_response(request, None, credentials)


# --- two-factor ---------------------------------------------------------------------------
class OTPManageView(LoginRequiredMixin, TemplateView):
    """The user's two-factor status: enrolled or not, whether their roles require it, the
    recovery codes left; buttons to set up, regenerate the codes and (when allowed) disable."""

    template_name = "accounts/otp_manage.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        return {
            **super().get_context_data(**kwargs),
            "enrolled": otp.otp_enrolled(user),
            "required": otp.otp_required_for(self.request.memberships),
            "codes_left": otp.recovery_codes_left(user),
            "recovery_count": otp.RECOVERY_CODE_COUNT,
        }


class OTPSetupView(LoginRequiredMixin, View):
    """Set up the authenticator: the QR code (an inline SVG ``data:`` URI) and the secret as
    text; confirming with a current code shows the ten recovery codes once. An enrolled user
    must have verified the session and re-authenticated to replace the device."""

    template_name = "accounts/otp_setup.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and otp.otp_enrolled(request.user):
            if not otp.is_verified(request):
                return redirect("otp-verify")
            response = reauth_response(request, next_url=request.path)
            if response is not None:
                return response
        return super().dispatch(request, *args, **kwargs)

    def _page(self, request, form, status=200):
        device = otp.totp_setup_start(user=request.user)
        context = {
            "form": form,
            "qr": otp.qr_data_uri(device),
            "secret": otp.secret_text(device),
            "required": otp.otp_required_for(request.memberships),
            "next": safe_next(request),
        }
        return render(request, self.template_name, context, status=status)

    def get(self, request):
        return self._page(request, OTPTokenForm())

    @otp_rate
    def post(self, request):
        form = OTPTokenForm(request.POST)
        if form.is_valid():
            try:
                device, codes = otp.totp_setup_confirm(user=request.user, token=form.cleaned_data["token"])
            except ValidationError as exc:
                form.add_error("token", error_text(exc))
            else:
                request.session.cycle_key()
                otp_login(request, device)
                request.session[otp.ENROLLED_SESSION_KEY] = True
                reauth_mark(request)
                user_session_touch(request, force=True)
                messages.success(request, _("两步验证已启用。"))
                return render(
                    request,
                    "accounts/otp_codes.html",
                    {"codes": codes, "next": safe_next(request), "first_setup": True},
                )
        return self._page(request, form, status=400)


class OTPVerifyView(LoginRequiredMixin, View):
    """The second step of the login: a code from the authenticator (or, with ``recovery``,
    a recovery code, used up). Rate limited per user; wrong codes count as failed logins
    for django-axes, and a locked account is signed out. With ``DEMO_SHOW_OTP`` the page
    shows the current code, labelled 演示环境."""

    template_name = "accounts/otp_verify.html"
    recovery = False

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            if otp.is_verified(request):
                return HttpResponseRedirect(safe_next(request))
            if not otp.otp_enrolled(request.user):
                # The devices were removed (e.g. from another session): nothing to verify;
                # a user whose roles require two-factor is then sent to the setup page.
                request.session[otp.ENROLLED_SESSION_KEY] = False
                return HttpResponseRedirect(safe_next(request))
            if _locked_out(request):
                return _lockout(request)
        return super().dispatch(request, *args, **kwargs)

    def _page(self, request, form, status=200):
        demo_code = None
        if settings.DEMO_SHOW_OTP and not self.recovery:
            device = otp.totp_device(request.user)
            demo_code = otp.current_code(device) if device else None
        context = {
            "form": form,
            "recovery": self.recovery,
            "next": safe_next(request),
            "demo_code": demo_code,
        }
        return render(request, self.template_name, context, status=status)

    def get(self, request):
        return self._page(request, OTPTokenForm())

    @otp_rate
    def post(self, request):
        form = OTPTokenForm(request.POST)
        if form.is_valid():
            try:
                otp.otp_verify(request, token=form.cleaned_data["token"], recovery=self.recovery)
            except ValidationError as exc:
                if getattr(request, "axes_locked_out", False) or _locked_out(request):
                    return _lockout(request)
                form.add_error("token", error_text(exc))
            else:
                user_session_touch(request, force=True)
                if self.recovery:
                    left = otp.recovery_codes_left(request.user)
                    messages.warning(
                        request,
                        _("已使用一个恢复码，还剩%(n)d个。恢复码用完前请重新生成。") % {"n": left},
                    )
                return HttpResponseRedirect(safe_next(request))
        return self._page(request, form, status=400)


class OTPRecoveryView(OTPVerifyView):
    """Verify the login with a single-use recovery code instead of the authenticator."""

    recovery = True


class RecoveryCodesView(LoginRequiredMixin, View):
    """POST (after re-authentication): replace the recovery codes with ten new ones, shown once."""

    http_method_names = ["post"]

    def post(self, request):
        if not otp.otp_enrolled(request.user):
            messages.error(request, _("请先启用两步验证。"))
            return redirect("otp-manage")
        response = reauth_response(request, next_url=reverse("otp-manage"))
        if response is not None:
            return response
        codes = otp.recovery_codes_regenerate(user=request.user)
        return render(request, "accounts/otp_codes.html", {"codes": codes, "next": reverse("otp-manage")})


class OTPDisableView(LoginRequiredMixin, View):
    """POST (after re-authentication): turn two-factor off; refused while the user's roles
    require it."""

    http_method_names = ["post"]

    def post(self, request):
        response = reauth_response(request, next_url=reverse("otp-manage"))
        if response is not None:
            return response
        try:
            otp.otp_disable(user=request.user, memberships=request.memberships)
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            request.session[otp.ENROLLED_SESSION_KEY] = False
            messages.success(request, _("两步验证已关闭。"))
        return redirect("otp-manage")


# --- re-authentication --------------------------------------------------------------------
class ReauthView(LoginRequiredMixin, View):
    """``/accounts/reauth/?next=…``: confirm the identity with the password (or the
    authenticator's code when enrolled) before a sensitive action; then back to ``next``.
    Rate limited per user; wrong passwords count as failed logins for django-axes."""

    template_name = "accounts/reauth.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and _locked_out(request):
            return _lockout(request)
        return super().dispatch(request, *args, **kwargs)

    def _page(self, request, form, status=200):
        context = {"form": form, "next": safe_next(request), "enrolled": otp.otp_enrolled(request.user)}
        return render(request, self.template_name, context, status=status)

    def get(self, request):
        return self._page(request, ReauthForm())

    @otp_rate
    def post(self, request):
        form = ReauthForm(request.POST)
        if form.is_valid():
            user = request.user
            password, token = form.cleaned_data["password"], form.cleaned_data["token"]
            ok = user.check_password(password) if password else otp.otp_check(user, token)
            if ok:
                reauth_mark(request)
                messages.success(request, _("身份已确认，请继续操作（如刚才提交的表单未保存，请重新提交）。"))
                return HttpResponseRedirect(safe_next(request))
            user_login_failed.send(
                sender=__name__, credentials={"username": user.get_username()}, request=request
            )
            if getattr(request, "axes_locked_out", False):
                return _lockout(request)
            form.add_error(None, _("密码或验证码不正确。"))
        return self._page(request, form, status=400)


# --- active sessions ----------------------------------------------------------------------
class SessionListView(LoginRequiredMixin, TemplateView):
    """The user's active sessions: browser, address, started, last activity, the current one
    marked; sign out any other one, or all others at once."""

    template_name = "accounts/session_list.html"

    def get_context_data(self, **kwargs):
        user_session_touch(self.request, force=True)
        return {
            **super().get_context_data(**kwargs),
            "sessions": user_sessions_active(user=self.request.user),
            "current": current_row_id(self.request),
        }


class SessionEndView(LoginRequiredMixin, View):
    """POST: sign out one of the user's other sessions (404 for anyone else's)."""

    http_method_names = ["post"]

    def post(self, request, pk: int):
        if pk == current_row_id(request):
            messages.error(request, _("要结束当前会话，请使用“退出登录”。"))
            return redirect("session-list")
        if not user_sessions_end(user=request.user, pk=pk):
            raise Http404
        messages.success(request, _("已将该会话退出登录。"))
        return redirect("session-list")


class SessionEndOthersView(LoginRequiredMixin, View):
    """POST: sign out every session of the user except this one."""

    http_method_names = ["post"]

    def post(self, request):
        user_session_touch(request, force=True)
        ended = user_sessions_end(user=request.user, keep=current_row_id(request))
        messages.success(request, _("已退出其他%(n)d个会话。") % {"n": ended})
        return redirect("session-list")


# --- passwords ----------------------------------------------------------------------------
class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change; afterwards every other session of the user is ended
    (ASVS 3.3.3; issue 9 item 1)."""

    def form_valid(self, form):
        response = super().form_valid(form)
        user_session_touch(self.request, force=True)
        user_sessions_end(user=form.user, keep=current_row_id(self.request))
        return response


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's password reset by e-mail link; a new password ends all the user's sessions."""

    def form_valid(self, form):
        response = super().form_valid(form)
        user_sessions_end(user=form.user)
        return response
