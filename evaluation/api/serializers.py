"""API serializers of the evaluation app."""

from rest_framework import serializers

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
            "status",
            "status_display",
            "score",
            "scores_released_at",
        ]
        read_only_fields = fields

    def get_score(self, submission) -> str | None:
        """The panel score (points out of 100) once released; ``null`` before."""
        return (
            str(submission.score) if submission.scores_released_at and submission.score is not None else None
        )


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
            "kind",
            "status",
            "total",
            "assessment",
            "submitted_at",
            "items",
        ]
        read_only_fields = fields
