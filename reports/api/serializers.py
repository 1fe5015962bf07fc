"""API serializers of the reports app."""

from django.urls import reverse
from rest_framework import serializers

from evaluation.models import Submission
from promotion.models import Campaign
from qcportal.api import ScopedPrimaryKeyRelatedField, ScopedSlugRelatedField
from qcportal.models import Organisation

from ..choices import FileFormat, FormKind, RunStatus
from ..models import ReportRun


class ReportRunSerializer(serializers.ModelSerializer):
    """A report run: what, for whom, status and progress (0–100 %), and the download link."""

    campaign = serializers.SlugRelatedField(slug_field="code", read_only=True)
    organisation = serializers.SlugRelatedField(slug_field="code", read_only=True)
    form_display = serializers.CharField(source="get_form_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    requested_by = serializers.StringRelatedField()
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = ReportRun
        fields = [
            "id",
            "campaign",
            "organisation",
            "form",
            "form_display",
            "file_format",
            "submission",
            "status",
            "status_display",
            "progress",
            "error",
            "filename",
            "requested_by",
            "created_at",
            "started_at",
            "finished_at",
            "download_url",
        ]
        read_only_fields = fields

    def get_download_url(self, run: ReportRun) -> str | None:
        """Absolute API URL of the file once the run succeeded, else ``null``."""
        if run.status != RunStatus.SUCCEEDED:
            return None
        path = reverse("api:reportrun-download", kwargs={"pk": run.pk})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class ReportRunStartInputSerializer(serializers.Serializer):
    """Input to start a run: ``campaign`` and ``organisation`` by code, ``form``, ``file_format``
    and, for Annex 1, an optional ``submission`` id. Related objects are looked up in the
    tenant scope, so foreign ones are reported as not found."""

    campaign = ScopedSlugRelatedField(slug_field="code", model=Campaign)
    form = serializers.ChoiceField(choices=FormKind.choices)
    file_format = serializers.ChoiceField(choices=FileFormat.choices)
    organisation = ScopedSlugRelatedField(slug_field="code", model=Organisation)
    submission = ScopedPrimaryKeyRelatedField(model=Submission, required=False, allow_null=True)
