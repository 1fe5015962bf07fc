"""API of the API tokens (issue 9, item 2): ``POST /api/v1/auth/token/`` (password → a new
token) and ``/api/v1/tokens/`` (the requester's own tokens: list, create, revoke)."""

from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from .audit import audit_context
from .middleware import client_ip
from .models import ApiToken
from .tenancy import memberships_of
from .tokens import (
    STATUS_LABELS,
    password_user,
    token_create,
    token_list_own,
    token_revoke,
    token_status,
)


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """OpenAPI: :class:`qcportal.tokens.ApiTokenAuthentication` is ``Authorization: Token <key>``."""

    target_class = "qcportal.tokens.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return build_bearer_security_scheme_object(
            header_name="Authorization",
            token_prefix="Token",  # noqa: S106 (the header keyword, no secret)
        )


class ApiTokenSerializer(serializers.ModelSerializer):
    """A token as its owner sees it: never the key (shown once at creation) nor the digest.
    ``prefix`` is the key's first characters, to tell tokens apart; ``status`` is
    ``active`` or ``expired``."""

    prefix = serializers.CharField(source="token_key", read_only=True)
    expires = serializers.DateTimeField(source="expiry", read_only=True)
    status = serializers.SerializerMethodField()
    status_display = serializers.SerializerMethodField()

    class Meta:
        model = ApiToken
        fields = ["id", "name", "prefix", "created", "last_used", "expires", "status", "status_display"]
        read_only_fields = fields

    def get_status(self, token) -> str:
        return token_status(token)

    def get_status_display(self, token) -> str:
        return str(STATUS_LABELS[token_status(token)])


class ApiTokenCreateInputSerializer(serializers.Serializer):
    """``POST /api/v1/tokens/``: optional ``name`` (default "API", at most 50 characters) and
    ``expires_in_days`` (default ``API_TOKEN_TTL_DAYS``, 1 to ``API_TOKEN_MAX_TTL_DAYS``)."""

    name = serializers.CharField(required=False, allow_blank=True)
    expires_in_days = serializers.IntegerField(required=False)


class ApiTokenCreatedSerializer(ApiTokenSerializer):
    """The answer to a creation: the token and, this once, its ``token`` (the key)."""

    token = serializers.CharField(read_only=True)

    class Meta(ApiTokenSerializer.Meta):
        fields = [*ApiTokenSerializer.Meta.fields, "token"]
        read_only_fields = fields


def _raw(request, field):
    """A field of the request body as sent (validated by :func:`qcportal.tokens.token_input_clean`)."""
    data = request.data
    return data.get(field) if hasattr(data, "get") else None


class ApiTokenViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet
):
    """The requester's own API tokens: list and read (never the key), create (the key is in
    the answer, once), ``DELETE`` revokes. Another user's token is "not found". A new token
    needs the password (``POST /api/v1/auth/token/``) or a signed-in session: a token cannot
    mint tokens (R-SC-11)."""

    serializer_class = ApiTokenSerializer
    queryset = ApiToken.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ApiToken.objects.none()
        return token_list_own(user=self.request.user)

    @extend_schema(request=ApiTokenCreateInputSerializer, responses={201: ApiTokenCreatedSerializer})
    def create(self, request, *args, **kwargs):
        """Create a token for the requester (session only); the key is shown this once."""
        if isinstance(request.auth, ApiToken):
            raise PermissionDenied(_("不能用API令牌创建新的令牌，请登录网页或用用户名和密码获取。"))
        token, key = token_create(
            user=request.user, name=_raw(request, "name"), expires_in_days=_raw(request, "expires_in_days")
        )
        token.token = key
        return Response(ApiTokenCreatedSerializer(token).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        token_revoke(user=self.request.user, token=instance)


class TokenObtainInputSerializer(serializers.Serializer):
    """``POST /api/v1/auth/token/``: ``username``, ``password`` and, optionally, ``name`` and
    ``expires_in_days`` of the new token; ``otp``, the authenticator's current code, for users
    with two-factor authentication."""

    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"})
    otp = serializers.CharField(
        required=False, help_text="认证器上的6位验证码：已设置两步验证或角色要求两步验证的账户必填"
    )
    name = serializers.CharField(required=False, allow_blank=True)
    expires_in_days = serializers.IntegerField(required=False)


class TokenView(APIView):
    """POST username and password, get a NEW API token ``{"token", "name", "expires"}`` (each
    call creates one more; earlier tokens stay valid). Throttled like the login page and
    subject to the django-axes lockout (a locked-out user gets 429, not "wrong password");
    bad credentials or inputs answer 400 with ``{"detail", "errors"}``. The password check is
    :func:`qcportal.tokens.password_user`. Source: issue 9, item 2 (R-SC-19)."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"

    @extend_schema(
        request=TokenObtainInputSerializer,
        responses={
            200: inline_serializer(
                "TokenObtained",
                {
                    "token": serializers.CharField(),
                    "name": serializers.CharField(),
                    "expires": serializers.DateTimeField(),
                },
            )
        },
    )
    def post(self, request, *args, **kwargs):
        try:
            user = password_user(
                request,
                username=_raw(request, "username"),
                password=_raw(request, "password"),
                otp=_raw(request, "otp"),
            )
        except ValidationError:
            # django-axes marks the request object it was given: DRF's wrapper here.
            if getattr(request, "axes_locked_out", False) or getattr(
                request._request, "axes_locked_out", False
            ):
                return Response(
                    {"detail": _("登录失败次数过多，账户已临时锁定，请稍后再试。")},
                    status=status.HTTP_429_TOO_MANY_REQUESTS,
                )
            raise
        memberships = memberships_of(user)
        with audit_context(
            actor=user, membership=memberships[0] if memberships else None, remote_addr=client_ip(request)
        ):
            token, key = token_create(
                user=user, name=_raw(request, "name"), expires_in_days=_raw(request, "expires_in_days")
            )
        expires = serializers.DateTimeField().to_representation(token.expiry)
        return Response({"token": key, "name": token.name, "expires": expires})
