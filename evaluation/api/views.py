"""API views of the evaluation app (read-only; writes go through the HTML flows' services)."""

from rest_framework import viewsets

from qcportal.api import TenantViewSetMixin
from qcportal.permissions import HasAreaPermission

from ..filtersets import ScoreSheetFilterSet, SubmissionFilterSet
from ..models import ScoreSheet, Submission
from .serializers import ScoreSheetSerializer, SubmissionSerializer


class SubmissionViewSet(TenantViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Submissions visible in the scope: associations, units and enterprises their share,
    judges only the submissions assigned to them (not recused)."""

    serializer_class = SubmissionSerializer
    schema_model = Submission
    permission_classes = [HasAreaPermission]
    permission_required = ("submissions:view", "evaluation:score")
    filterset_class = SubmissionFilterSet

    def scoped_queryset(self):
        return Submission.objects.select_related(
            "campaign", "organisation", "circle", "project", "recommending_association"
        ).order_by("id")


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
