"""API tokens per device or script (issue 9, item 2): creation, lists, revocation, the
password check of ``POST /api/v1/auth/token/`` and the DRF authentication class.

Built on django-rest-knox (hashed keys, expiry, many tokens per user) with the model
:class:`qcportal.models.ApiToken`, which adds a name and the last use. The key is shown once;
only its SHA-512 digest is stored. Scripts send ``Authorization: Token <key>``. An expired,
revoked or unknown token, or one of a deactivated user, answers 401 with
``{"detail": "..."}``. Logging out of a session leaves tokens alone; deactivating the user
deletes them (:func:`tokens_revoke_all`, called by :func:`qcportal.services.user_deactivate`).
"""

from __future__ import annotations

import datetime as dt
import re

from django.conf import settings
from django.contrib.auth import authenticate
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from knox.auth import TokenAuthentication
from knox.crypto import hash_token
from rest_framework import exceptions
from rest_framework.authentication import get_authorization_header

from .models import ApiToken, Membership, User
from .permissions import require_permission
from .text import clean_text, has_control_characters

#: The name a token gets when none is given.
DEFAULT_TOKEN_NAME = "API"  # noqa: S105 (a label, no secret)
TOKEN_NAME_MAX_LENGTH = 50
#: ``last_used`` is written at most once per this many seconds (not on every request).
LAST_USED_RESOLUTION = dt.timedelta(seconds=60)
#: What a well-formed key looks like (knox: an optional prefix and 64 hex digits; tokens
#: carried over from the former plain tokens: 40 hex digits). Anything else is refused
#: before the database is asked.
KEY_PATTERN = re.compile(r"[A-Za-z0-9_]{16,128}")

STATUS_ACTIVE, STATUS_EXPIRED = "active", "expired"
STATUS_LABELS = {STATUS_ACTIVE: gettext_lazy("有效"), STATUS_EXPIRED: gettext_lazy("已过期")}


# --- Input ------------------------------------------------------------------------------


def token_input_clean(*, name=None, expires_in_days=None) -> tuple[str, int]:
    """Validate the optional inputs of a new token.

    Inputs: ``name`` (text up to 50 characters, no control characters; empty or missing gives
    :data:`DEFAULT_TOKEN_NAME`) and ``expires_in_days`` (a whole number of days from 1 to
    ``settings.API_TOKEN_MAX_TTL_DAYS``, as a number or digits; missing or empty gives
    ``settings.API_TOKEN_TTL_DAYS``). Output: ``(name, days)``. Raises ``ValidationError``
    with Chinese messages keyed by field (the API answers 400). Source: issue 9, item 2
    (R-SC-12).
    """
    errors = {}
    if name is not None and not isinstance(name, str):
        name = "\x00"  # a list or an object is no name: refused below like a control character
    try:
        name = (
            clean_text(name, field="name", max_length=TOKEN_NAME_MAX_LENGTH, label=_("名称"), multiline=False)
            or DEFAULT_TOKEN_NAME
        )
    except ValidationError as exc:
        errors.update(exc.message_dict)
    days = _days(expires_in_days)
    maximum = settings.API_TOKEN_MAX_TTL_DAYS
    if days is None or not 1 <= days <= maximum:
        errors["expires_in_days"] = [
            _("有效期须为1到%(max)s之间的整数天数。") % {"max": maximum},
        ]
    if errors:
        raise ValidationError(errors)
    return name, days


def _days(value) -> int | None:
    """``value`` as a whole number of days, the default for a missing value, else ``None``."""
    if value is None or value == "":
        return settings.API_TOKEN_TTL_DAYS
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"\s*\d{1,6}\s*", value):
        return int(value)
    return None


# --- Writes -----------------------------------------------------------------------------


@transaction.atomic
def token_create(*, user: User, name=None, expires_in_days=None) -> tuple[ApiToken, str]:
    """Create a new token for ``user`` (one more: existing tokens stay valid).

    Inputs: the owner, and ``name`` / ``expires_in_days`` as :func:`token_input_clean`.
    Output: the token row and the key (``qcp_`` and 64 hex digits), which is never stored
    and never shown again. The creation is audited (without the digest). Raises
    ``ValidationError`` for bad inputs or an inactive user. Source: issue 9, item 2
    (R-SC-10, R-SC-11, R-SC-12).
    """
    name, days = token_input_clean(name=name, expires_in_days=expires_in_days)
    if not user.is_active:
        raise ValidationError(_("账户已停用，不能创建API令牌。"))
    token, key = ApiToken.objects.create(user=user, expiry=dt.timedelta(days=days), name=name)
    return token, key


@transaction.atomic
def token_revoke(*, user: User, token: ApiToken, membership: Membership | None = None) -> None:
    """Revoke (delete) ``token``: its owner may always; otherwise ``membership`` must hold
    ``users:manage`` and the owner an active membership in that administrator's subtree
    (the tenant scope; :func:`token_list_managed`). The revocation is audited with the event
    ``qcportal.apitoken.revoked``. Raises ``PermissionDenied``. Source: issue 9, item 2
    (R-SC-14, R-SC-16).
    """
    if token.user_id != user.pk:
        require_permission(membership, "users:manage")
        if not token_list_managed(membership=membership).filter(pk=token.pk).exists():
            raise PermissionDenied(_("只能撤销本单位及下级单位用户的API令牌。"))
    token._audit_event = "qcportal.apitoken.revoked"
    token.delete()


@transaction.atomic
def tokens_revoke_all(*, user: User) -> int:
    """Delete every token of ``user`` (their deactivation); each deletion is audited with the
    event ``qcportal.apitoken.revoked_on_deactivation``. Runs in the caller's transaction.
    Output: how many were deleted. Source: issue 9, item 2 (R-SC-17).
    """
    tokens = list(ApiToken.objects.filter(user=user))
    for token in tokens:
        token._audit_event = "qcportal.apitoken.revoked_on_deactivation"
        token.delete()
    return len(tokens)


# --- Reads ------------------------------------------------------------------------------


def token_list_own(*, user: User) -> QuerySet[ApiToken]:
    """The tokens of ``user``, newest first (expired ones included, marked by
    :func:`token_status`)."""
    return ApiToken.objects.filter(user=user).order_by("-created", "-id")


def token_list_managed(*, membership: Membership, search: str = "") -> QuerySet[ApiToken]:
    """The tokens of the users holding an active membership in the acting administrator's
    subtree (the memberships of the tenant scope, as the user administration lists them),
    with their owners, newest first; ``search`` narrows by username or name. Raises
    ``PermissionDenied`` without ``users:manage``. Must run inside the request's scope.
    Source: issue 9, item 2 (R-SC-16).
    """
    require_permission(membership, "users:manage")
    users = Membership.objects.filter(is_active=True).values("user_id")
    qs = ApiToken.objects.filter(user_id__in=users).select_related("user").order_by("-created", "-id")
    if has_control_characters(search):
        return qs.none()  # no name holds one (and the database refuses a NUL)
    if search:
        qs = qs.filter(Q(user__username__icontains=search) | Q(user__full_name__icontains=search))
    return qs


def token_status(token: ApiToken) -> str:
    """``"active"`` or ``"expired"`` (revoked tokens no longer exist)."""
    return STATUS_EXPIRED if token.is_expired else STATUS_ACTIVE


# --- Authentication ---------------------------------------------------------------------


def password_user(request, *, username, password, otp=None) -> User:
    """The one password check of ``POST /api/v1/auth/token/``: the active user whose
    ``username`` and ``password`` match, through Django's backends (so django-axes counts
    failures and locks out, as on the login page), and, for a user who has set up two-factor
    authentication or whose roles require it, the authenticator's current code ``otp``
    (:func:`second_factor_check`). Raises DRF's ``ValidationError`` (400) for missing or wrong
    credentials. Source: issue 9, items 1 and 2 (R-SC-19, R-SC-02).
    """
    if not isinstance(username, str) or not isinstance(password, str) or not username or not password:
        raise exceptions.ValidationError({"non_field_errors": [_("请填写用户名和密码。")]})
    wrong = exceptions.ValidationError({"non_field_errors": [_("用户名或密码不正确。")]})
    if len(username) > 150 or len(password) > 4096 or "\x00" in username + password:
        raise wrong  # no account has such credentials; the database never sees a NUL
    user = authenticate(request=request, username=username, password=password)
    if user is None or not user.is_active:
        raise wrong
    second_factor_check(user, otp)
    return user


def second_factor_check(user, otp) -> None:
    """The second factor of a password exchange for a token: nothing to do for a user who has
    not set up two-factor authentication and whose roles do not require it; otherwise
    ``otp`` must be the current six-digit code of the user's authenticator (used up once
    accepted). Raises DRF's ``ValidationError`` ``{"otp": [message]}`` (400, Chinese) when the
    code is missing or wrong, or when the roles require two-factor but none is set up yet.
    Source: issue 9, item 1 (a second factor for staff; R-SC-02)."""
    from .otp import otp_check, otp_enrolled, otp_required

    enrolled = otp_enrolled(user)
    if not enrolled and not otp_required(user):
        return
    if not enrolled:
        raise exceptions.ValidationError(
            {"otp": [_("该账户须使用两步验证：请先在门户的“两步验证”页面完成设置，再申请令牌。")]}
        )
    if not isinstance(otp, str | int) or not str(otp).strip():
        raise exceptions.ValidationError(
            {"otp": [_("该账户已启用两步验证：请同时提交 otp（认证器上的6位验证码）。")]}
        )
    code = str(otp).strip()
    if len(code) > 12 or "\x00" in code or not otp_check(user, code):
        raise exceptions.ValidationError(
            {"otp": [_("两步验证码不正确或已使用，请输入认证器上当前的6位验证码。")]}
        )


class ApiTokenAuthentication(TokenAuthentication):
    """DRF authentication with ``Authorization: Token <key>`` against :class:`ApiToken`.

    knox's header parsing; the token is found by the digest of the key. Refused with 401 and
    ``{"detail": …}`` (Chinese): a malformed header or key, an unknown or revoked key, an
    expired token (kept, shown as expired to its owner), a deactivated user. ``last_used`` is
    written at most once per :data:`LAST_USED_RESOLUTION`, with an UPDATE that bypasses
    the audit trail. The result is kept on the request, so the tenant middleware and the
    API view authenticate once. Source: issue 9, item 2 (R-SC-13, R-SC-15, R-SC-18).
    """

    _CACHE = "_qc_api_token_auth"

    def authenticate(self, request):
        """``(user, token)``, ``None`` without a token header, or ``AuthenticationFailed``."""
        http_request = getattr(request, "_request", request)
        cached = getattr(http_request, self._CACHE, None)
        if isinstance(cached, exceptions.AuthenticationFailed):
            raise cached
        if cached is not None:
            return cached
        try:
            result = self._authenticate(request)
        except UnicodeError:
            result = exceptions.AuthenticationFailed(_("API令牌格式无效。"))
        except exceptions.AuthenticationFailed as exc:
            result = exc
        if result is not None:
            setattr(http_request, self._CACHE, result)
        if isinstance(result, exceptions.AuthenticationFailed):
            raise result
        return result

    def _authenticate(self, request):
        auth = get_authorization_header(request).split()
        if not auth or auth[0].lower() != self.authenticate_header(request).lower().encode():
            return None  # no token header: another authentication (the session) may apply
        if len(auth) != 2:
            raise exceptions.AuthenticationFailed(_("API令牌格式无效。"))
        return self.authenticate_credentials(auth[1])

    def authenticate_credentials(self, token: bytes):
        """Find the token of the key ``token`` and check it (see the class)."""
        try:
            key = token.decode("ascii")
        except UnicodeDecodeError:
            key = ""
        if not KEY_PATTERN.fullmatch(key):
            raise exceptions.AuthenticationFailed(_("API令牌格式无效。"))
        row = ApiToken.objects.select_related("user").filter(digest=hash_token(key)).first()
        if row is None:
            raise exceptions.AuthenticationFailed(_("API令牌无效或已被撤销。"))
        now = timezone.now()
        if row.expiry is not None and row.expiry <= now:
            raise exceptions.AuthenticationFailed(_("API令牌已过期，请重新获取。"))
        if not row.user.is_active:
            raise exceptions.AuthenticationFailed(_("账户已停用。"))
        if row.last_used is None or now - row.last_used >= LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=row.pk).update(last_used=now)
            row.last_used = now
        return row.user, row


def token_user(request) -> User | None:
    """The user of the request's ``Authorization: Token …`` header, or ``None`` (no header,
    or a refused token: the API view then answers 401). Used by the tenant middleware."""
    try:
        result = ApiTokenAuthentication().authenticate(request)
    except exceptions.AuthenticationFailed:
        return None
    return result[0] if result else None
