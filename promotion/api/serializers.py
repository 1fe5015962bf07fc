"""API serializers of the promotion app: campaigns with their configuration and calendar,
sign-ups (活动报名) and extensions (延期). Output only: writes go through
``promotion/services.py``, which validates with Chinese messages."""

from django.utils import timezone
from rest_framework import serializers

from ..models import Campaign, CampaignEntry, CampaignStage, StageExtension


class CampaignStageSerializer(serializers.ModelSerializer):
    """A campaign stage with its Chinese label and whether today (Asia/Shanghai) lies in it
    as the current stage (``Campaign.current_stage``)."""

    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    is_current = serializers.SerializerMethodField()

    class Meta:
        model = CampaignStage
        fields = ["kind", "kind_display", "starts_on", "ends_on", "responsible", "is_current"]

    def get_is_current(self, stage) -> bool:
        """True for the campaign's current stage (the latest-starting open window)."""
        cache = self.context.setdefault("_current_stage", {})
        if stage.campaign_id not in cache:
            current = stage.campaign.current_stage(timezone.localdate())
            cache[stage.campaign_id] = current.pk if current else None
        return cache[stage.campaign_id] == stage.pk


class CampaignSerializer(serializers.ModelSerializer):
    """A campaign: code, year, title, document number, theme, period, deadline, status (and
    its Chinese label, as on the pages), parent campaign, grade scheme, quotas (seed 003
    三、2), co-building and fallback units (seed 003 三、2, 二、3(2)), domains and stages."""

    organisation = serializers.SlugRelatedField(slug_field="code", read_only=True)
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    parent = serializers.SlugRelatedField(slug_field="code", read_only=True)
    grade_scheme_display = serializers.CharField(source="get_grade_scheme_display", read_only=True)
    co_building_units = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)
    fallback_unit = serializers.SlugRelatedField(slug_field="code", read_only=True)
    domains = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True)
    stages = CampaignStageSerializer(many=True, read_only=True)

    class Meta:
        model = Campaign
        fields = [
            "code",
            "year",
            "title",
            "document_number",
            "theme",
            "period_start",
            "period_end",
            "deadline",
            "status",
            "status_display",
            "organisation",
            "organisation_name",
            "parent",
            "grade_scheme",
            "grade_scheme_display",
            "submission_quota",
            "recommendation_quota",
            "co_building_units",
            "fallback_unit",
            "domains",
            "stages",
        ]


class CampaignDetailSerializer(CampaignSerializer):
    """A campaign as returned by detail, create, update and transitions: adds the workflow
    transitions the caller may take now."""

    available_transitions = serializers.SerializerMethodField()

    class Meta(CampaignSerializer.Meta):
        fields = [*CampaignSerializer.Meta.fields, "available_transitions"]

    def get_available_transitions(self, campaign) -> list[str]:
        """Names of the transitions (publish, close, reopen) the acting membership may take now."""
        from ..workflow import CAMPAIGN_WORKFLOW

        return [t.name for t in CAMPAIGN_WORKFLOW.available(campaign, self.context["request"].membership)]


class CampaignEntrySerializer(serializers.ModelSerializer):
    """A sign-up (seed 003 附件2): the enterprise (code), its name as on its seal (seed 002
    Annex 1 note 2), the recommending unit (code and name) and the contact details."""

    campaign = serializers.SlugRelatedField(slug_field="code", read_only=True)
    organisation = serializers.SlugRelatedField(slug_field="code", read_only=True)
    recommending_unit = serializers.SlugRelatedField(slug_field="code", read_only=True)
    recommending_unit_name = serializers.CharField(source="recommending_unit.name", read_only=True)

    class Meta:
        model = CampaignEntry
        fields = [
            "id",
            "campaign",
            "organisation",
            "seal_name",
            "recommending_unit",
            "recommending_unit_name",
            "contact_person",
            "contact_mobile",
            "contact_email",
            "address",
            "postcode",
            "signed_up_at",
        ]
        read_only_fields = fields


class StageExtensionSerializer(serializers.ModelSerializer):
    """An extension (延期): organisation (code and name), stage (and its label), until, reason."""

    organisation = serializers.SlugRelatedField(slug_field="code", read_only=True)
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    stage = serializers.CharField(read_only=True, help_text="阶段（StageKind 的值，如 registration）")
    stage_display = serializers.CharField(source="get_stage_display", read_only=True)

    class Meta:
        model = StageExtension
        fields = [
            "id",
            "organisation",
            "organisation_name",
            "stage",
            "stage_display",
            "until",
            "reason",
            "granted_at",
        ]
        read_only_fields = fields
