"""Sign-ups for result presentation conferences (成果发表会报名; issue 11 item 2; seed 001
§7.5.2 成果发表交流, §9.1.2.2; seed 002 Annex 3).

An enterprise signs one of its circles' completed or accepted projects up for a conference of
an association above it (:func:`signup_create`, ``campaigns:sign_up``) while sign-ups are
open (R-CF-01); the hosting association chooses who presents and in which order, or undoes
it, and the enterprise may withdraw before the day (``SIGNUP_WORKFLOW`` in
``evaluation/workflow.py``). After every change :func:`conference_recount` counts the
conference's 发表会报名小组数 and 发表小组数 (seed 002 Annex 3) in SQL, so they are never
typed twice.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Q, QuerySet
from django.utils.translation import gettext as _

from circles.choices import ProjectStatus
from circles.models import Project
from promotion.conferences import conference_is_open
from promotion.models import PresentationConference
from qcportal.permissions import require_permission

from .choices import ConferenceSignUpStatus as S
from .models import ConferenceSignUp

#: Project states whose result may be presented (the result exists: 待验收 or 已验收).
PRESENTABLE_STATES = (ProjectStatus.COMPLETED, ProjectStatus.ACCEPTED)


def signup_list(*, conference: PresentationConference) -> QuerySet[ConferenceSignUp]:
    """The sign-ups of ``conference`` visible in the active scope (the host's: all of them;
    an enterprise's: its own), presenters first in their order, with circle, project and
    enterprise."""
    return (
        ConferenceSignUp.objects.filter(conference=conference)
        .select_related("circle", "project", "organisation")
        .order_by("status", "order", "id")
    )


def presentable_projects(*, membership) -> QuerySet[Project]:
    """The acting enterprise's projects that may be signed up (completed or accepted)."""
    return (
        Project.objects.filter(organisation_id=membership.organisation_id, status__in=PRESENTABLE_STATES)
        .select_related("circle")
        .order_by("-id")
    )


def conference_recount(conference: PresentationConference) -> PresentationConference:
    """Count the conference's sign-ups into its Annex 3 fields (one aggregate and one update,
    in SQL): 发表会报名小组数 = distinct circles signed up and not withdrawn, 发表小组数 =
    distinct circles chosen to present. The conference row is locked first, so that changes at
    the same moment count one after the other. Output: the conference with the counts set."""
    PresentationConference._base_manager.select_for_update().filter(pk=conference.pk).first()
    counts = ConferenceSignUp._base_manager.filter(conference=conference).aggregate(
        signed=Count("circle", distinct=True, filter=~Q(status=S.WITHDRAWN)),
        presenting=Count("circle", distinct=True, filter=Q(status=S.SELECTED)),
    )
    PresentationConference._base_manager.filter(pk=conference.pk).update(
        signed_up_circles=counts["signed"], presented_circles=counts["presenting"]
    )
    conference.signed_up_circles, conference.presented_circles = counts["signed"], counts["presenting"]
    return conference


def next_order(conference: PresentationConference) -> int:
    """The presentation order of the next presenter chosen (1 for the first); locks the
    conference row, so two presenters chosen at once get different numbers."""
    PresentationConference._base_manager.select_for_update().filter(pk=conference.pk).first()
    top = ConferenceSignUp._base_manager.filter(conference=conference).aggregate(m=Max("order"))["m"]
    return (top or 0) + 1


def signup_create(*, membership, conference: PresentationConference, project: Project, presenter: str):
    """Sign ``project``'s circle up for ``conference`` with its ``presenter`` (发表人).

    Inputs: the membership (``campaigns:sign_up`` of the enterprise owning the project), a
    conference visible to it, the project (completed or accepted) and the presenter's name
    (1–50 characters). Output: the sign-up (``signed_up``); the conference's counts follow.
    Raises ``PermissionDenied`` or ``ValidationError`` (Chinese, naming the rule).
    """
    require_permission(membership, "campaigns:sign_up")
    if project.organisation_id != membership.organisation_id:
        raise PermissionDenied(_("只能为本企业的QC小组报名。"))
    errors: dict[str, list[str]] = {}
    if not conference_is_open(conference):
        errors["conference"] = [
            _("发表会报名已截止（规则 R-CF-01：报名截止日期之后、发表会当天及以后不再接受报名）。")
        ]
    if project.status not in PRESENTABLE_STATES:
        errors["project"] = [_("只有已完成或已验收的课题成果可以报名发表（DB43 §7.5.2）。")]
    presenter = (presenter or "").strip()
    if not presenter or len(presenter) > 50:
        errors["presenter"] = [_("请填写发表人姓名（不超过50个字）。")]
    if errors:
        raise ValidationError(errors)
    signup = ConferenceSignUp(
        conference=conference,
        organisation_id=membership.organisation_id,
        circle_id=project.circle_id,
        project=project,
        presenter=presenter,
        created_by=membership.user,
    )
    try:
        with transaction.atomic():
            signup.save()  # counts the conference's sign-ups (ConferenceSignUp.save)
    except IntegrityError as exc:
        raise ValidationError({"project": [_("该课题已报名本次发表会。")]}) from exc
    return signup
