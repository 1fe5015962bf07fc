"""API views of the promotion app: campaigns (read for everyone in the lineage; create,
change, stage calendar and transitions for the owning association's staff), sign-ups
(活动报名) and extensions (延期), issue 7.

Thin viewsets: reads through the selectors inside the tenant scope (a foreign campaign is
404; another association's campaign is 404 for changes), writes through
``promotion/services.py`` (403 without the permission; 400 with ``{"detail", "errors"}``
in Chinese for bad input).
"""

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from qcportal.api import TenantViewSetMixin, TransitionMixin
from qcportal.permissions import HasAreaPermission, require_permission

from .. import selectors, services
from ..models import Campaign
from ..selectors import campaign_list
from .serializers import (
    CampaignDetailSerializer,
    CampaignEntrySerializer,
    CampaignSerializer,
    CampaignStageSerializer,
    StageExtensionSerializer,
)

LIST_FIELDS = ("domains", "co_building_units", "stages")


def _payload(request) -> dict:
    """The request body as a plain dict (JSON as is; form data with list fields as lists).
    Anything else (a JSON list or scalar) is an empty dict, which the services refuse."""
    data = request.data
    if hasattr(data, "getlist"):
        return {k: data.getlist(k) if k in LIST_FIELDS else data.get(k) for k in data}
    return dict(data) if isinstance(data, dict) else {}


class CampaignViewSet(TransitionMixin, TenantViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Campaigns visible to the acting organisation, looked up by code (``/campaigns/CAQ-T/``).

    ``POST /campaigns/`` creates a draft campaign of the acting association (``stages``
    optional); ``PATCH /campaigns/{code}/`` changes its configuration;
    ``GET/PUT /campaigns/{code}/stages/`` reads or replaces the calendar;
    ``POST /campaigns/{code}/transitions/`` takes publish/close/reopen;
    ``GET/POST /campaigns/{code}/entries/`` lists sign-ups or signs the enterprise up;
    ``GET/POST /campaigns/{code}/extensions/`` lists or grants extensions."""

    serializer_class = CampaignSerializer
    detail_serializer_class = CampaignDetailSerializer
    schema_model = Campaign
    permission_classes = [HasAreaPermission]
    permission_required = "campaigns:view"
    permission_map = {"create": "campaigns:manage", "partial_update": "campaigns:manage"}
    lookup_field = "code"
    lookup_value_regex = "[^/]+"

    def scoped_queryset(self):
        return (
            campaign_list()
            .select_related("parent", "fallback_unit")
            .prefetch_related("domains", "stages", "co_building_units")
        )

    def get_serializer_class(self):
        if self.action == "list":
            return CampaignSerializer
        return CampaignDetailSerializer

    def _own(self, code) -> Campaign:
        try:
            return selectors.campaign_get_for_manage(membership=self.request.membership, code=code)
        except Campaign.DoesNotExist:
            raise Http404 from None

    def _detail(self, campaign, *, code=status.HTTP_200_OK):
        campaign = self.get_queryset().get(pk=campaign.pk)
        return Response(
            CampaignDetailSerializer(campaign, context=self.get_serializer_context()).data, status=code
        )

    def create(self, request):
        """Create a draft campaign (筹备中) of the acting association."""
        campaign = services.campaign_create(membership=request.membership, data=_payload(request))
        return self._detail(campaign, code=status.HTTP_201_CREATED)

    def partial_update(self, request, code=None):
        """Change the configuration of the acting association's campaign (404 for others)."""
        campaign = services.campaign_update(
            membership=request.membership, campaign=self._own(code), data=_payload(request)
        )
        return self._detail(campaign)

    @extend_schema(request=CampaignStageSerializer(many=True), responses=CampaignStageSerializer(many=True))
    @action(detail=True, methods=["get", "put"], url_path="stages")
    def stages(self, request, code=None):
        """The stage calendar (seed 003 二、活动安排); PUT replaces it (owning association only)."""
        if request.method == "PUT":
            require_permission(request.membership, "campaigns:manage")
            campaign = self._own(code)
            data = request.data
            items = data.get("stages") if isinstance(data, dict) else data
            services.campaign_stages_save(
                membership=request.membership, campaign=campaign, stages=items if items is not None else []
            )
        campaign = self.get_object()
        stages = sorted(campaign.stages.all(), key=lambda s: (s.starts_on, s.pk))
        return Response(
            CampaignStageSerializer(stages, many=True, context=self.get_serializer_context()).data
        )

    @extend_schema(responses=CampaignEntrySerializer(many=True))
    @action(detail=True, methods=["get", "post"], url_path="entries")
    def entries(self, request, code=None):
        """Sign-ups: an enterprise posts its own (活动报名 window or extension); units and
        associations list theirs."""
        campaign = self.get_object()
        if request.method == "POST":
            entry = services.entry_sign_up(
                membership=request.membership, campaign=campaign, data=_payload(request)
            )
            return Response(CampaignEntrySerializer(entry).data, status=status.HTTP_201_CREATED)
        qs = selectors.entry_list(campaign=campaign, membership=request.membership)
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(CampaignEntrySerializer(page, many=True).data)

    @extend_schema(responses=StageExtensionSerializer(many=True))
    @action(detail=True, methods=["get", "post"], url_path="extensions")
    def extensions(self, request, code=None):
        """Extensions (延期): the staff of the owning association grant them (POST) and see all;
        an organisation sees its own."""
        if request.method == "POST":
            require_permission(request.membership, "campaigns:manage")
            campaign = self._own(code)
            data = _payload(request)
            extension = services.extension_grant(
                membership=request.membership,
                campaign=campaign,
                organisation=data.get("organisation"),
                stage=data.get("stage"),
                until=data.get("until"),
                reason=data.get("reason"),
            )
            return Response(StageExtensionSerializer(extension).data, status=status.HTTP_201_CREATED)
        campaign = self.get_object()
        qs = selectors.extension_list(campaign=campaign, membership=request.membership)
        page = self.paginate_queryset(qs)
        return self.get_paginated_response(StageExtensionSerializer(page, many=True).data)
