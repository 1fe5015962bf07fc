"""``/api/v1/results/`` (issue 8 item 10): published results readable by anyone in scope (an
enterprise its own, an association its subtree), with campaign code, submission, enterprise,
circle, title, domain, final score, rank and grade; staff of the judging association also see
unpublished ones (``published: false``).

``?q=`` (issue 11 item 3) keeps the results whose knowledge-base entry the search finds
(Chinese words, rule R-KB-01); ``library`` is that entry's id (``/api/v1/library/{id}/``),
null until the result is in the knowledge base."""

from django.db.models import Q
from rest_framework import serializers, viewsets

from qcportal.api import TenantViewSetMixin
from qcportal.permissions import HasAreaPermission, has_permission

from ..choices import JudgingStatus
from ..library import clean_query, library_entries, library_search
from ..models import Result


class ResultSerializer(serializers.ModelSerializer):
    """One result: ``final_score`` in points out of 100 (string decimal), ``rank`` in its
    domain (ties share it), ``grade`` the grade's name (or null)."""

    campaign = serializers.CharField(source="judging.campaign.code")
    submission = serializers.IntegerField(source="submission_id")
    enterprise = serializers.SerializerMethodField()
    circle = serializers.CharField(source="submission.circle.name")
    title = serializers.CharField(source="submission.project.title")
    domain = serializers.SerializerMethodField()
    grade = serializers.SerializerMethodField()
    published = serializers.SerializerMethodField()
    library = serializers.SerializerMethodField()

    class Meta:
        model = Result
        fields = [
            "id",
            "campaign",
            "submission",
            "enterprise",
            "circle",
            "title",
            "domain",
            "final_score",
            "rank",
            "grade",
            "published",
            "library",
        ]

    def get_enterprise(self, obj) -> str:
        """The enterprise as on its seal, else its name."""
        return obj.submission.seal_name or obj.organisation.name

    def get_domain(self, obj) -> str | None:
        """The domain's name."""
        return obj.submission.domain.name if obj.submission.domain_id else None

    def get_grade(self, obj) -> str | None:
        """The grade's name."""
        return obj.grade.name if obj.grade_id else None

    def get_library(self, obj) -> int | None:
        """The id of the result's knowledge-base entry, or null."""
        entry = getattr(obj.submission.project, "library_entry", None)
        return entry.pk if entry is not None else None

    def get_published(self, obj) -> bool:
        """Whether the judging is published."""
        return obj.judging.status == JudgingStatus.PUBLISHED


class ResultViewSet(TenantViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Results in the scope: published ones for everyone who may see submissions; the
    judging association's staff (``evaluation:manage``) also its unpublished ones."""

    serializer_class = ResultSerializer
    schema_model = Result
    permission_classes = [HasAreaPermission]
    permission_required = "submissions:view"

    def scoped_queryset(self):
        visible = Q(judging__status=JudgingStatus.PUBLISHED)
        membership = self.request.membership
        if has_permission(membership, "evaluation:manage"):
            visible |= Q(judging__organisation_id=membership.organisation_id)
        queryset = Result.objects.filter(visible).select_related(
            "judging__campaign",
            "organisation",
            "submission__circle",
            "submission__project__library_entry",
            "submission__domain",
            "grade",
        )
        q = self.request.query_params.get("q")
        if self.action == "list" and q is not None:
            q = clean_query(q)  # a Chinese 400 through the API's exception handler
            if q:
                found = library_search(library_entries(), q).values("project_id")
                queryset = queryset.filter(submission__project_id__in=found)
        return queryset.order_by("judging_id", "rank", "id")
