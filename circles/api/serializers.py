"""API serializers of the circles app: output serializers, and input serializers that
document the request bodies (the services validate them, with Chinese messages)."""

from __future__ import annotations

from rest_framework import serializers

from qcportal.api import HistoryMixin

from ..choices import STATISTICAL_TOOLS, MemberRole, ProcedureStep, ProjectType, TargetKind
from ..models import (
    ActivityRecord,
    Circle,
    CircleImport,
    CircleMember,
    Project,
    RecordAttachment,
    RecordComment,
)


class MemberSerializer(serializers.ModelSerializer):
    """A member: ``{"name", "role": "leader"|"member", "position", "username"}`` (the login,
    if the member has one)."""

    username = serializers.CharField(source="user.username", read_only=True, default="")

    class Meta:
        model = CircleMember
        fields = ["name", "role", "position", "username"]


class MemberInputSerializer(serializers.Serializer):
    """One member as sent: name (≤50), role ``leader`` or ``member``, position (≤50) and,
    optionally, ``username`` of a login of the enterprise to link."""

    name = serializers.CharField(max_length=50)
    role = serializers.ChoiceField(choices=MemberRole.choices, default=MemberRole.MEMBER)
    position = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    username = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")


class CircleSerializer(serializers.ModelSerializer):
    """A circle with its enterprise, registration and members (nested)."""

    organisation = serializers.SlugRelatedField(slug_field="code", read_only=True)
    enterprise_name = serializers.CharField(source="organisation.name", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    members = MemberSerializer(many=True, read_only=True)
    previous = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = Circle
        fields = [
            "id",
            "organisation",
            "enterprise_name",
            "name",
            "department",
            "status",
            "status_display",
            "registration_number",
            "registration_year",
            "registered_on",
            "deactivated_on",
            "previous",
            "members",
        ]
        read_only_fields = fields


class CircleDetailSerializer(HistoryMixin, CircleSerializer):
    """A circle as returned by detail, create, update and transitions: adds the transitions
    the caller may take now, its history and the guidance warnings of the last write."""

    available_transitions = serializers.SerializerMethodField()
    warnings = serializers.SerializerMethodField()
    workflow_entity = "circles.circle"

    class Meta(CircleSerializer.Meta):
        fields = [*CircleSerializer.Meta.fields, "available_transitions", "history", "warnings"]
        read_only_fields = fields

    def get_available_transitions(self, circle) -> list[str]:
        """Names of the workflow transitions the acting membership may take now."""
        from ..workflow import CIRCLE_WORKFLOW

        return [t.name for t in CIRCLE_WORKFLOW.available(circle, self.context["request"].membership)]

    def get_warnings(self, circle) -> list[str]:
        """Guidance warnings of this write (e.g. the 3–10 member guidance)."""
        return list(self.context.get("warnings", []))


class CircleCreateInputSerializer(serializers.Serializer):
    """``POST /circles/``: name, department, registration_year (default this year) and
    members (exactly one ``leader``)."""

    name = serializers.CharField(max_length=100)
    department = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    registration_year = serializers.IntegerField(required=False, min_value=2000, max_value=2100)
    members = MemberInputSerializer(many=True)


class CircleUpdateInputSerializer(serializers.Serializer):
    """``PATCH /circles/{id}/``: any of name, department, members (the whole roster)."""

    name = serializers.CharField(max_length=100, required=False)
    department = serializers.CharField(max_length=100, required=False, allow_blank=True)
    members = MemberInputSerializer(many=True, required=False)


class ImportInputSerializer(serializers.Serializer):
    """``POST /circles/import/`` (multipart): the filled Excel template and ``dry_run``."""

    file = serializers.FileField()
    dry_run = serializers.BooleanField(default=True)


class CircleImportSerializer(serializers.ModelSerializer):
    """A bulk import: status, progress (0–100), counts, and every faulty row with its reason
    (``errors``: ``[{"row", "column", "message"}]``)."""

    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = CircleImport
        fields = [
            "id",
            "filename",
            "status",
            "status_display",
            "progress",
            "total_rows",
            "circles_created",
            "members_created",
            "errors",
            "created_at",
            "finished_at",
        ]
        read_only_fields = fields


class ProjectSerializer(serializers.ModelSerializer):
    """A project (课题) with its circle, type, status and plan; benefit in 万元."""

    organisation = serializers.SlugRelatedField(slug_field="code", read_only=True)
    circle_name = serializers.CharField(source="circle.name", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    project_type_display = serializers.CharField(source="get_project_type_display", read_only=True)
    is_overdue = serializers.BooleanField(read_only=True)

    class Meta:
        model = Project
        fields = [
            "id",
            "organisation",
            "circle",
            "circle_name",
            "title",
            "registration_number",
            "project_type",
            "project_type_display",
            "target_kind",
            "status",
            "status_display",
            "reasons",
            "indicator",
            "unit",
            "baseline_value",
            "target_value",
            "achieved_value",
            "planned_start",
            "planned_end",
            "applied_on",
            "registered_on",
            "completed_on",
            "accepted_on",
            "economic_benefit",
            "benefit_confirmed",
            "benefit_confirmed_by",
            "benefit_confirmed_on",
            "intangible_benefits",
            "is_overdue",
        ]
        read_only_fields = fields


class ProjectDetailSerializer(HistoryMixin, ProjectSerializer):
    """A project with ``available_transitions`` (names the caller may take now), its
    procedure ``steps`` (T/CAQ 10201-2020, in order) and its ``history``."""

    available_transitions = serializers.SerializerMethodField()
    steps = serializers.SerializerMethodField()
    workflow_entity = "circles.project"

    class Meta(ProjectSerializer.Meta):
        fields = [*ProjectSerializer.Meta.fields, "available_transitions", "steps", "history"]
        read_only_fields = fields

    def get_available_transitions(self, project) -> list[str]:
        """Names of the workflow transitions the acting membership may take now."""
        from ..workflow import PROJECT_WORKFLOW

        return [t.name for t in PROJECT_WORKFLOW.available(project, self.context["request"].membership)]

    def get_steps(self, project) -> list[str]:
        """The procedure steps of the project's type and target kind, in order."""
        return list(project.steps)


class ProjectInputSerializer(serializers.Serializer):
    """``POST /projects/`` (``circle`` required) and ``PATCH /projects/{id}/``."""

    circle = serializers.IntegerField(required=False)
    title = serializers.CharField(max_length=200, required=False)
    project_type = serializers.ChoiceField(choices=ProjectType.choices, required=False)
    target_kind = serializers.ChoiceField(choices=TargetKind.choices, required=False, allow_null=True)
    reasons = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    indicator = serializers.CharField(max_length=100, required=False, allow_blank=True)
    unit = serializers.CharField(max_length=20, required=False, allow_blank=True)
    baseline_value = serializers.CharField(max_length=100, required=False, allow_blank=True)
    target_value = serializers.CharField(max_length=100, required=False, allow_blank=True)
    planned_start = serializers.DateField(required=False, allow_null=True)
    planned_end = serializers.DateField(required=False, allow_null=True)


class AttachmentSerializer(serializers.ModelSerializer):
    """An attachment: name, size in bytes, type and where to download it."""

    url = serializers.SerializerMethodField()

    class Meta:
        model = RecordAttachment
        fields = ["id", "name", "size", "content_type", "uploaded_at", "url"]
        read_only_fields = fields

    def get_url(self, attachment) -> str:
        """The download URL (HTML route, same scope and permission)."""
        from django.urls import reverse

        return reverse("circles:attachment-download", kwargs={"pk": attachment.pk})


class CommentSerializer(serializers.ModelSerializer):
    """A process-check comment with its status and resolution."""

    author_name = serializers.CharField(source="author.__str__", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = RecordComment
        fields = [
            "id",
            "record",
            "author_name",
            "text",
            "status",
            "status_display",
            "resolution",
            "resolved_at",
            "created_at",
        ]
        read_only_fields = fields


class CommentInputSerializer(serializers.Serializer):
    """``POST /activity-records/{id}/comments/``: the comment text (≤1000)."""

    text = serializers.CharField(max_length=1000)


class ActivityRecordSerializer(serializers.ModelSerializer):
    """An activity record of one procedure step; ``tools`` as a list, participants as
    member ids, attachments and the number of open comments."""

    step_display = serializers.CharField(source="get_step_display", read_only=True)
    tools = serializers.SerializerMethodField()
    participants = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    attachments = AttachmentSerializer(many=True, read_only=True)
    open_comments = serializers.IntegerField(read_only=True, default=0)

    class Meta:
        model = ActivityRecord
        fields = [
            "id",
            "project",
            "circle",
            "step",
            "step_display",
            "held_on",
            "participants",
            "participant_count",
            "content",
            "tools",
            "data_before",
            "data_after",
            "attachments",
            "open_comments",
        ]
        read_only_fields = fields

    def get_tools(self, record) -> list[str]:
        """The statistical tools used, as a list."""
        return [t for t in record.tools.split("、") if t]


class ActivityRecordInputSerializer(serializers.Serializer):
    """``POST /activity-records/`` (``project`` required) and ``PATCH``: step, held_on,
    content, tools (names from the standard's list), data_before/data_after, participants
    (member ids)."""

    project = serializers.IntegerField(required=False)
    step = serializers.ChoiceField(choices=ProcedureStep.choices, required=False)
    held_on = serializers.DateField(required=False)
    content = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    tools = serializers.ListField(
        child=serializers.ChoiceField(choices=[(t, t) for t in STATISTICAL_TOOLS]), required=False
    )
    data_before = serializers.CharField(max_length=200, required=False, allow_blank=True)
    data_after = serializers.CharField(max_length=200, required=False, allow_blank=True)
    participants = serializers.ListField(child=serializers.IntegerField(), required=False)
