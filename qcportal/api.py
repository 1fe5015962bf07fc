"""API helpers shared by all apps: the exception handler with a stable error shape, scoped
related fields, and the one router of ``/api/v1/`` that every app registers its viewsets on."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context):
    """Map Django and DRF errors to JSON responses.

    Django ``ValidationError`` (raised by services with Chinese messages) and DRF's own
    input errors become 400 with ``{"detail": "...", "errors": {field: [messages]}}``
    (``detail`` is the first message); other errors keep DRF's shape
    (``{"detail": ...}``) and status (401, 403, 404, 429 …).
    """
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            errors = {field: [str(m) for m in msgs] for field, msgs in exc.message_dict.items()}
        else:
            errors = {"non_field_errors": [str(m) for m in exc.messages]}
        first = next(iter(errors.values()))[0]
        return Response({"detail": first, "errors": errors}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, exceptions.ValidationError):
        errors = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        return Response(
            {"detail": _first_message(errors), "errors": errors}, status=status.HTTP_400_BAD_REQUEST
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(detail=str(exc) or None)
    return drf_exception_handler(exc, context)


def _first_message(errors) -> str:
    """The first message of a (possibly nested) DRF error structure, as text."""
    while isinstance(errors, dict | list) and errors:
        errors = next(iter(errors.values())) if isinstance(errors, dict) else errors[0]
    return str(errors)


class ScopedRelatedFieldMixin:
    """Related-field mixin whose queryset is the model's scoped manager, resolved per request.

    Declared querysets are evaluated at import time, outside any tenant scope; this mixin
    defers to ``model.objects.all()`` when the field is used, i.e. inside the request's
    scope, so objects of another tenant are "not found" (architecture.md, serializer
    related fields narrow their querysets per request).
    """

    def __init__(self, *, model, **kwargs):
        self.scoped_model = model
        kwargs["queryset"] = model._base_manager.none()
        super().__init__(**kwargs)

    def get_queryset(self):
        return self.scoped_model.objects.all()


class ScopedSlugRelatedField(ScopedRelatedFieldMixin, serializers.SlugRelatedField):
    """``SlugRelatedField`` over the tenant-scoped manager."""


class ScopedPrimaryKeyRelatedField(ScopedRelatedFieldMixin, serializers.PrimaryKeyRelatedField):
    """``PrimaryKeyRelatedField`` over the tenant-scoped manager."""


class TenantViewSetMixin:
    """ViewSet mixin: ``scoped_queryset()`` answers requests (inside the tenant scope), while
    the OpenAPI generator, which runs outside any scope, gets an empty queryset of
    ``schema_model`` to read field types from."""

    schema_model = None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.schema_model._base_manager.none()
        return self.scoped_queryset()


api_router = DefaultRouter()
api_router.include_format_suffixes = False


def register_api_viewset(prefix: str, viewset, *, basename: str) -> None:
    """Route ``/api/v1/<prefix>/`` to ``viewset`` (called from each app's ``AppConfig.ready``).

    Apps register here instead of ``qcportal.api_urls`` importing their views, so that imports
    flow one way (``reports → evaluation → circles → promotion → qcportal``). Registering the
    same basename again (``ready`` run twice) is a no-op.
    """
    if any(existing == basename for _prefix, _viewset, existing in api_router.registry):
        return
    api_router.register(prefix, viewset, basename=basename)
