"""``/api/v1/library/`` and ``/api/v1/adoptions/``: the results knowledge base (成果知识库;
issue 11 item 3; seed 001 §7.6). ``/api/v1/results/`` takes the same ``?q=`` search
(:mod:`evaluation.api.results`).

- ``GET /library/`` the results the acting membership may see (rule R-KB-02), newest first;
  ``?q=`` searches Chinese words (rule R-KB-01; ordered by relevance), and ``project_type``,
  ``domain``, ``year``, ``industry``, ``grade``, ``honoured=1`` narrow it;
  ``GET /library/facets/`` the counts per facet value of the same search
  (``{"project_type": [{"value", "count"}], …}``); ``GET /library/{id}/`` one;
  ``GET /library/{id}/similar/`` up to five similar results;
  ``POST /library/{id}/share/`` ``{"sharing": "own" | "association" | "everyone"}`` (the
  owning enterprise, ``library:share``);
- ``GET /adoptions/`` the adoptions visible (``?entry=``); ``POST /adoptions/``
  ``{"entry", "place", "adopted_on", "effect", "benefit"}`` records the acting unit's adoption
  (``library:adopt``; 409 for a second record of the same place); ``PATCH``/``DELETE
  /adoptions/{id}/`` changes or deletes the unit's own record.

Economic benefits are in 万元 (string decimals). Refusals: 403 without the permission, 404
outside what the membership may see, 400 ``{"detail", "errors"}`` in Chinese for bad input.
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.response import Response

from qcportal.api import ScopedPrimaryKeyRelatedField, TenantViewSetMixin
from qcportal.permissions import HasAreaPermission

from ..choices import LibrarySharing
from ..library import (
    adoption_delete,
    adoption_save,
    clean_query,
    entry_share,
    library_entries,
    library_facets,
    library_filter,
    library_search,
    library_similar,
)
from ..models import Adoption, LibraryEntry


class LibraryEntrySerializer(serializers.ModelSerializer):
    """A result of the knowledge base (see the module docstring); ``organisation`` is the
    owning enterprise's code, ``keywords`` a list of words, ``report`` whether a report can
    be downloaded on the result's page."""

    organisation = serializers.SlugRelatedField(slug_field="code", read_only=True)
    keywords = serializers.SerializerMethodField()
    project_type_display = serializers.CharField(source="get_project_type_display", read_only=True)

    class Meta:
        model = LibraryEntry
        fields = [
            "id",
            "organisation",
            "project",
            "title",
            "circle_name",
            "enterprise_name",
            "project_type",
            "project_type_display",
            "domain",
            "industry",
            "year",
            "economic_benefit",
            "grade",
            "honoured",
            "tools",
            "summary",
            "keywords",
            "sharing",
            "adoption_count",
            "indexed_at",
        ]
        read_only_fields = fields

    def get_keywords(self, obj) -> list[str]:
        """The result's keywords, most telling first."""
        return obj.keywords.split()


class ShareSerializer(serializers.Serializer):
    """``{"sharing": …}``: one of ``own``, ``association``, ``everyone``."""

    sharing = serializers.ChoiceField(choices=LibrarySharing.choices)


class LibraryEntryViewSet(TenantViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """The knowledge base (see the module docstring)."""

    serializer_class = LibraryEntrySerializer
    schema_model = LibraryEntry
    permission_classes = [HasAreaPermission]
    permission_required = "library:view"
    permission_map = {"share": "library:share"}

    def scoped_queryset(self):
        queryset = library_entries().select_related("organisation")
        if self.action in ("list", "facets"):
            params = self.request.query_params
            queryset = library_search(library_filter(queryset, params), clean_query(params.get("q")))
        return queryset

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    @action(detail=False, methods=["get"])
    def facets(self, request):
        """Counts per value of each facet for the same search and filters."""
        rows = library_facets(self.get_queryset())
        return Response(
            {key: [{"value": value, "count": n} for value, n in values] for key, values in rows.items()}
        )

    @action(detail=True, methods=["get"])
    def similar(self, request, pk=None):
        """Up to five similar results the acting membership may see."""
        entries = library_similar(self.get_object())
        return Response(
            LibraryEntrySerializer(entries, many=True, context=self.get_serializer_context()).data
        )

    @extend_schema(request=ShareSerializer, responses={200: LibraryEntrySerializer})
    @action(detail=True, methods=["post"])
    def share(self, request, pk=None):
        """The owning enterprise sets with whom the result is shared."""
        body = ShareSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        entry = entry_share(
            membership=request.membership, entry=self.get_object(), sharing=body.validated_data["sharing"]
        )
        entry = self.get_queryset().get(pk=entry.pk)
        return Response(LibraryEntrySerializer(entry, context=self.get_serializer_context()).data)


class AdoptionSerializer(serializers.ModelSerializer):
    """An adoption: the result's id (``entry``), the adopting unit's code and name, place, date,
    effect and benefit (万元)."""

    entry = ScopedPrimaryKeyRelatedField(model=LibraryEntry)
    organisation = serializers.SlugRelatedField(slug_field="code", read_only=True)
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    benefit = serializers.DecimalField(
        max_digits=14, decimal_places=4, min_value=0, max_value=99999999, required=False, allow_null=True
    )

    class Meta:
        model = Adoption
        fields = [
            "id",
            "entry",
            "organisation",
            "organisation_name",
            "place",
            "adopted_on",
            "effect",
            "benefit",
            "created_at",
        ]
        read_only_fields = ["created_at"]


class AdoptionViewSet(TenantViewSetMixin, viewsets.ModelViewSet):
    """Adoptions of the results the acting membership may see (see the module docstring)."""

    serializer_class = AdoptionSerializer
    schema_model = Adoption
    permission_classes = [HasAreaPermission]
    permission_required = "library:view"
    permission_map = {
        "create": "library:adopt",
        "update": "library:adopt",
        "partial_update": "library:adopt",
        "destroy": "library:adopt",
    }

    def scoped_queryset(self):
        queryset = Adoption.objects.select_related("organisation").order_by("-adopted_on", "-id")
        entry = self.request.query_params.get("entry", "")
        if self.action == "list" and entry:
            if not (entry.isascii() and entry.isdigit() and len(entry) <= 18):
                raise ApiValidationError({"entry": ["成果编号须为数字。"]})
            queryset = queryset.filter(entry_id=int(entry))
        return queryset

    def _save(self, request, adoption: Adoption | None, *, partial: bool) -> Response:
        body = AdoptionSerializer(adoption, data=request.data, partial=partial)
        body.is_valid(raise_exception=True)
        data = {
            key: body.validated_data.get(key, getattr(adoption, key, None))
            for key in ("place", "adopted_on", "effect", "benefit")
        }
        entry = adoption.entry if adoption is not None else body.validated_data["entry"]
        saved = adoption_save(membership=request.membership, entry=entry, data=data, adoption=adoption)
        saved = self.get_queryset().get(pk=saved.pk)
        return Response(
            AdoptionSerializer(saved, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED if adoption is None else status.HTTP_200_OK,
        )

    def create(self, request, *args, **kwargs):
        """Record the acting unit's adoption of a result."""
        return self._save(request, None, partial=False)

    def update(self, request, *args, **kwargs):
        """Change the unit's own record (``PATCH``: only the fields sent; ``entry`` stays)."""
        return self._save(request, self.get_object(), partial=kwargs.get("partial", False))

    def destroy(self, request, *args, **kwargs):
        """Delete the unit's own record."""
        adoption_delete(membership=request.membership, adoption=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
