"""``/api/v1/improvement-items/``: the improvement list (改进清单; issue 11 item 6; seed 001
§9.2).

- ``GET /improvement-items/`` the items of the acting organisation's share (``?mine=1`` the
  acting user's, ``?overdue=1`` past their deadline and not done, ``?status=``, ``?year=``),
  soonest deadline first; ``GET /improvement-items/{id}/`` one with its history and
  ``overdue``;
- ``POST /improvement-items/`` ``{"title", "description", "owner" (username), "deadline",
  "review_year"}`` adds one (``plans:draft``); ``PATCH /improvement-items/{id}/`` changes one
  not yet done;
- ``POST /improvement-items/{id}/transitions/`` ``start`` / ``complete`` (with
  ``evidence``) by the owner or the management layer, ``reopen`` / ``cancel`` (with a
  ``comment``) by the management layer.

Refusals: 403 without the permission, 404 outside the scope, 400 ``{"detail", "errors"}`` in
Chinese.
"""

from __future__ import annotations

from rest_framework import serializers, status, viewsets
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.response import Response

from qcportal.api import HistoryMixin, TenantViewSetMixin, TransitionMixin, year_param
from qcportal.permissions import HasAreaPermission

from ..choices import ImprovementStatus
from ..models import ImprovementItem, YearlyReview
from ..reviews import improvement_list, improvement_save, is_overdue, owners_of


class ImprovementSerializer(serializers.ModelSerializer):
    """An item: organisation code, owner's username and name, dates, state, evidence."""

    organisation = serializers.SlugRelatedField(slug_field="code", read_only=True)
    owner = serializers.SlugRelatedField(slug_field="username", read_only=True)
    owner_name = serializers.SerializerMethodField()
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = ImprovementItem
        fields = [
            "id",
            "organisation",
            "year",
            "title",
            "description",
            "owner",
            "owner_name",
            "deadline",
            "status",
            "status_display",
            "overdue",
            "evidence",
            "completed_on",
            "created_at",
        ]
        read_only_fields = fields

    def get_owner_name(self, obj) -> str:
        """The owner's full name, else the username."""
        return obj.owner.get_full_name() or obj.owner.username

    def get_overdue(self, obj) -> bool:
        """Past its deadline and neither done nor cancelled."""
        return is_overdue(obj)


class ImprovementDetailSerializer(HistoryMixin, ImprovementSerializer):
    """An item with its workflow history."""

    workflow_entity = "promotion.improvement"

    class Meta(ImprovementSerializer.Meta):
        fields = [*ImprovementSerializer.Meta.fields, "history"]
        read_only_fields = fields


class ImprovementInputSerializer(serializers.Serializer):
    """What an item takes (see the module docstring)."""

    title = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    owner = serializers.CharField(max_length=150)
    deadline = serializers.DateField()
    review_year = serializers.IntegerField(min_value=2000, max_value=2100, required=False, allow_null=True)


class ImprovementViewSet(TransitionMixin, TenantViewSetMixin, viewsets.ModelViewSet):
    """The improvement list (see the module docstring); no deletion (cancel instead)."""

    serializer_class = ImprovementSerializer
    detail_serializer_class = ImprovementDetailSerializer
    schema_model = ImprovementItem
    permission_classes = [HasAreaPermission]
    permission_required = "improvements:view"
    permission_map = {"create": "plans:draft", "update": "plans:draft", "partial_update": "plans:draft"}
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def scoped_queryset(self):
        params = self.request.query_params
        items = improvement_list(
            membership=self.request.membership,
            mine=params.get("mine") == "1" and self.action == "list",
            overdue=params.get("overdue") == "1" and self.action == "list",
        )
        if self.action == "list":
            value = params.get("status", "")
            if value and value not in ImprovementStatus.values:
                raise ApiValidationError({"status": ["筛选条件不合法。"]})
            if value:
                items = items.filter(status=value)
            year = year_param(params)
            if year is not None:
                items = items.filter(year=year)
        return items

    def get_serializer_class(self):
        return ImprovementSerializer if self.action == "list" else ImprovementDetailSerializer

    def _data(self, request, partial: bool) -> dict:
        body = ImprovementInputSerializer(
            data=request.data if isinstance(request.data, dict) else {}, partial=partial
        )
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        organisation_id = request.membership.organisation_id
        if "owner" in data:
            data["owner"] = owners_of(organisation_id).filter(username=data["owner"]).first()
            if data["owner"] is None:
                raise ApiValidationError({"owner": ["责任人须为本单位的在册用户。"]})
        if "review_year" in data:
            year = data.pop("review_year")
            data["review"] = (
                YearlyReview.objects.filter(organisation_id=organisation_id, year=year).first()
                if year
                else None
            )
            if year and data["review"] is None:
                raise ApiValidationError({"review_year": ["本单位没有该年度的年度评价。"]})
        return data

    def _respond(self, item, code):
        item = self.get_queryset().get(pk=item.pk)
        return Response(
            ImprovementDetailSerializer(item, context=self.get_serializer_context()).data, status=code
        )

    def create(self, request, *args, **kwargs):
        """Add an item to the acting organisation's list."""
        item = improvement_save(membership=request.membership, data=self._data(request, partial=False))
        return self._respond(item, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        """Change an item not yet done (``PATCH``: the fields sent)."""
        item = self.get_object()
        improvement_save(
            membership=request.membership,
            data=self._data(request, partial=kwargs.get("partial", False)),
            item=item,
        )
        return self._respond(item, status.HTTP_200_OK)
