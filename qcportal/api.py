"""API helpers shared by all apps: the exception handler with a stable error shape, scoped
related fields."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context):
    """Map Django and DRF errors to JSON responses.

    Django ``ValidationError`` (raised by services with Chinese messages) becomes 400 with
    ``{"detail": "...", "errors": {field: [messages]}}``; other errors keep DRF's shape
    (``{"detail": ...}``) and status (401, 403, 404, 429 …).
    """
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            errors = {field: [str(m) for m in msgs] for field, msgs in exc.message_dict.items()}
        else:
            errors = {"non_field_errors": [str(m) for m in exc.messages]}
        first = next(iter(errors.values()))[0]
        return Response({"detail": first, "errors": errors}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(detail=str(exc) or None)
    return drf_exception_handler(exc, context)


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
