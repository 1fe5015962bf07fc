"""The evaluation app's items of the home page's to-do list (待办事项)."""

from __future__ import annotations

from django.db.models import Count, Exists, Min, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _now
from django.utils.translation import gettext_lazy as _

from qcportal.choices import ASSOCIATION_KINDS, OrganisationKind
from qcportal.permissions import has_permission
from qcportal.todos import Todo, list_url, register_todo_provider

from .choices import (
    ConferenceSignUpStatus,
    HonourStatus,
    JudgingStatus,
    PanelStatus,
    RoundStatus,
    ScoreSheetStatus,
    SubmissionStatus,
)
from .models import (
    ConferenceSignUp,
    Honour,
    JudgeAssignment,
    Judging,
    JudgingRound,
    Panel,
    ScoreSheet,
    Submission,
)


def _submitted_sheet():
    return ScoreSheet.objects.filter(
        round_id=OuterRef("round_id"),
        submission_id=OuterRef("submission_id"),
        judge_id=OuterRef("judge_id"),
        status=ScoreSheetStatus.SUBMITTED,
    )


def _hub_url(judging_qs, name: str = "evaluation:judging") -> str:
    """The page ``name`` (the judging hub, or ``evaluation:board``) of the newest judging in
    ``judging_qs`` ('' when there is none)."""
    first = judging_qs.select_related("campaign").order_by("-campaign__year", "-id").first()
    return reverse(name, args=[first.campaign.code]) if first else ""


def evaluation_todos(membership) -> list[Todo]:
    """The judging items of the to-do list (issue 8), each a count with its page:

    - a judge: sheets to submit in open rounds (评分表待提交), and, as a panel chair, panels
      whose sheets are all in, waiting for the chair's signature (评审组待组长签字);
    - association staff (evaluation:manage): paper sheets of judges without a login to enter
      (纸质评分表待代录), open rounds whose panels have all signed (本轮可结束), and judgings
      returned by the leadership or approved and waiting for publication;
    - association leadership (awards:approve): judgings waiting for approval (评审结果待审批).
    Every count is one SQL query bounded by the acting association's judgings.
    """
    items: list[Todo] = []
    org_id = membership.organisation_id
    if has_permission(membership, "evaluation:manage"):
        paper = (
            JudgeAssignment.objects.filter(
                organisation_id=org_id,
                recused=False,
                round__status=RoundStatus.OPEN,
                judge__user__isnull=True,
            )
            .exclude(Exists(_submitted_sheet()))
            .count()
        )
        url = _hub_url(Judging.objects.filter(organisation_id=org_id, rounds__status=RoundStatus.OPEN))
        items.append(Todo(_("纸质评分表待代录"), paper, url, "bi-pencil-square"))
        open_panel = Panel.objects.filter(round_id=OuterRef("pk"), status=PanelStatus.OPEN)
        closable = JudgingRound.objects.filter(
            organisation_id=org_id, status=RoundStatus.OPEN, panels__isnull=False
        ).exclude(Exists(open_panel))
        items.append(
            Todo(
                _("评审组均已签字，本轮待结束"),
                closable.distinct().count(),
                _hub_url(Judging.objects.filter(rounds__in=closable)),
                "bi-flag",
            )
        )
        approved = Judging.objects.filter(organisation_id=org_id, status=JudgingStatus.APPROVED)
        items.append(Todo(_("评审结果已审批，待发布"), approved.count(), _hub_url(approved), "bi-megaphone"))
    if has_permission(membership, "awards:approve"):
        pending = Judging.objects.filter(organisation_id=org_id, status=JudgingStatus.PENDING_APPROVAL)
        items.append(
            Todo(_("评审结果待审批"), pending.count(), _hub_url(pending, "evaluation:board"), "bi-award")
        )
    if membership.role != "judge" or not has_permission(membership, "evaluation:score"):
        return items
    mine = JudgeAssignment.objects.filter(
        judge__user_id=membership.user_id,
        judge__organisation_id=org_id,
        recused=False,
        round__status=RoundStatus.OPEN,
    )
    waiting = mine.exclude(Exists(_submitted_sheet())).count()
    items.append(Todo(_("评分表待提交"), waiting, reverse("evaluation:task-list"), "bi-clipboard-check"))
    missing = JudgeAssignment.objects.filter(panel_id=OuterRef("pk"), recused=False).exclude(
        Exists(_submitted_sheet())
    )
    ready = Panel.objects.filter(
        chair__user_id=membership.user_id, status=PanelStatus.OPEN, round__status=RoundStatus.OPEN
    ).exclude(Exists(missing))
    first = ready.order_by("id").first()
    items.append(
        Todo(
            _("评审组待组长签字"),
            ready.count() if first else 0,
            reverse("evaluation:panel", args=[first.pk]) if first else "",
            "bi-pen",
        )
    )
    return items


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


def conference_todos(membership) -> list[Todo]:
    """The host association's sign-ups waiting for its choice of presenters (安排发表) in its
    conferences that are still to come (issue 11 item 2). One query; none without
    ``campaigns:manage``."""
    if "campaigns:manage" not in membership.permissions:
        return []
    waiting = (
        ConferenceSignUp.objects.filter(
            conference__organisation_id=membership.organisation_id, status=ConferenceSignUpStatus.SIGNED_UP
        )
        .exclude(conference__held_on__lte=timezone.localdate())
        .count()
    )
    return [Todo(_("成果发表会报名待安排发表"), waiting, list_url("evaluation:conference-list"), "bi-mic")]


def honour_todos(membership) -> list[Todo]:
    """The acting organisation's honours waiting for the membership (issue 11 item 4): to
    approve for its decision layer (``honours:approve``), to revise after a return for its
    management layer (``honours:nominate``). One query; none without the permissions."""
    approve = "honours:approve" in membership.permissions
    nominate = "honours:nominate" in membership.permissions
    if not (approve or nominate):
        return []
    counts = Honour.objects.filter(organisation_id=membership.organisation_id).aggregate(
        submitted=Count("id", filter=Q(status=HonourStatus.SUBMITTED)),
        returned=Count("id", filter=Q(status=HonourStatus.RETURNED)),
    )
    items = []
    if approve:
        items.append(
            Todo(
                _("待审批的表彰"),
                counts["submitted"],
                list_url("evaluation:honour-list", status=HonourStatus.SUBMITTED),
                "bi-award",
            )
        )
    if nominate:
        items.append(
            Todo(
                _("被退回的表彰提名"),
                counts["returned"],
                list_url("evaluation:honour-list", status=HonourStatus.RETURNED),
                "bi-arrow-return-left",
            )
        )
    return items


def register() -> None:
    """Register the providers."""
    register_todo_provider(evaluation_todos)
    register_todo_provider(chain_todos)
    register_todo_provider(conference_todos)
    register_todo_provider(honour_todos)
