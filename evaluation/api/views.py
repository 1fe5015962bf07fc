"""API views of the evaluation app: submissions (list, create, detail, the recommendation
chain's transitions) and score sheets (read-only)."""

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.response import Response

from circles.models import Project
from promotion.models import CampaignDomain
from promotion.selectors import campaign_list
from qcportal.api import TenantViewSetMixin, TransitionMixin
from qcportal.permissions import HasAreaPermission

from .. import services
from ..filtersets import ScoreSheetFilterSet, SubmissionFilterSet
from ..models import ScoreSheet, Submission
from .serializers import (
    ScoreSheetSerializer,
    SubmissionCreateSerializer,
    SubmissionDetailSerializer,
    SubmissionSerializer,
)


class SubmissionViewSet(
    TransitionMixin, TenantViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet
):
    """Submissions visible in the scope: associations, units and enterprises their share,
    judges only the submissions assigned to them (not recused). ``POST`` (enterprise
    coordinator) enters an accepted project into a campaign (成果申报, quota-checked);
    ``POST {id}/transitions/`` takes a step of the recommendation chain."""

    serializer_class = SubmissionSerializer
    detail_serializer_class = SubmissionDetailSerializer
    schema_model = Submission
    permission_classes = [HasAreaPermission]
    permission_required = ("submissions:view", "evaluation:score")
    permission_map = {"create": "submissions:submit"}
    filterset_class = SubmissionFilterSet

    def scoped_queryset(self):
        return Submission.objects.select_related(
            "campaign",
            "organisation",
            "circle",
            "project",
            "recommending_association",
            "recommending_unit",
            "domain",
        ).order_by("id")

    def get_serializer_class(self):
        if self.action == "retrieve":
            return SubmissionDetailSerializer
        return super().get_serializer_class()

    @extend_schema(request=SubmissionCreateSerializer, responses={201: SubmissionDetailSerializer})
    def create(self, request, *args, **kwargs):
        """Enter an accepted project into a campaign as a draft (see
        ``evaluation.services.submission_create``)."""
        serializer = SubmissionCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        campaign = campaign_list().filter(code=data["campaign"]).first()
        if campaign is None:
            raise ValidationError({"campaign": _("未找到该活动。")})
        project = Project.objects.filter(pk=data["project"]).first()
        if project is None:
            raise ValidationError({"project": _("未找到该课题。")})
        domain = None
        if data.get("domain"):
            domain = CampaignDomain.objects.filter(campaign=campaign, name=data["domain"]).first()
            if domain is None:
                raise ValidationError({"domain": _("该活动没有此领域。")})
        fields = (
            {k: v for k, v in request.data.items() if k in services.SUBMISSION_FIELDS}
            if hasattr(request.data, "items")
            else {}
        )
        submission = services.submission_create(
            membership=request.membership, campaign=campaign, project=project, domain=domain, data=fields
        )
        submission = self.get_queryset().filter(pk=submission.pk).first()
        if submission is None:
            raise Http404
        return Response(
            SubmissionDetailSerializer(submission, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )


class ScoreSheetViewSet(TenantViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Score sheets visible in the scope: the judging association's staff see all of theirs,
    a judge sees their own and, after release, the panel's."""

    serializer_class = ScoreSheetSerializer
    schema_model = ScoreSheet
    permission_classes = [HasAreaPermission]
    permission_required = ("evaluation:manage", "evaluation:score")
    filterset_class = ScoreSheetFilterSet

    def scoped_queryset(self):
        return ScoreSheet.objects.select_related("judge").prefetch_related("items__criterion").order_by("id")
