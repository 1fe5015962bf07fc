"""API serializers of the promotion app."""

from rest_framework import serializers

from ..models import Campaign, CampaignStage


class CampaignStageSerializer(serializers.ModelSerializer):
    """A campaign stage with its Chinese label."""

    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = CampaignStage
        fields = ["kind", "kind_display", "starts_on", "ends_on", "responsible"]


class CampaignSerializer(serializers.ModelSerializer):
    """A campaign: code, year, title, document number, theme, period, deadline, stages, domains."""

    organisation = serializers.SlugRelatedField(slug_field="code", read_only=True)
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
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
            "organisation",
            "organisation_name",
            "domains",
            "stages",
        ]
