"""API routes under /api/v1/ (namespace ``api``): token, schema and the viewsets every app
registers on :data:`qcportal.api.api_router` in its ``AppConfig.ready``."""

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.exceptions import NotAuthenticated
from rest_framework.permissions import BasePermission

from .api import api_router
from .token_api import TokenView

app_name = "api"


class ApiDocsAccess(BasePermission):
    """The OpenAPI schema and the Swagger UI: for logged-in users (session or token) unless
    the ``API_DOCS_PUBLIC`` setting opens them to everyone (R-SC-59: the description of every
    endpoint is no business of anonymous visitors of a production portal)."""

    def has_permission(self, request, view) -> bool:
        return settings.API_DOCS_PUBLIC or bool(request.user and request.user.is_authenticated)


class SchemaView(SpectacularAPIView):
    """The OpenAPI schema; anonymous requests answer 401 unless ``API_DOCS_PUBLIC``."""

    permission_classes = [ApiDocsAccess]


class DocsView(SpectacularSwaggerSplitView):
    """The Swagger UI; an anonymous browser is sent to the login page and back (302)."""

    permission_classes = [ApiDocsAccess]

    def handle_exception(self, exc):
        if isinstance(exc, NotAuthenticated):
            return redirect_to_login(self.request.get_full_path())
        return super().handle_exception(exc)


urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="token"),
    path("schema/", SchemaView.as_view(), name="schema"),
    path("docs/", DocsView.as_view(url_name="api:schema"), name="docs"),
    path("", include(api_router.urls)),
]
