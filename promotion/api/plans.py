"""``/api/v1/plans/``: the annual promotion plans (年度推进计划; issue 11 item 1, seed 001 §6).

- ``GET /plans/`` the acting organisation's plans (``?year=``), ``GET /plans/{id}/`` one plan
  with its rows (``findings``, ``goals`` with ``actual`` and ``percent``, ``activities``,
  ``projects`` with ``budget`` in 万元, ``activity_plans``) and its workflow history;
- ``POST /plans/`` starts a draft (``year``, ``title``, ``direction`` and optionally the rows),
  ``PUT /plans/{id}/`` replaces the header and every kind of row sent (``plans:draft``; only
  while a draft or returned);
- ``POST /plans/{id}/transitions/`` ``submit`` (management layer), ``approve`` / ``return`` /
  ``revise`` (decision layer, ``plans:approve``).

Writes go through :mod:`promotion.plans` (403 without the permission; 400 with
``{"detail", "errors"}`` in Chinese for bad input).
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Sum
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.response import Response

from qcportal.api import HistoryMixin, TenantViewSetMixin, TransitionMixin
from qcportal.permissions import HasAreaPermission

from ..models import PromotionPlan
from ..plans import MAX_ROWS, PLAN_PARTS, plan_create, plan_progress, plan_save


def _row_serializer(model, fields):
    meta = type("Meta", (), {"model": model, "fields": list(fields)})
    return type(f"{model.__name__}Serializer", (serializers.ModelSerializer,), {"Meta": meta})


#: Input/output serializer of each kind of row (the fields of :data:`PLAN_PARTS`).
ROW_SERIALIZERS = {name: _row_serializer(model, fields) for name, (model, fields) in PLAN_PARTS.items()}


class PlanSerializer(serializers.ModelSerializer):
    """A plan in a list: id, organisation code, year, title, status (and its Chinese label),
    budget (万元, the key projects' total), updated_at."""

    organisation = serializers.SlugRelatedField(slug_field="code", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    budget = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)

    class Meta:
        model = PromotionPlan
        fields = ["id", "organisation", "year", "title", "status", "status_display", "budget", "updated_at"]


class PlanDetailSerializer(HistoryMixin, PlanSerializer):
    """A plan with its direction, every kind of row and its workflow history; each goal also
    carries ``actual`` (from the organisation's dashboard for the year, or typed for
    ``other``) and ``percent`` of the target reached."""

    workflow_entity = "promotion.plan"
    findings = ROW_SERIALIZERS["findings"](many=True, read_only=True)
    goals = serializers.SerializerMethodField()
    activities = ROW_SERIALIZERS["activities"](many=True, read_only=True)
    projects = ROW_SERIALIZERS["projects"](many=True, read_only=True)
    activity_plans = ROW_SERIALIZERS["activity_plans"](many=True, read_only=True)

    class Meta(PlanSerializer.Meta):
        fields = [
            *PlanSerializer.Meta.fields,
            "direction",
            "findings",
            "goals",
            "activities",
            "projects",
            "activity_plans",
            "history",
        ]

    def get_goals(self, plan) -> list[dict]:
        """The goals with ``metric_display``, ``target``, ``actual`` and ``percent``."""
        return [
            {
                "metric": p.goal.metric,
                "metric_display": str(p.goal.get_metric_display()),
                "description": p.goal.description,
                "target": str(p.goal.target),
                "actual": None if p.actual is None else str(p.actual),
                "percent": None if p.percent is None else str(p.percent),
            }
            for p in plan_progress(plan)
        ]


class PlanInputSerializer(serializers.Serializer):
    """``POST``/``PUT`` body: ``year`` (POST only), ``title``, ``direction`` and the rows by
    kind, each a list of at most 50 objects with that kind's fields."""

    year = serializers.IntegerField(min_value=2000, max_value=2100, required=False)
    title = serializers.CharField(max_length=200)
    direction = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    findings = ROW_SERIALIZERS["findings"](many=True, required=False, max_length=MAX_ROWS)
    goals = ROW_SERIALIZERS["goals"](many=True, required=False, max_length=MAX_ROWS)
    activities = ROW_SERIALIZERS["activities"](many=True, required=False, max_length=MAX_ROWS)
    projects = ROW_SERIALIZERS["projects"](many=True, required=False, max_length=MAX_ROWS)
    activity_plans = ROW_SERIALIZERS["activity_plans"](many=True, required=False, max_length=MAX_ROWS)


class PlanViewSet(
    TransitionMixin, TenantViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet
):
    """The acting organisation's annual promotion plans (see the module docstring)."""

    serializer_class = PlanSerializer
    detail_serializer_class = PlanDetailSerializer
    schema_model = PromotionPlan
    permission_classes = [HasAreaPermission]
    permission_required = "plans:view"
    permission_map = {"create": "plans:draft", "update": "plans:draft"}

    def scoped_queryset(self):
        queryset = (
            PromotionPlan.objects.filter(organisation_id=self.request.membership.organisation_id)
            .annotate(budget=Sum("projects__budget"))
            .order_by("-year", "-id")
        )
        year = self.request.query_params.get("year", "")
        if self.action == "list" and year:
            if not year.isdigit() or len(year) > 4:
                raise ApiValidationError({"year": ["年度须为四位数字。"]})
            queryset = queryset.filter(year=int(year))
        return queryset

    def get_serializer_class(self):
        return PlanSerializer if self.action == "list" else PlanDetailSerializer

    def _input(self, request, *, partial_year: bool) -> dict:
        body = PlanInputSerializer(data=request.data if isinstance(request.data, dict) else {})
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        if not partial_year and "year" not in data:
            raise ApiValidationError({"year": ["请填写年度。"]})
        return data

    def create(self, request, *args, **kwargs):
        """Start a draft plan of the acting organisation (rows optional)."""
        data = self._input(request, partial_year=False)
        with transaction.atomic():
            plan = plan_create(
                membership=request.membership,
                year=data["year"],
                title=data["title"],
                direction=data["direction"],
            )
            plan_save(
                membership=request.membership,
                plan=plan,
                title=data["title"],
                direction=data["direction"],
                parts={name: data[name] for name in PLAN_PARTS if name in data},
            )
        plan = self.get_queryset().get(pk=plan.pk)
        return Response(
            PlanDetailSerializer(plan, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )

    def update(self, request, *args, **kwargs):
        """Replace the header and the rows of every kind sent (kinds not sent are kept)."""
        plan = self.get_object()
        data = self._input(request, partial_year=True)
        plan_save(
            membership=request.membership,
            plan=plan,
            title=data["title"],
            direction=data["direction"],
            parts={name: data[name] for name in PLAN_PARTS if name in data},
        )
        plan = self.get_queryset().get(pk=plan.pk)
        return Response(PlanDetailSerializer(plan, context=self.get_serializer_context()).data)
