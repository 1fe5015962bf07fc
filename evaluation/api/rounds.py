"""API of judging rounds and judge assignments (issue 8, item 10):

- ``/api/v1/rounds/`` (association staff, ``evaluation:manage``): list and retrieve the
  rounds of their judgings; ``POST`` creates a round (``{"campaign": CODE, "name", "kind",
  "starts_on", "ends_on", "judges_per_submission", "judge_cap", "weight", "entry",
  "entry_score", "entry_grade", "blind", "presentation_mode", "video_minutes", "template",
  "innovation_template"}``), ``PATCH`` changes it, both through ``evaluation.rounds``;
  ``POST {id}/transitions/`` takes a ROUND_WORKFLOW transition (``publish_assignment``,
  ``close``, ``reopen``).
- ``/api/v1/assignments/`` (read for staff): filter by ``round``, ``judge``, ``submission``.
"""

import django_filters
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from promotion.selectors import campaign_list
from qcportal.api import HistoryMixin, TenantViewSetMixin, TransitionMixin
from qcportal.filters import IdFilter
from qcportal.permissions import HasAreaPermission

from .. import rounds
from ..models import JudgeAssignment, JudgingRound


class RoundSerializer(HistoryMixin, serializers.ModelSerializer):
    """A round: its configuration, state and workflow history."""

    workflow_entity = "evaluation.round"
    campaign = serializers.CharField(source="judging.campaign.code", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = JudgingRound
        fields = [
            "id",
            "campaign",
            "judging",
            "position",
            "name",
            "kind",
            "presentation_mode",
            "video_minutes",
            "template",
            "innovation_template",
            "starts_on",
            "ends_on",
            "judges_per_submission",
            "judge_cap",
            "weight",
            "entry",
            "entry_score",
            "entry_grade",
            "blind",
            "status",
            "status_label",
            "assignment_published_at",
            "history",
        ]
        read_only_fields = fields


class RoundInputSerializer(serializers.Serializer):
    """Create input: the campaign's code plus the round's fields (validated by the service)."""

    campaign = serializers.CharField(max_length=40)


class RoundViewSet(
    TransitionMixin,
    TenantViewSetMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.ReadOnlyModelViewSet,
):
    """Rounds of the staff's judgings (see the module docstring)."""

    serializer_class = RoundSerializer
    detail_serializer_class = RoundSerializer
    schema_model = JudgingRound
    permission_classes = [HasAreaPermission]
    permission_required = "evaluation:manage"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def scoped_queryset(self):
        return JudgingRound.objects.select_related("judging__campaign").order_by("judging_id", "position")

    def _data(self) -> dict:
        return dict(self.request.data.items()) if hasattr(self.request.data, "items") else {}

    @extend_schema(request=RoundInputSerializer, responses={201: RoundSerializer})
    def create(self, request, *args, **kwargs):
        """Add a round (``evaluation.rounds.round_create``)."""
        data = self._data()
        campaign = campaign_list().filter(code=str(data.get("campaign", ""))[:40]).first()
        if campaign is None:
            raise ValidationError({"campaign": _("未找到该活动。")})
        judging = rounds.judging_for(membership=request.membership, campaign=campaign)
        round_ = rounds.round_create(membership=request.membership, judging=judging, data=data)
        round_ = self.get_queryset().get(pk=round_.pk)
        return Response(RoundSerializer(round_).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=RoundSerializer, responses={200: RoundSerializer})
    def partial_update(self, request, *args, **kwargs):
        """Change a round (``evaluation.rounds.round_update``)."""
        round_ = self.get_object()
        rounds.round_update(membership=request.membership, round_=round_, data=self._data())
        return Response(RoundSerializer(self.get_queryset().get(pk=round_.pk)).data)


class AssignmentSerializer(serializers.ModelSerializer):
    """An assignment: round, panel, submission, judge, pinned, chair, recusal."""

    judge_name = serializers.CharField(source="judge.name", read_only=True)

    class Meta:
        model = JudgeAssignment
        fields = [
            "id",
            "round",
            "panel",
            "submission",
            "judge",
            "judge_name",
            "pinned",
            "is_panel_chair",
            "recused",
            "recusal_reason",
            "assigned_at",
        ]
        read_only_fields = fields


class AssignmentFilterSet(django_filters.FilterSet):
    """Filters of ``/api/v1/assignments/``: ``round``, ``judge``, ``submission`` (ids)."""

    round = IdFilter(field_name="round_id")
    judge = IdFilter(field_name="judge_id")
    submission = IdFilter(field_name="submission_id")

    class Meta:
        model = JudgeAssignment
        fields = ["round", "judge", "submission"]


class AssignmentViewSet(TenantViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Judge assignments of the staff's judgings (read only; changes go through the pages)."""

    serializer_class = AssignmentSerializer
    schema_model = JudgeAssignment
    permission_classes = [HasAreaPermission]
    permission_required = "evaluation:manage"
    filterset_class = AssignmentFilterSet

    def scoped_queryset(self):
        return JudgeAssignment.objects.select_related("judge").order_by("round_id", "submission_id", "id")
