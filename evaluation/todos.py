"""The evaluation app's items of the home page's to-do list (待办事项)."""

from __future__ import annotations

from django.db.models import Count, Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from qcportal.permissions import has_permission
from qcportal.todos import Todo, register_todo_provider

from .choices import ScoreSheetStatus
from .models import ScoreSheet, Submission
from .selectors import submission_list_for_judge


def evaluation_todos(membership) -> list[Todo]:
    """A judge's assigned results without a submitted score sheet (评分任务); for
    association staff, results whose panel has submitted every sheet but whose scores are
    not yet released (评分待公开)."""
    if has_permission(membership, "evaluation:manage"):
        return [_ready_for_release(membership)]
    if membership.role != "judge" or not has_permission(membership, "evaluation:score"):
        return []
    submitted = ScoreSheet.objects.filter(
        submission=OuterRef("pk"), judge__user=membership.user, status=ScoreSheetStatus.SUBMITTED
    )
    waiting = (
        submission_list_for_judge(membership=membership)
        .filter(scores_released_at__isnull=True)
        .exclude(Exists(submitted))
        .count()
    )
    return [Todo(_("成果待评分"), waiting, reverse("evaluation:task-list"), "bi-clipboard-check")]


def _ready_for_release(membership) -> Todo:
    judged_here = Submission.objects.filter(
        recommending_association_id=membership.organisation_id, scores_released_at__isnull=True
    ).annotate(
        judges=Count("assignments", filter=Q(assignments__recused=False), distinct=True),
        sheets=Count(
            "score_sheets", filter=Q(score_sheets__status=ScoreSheetStatus.SUBMITTED), distinct=True
        ),
    )
    ready = judged_here.filter(judges__gt=0, sheets__gte=F("judges"))
    first = ready.select_related("campaign").order_by("-campaign__year").first()
    url = reverse("evaluation:judging", args=[first.campaign.code]) if first else ""
    return Todo(_("评分已齐，待公开"), ready.count() if first else 0, url, "bi-megaphone")


def register() -> None:
    """Register the provider."""
    register_todo_provider(evaluation_todos)
