"""API serializers of the evaluation app."""

from rest_framework import serializers

from qcportal.api import HistoryMixin

from ..models import ScoreItem, ScoreSheet, Submission


class SubmissionSerializer(serializers.ModelSerializer):
    """A submission with its enterprise, circle, project and (once released) panel score."""

    campaign = serializers.SlugRelatedField(slug_field="code", read_only=True)
    organisation = serializers.SlugRelatedField(slug_field="code", read_only=True)
    enterprise_name = serializers.CharField(source="organisation.name", read_only=True)
    circle_name = serializers.CharField(source="circle.name", read_only=True)
    project_title = serializers.CharField(source="project.title", read_only=True)
    project_type = serializers.CharField(source="project.project_type", read_only=True)
    recommending_association = serializers.SlugRelatedField(slug_field="code", read_only=True)
    recommending_unit = serializers.SlugRelatedField(slug_field="code", read_only=True)
    domain = serializers.CharField(source="domain.name", read_only=True, default=None)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    score = serializers.SerializerMethodField()

    class Meta:
        model = Submission
        fields = [
            "id",
            "campaign",
            "organisation",
            "enterprise_name",
            "circle_name",
            "project_title",
            "project_type",
            "recommending_association",
            "recommending_unit",
            "domain",
            "seal_name",
            "status",
            "status_display",
            "correction_due",
            "score",
            "scores_released_at",
            "submitted_at",
            "recommended_at",
        ]
        read_only_fields = fields

    def get_score(self, submission) -> str | None:
        """The panel score (points out of 100) once released; ``null`` before."""
        return (
            str(submission.score) if submission.scores_released_at and submission.score is not None else None
        )


class SubmissionDetailSerializer(HistoryMixin, SubmissionSerializer):
    """A submission with its Annex 1 data, the transitions the caller may take now
    (``available_transitions``), why others wait (``blocked``: ``{name: [reasons]}``), its
    history, and the recommendation record when it was recommended from a child campaign
    (``source``, ``recommended_by``, ``recommended_score``)."""

    available_transitions = serializers.SerializerMethodField()
    blocked = serializers.SerializerMethodField()
    recommended_by = serializers.CharField(source="recommended_by.__str__", read_only=True, default=None)
    workflow_entity = "evaluation.submission"

    class Meta(SubmissionSerializer.Meta):
        fields = [
            *SubmissionSerializer.Meta.fields,
            "address",
            "postcode",
            "contact_department",
            "contact_person",
            "contact_mobile",
            "introduction",
            "benchmark_candidate",
            "source",
            "recommended_by",
            "recommended_score",
            "available_transitions",
            "blocked",
            "history",
        ]
        read_only_fields = fields

    def get_available_transitions(self, submission) -> list[str]:
        """Names of the workflow transitions the acting membership may take now."""
        from ..workflow import SUBMISSION_WORKFLOW

        return [t.name for t in SUBMISSION_WORKFLOW.available(submission, self.context["request"].membership)]

    def get_blocked(self, submission) -> dict[str, list[str]]:
        """Transitions the caller could take but for a guard, with the Chinese reasons."""
        from ..workflow import SUBMISSION_WORKFLOW

        return {
            t.name: reasons
            for t, reasons in SUBMISSION_WORKFLOW.blocked(submission, self.context["request"].membership)
        }


class SubmissionCreateSerializer(serializers.Serializer):
    """``POST /submissions/``: the campaign code, the accepted project's id, optionally the
    domain name and Annex 1 fields (seal_name, address, postcode, contact_department,
    contact_person, contact_mobile, introduction, benchmark_candidate)."""

    campaign = serializers.CharField(max_length=40)
    project = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    domain = serializers.CharField(max_length=50, required=False, allow_blank=True)


class ScoreItemSerializer(serializers.ModelSerializer):
    """One item of a sheet: criterion code, label, maximum and points."""

    code = serializers.CharField(source="criterion.code")
    label = serializers.CharField(source="criterion.label")
    max_points = serializers.IntegerField(source="criterion.max_points")

    class Meta:
        model = ScoreItem
        fields = ["code", "label", "max_points", "points"]


class ScoreSheetSerializer(serializers.ModelSerializer):
    """A score sheet as the scope lets the caller see it (a judge: own sheets until release)."""

    judge_name = serializers.CharField(source="judge.name", read_only=True)
    items = ScoreItemSerializer(many=True, read_only=True)

    class Meta:
        model = ScoreSheet
        fields = [
            "id",
            "submission",
            "judge",
            "judge_name",
            "round",
            "template",
            "status",
            "total",
            "assessment",
            "submitted_at",
            "items",
        ]
        read_only_fields = fields
