"""API of the executive dashboards (issue 10 item 3): ``GET /api/v1/dashboard/``."""

from __future__ import annotations

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.response import Response

from qcportal.models import Organisation
from qcportal.permissions import HasAreaPermission

from .. import dashboards as d
from ..figures import dashboard_cached
from ..selectors import dashboard_organisation_get


class DashboardQuerySerializer(serializers.Serializer):
    """Query parameters: ``org`` (an organisation code in the share; default the acting
    organisation), ``year`` (2000 … this year; default the latest year with registered
    circles), ``years`` (years in the trends, 1–10, default 5)."""

    org = serializers.CharField(max_length=40, required=False, allow_blank=True, label=_("组织代码"))
    year = serializers.IntegerField(min_value=2000, required=False, label=_("年度"))
    years = serializers.IntegerField(min_value=1, max_value=d.MAX_YEARS, required=False, label=_("趋势年数"))

    def validate_year(self, value: int) -> int:
        """No dashboard for a year that has not begun."""
        if value > timezone.localdate().year:
            raise serializers.ValidationError(_("年度不能晚于今年。"))
        return value


class DashboardViewSet(viewsets.ViewSet):
    """``GET /api/v1/dashboard/?org=<code>&year=<YYYY>&years=<n>`` (``dashboards:view``):
    the figures of the dashboard page as JSON, from the figure cache like the page
    (:func:`reports.figures.dashboard_cached`; :func:`reports.dashboards.dashboard`: key
    figures, trends with year-over-year changes, breakdown by the next level, results by type
    and domain, grades, rankings, map; every section labelled by ``period`` and
    ``freshness``). Money in 万元 and rates in % are numbers with 2 decimals, a missing rate
    is ``null``. An organisation outside the share answers 404; bad parameters 400
    ``{"detail", "errors"}``."""

    permission_classes = [HasAreaPermission]
    permission_required = "dashboards:view"

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "org", OpenApiTypes.STR, OpenApiParameter.QUERY, required=False, description="组织代码"
            ),
            OpenApiParameter(
                "year", OpenApiTypes.INT, OpenApiParameter.QUERY, required=False, description="年度"
            ),
            OpenApiParameter(
                "years",
                OpenApiTypes.INT,
                OpenApiParameter.QUERY,
                required=False,
                description="趋势年数（1–10）",
            ),
        ],
        responses={200: OpenApiResponse(OpenApiTypes.OBJECT, description="数据看板的全部指标")},
    )
    def list(self, request):
        """The dashboard of ``org`` for ``year`` (see the class docstring)."""
        params = DashboardQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        try:
            organisation = dashboard_organisation_get(
                membership=request.membership, code=params.validated_data.get("org")
            )
        except Organisation.DoesNotExist:
            raise Http404 from None
        year = params.validated_data.get("year") or d.latest_year(organisation)
        years = params.validated_data.get("years") or 5
        return Response(dashboard_cached(organisation=organisation, year=year, years=years))
