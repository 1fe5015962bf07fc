"""API serializers of the evaluation app."""

from rest_framework import serializers

from qcportal.api import HistoryMixin

from ..models import ScoreSheet, Submission


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

    def to_representation(self, submission):
        """The fields; for a judge of a blind round (issue 8 item 8) the enterprise, circle,
        seal and unit replaced by the code 「成果 #<id>」 and the title masked."""
        from .. import blind

        data = super().to_representation(submission)
        request = self.context.get("request")
        if request is not None and blind.is_blind_for(getattr(request, "membership", None), submission):
            code = blind.code(submission)
            data.update(
                organisation=code,
                enterprise_name=code,
                circle_name=code,
                seal_name=code,
                recommending_unit=None,
                project_title=blind.title(submission),
            )
            for name in ("address", "contact_person", "contact_mobile", "contact_department", "postcode"):
                if name in data:
                    data[name] = ""
            if "introduction" in data:
                data["introduction"] = blind.mask_text(submission.introduction, submission)
            if "history" in data:
                data["history"] = []
        return data

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


class ScoreSheetSerializer(serializers.ModelSerializer):
    """A score sheet (issue 8 items 5 and 8): its round, the submission (``code``, ``title``,
    ``enterprise_name``, ``circle_name`` — the names replaced by the code 「成果 #<id>」 for a
    judge of a blind round), the judge, the template with every item's maximum and the points
    given (``items``: ``[{code, label, max_points, points}]``, points out of the item's
    maximum, ``null`` when blank), ``total`` (points out of 100), ``assessment`` (≤300
    characters), ``recommended_grade`` (grade level id), ``status``, the paper-entry record
    (``on_paper``, ``entered_by``). The detail (:class:`ScoreSheetDetailSerializer`) adds the
    transitions the caller may take now and the history."""

    round = serializers.SerializerMethodField()
    submission = serializers.SerializerMethodField()
    judge_name = serializers.CharField(source="judge.name", read_only=True)
    template = serializers.SerializerMethodField()
    items = serializers.SerializerMethodField()
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    entered_by = serializers.SerializerMethodField()

    class Meta:
        model = ScoreSheet
        fields = [
            "id",
            "round",
            "submission",
            "judge",
            "judge_name",
            "template",
            "items",
            "total",
            "assessment",
            "recommended_grade",
            "status",
            "status_display",
            "on_paper",
            "entered_by",
            "submitted_at",
        ]
        read_only_fields = fields

    def get_round(self, sheet) -> dict:
        """``{"id", "name", "kind", "blind", "status", "ends_on"}``."""
        r = sheet.round
        return {
            "id": r.pk,
            "name": r.name,
            "kind": r.kind,
            "blind": r.blind,
            "status": r.status,
            "ends_on": r.ends_on.isoformat(),
        }

    def get_submission(self, sheet) -> dict:
        """``{"id", "code", "title", "enterprise_name", "circle_name"}``, masked when blind."""
        from .. import blind

        label = blind.label(self.context["request"].membership, sheet.submission)
        return {
            "id": sheet.submission_id,
            "code": label["code"],
            "title": label["title"],
            "enterprise_name": label["enterprise"],
            "circle_name": label["circle"],
        }

    def get_template(self, sheet) -> dict:
        """``{"id", "name", "version", "kind"}``."""
        t = sheet.template
        return {"id": t.pk, "name": t.name, "version": t.version, "kind": t.kind}

    def get_items(self, sheet) -> list[dict]:
        """Every item of the template in order with its maximum and the points given."""
        from ..sheets import sheet_rows

        return [
            {
                "code": r["code"],
                "label": r["label"],
                "max_points": r["max_points"],
                "points": None if r["points"] is None else str(r["points"]),
            }
            for r in sheet_rows(sheet)
        ]

    def get_entered_by(self, sheet) -> str | None:
        """Who entered a paper sheet (纸质代录), else ``null``."""
        return str(sheet.entered_by) if sheet.on_paper and sheet.entered_by_id else None


class ScoreSheetDetailSerializer(HistoryMixin, ScoreSheetSerializer):
    """A score sheet with the transitions the caller may take now
    (``available_transitions``) and its history (withdrawals with their reasons)."""

    available_transitions = serializers.SerializerMethodField()
    workflow_entity = "evaluation.scoresheet"

    class Meta(ScoreSheetSerializer.Meta):
        fields = [*ScoreSheetSerializer.Meta.fields, "available_transitions", "history"]
        read_only_fields = fields

    def get_available_transitions(self, sheet) -> list[str]:
        """Names of the sheet's transitions the caller may take now."""
        from ..workflow import SCORE_SHEET_WORKFLOW

        return [t.name for t in SCORE_SHEET_WORKFLOW.available(sheet, self.context["request"].membership)]


class ScoreSheetPatchSerializer(serializers.Serializer):
    """``PATCH /score-sheets/{id}/``: ``items`` (``{"<code>": "13.5", …}``; ``null`` or ``""``
    clears an item), ``assessment`` (≤300 characters), ``recommended_grade`` (a grade level
    id of the judging, or ``null``). Every field optional; values are checked by the service
    (``evaluation.sheets``) and refused with the stable 400 shape."""

    items = serializers.DictField(child=serializers.JSONField(), required=False)
    assessment = serializers.CharField(
        required=False, allow_blank=True, trim_whitespace=False, max_length=5000
    )
    recommended_grade = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=2**31 - 1
    )


class PaperSheetCreateSerializer(ScoreSheetPatchSerializer):
    """``POST /score-sheets/`` (association staff): a paper sheet (纸质代录) for ``round``,
    ``submission`` and ``judge`` (ids of a live assignment), with the fields of the PATCH."""

    round = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    submission = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    judge = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
