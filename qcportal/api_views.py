"""API views of the tenancy core: organisations and the audit trail (read-only)."""

import django_filters
from rest_framework import serializers, viewsets

from .api import TenantViewSetMixin
from .choices import OrganisationKind
from .models import AuditEntry, Organisation
from .permissions import HasAreaPermission
from .selectors import audit_entry_list
from .tenancy import visible_organisations


class OrganisationSerializer(serializers.ModelSerializer):
    """An organisation of the hierarchy."""

    parent = serializers.SlugRelatedField(slug_field="code", read_only=True)
    industry_association = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Organisation
        fields = [
            "code",
            "name",
            "short_name",
            "kind",
            "parent",
            "industry_association",
            "unit_kind",
            "region",
            "is_active",
        ]
        read_only_fields = fields


class OrganisationFilterSet(django_filters.FilterSet):
    """Filter organisations by kind (declared, so nothing queries at import)."""

    kind = django_filters.ChoiceFilter(choices=OrganisationKind.choices)

    class Meta:
        model = Organisation
        fields = ["kind"]


class OrganisationViewSet(TenantViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """The organisations of the acting organisation's share, by code."""

    serializer_class = OrganisationSerializer
    schema_model = Organisation
    permission_classes = [HasAreaPermission]
    permission_required = "organisations:view"
    lookup_field = "code"
    lookup_value_regex = "[^/]+"
    filterset_class = OrganisationFilterSet

    def scoped_queryset(self):
        membership = self.request.membership
        return Organisation.objects.filter(
            pk__in=visible_organisations(membership.organisation)
        ).select_related("parent", "industry_association")


class AuditEntrySerializer(serializers.ModelSerializer):
    """An audit entry: who, acting for which organisation, when, what changed, from where."""

    actor = serializers.StringRelatedField()
    model = serializers.CharField(source="content_type.model")
    action_display = serializers.CharField(source="get_action_display")
    acting_organisation = serializers.SlugRelatedField(slug_field="code", read_only=True)
    organisation = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = AuditEntry
        fields = [
            "id",
            "timestamp",
            "actor",
            "acting_organisation",
            "acting_role",
            "organisation",
            "remote_addr",
            "action",
            "action_display",
            "model",
            "object_pk",
            "object_repr",
            "changes",
        ]
        read_only_fields = fields


class AuditEntryViewSet(TenantViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """The audit trail of the scope, newest first. Read-only: no method changes an entry."""

    serializer_class = AuditEntrySerializer
    schema_model = AuditEntry
    permission_classes = [HasAreaPermission]
    permission_required = "audit:view"

    def scoped_queryset(self):
        return audit_entry_list()
