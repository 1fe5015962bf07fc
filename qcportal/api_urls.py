"""API routes under /api/v1/ (namespace ``api``): token, schema and the viewsets every app
registers on :data:`qcportal.api.api_router` in its ``AppConfig.ready``."""

from django.urls import include, path
from django.utils.translation import gettext as _
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import status
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle

from .api import api_router

app_name = "api"


class TokenView(ObtainAuthToken):
    """POST username and password, get an API token; throttled like the login page and
    subject to the django-axes lockout (a locked-out user gets 429, not "wrong password")."""

    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"

    def post(self, request, *args, **kwargs):
        try:
            return super().post(request, *args, **kwargs)
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


urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="token"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("", include(api_router.urls)),
]
