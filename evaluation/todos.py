"""The evaluation app's items of the home page's to-do list (待办事项)."""

from __future__ import annotations

from django.db.models import Count, Exists, F, Min, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext as _now
from django.utils.translation import gettext_lazy as _

from qcportal.choices import ASSOCIATION_KINDS, OrganisationKind
from qcportal.permissions import has_permission
from qcportal.todos import Todo, list_url, register_todo_provider

from .choices import ScoreSheetStatus, SubmissionStatus
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


def _count(status: str, **where) -> Count:
    return Count("pk", filter=Q(status=status, **where))


def chain_todos(membership) -> list[Todo]:
    """The recommendation chain's waiting items (issue 7 item 9, rule R-PT-24; seed 003
    §二.3–4), one aggregate query for the acting organisation's role:

    - enterprise coordinator (submissions:submit at an enterprise): results returned for
      correction (形式审查退回修改, with the earliest deadline), returned by the recommending
      unit, and drafts;
    - recommending-unit coordinator (submissions:recommend at a recommending unit): results
      waiting for recommendation (``recommending_unit`` = the unit);
    - association staff (submissions:review at an association): results waiting for formal
      review and scored results waiting for the recommend/decline decision
      (``recommending_association`` = the association).

    Counts filter on the acting organisation's own column (not the scope), so a fallback
    unit (其他-市质协会员现场部) also counts the enterprises that chose it.
    """
    org = membership.organisation
    rows = Submission._base_manager
    if org.kind == OrganisationKind.ENTERPRISE and has_permission(membership, "submissions:submit"):
        S = SubmissionStatus
        counts = rows.filter(organisation_id=org.pk).aggregate(
            returned=_count(S.RETURNED),
            due=Min("correction_due", filter=Q(status=S.RETURNED)),
            unit_returned=_count(S.UNIT_RETURNED),
            drafts=_count(S.DRAFT),
        )
        returned_label = (
            _now("成果申报被退回修改，请在 %(due)s 前修改并重新提交") % {"due": counts["due"].isoformat()}
            if counts["due"]
            else _("成果申报被退回修改，待修改并重新提交")
        )
        return [
            Todo(
                returned_label,
                counts["returned"],
                list_url("evaluation:submission-list", status=S.RETURNED),
                "bi-arrow-counterclockwise",
            ),
            Todo(
                _("成果申报被推荐单位退回，待修改"),
                counts["unit_returned"],
                list_url("evaluation:submission-list", status=S.UNIT_RETURNED),
                "bi-reply",
            ),
            Todo(
                _("成果申报草稿，待提交"),
                counts["drafts"],
                list_url("evaluation:submission-list", status=S.DRAFT),
                "bi-pencil",
            ),
        ]
    if org.kind == OrganisationKind.RECOMMENDING_UNIT and has_permission(membership, "submissions:recommend"):
        waiting = rows.filter(recommending_unit_id=org.pk, status=SubmissionStatus.SUBMITTED).count()
        return [
            Todo(
                _("成果申报待推荐"),
                waiting,
                list_url("evaluation:submission-list", status=SubmissionStatus.SUBMITTED),
                "bi-hand-thumbs-up",
            )
        ]
    if org.kind in ASSOCIATION_KINDS and has_permission(membership, "submissions:review"):
        S = SubmissionStatus
        counts = rows.filter(recommending_association_id=org.pk).aggregate(
            review=_count(S.UNIT_RECOMMENDED), decide=_count(S.SCORED)
        )
        return [
            Todo(
                _("成果申报待资料形式审查"),
                counts["review"],
                list_url("evaluation:submission-list", status=S.UNIT_RECOMMENDED),
                "bi-clipboard-check",
            ),
            Todo(
                _("已评审成果待决定是否推荐上级"),
                counts["decide"],
                list_url("evaluation:submission-list", status=S.SCORED),
                "bi-send",
            ),
        ]
    return []


def register() -> None:
    """Register the providers."""
    register_todo_provider(evaluation_todos)
    register_todo_provider(chain_todos)
