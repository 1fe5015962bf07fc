"""API of the expert pool (issue 8 item 10): ``/api/v1/judges/`` for association staff
(``evaluation:manage``): list (filters ``level``, ``active``, ``q``, ``domain``,
``qualification``), retrieve, create (``POST``) and update (``PATCH``) through
:mod:`evaluation.pool`; only the acting association's judges (other tenants answer 404);
errors 400 with ``{"detail", "errors"}``."""

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from qcportal.api import TenantViewSetMixin
from qcportal.permissions import HasAreaPermission

from .. import pool
from ..models import Judge, JudgeQualification


class JudgeQualificationSerializer(serializers.ModelSerializer):
    """A qualification (kind, title, number, expiry)."""

    class Meta:
        model = JudgeQualification
        fields = ["id", "kind", "title", "number", "expires_on"]


class JudgeSerializer(serializers.ModelSerializer):
    """A judge of the pool: certificate number (seed 002 Annex 4 note 2), level, work unit,
    employer (organisation code), contact, domains, topic types, login (username) and
    qualifications."""

    employer = serializers.SlugRelatedField(slug_field="code", read_only=True)
    login = serializers.SerializerMethodField()
    qualifications = JudgeQualificationSerializer(many=True, read_only=True)

    class Meta:
        model = Judge
        fields = [
            "id",
            "name",
            "certificate_number",
            "level",
            "work_unit",
            "employer",
            "mobile",
            "email",
            "domains",
            "topic_types",
            "login",
            "notes",
            "is_active",
            "qualifications",
        ]

    def get_login(self, obj) -> str | None:
        return obj.user.username if obj.user_id else None


class JudgeInputSerializer(serializers.Serializer):
    """Input of create/update; validation of values is the service's (Chinese messages)."""

    name = serializers.CharField(required=False, allow_blank=True, max_length=50)
    certificate_number = serializers.CharField(required=False, allow_blank=True, max_length=40)
    level = serializers.CharField(required=False, allow_blank=True, max_length=20)
    work_unit = serializers.CharField(required=False, allow_blank=True, max_length=200)
    employer = serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=40)
    mobile = serializers.CharField(required=False, allow_blank=True, max_length=20)
    email = serializers.CharField(required=False, allow_blank=True, max_length=254)
    domains = serializers.ListField(child=serializers.CharField(max_length=50), required=False, max_length=20)
    topic_types = serializers.ListField(
        child=serializers.CharField(max_length=40), required=False, max_length=5
    )
    login = serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=254)
    notes = serializers.CharField(required=False, allow_blank=True, max_length=200)
    is_active = serializers.BooleanField(required=False)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("q", str, description="姓名、证书编号或工作单位"),
            OpenApiParameter("level", str),
            OpenApiParameter("active", str, description="1 或 0"),
            OpenApiParameter("domain", str),
            OpenApiParameter("qualification", str, description="expiring 或 expired"),
        ]
    )
)
class JudgeViewSet(
    TenantViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """The acting association's expert pool (专家库)."""

    serializer_class = JudgeSerializer
    schema_model = Judge
    permission_classes = [HasAreaPermission]
    permission_required = "evaluation:manage"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def scoped_queryset(self):
        return pool.judge_pool(
            association=self.request.membership.organisation, filters=self.request.query_params
        ).prefetch_related("qualifications")

    def _respond(self, judge, code=status.HTTP_200_OK):
        judge = self.get_queryset().get(pk=judge.pk)
        return Response(self.get_serializer(judge).data, status=code)

    @extend_schema(request=JudgeInputSerializer, responses={201: JudgeSerializer})
    def create(self, request, *args, **kwargs):
        """Register a judge (``evaluation.pool.judge_create``)."""
        data = JudgeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        judge = pool.judge_create(membership=request.membership, data=dict(data.validated_data))
        return self._respond(judge, status.HTTP_201_CREATED)

    @extend_schema(request=JudgeInputSerializer, responses={200: JudgeSerializer})
    def partial_update(self, request, *args, **kwargs):
        """Change some fields of a judge (``evaluation.pool.judge_update``)."""
        judge = self.get_object()
        data = JudgeInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        judge = pool.judge_update(membership=request.membership, judge=judge, data=dict(data.validated_data))
        return self._respond(judge)

    def update(self, request, *args, **kwargs):
        """Only ``PATCH`` is offered (``PUT`` is not routed: see ``http_method_names``)."""
        return self.partial_update(request, *args, **kwargs)
