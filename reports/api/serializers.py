"""API serializers of the reports app."""

from django.urls import reverse
from rest_framework import serializers

from evaluation.models import Submission
from promotion.models import Campaign
from qcportal.api import ScopedPrimaryKeyRelatedField, ScopedSlugRelatedField
from qcportal.models import Organisation

from ..choices import FileFormat, FormKind, RunStatus, WorkSummaryKind
from ..models import ReportRun
from ..worksummary import count_characters, export_problem, summary_character_count


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


def work_summary_representation(*, campaign, organisation, outline, summary) -> dict:
    """The JSON of a work summary (saved or not yet): outline with headings and texts, the
    character count (:func:`reports.worksummary.count_characters`), the minimum for export
    and, when export is refused, the Chinese reason."""
    sections = summary.sections if summary else {}
    return {
        "campaign": campaign.code,
        "organisation": organisation.code,
        "kind": outline.kind,
        "kind_display": str(WorkSummaryKind(outline.kind).label),
        "form": outline.form,
        "title": outline.title_for(campaign.year),
        "saved": summary is not None,
        "character_count": summary_character_count(sections, outline),
        "minimum_characters": outline.min_characters,
        "export_problem": export_problem(sections if summary else None, outline),
        "sections": [
            {
                "heading": s.heading,
                "points": [
                    {
                        "key": p.key,
                        "heading": p.heading,
                        "text": sections.get(p.key, ""),
                        "characters": count_characters(sections.get(p.key, "")),
                    }
                    for p in s.points
                ],
            }
            for s in outline.sections
        ],
        "updated_at": summary.updated_at.isoformat() if summary else None,
        "updated_by": str(summary.updated_by) if summary and summary.updated_by else None,
    }


class WorkSummaryUpdateInputSerializer(serializers.Serializer):
    """Input of ``PUT``: ``sections``, an object ``{sub-point key: text}`` (keys left out are
    saved empty). The texts are checked by :func:`reports.worksummary.clean_sections`
    (Chinese messages: unknown sub-point, control characters such as NUL, over-long text)."""

    sections = serializers.JSONField()


class NationalPackageInputSerializer(serializers.Serializer):
    """Input to check or start the national package: ``campaign`` and ``organisation`` (the
    association) by code. The view looks them up in the tenant scope: a campaign or an
    organisation outside it answers 404 (architecture.md, "Tenancy")."""

    campaign = serializers.CharField(max_length=50)
    organisation = serializers.CharField(max_length=50)
