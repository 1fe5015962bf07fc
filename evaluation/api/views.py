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
from qcportal.roles import Role

from .. import services
from ..filtersets import ScoreSheetFilterSet, SubmissionFilterSet
from ..models import JudgeAssignment, ScoreSheet, Submission
from .serializers import (
    PaperSheetCreateSerializer,
    ScoreSheetDetailSerializer,
    ScoreSheetPatchSerializer,
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


class ScoreSheetViewSet(
    TransitionMixin,
    TenantViewSetMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.ReadOnlyModelViewSet,
):
    """Score sheets (issue 8 items 5 and 10). A judge lists and reads their own sheets (never
    another judge's; names masked in a blind round), ``PATCH``es items, assessment and
    recommended grade of their own draft, and takes ``POST {id}/transitions/``
    (``{"transition": "submit"}``, ``{"transition": "withdraw", "comment": reason}``). The
    judging association's staff read every sheet of their judgings (never a recused judge's),
    create a paper sheet (``POST``, 纸质代录) for a judge, ``PATCH`` it and submit it
    (``submit_paper``), or return a judge's sheet (``staff_return``). Every bad input answers
    400 with the stable shape ``{"detail", "errors"}``."""

    serializer_class = ScoreSheetSerializer
    detail_serializer_class = ScoreSheetDetailSerializer
    schema_model = ScoreSheet
    permission_classes = [HasAreaPermission]
    permission_required = ("evaluation:manage", "evaluation:score")
    permission_map = {"create": "evaluation:manage"}
    filterset_class = ScoreSheetFilterSet
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_serializer_class(self):
        if self.action == "list":
            return ScoreSheetSerializer
        return ScoreSheetDetailSerializer

    def scoped_queryset(self):
        from ..sheets import sheet_list

        qs = sheet_list().order_by("id")
        membership = self.request.membership
        if membership is not None and membership.role == Role.JUDGE:
            qs = qs.filter(
                judge__user_id=membership.user_id, judge__organisation_id=membership.organisation_id
            )
        return qs

    @extend_schema(request=ScoreSheetPatchSerializer, responses={200: ScoreSheetSerializer})
    def partial_update(self, request, *args, **kwargs):
        """Change items, assessment or recommended grade of a draft (see
        ``evaluation.sheets.sheet_update``)."""
        from ..sheets import sheet_update

        sheet = self.get_object()
        data = _patch_data(request.data, ScoreSheetPatchSerializer)
        sheet_update(
            membership=request.membership,
            sheet=sheet,
            points=data.get("items"),
            assessment=data.get("assessment"),
            recommended_grade=data.get("recommended_grade"),
            grade_given="recommended_grade" in data,
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=sheet.pk)).data)

    def update(self, request, *args, **kwargs):
        """Only ``PATCH`` changes a sheet."""
        if not kwargs.get("partial"):
            raise ValidationError(_("请使用 PATCH 修改评分表。"))
        return super().update(request, *args, **kwargs)

    @extend_schema(request=PaperSheetCreateSerializer, responses={201: ScoreSheetSerializer})
    def create(self, request, *args, **kwargs):
        """Staff enter a paper sheet for a judge (see ``evaluation.sheets.paper_sheet_save``)."""
        from ..sheets import paper_sheet_save

        data = _patch_data(request.data, PaperSheetCreateSerializer)
        assignment = (
            JudgeAssignment.objects.filter(
                round_id=data["round"], submission_id=data["submission"], judge_id=data["judge"]
            )
            .select_related("round")
            .first()
        )
        if assignment is None:
            raise ValidationError({"judge": _("该评委未被分配在本轮评审该成果。")})
        sheet = paper_sheet_save(
            membership=request.membership,
            assignment=assignment,
            points=data.get("items") or {},
            assessment=data.get("assessment", ""),
            recommended_grade=data.get("recommended_grade"),
        )
        return Response(
            self.get_serializer(self.get_queryset().get(pk=sheet.pk)).data, status=status.HTTP_201_CREATED
        )


def _patch_data(raw, serializer_class) -> dict:
    """The validated input of a sheet write; a non-object body is refused (400)."""
    if not hasattr(raw, "items"):
        raise ValidationError(_("请求内容须为JSON对象。"))
    serializer = serializer_class(data=raw)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)
