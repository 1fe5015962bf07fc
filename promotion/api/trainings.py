"""``/api/v1/trainings/``: publicity and training (宣传培训; issue 11 item 2; seed 001 §7.2).

- ``GET /trainings/`` the acting organisation's trainings (``?year=``), newest first;
  ``GET /trainings/{id}/`` one;
- ``POST /trainings/`` records one, ``PUT``/``PATCH /trainings/{id}/`` changes it,
  ``DELETE /trainings/{id}/`` deletes it (``trainings:manage``).

Fields: ``kind`` (``training`` 质量培训 / ``publicity`` 宣传活动), ``delivery`` (``internal`` /
``external``), ``held_on`` (date), ``topic``, ``trainer``, ``participants`` (≥ 1), ``hours``
(per participant), ``cost`` (万元, ≥ 0), ``notes``; read-only ``organisation`` (code),
``person_hours`` and the Chinese labels. An enterprise's costs become its Annex 3 spending of
the year at once. Writes go through :mod:`promotion.trainings` (403 without the permission;
400 with ``{"detail", "errors"}`` in Chinese for bad input).
"""

from __future__ import annotations

from rest_framework import serializers, status, viewsets
from rest_framework.response import Response

from qcportal.api import TenantViewSetMixin, year_param
from qcportal.permissions import HasAreaPermission

from ..models import Training
from ..trainings import FIRST_YEAR, TRAINING_FIELDS, training_delete, training_list, training_save


class TrainingSerializer(serializers.ModelSerializer):
    """A training as the API gives and takes it (see the module docstring)."""

    organisation = serializers.SlugRelatedField(slug_field="code", read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    delivery_display = serializers.CharField(source="get_delivery_display", read_only=True)
    person_hours = serializers.DecimalField(max_digits=14, decimal_places=1, read_only=True)

    class Meta:
        model = Training
        fields = [
            "id",
            "organisation",
            *TRAINING_FIELDS,
            "kind_display",
            "delivery_display",
            "person_hours",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]


class TrainingViewSet(TenantViewSetMixin, viewsets.ModelViewSet):
    """The acting organisation's trainings and publicity campaigns (see the module
    docstring)."""

    serializer_class = TrainingSerializer
    schema_model = Training
    permission_classes = [HasAreaPermission]
    permission_required = "trainings:view"
    permission_map = {
        "create": "trainings:manage",
        "update": "trainings:manage",
        "partial_update": "trainings:manage",
        "destroy": "trainings:manage",
    }

    def scoped_queryset(self):
        queryset = training_list(membership=self.request.membership).select_related("organisation")
        year = year_param(self.request.query_params, first=FIRST_YEAR) if self.action == "list" else None
        if year is not None:
            queryset = queryset.filter(held_on__year=year)
        return queryset

    def _save(self, request, training: Training | None, *, partial: bool) -> Response:
        body = TrainingSerializer(training, data=request.data, partial=partial)
        body.is_valid(raise_exception=True)
        saved = training_save(
            membership=request.membership, data=dict(body.validated_data), training=training
        )
        saved = self.get_queryset().get(pk=saved.pk)
        return Response(
            TrainingSerializer(saved, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED if training is None else status.HTTP_200_OK,
        )

    def create(self, request, *args, **kwargs):
        """Record a training of the acting organisation."""
        return self._save(request, None, partial=False)

    def update(self, request, *args, **kwargs):
        """Change a training (``PATCH``: only the fields sent)."""
        return self._save(request, self.get_object(), partial=kwargs.get("partial", False))

    def destroy(self, request, *args, **kwargs):
        """Delete a training (its year's spending follows)."""
        training_delete(membership=request.membership, training=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
