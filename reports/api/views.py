"""API views of the reports app: report runs."""

from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle

from qcportal.api import TenantViewSetMixin
from qcportal.permissions import HasAreaPermission

from ..choices import RunStatus
from ..filtersets import ReportRunFilterSet
from ..models import ReportRun
from ..selectors import report_run_list
from ..services import report_run_start
from .serializers import ReportRunSerializer, ReportRunStartInputSerializer


class ReportRunViewSet(
    TenantViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Report runs: list and filter, start one (POST, 202), poll it (GET), download its file."""

    serializer_class = ReportRunSerializer
    schema_model = ReportRun
    permission_classes = [HasAreaPermission]
    permission_required = "reports:view"
    permission_map = {"create": "reports:export"}
    filterset_class = ReportRunFilterSet

    def scoped_queryset(self):
        return report_run_list()

    def get_throttles(self):
        """Report generation is expensive: POST is throttled per user (``reports`` rate)."""
        if self.action == "create":
            self.throttle_scope = "reports"
            return [ScopedRateThrottle()]
        return super().get_throttles()

    def create(self, request, *args, **kwargs):
        """Start a run; answers 202 with the run (status ``pending``) to poll."""
        data = ReportRunStartInputSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
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
        return FileResponse(
            run.file.open("rb"), as_attachment=True, filename=run.filename, content_type=run.content_type
        )
