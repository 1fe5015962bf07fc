"""API views of the reports app: report runs, the national package, work summaries."""

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle

from promotion.selectors import campaign_list
from qcportal.api import TenantViewSetMixin
from qcportal.audit_events import file_response
from qcportal.exporters import contains_personal_data
from qcportal.models import Organisation
from qcportal.permissions import HasAreaPermission
from qcportal.reauth import require_reauth
from qcportal.tenancy import visible_organisations

from ..choices import FileFormat, FormKind, RunStatus
from ..filtersets import ReportRunFilterSet
from ..models import ReportRun, WorkSummary
from ..package import national_package_missing
from ..selectors import report_run_list, work_summary_get
from ..services import report_run_start, work_summary_save
from ..worksummary import OUTLINES
from .serializers import (
    NationalPackageInputSerializer,
    ReportRunSerializer,
    ReportRunStartInputSerializer,
    WorkSummaryUpdateInputSerializer,
    work_summary_representation,
)


class ReportRunViewSet(
    TenantViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Report runs: list and filter, start one (POST, 202), poll it (GET), download its file.
    Starting or downloading a form with personal data (``personal_data`` exporters) needs a
    recent re-authentication when the request comes with a session (403 otherwise); token
    requests are not asked (issue 9 item 1)."""

    serializer_class = ReportRunSerializer
    schema_model = ReportRun
    permission_classes = [HasAreaPermission]
    permission_required = "reports:view"
    keyset_pagination = True  # ``?after=<id>`` / ``?before=<id>``; ``next`` carries them
    permission_map = {"create": "reports:export", "national_package": "reports:export"}
    filterset_class = ReportRunFilterSet

    def scoped_queryset(self):
        return report_run_list()

    def get_throttles(self):
        """Report generation is expensive: POST is throttled per user (``reports`` rate)."""
        if self.action == "create" or (self.action == "national_package" and self.request.method == "POST"):
            self.throttle_scope = "reports"
            return [ScopedRateThrottle()]
        return super().get_throttles()

    def create(self, request, *args, **kwargs):
        """Start a run; answers 202 with the run (status ``pending``) to poll."""
        data = ReportRunStartInputSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        if contains_personal_data(data.validated_data["form"]):
            require_reauth(request)  # issue 9 item 1: personal data (session users only)
        run = report_run_start(membership=request.membership, user=request.user, **data.validated_data)
        run.refresh_from_db()
        return Response(
            ReportRunSerializer(run, context={"request": request}).data, status=status.HTTP_202_ACCEPTED
        )

    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        """The produced file (404 until the run succeeded)."""
        run = self.get_object()
        if run.status != RunStatus.SUCCEEDED or not run.file:
            raise Http404(_("文件尚未生成。"))
        if contains_personal_data(run.form):
            require_reauth(request)
        return file_response(
            request,
            run,
            run.file,
            filename=run.filename,
            kind="report_run",
            content_type=run.content_type,
        )

    @extend_schema(
        parameters=[
            OpenApiParameter("campaign", OpenApiTypes.STR, OpenApiParameter.QUERY, required=False),
            OpenApiParameter("organisation", OpenApiTypes.STR, OpenApiParameter.QUERY, required=False),
        ],
        request=NationalPackageInputSerializer,
        responses={
            200: OpenApiResponse(OpenApiTypes.OBJECT, description="{ready, missing}"),
            202: ReportRunSerializer,
        },
    )
    @action(detail=False, methods=["get", "post"], url_path="national-package")
    def national_package(self, request):
        """The national package (推荐全国材料包, seed 002) of an association for a campaign.

        GET ``?campaign=CODE&organisation=CODE``: ``{"ready": bool, "missing": [Chinese
        items]}``; a campaign or organisation outside the scope answers 404. POST ``{"campaign", "organisation"}``: starts the package as a report run
        (202, the run to poll) or answers 400 ``{"detail", "errors": {"non_field_errors":
        [every missing item]}}`` without producing anything.
        """
        data = NationalPackageInputSerializer(
            data=request.query_params if request.method == "GET" else request.data,
            context={"request": request},
        )
        data.is_valid(raise_exception=True)
        acting = request.membership.organisation
        campaign = campaign_list().filter(code=data.validated_data["campaign"]).first()
        association = Organisation.objects.filter(
            code=data.validated_data["organisation"], pk__in=visible_organisations(acting)
        ).first()
        if campaign is None or association is None:
            raise Http404
        if request.method == "GET":
            missing = national_package_missing(campaign=campaign, association=association)
            return Response({"ready": not missing, "missing": missing})
        require_reauth(request)  # the package holds Annexes 1 and 4 (personal data)
        run = report_run_start(
            membership=request.membership,
            user=request.user,
            campaign=campaign,
            form=FormKind.PACKAGE,
            file_format=FileFormat.ZIP,
            organisation=association,
        )
        run.refresh_from_db()
        return Response(
            ReportRunSerializer(run, context={"request": request}).data, status=status.HTTP_202_ACCEPTED
        )


_CAMPAIGN_CODE = OpenApiParameter(
    "campaign_code", OpenApiTypes.STR, OpenApiParameter.PATH, description="活动代码"
)
_KIND = OpenApiParameter(
    "kind", OpenApiTypes.STR, OpenApiParameter.PATH, enum=["annual", "promotion"], description="总结类型"
)
_ORGANISATION = OpenApiParameter(
    "organisation",
    OpenApiTypes.STR,
    OpenApiParameter.QUERY,
    required=False,
    description="填报单位代码（默认本单位）",
)
_SUMMARY = OpenApiResponse(OpenApiTypes.OBJECT, description="工作总结（各小节文字、字数、导出要求）")


@extend_schema_view(
    list=extend_schema(parameters=[_CAMPAIGN_CODE, _ORGANISATION], responses={200: _SUMMARY}),
    retrieve=extend_schema(parameters=[_CAMPAIGN_CODE, _KIND, _ORGANISATION], responses={200: _SUMMARY}),
    update=extend_schema(
        parameters=[_CAMPAIGN_CODE, _KIND],
        request=WorkSummaryUpdateInputSerializer,
        responses={200: _SUMMARY},
    ),
)
class WorkSummaryViewSet(TenantViewSetMixin, viewsets.GenericViewSet):
    """Work summaries of a campaign (seed 002 附件2 ``annual``; seed 003 附件5 ``promotion``) at
    ``/api/v1/campaigns/{code}/work-summaries/{kind}/``.

    GET (``reports:view``): the acting organisation's summary, or with ``?organisation=CODE``
    that of an organisation in its share (another association's: 404); an unsaved summary
    answers with empty texts and ``"saved": false``. PUT (``reports:export``): save the
    acting organisation's draft from ``{"sections": {key: text}}``; bad input answers 400
    ``{"detail", "errors"}`` in Chinese. Exports run as report runs (``POST
    /api/v1/report-runs/`` with ``form`` ``annex2``/``sh_annex5``).
    """

    schema_model = WorkSummary
    permission_classes = [HasAreaPermission]
    permission_required = "reports:view"
    permission_map = {"update": "reports:export"}
    lookup_field = "kind"
    lookup_value_regex = "[a-z_]+"
    serializer_class = WorkSummaryUpdateInputSerializer

    def scoped_queryset(self):
        return WorkSummary.objects.all()

    def _context(self, kind: str):
        campaign = campaign_list().filter(code=self.kwargs["campaign_code"]).first()
        outline = OUTLINES.get(kind)
        if campaign is None or outline is None:
            raise Http404
        return campaign, outline

    def _organisation(self, request):
        acting = request.membership.organisation
        code = request.query_params.get("organisation")
        if not code or code == acting.code:
            return acting
        organisation = Organisation.objects.filter(
            code=code[:50], pk__in=visible_organisations(acting)
        ).first()
        if organisation is None:
            raise Http404
        return organisation

    def list(self, request, campaign_code=None):
        """Every kind of summary of the organisation for the campaign."""
        campaign, _outline = self._context("annual")
        organisation = self._organisation(request)
        return Response(
            [
                work_summary_representation(
                    campaign=campaign,
                    organisation=organisation,
                    outline=outline,
                    summary=work_summary_get(campaign=campaign, organisation=organisation, kind=outline.kind),
                )
                for outline in OUTLINES.values()
            ]
        )

    def retrieve(self, request, campaign_code=None, kind=None):
        """One summary (see the class docstring)."""
        campaign, outline = self._context(kind)
        organisation = self._organisation(request)
        summary = work_summary_get(campaign=campaign, organisation=organisation, kind=outline.kind)
        return Response(
            work_summary_representation(
                campaign=campaign, organisation=organisation, outline=outline, summary=summary
            )
        )

    def update(self, request, campaign_code=None, kind=None):
        """Save the acting organisation's draft (PUT semantics: left-out keys are emptied)."""
        campaign, outline = self._context(kind)
        data = WorkSummaryUpdateInputSerializer(data=request.data if isinstance(request.data, dict) else {})
        data.is_valid(raise_exception=True)
        summary = work_summary_save(
            membership=request.membership,
            user=request.user,
            campaign=campaign,
            kind=outline.kind,
            sections=data.validated_data["sections"],
        )
        return Response(
            work_summary_representation(
                campaign=campaign, organisation=summary.organisation, outline=outline, summary=summary
            )
        )
