"""API helpers shared by all apps: the exception handler with a stable error shape, scoped
related fields, and the one router of ``/api/v1/`` that every app registers its viewsets on."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, OperationalError
from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter
from rest_framework.views import exception_handler as drf_exception_handler

from .conflicts import Conflict, conflict_for, conflict_messages
from .reauth import require_reauth


def exception_handler(exc, context):
    """Map Django and DRF errors to JSON responses.

    Django ``ValidationError`` (raised by services with Chinese messages) and DRF's own
    input errors become 400 with ``{"detail": "...", "errors": {field: [messages]}}``
    (``detail`` is the first message); other errors keep DRF's shape
    (``{"detail": ...}``) and status (401, 403, 404, 429 …).

    Conflicts answer 409 in the same shape: a :class:`~qcportal.conflicts.Conflict` a
    service or the workflow mechanism raises (a duplicate, a repeated transition), and, as
    the backstop, an ``IntegrityError`` (or deadlock) of simultaneous identical writes,
    with the Chinese message of the constraint (:func:`qcportal.conflicts.conflict_for`;
    rule R-SC-30).
    """
    if isinstance(exc, IntegrityError | OperationalError):
        exc = conflict_for(exc) or exc
    if isinstance(exc, Conflict):
        errors = conflict_messages(exc)
        first = next(iter(errors.values()))[0]
        return Response({"detail": first, "errors": errors}, status=status.HTTP_409_CONFLICT)
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


class TransitionInputSerializer(serializers.Serializer):
    """``POST …/transitions/``: the transition's name, a comment (required for returns and
    refusals) and the transition's own fields (e.g. a project's acceptance: ``achieved_value``,
    ``economic_benefit`` in 万元; a formal-review return: ``correction_due``)."""

    transition = serializers.CharField(max_length=40)
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=1000)


def workflow_for(obj):
    """The declared workflow of ``obj``'s model (``qcportal.workflow.WORKFLOWS``); raises
    ``KeyError`` for a model without one."""
    from .workflow import WORKFLOWS

    return next(wf for wf in WORKFLOWS.values() if isinstance(obj, wf.model))


class TransitionMixin:
    """``POST {id}/transitions/`` with ``{"transition": NAME, "comment": …, …fields}`` on any
    model with a declared workflow: 200 with the object in its new state
    (``detail_serializer_class``), 400 with the Chinese reason when refused, 403 when the
    membership may not take it (or, for a transition declared ``reauth=True``, when a session
    user has not re-authenticated within ``REAUTH_MAX_AGE``; token requests are not asked),
    404 for an object outside the scope. The same contract for circles, projects, comments,
    submissions and campaigns."""

    detail_serializer_class = None

    @extend_schema(request=TransitionInputSerializer, responses={200: OpenApiResponse(description="新状态")})
    @action(detail=True, methods=["post"], url_path="transitions")
    def transitions(self, request, pk=None, **kwargs):
        """Take a workflow transition by name."""
        obj = self.get_object()
        data = dict(request.data.items()) if hasattr(request.data, "items") else {}
        name = data.pop("transition", None)
        comment = data.pop("comment", "") or ""
        workflow = workflow_for(obj)
        t = workflow.transitions.get(name) if isinstance(name, str) else None
        if t is not None and t.reauth:
            require_reauth(request)
        workflow.perform(obj, name, membership=request.membership, comment=str(comment), data=data)
        obj = self.get_queryset().get(pk=obj.pk)
        return Response(self.detail_serializer_class(obj, context=self.get_serializer_context()).data)


class HistoryMixin(serializers.Serializer):
    """Adds ``history``: the workflow transitions taken on the object, oldest first, each
    ``{"transition", "source", "target", "actor", "comment", "at"}`` (e.g. a return reason
    and the circle's answer)."""

    history = serializers.SerializerMethodField()
    workflow_entity = ""

    def get_history(self, obj) -> list[dict]:
        """The object's workflow history (one query)."""
        from qcportal.models import WorkflowLog

        rows = WorkflowLog._base_manager.filter(entity=self.workflow_entity, object_id=obj.pk).select_related(
            "actor"
        )
        return [
            {
                "transition": r.transition,
                "source": r.source,
                "target": r.target,
                "actor": str(r.actor),
                "comment": r.comment,
                "at": r.created_at.isoformat(),
            }
            for r in rows.order_by("created_at", "id")
        ]


def year_param(params, name: str = "year", first: int = 2000) -> int | None:
    """The four-digit year of query parameter ``name`` (``None`` when absent or empty);
    raises DRF's ``ValidationError`` (400, Chinese) for anything else, or a year before
    ``first``."""
    value = params.get(name, "")
    if not value:
        return None
    if not (value.isascii() and value.isdigit() and len(value) == 4 and int(value) >= first):
        raise exceptions.ValidationError({name: [f"年度须为{first}年以后的四位数字。"]})
    return int(value)
