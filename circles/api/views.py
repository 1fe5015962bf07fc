"""API of the circles app (``/api/v1/``): circles with nested members and bulk import,
projects with their workflow transitions, activity records with attachments and comments.

Thin viewsets: reads through the selectors inside the tenant scope (a foreign object is
404), writes through the services (one permission check; 403), bad input answers 400 with
``{"detail", "errors"}`` (``qcportal.api.exception_handler``).
"""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from qcportal.api import TenantViewSetMixin, TransitionMixin
from qcportal.parsers import NormalisingFormParser, NormalisingJSONParser, NormalisingMultiPartParser
from qcportal.permissions import HasAreaPermission

from .. import imports, selectors, services
from ..filtersets import ActivityRecordFilterSet, CircleFilterSet, ProjectFilterSet
from ..models import ActivityRecord, Circle, CircleImport, Project, RecordComment
from .serializers import (
    ActivityRecordInputSerializer,
    ActivityRecordSerializer,
    CircleCreateInputSerializer,
    CircleDetailSerializer,
    CircleImportSerializer,
    CircleSerializer,
    CircleUpdateInputSerializer,
    CommentInputSerializer,
    CommentSerializer,
    ImportInputSerializer,
    ProjectDetailSerializer,
    ProjectInputSerializer,
    ProjectSerializer,
)

VIEW = ("circles:view", "circles:view_own")


def _validated(serializer_class, request, *, partial: bool = False) -> dict:
    serializer = serializer_class(data=request.data, partial=partial)
    serializer.is_valid(raise_exception=True)
    return {k: v for k, v in serializer.validated_data.items() if k in request.data or not partial}


def _found(queryset, pk):
    obj = queryset.filter(pk=pk).first() if str(pk).isdigit() else None
    if obj is None:
        raise Http404
    return obj


class CircleViewSet(
    TransitionMixin,
    TenantViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Circles in the scope (an enterprise's, a recommending unit's or an association's
    share; a circle leader or member only their own circles)."""

    schema_model = Circle
    serializer_class = CircleSerializer
    detail_serializer_class = CircleDetailSerializer
    permission_classes = [HasAreaPermission]
    permission_required = VIEW
    keyset_pagination = True  # ``?after=<id>`` / ``?before=<id>``; ``next`` carries them
    permission_map = {
        "create": ("circles:manage", "circles:lead"),
        "import_circles": "circles:manage",
        "import_status": "circles:manage",
    }
    filterset_class = CircleFilterSet
    parser_classes = [NormalisingJSONParser, NormalisingMultiPartParser, NormalisingFormParser]

    def scoped_queryset(self):
        return selectors.circle_list().prefetch_related("members__user")

    def get_serializer_class(self):
        return CircleSerializer if self.action == "list" else CircleDetailSerializer

    @extend_schema(request=CircleCreateInputSerializer, responses={201: CircleDetailSerializer})
    def create(self, request):
        """Register a circle (coordinator: registered at once; leader: awaits review)."""
        data = _validated(CircleCreateInputSerializer, request)
        result = services.circle_register(
            membership=request.membership,
            name=data["name"],
            department=data.get("department", ""),
            year=data.get("registration_year"),
            members=[dict(m) for m in data["members"]],
        )
        circle = self.get_queryset().get(pk=result.obj.pk)
        context = {**self.get_serializer_context(), "warnings": result.warnings}
        return Response(CircleDetailSerializer(circle, context=context).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=CircleUpdateInputSerializer, responses={200: CircleDetailSerializer})
    def partial_update(self, request, pk=None):
        """Change name, department and/or the whole member list."""
        circle = self.get_object()
        data = _validated(CircleUpdateInputSerializer, request, partial=True)
        members = data.get("members")
        result = services.circle_update(
            membership=request.membership,
            circle=circle,
            name=data.get("name"),
            department=data.get("department"),
            members=[dict(m) for m in members] if members is not None else None,
        )
        circle = self.get_queryset().get(pk=result.obj.pk)
        context = {**self.get_serializer_context(), "warnings": result.warnings}
        return Response(CircleDetailSerializer(circle, context=context).data)

    @extend_schema(
        request={"multipart/form-data": ImportInputSerializer},
        responses={200: CircleImportSerializer, 202: CircleImportSerializer, 400: CircleImportSerializer},
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        parser_classes=[NormalisingMultiPartParser, NormalisingFormParser],
    )
    def import_circles(self, request):
        """Bulk import from the portal's Excel template. ``dry_run=true`` (default) checks
        every row and answers 200 with what would be created and every faulty row; without
        it, a file with any faulty row creates nothing (400 with the rows), else the import
        runs in the background (202; poll ``GET /circles/import/{id}/``)."""
        data = _validated(ImportInputSerializer, request)
        job = imports.import_start(
            membership=request.membership, upload=data["file"], dry_run=data["dry_run"]
        )
        job.refresh_from_db()
        body = CircleImportSerializer(job).data
        if data["dry_run"] or job.status == "invalid":
            return Response(
                body, status=status.HTTP_200_OK if data["dry_run"] else status.HTTP_400_BAD_REQUEST
            )
        return Response(body, status=status.HTTP_202_ACCEPTED)

    @extend_schema(responses={200: CircleImportSerializer})
    @action(detail=False, methods=["get"], url_path=r"import/(?P<import_id>[0-9]+)")
    def import_status(self, request, import_id=None):
        """The state and progress of a bulk import started by ``POST /circles/import/``."""
        job = _found(CircleImport.objects.all(), import_id)
        return Response(CircleImportSerializer(job).data)


class ProjectViewSet(
    TransitionMixin,
    TenantViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Projects (课题) in the scope, with ``status`` and, on detail, ``available_transitions``."""

    schema_model = Project
    permission_classes = [HasAreaPermission]
    permission_required = VIEW
    permission_map = {"create": "circles:lead"}
    filterset_class = ProjectFilterSet
    detail_serializer_class = ProjectDetailSerializer

    def scoped_queryset(self):
        return selectors.project_list()

    def get_serializer_class(self):
        return ProjectSerializer if self.action == "list" else ProjectDetailSerializer

    @extend_schema(request=ProjectInputSerializer, responses={201: ProjectDetailSerializer})
    def create(self, request):
        """The circle's leader applies for a project (立项申请) of a registered circle."""
        data = _validated(ProjectInputSerializer, request)
        circle = _found(Circle.objects.all(), data.pop("circle", None))
        project = services.project_apply(membership=request.membership, circle=circle, data=data)
        project = self.get_queryset().get(pk=project.pk)
        return Response(
            ProjectDetailSerializer(project, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=ProjectInputSerializer, responses={200: ProjectDetailSerializer})
    def partial_update(self, request, pk=None):
        """Edit the application (while awaiting review or returned) or the plan."""
        project = self.get_object()
        data = _validated(ProjectInputSerializer, request, partial=True)
        data.pop("circle", None)
        services.project_update(membership=request.membership, project=project, data=data)
        project = self.get_queryset().get(pk=project.pk)
        return Response(ProjectDetailSerializer(project, context=self.get_serializer_context()).data)


class ActivityRecordViewSet(
    TenantViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Activity records in the scope; comments at ``/activity-records/{id}/comments/``."""

    schema_model = ActivityRecord
    serializer_class = ActivityRecordSerializer
    permission_classes = [HasAreaPermission]
    permission_required = VIEW
    permission_map = {"create": "circles:record"}
    filterset_class = ActivityRecordFilterSet

    def scoped_queryset(self):
        return selectors.record_list().prefetch_related("participants", "attachments")

    @extend_schema(request=ActivityRecordInputSerializer, responses={201: ActivityRecordSerializer})
    def create(self, request):
        """Keep a record of one procedure step of a registered project."""
        data = _validated(ActivityRecordInputSerializer, request)
        project = _found(Project.objects.all(), data.pop("project", None))
        record = services.record_create(membership=request.membership, project=project, data=data)
        return Response(
            ActivityRecordSerializer(self.get_queryset().get(pk=record.pk)).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(request=ActivityRecordInputSerializer, responses={200: ActivityRecordSerializer})
    def partial_update(self, request, pk=None):
        """Edit a record while its project is in activity."""
        record = self.get_object()
        data = _validated(ActivityRecordInputSerializer, request, partial=True)
        data.pop("project", None)
        services.record_update(membership=request.membership, record=record, data=data)
        return Response(ActivityRecordSerializer(self.get_queryset().get(pk=record.pk)).data)

    @extend_schema(methods=["GET"], responses={200: CommentSerializer(many=True)})
    @extend_schema(methods=["POST"], request=CommentInputSerializer, responses={201: CommentSerializer})
    @action(detail=True, methods=["get", "post"], url_path="comments")
    def comments(self, request, pk=None):
        """GET the record's process-check comments; POST one (management layer)."""
        record = self.get_object()
        if request.method == "POST":
            data = _validated(CommentInputSerializer, request)
            comment = services.comment_add(membership=request.membership, record=record, text=data["text"])
            return Response(CommentSerializer(comment).data, status=status.HTTP_201_CREATED)
        return Response(CommentSerializer(selectors.comment_list(record=record), many=True).data)


class RecordCommentViewSet(
    TransitionMixin, TenantViewSetMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """A process-check comment; the circle resolves it (and management reopens it) through
    ``POST /record-comments/{id}/transitions/``."""

    schema_model = RecordComment
    serializer_class = CommentSerializer
    detail_serializer_class = CommentSerializer
    permission_classes = [HasAreaPermission]
    permission_required = VIEW

    def scoped_queryset(self):
        return RecordComment.objects.select_related("author", "resolved_by")
