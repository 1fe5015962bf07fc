"""Deadline reminders (截止提醒, issue 7 item 9), sent daily by Celery beat
(``CELERY_BEAT_SCHEDULE`` → :func:`evaluation.tasks.reminders_send_task`).

- Before the end of each stage of every open campaign (3 days and 1 day before
  ``CampaignStage.ends_on``, seed 003 二、活动安排) to the people who must act in it:
  活动报名 → coordinators of the association's enterprises not yet signed up (not for the
  national association's campaign, whose results come through the provincial ones; at most
  :data:`REGISTRATION_REMINDER_CAP` recipients a stage); 成果申报 → coordinators of signed-up
  enterprises with drafts or results returned by their unit; 成果推荐 → the coordinators of
  recommending units with results waiting (待推荐单位推荐); 成果评价 → the association's staff
  with results waiting for formal review (待形式审查). Rule R-PT-21.
- After an improvement item's deadline (改进清单, issue 11 item 6), once, to its owner.
  Rule R-IM-02.
- Before a formal-review correction deadline (``Submission.correction_due`` of a result
  returned for correction, seed 003 §二.4): 2 days before and on the last day, to the
  enterprise's coordinators. Rule R-PT-23.

Each reminder has a key (``stage:<campaign code>:<stage kind>:<days>d:user<id>``,
``correction:<submission id>:<due date>:<days>d:user<id>``) recorded in
:class:`~qcportal.models.ReminderLog` in the same transaction as its notification, so it is
sent once however often beat runs (rule R-PT-22). A run that missed a day catches up: the
reminder of threshold *d* is due while the days left lie between the next smaller threshold
(exclusive) and *d*.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from promotion.choices import CampaignStatus, StageKind
from promotion.models import Campaign, CampaignEntry, CampaignStage
from qcportal.choices import OrganisationKind
from qcportal.models import Membership, Notification, Organisation
from qcportal.notifications import notifications_create, reminders_record
from qcportal.roles import Role
from qcportal.tenancy import no_tenant, visible_organisations
from qcportal.workflow import register_notice

from .choices import SubmissionStatus
from .models import Submission

#: Days before a stage's last day when its reminders go out (rule R-PT-21).
STAGE_REMINDER_DAYS = (3, 1)
#: Days before a correction deadline when its reminders go out; 0 = on the last day (R-PT-23).
CORRECTION_REMINDER_DAYS = (2, 0)
#: Most coordinators one 活动报名 reminder run reaches for one campaign (a bounded query).
REGISTRATION_REMINDER_CAP = 2000

#: Notification events of the reminders (one per stage, so each text is translatable).
STAGE_EVENTS = {
    StageKind.REGISTRATION: "promotion.campaign.registration_due",
    StageKind.SUBMISSION: "promotion.campaign.submission_due",
    StageKind.RECOMMENDATION: "promotion.campaign.recommendation_due",
    StageKind.EVALUATION: "promotion.campaign.evaluation_due",
}
CORRECTION_EVENT = "evaluation.submission.correction_due"
IMPROVEMENT_EVENT = "promotion.improvement.overdue"
#: Overdue items are looked at for this many days after their deadline (a bounded daily run;
#: each is reminded on the first run after its deadline).
IMPROVEMENT_WINDOW_DAYS = 30

register_notice(
    STAGE_EVENTS[StageKind.REGISTRATION],
    _("提醒：“%(object)s”的活动报名将于 %(due)s 截止，贵单位尚未报名。"),
)
register_notice(
    STAGE_EVENTS[StageKind.SUBMISSION],
    _("提醒：“%(object)s”的成果申报将于 %(due)s 截止，贵单位还有未提交的成果申报（草稿或推荐单位退回）。"),
)
register_notice(
    STAGE_EVENTS[StageKind.RECOMMENDATION],
    _("提醒：“%(object)s”的成果推荐将于 %(due)s 截止，还有成果申报等待贵单位推荐。"),
)
register_notice(
    STAGE_EVENTS[StageKind.EVALUATION],
    _("提醒：“%(object)s”的成果评价将于 %(due)s 截止，还有成果申报等待资料形式审查。"),
)
register_notice(
    IMPROVEMENT_EVENT,
    _("提醒：改进事项“%(object)s”的完成期限 %(due)s 已过，请尽快完成并填写完成证据。"),
)
register_notice(
    CORRECTION_EVENT,
    _("提醒：成果申报“%(object)s”的修改截止日期为 %(due)s，请在截止前修改并重新提交。"),
)


@dataclass(frozen=True)
class Reminder:
    """One reminder to one user: its once-only ``key``, the recipient and the membership's
    organisation, the notification event and the object it is about."""

    key: str
    user_id: int
    organisation_id: int
    event: str
    entity: str
    object_id: int
    object_text: str
    due: dt.date
    url: str

    def notification(self) -> Notification:
        """The unsaved in-app notification of this reminder."""
        return Notification(
            recipient_id=self.user_id,
            organisation_id=self.organisation_id,
            event=self.event,
            entity=self.entity,
            object_id=self.object_id,
            params={
                "object": self.object_text[:200],
                "actor": "",
                "comment": "",
                "due": self.due.isoformat(),
                "url": self.url,
            },
        )


def threshold_due(days_left: int, thresholds: tuple[int, ...]) -> int | None:
    """The reminder threshold due with ``days_left`` days to a deadline, or ``None``.

    The smallest threshold not below ``days_left`` (``(3, 1)``: 3 or 2 days left → 3,
    1 or 0 → 1); ``None`` after the deadline or before the largest threshold."""
    if days_left < 0:
        return None
    eligible = [d for d in thresholds if days_left <= d]
    return min(eligible) if eligible else None


def _coordinators(role: str, organisations) -> QuerySet:
    """``(user_id, organisation_id)`` of the active memberships of ``role`` at
    ``organisations`` (a subquery of organisation ids), in user order."""
    return (
        Membership._base_manager.filter(
            role=role, is_active=True, user__is_active=True, organisation_id__in=organisations
        )
        .order_by("user_id", "organisation_id")
        .values_list("user_id", "organisation_id")
    )


def _waiting(campaign: Campaign, statuses: tuple[str, ...]) -> QuerySet:
    return Submission._base_manager.filter(campaign=campaign, status__in=statuses)


def registration_recipients(campaign: Campaign) -> QuerySet:
    """活动报名: coordinators of enterprises in the association's share not yet signed up
    (seed 003 §二.1); none for the national association's campaign; at most
    :data:`REGISTRATION_REMINDER_CAP`."""
    if campaign.organisation.kind == OrganisationKind.NATIONAL_ASSOCIATION:
        return Membership._base_manager.none().values_list("user_id", "organisation_id")
    signed_up = CampaignEntry._base_manager.filter(campaign=campaign, organisation=OuterRef("pk"))
    enterprises = (
        Organisation._base_manager.filter(
            pk__in=visible_organisations(campaign.organisation), kind=OrganisationKind.ENTERPRISE
        )
        .exclude(Exists(signed_up))
        .values("pk")
    )
    return _coordinators(Role.ENTERPRISE_COORDINATOR, enterprises)[:REGISTRATION_REMINDER_CAP]


def submission_recipients(campaign: Campaign) -> QuerySet:
    """成果申报: coordinators of enterprises with drafts or results returned by their unit."""
    waiting = _waiting(campaign, (SubmissionStatus.DRAFT, SubmissionStatus.UNIT_RETURNED))
    return _coordinators(Role.ENTERPRISE_COORDINATOR, waiting.values("organisation_id"))


def recommendation_recipients(campaign: Campaign) -> QuerySet:
    """成果推荐: coordinators of recommending units with results waiting for them."""
    waiting = _waiting(campaign, (SubmissionStatus.SUBMITTED,))
    return _coordinators(Role.UNIT_COORDINATOR, waiting.values("recommending_unit_id"))


def evaluation_recipients(campaign: Campaign) -> QuerySet:
    """成果评价: staff of the associations with results waiting for formal review."""
    waiting = _waiting(campaign, (SubmissionStatus.UNIT_RECOMMENDED,))
    return _coordinators(Role.ASSOCIATION_STAFF, waiting.values("recommending_association_id"))


#: Who must act before the end of each stage (rule R-PT-21).
STAGE_RECIPIENTS: dict[str, Callable[[Campaign], QuerySet]] = {
    StageKind.REGISTRATION: registration_recipients,
    StageKind.SUBMISSION: submission_recipients,
    StageKind.RECOMMENDATION: recommendation_recipients,
    StageKind.EVALUATION: evaluation_recipients,
}


def stage_reminders(*, today: dt.date) -> list[Reminder]:
    """The stage-deadline reminders due ``today`` (rule R-PT-21).

    Inputs: the day (Asia/Shanghai). Output: one :class:`Reminder` per stage ending within
    the largest threshold and user who must act in it (a user with several such
    memberships gets one). Queries: one for the stages, one per such stage for its
    recipients (the stages ending in the next days, a handful).
    """
    horizon = today + dt.timedelta(days=max(STAGE_REMINDER_DAYS))
    stages = (
        CampaignStage.objects.filter(
            campaign__status=CampaignStatus.OPEN,
            kind__in=list(STAGE_RECIPIENTS),
            ends_on__range=(today, horizon),
        )
        .select_related("campaign", "campaign__organisation")
        .order_by("ends_on", "pk")
    )
    reminders = []
    for stage in stages:
        days = threshold_due((stage.ends_on - today).days, STAGE_REMINDER_DAYS)
        if days is None:
            continue
        campaign = stage.campaign
        url = reverse("promotion:campaign-detail", args=[campaign.code])
        seen: set[int] = set()
        for user_id, organisation_id in STAGE_RECIPIENTS[stage.kind](campaign):
            if user_id in seen:
                continue
            seen.add(user_id)
            reminders.append(
                Reminder(
                    key=f"stage:{campaign.code}:{stage.kind}:{days}d:user{user_id}",
                    user_id=user_id,
                    organisation_id=organisation_id,
                    event=STAGE_EVENTS[stage.kind],
                    entity="promotion.campaign",
                    object_id=campaign.pk,
                    object_text=str(campaign),
                    due=stage.ends_on,
                    url=url,
                )
            )
    return reminders


def correction_reminders(*, today: dt.date) -> list[Reminder]:
    """The correction-deadline reminders due ``today`` (rule R-PT-23; seed 003 §二.4).

    Inputs: the day. Output: one :class:`Reminder` per result returned for correction
    (形式审查退回修改) whose ``correction_due`` is 2 days away or today, and coordinator of
    its enterprise. Two queries: the results, their enterprises' coordinators.
    """
    horizon = today + dt.timedelta(days=max(CORRECTION_REMINDER_DAYS))
    submissions = list(
        Submission._base_manager.filter(
            status=SubmissionStatus.RETURNED, correction_due__range=(today, horizon)
        )
        .select_related("circle", "project")
        .order_by("correction_due", "pk")
    )
    coordinators: dict[int, list[int]] = {}
    for user_id, organisation_id in _coordinators(
        Role.ENTERPRISE_COORDINATOR, {s.organisation_id for s in submissions}
    ):
        coordinators.setdefault(organisation_id, []).append(user_id)
    reminders = []
    for submission in submissions:
        days = threshold_due((submission.correction_due - today).days, CORRECTION_REMINDER_DAYS)
        if days is None:
            continue
        url = reverse("evaluation:submission-detail", args=[submission.pk])
        for user_id in coordinators.get(submission.organisation_id, ()):
            reminders.append(
                Reminder(
                    key=(
                        f"correction:{submission.pk}:{submission.correction_due.isoformat()}:"
                        f"{days}d:user{user_id}"
                    ),
                    user_id=user_id,
                    organisation_id=submission.organisation_id,
                    event=CORRECTION_EVENT,
                    entity="evaluation.submission",
                    object_id=submission.pk,
                    object_text=str(submission),
                    due=submission.correction_due,
                    url=url,
                )
            )
    return reminders


def improvement_reminders(*, today: dt.date) -> list[Reminder]:
    """One reminder to the owner of each improvement item past its deadline and neither done
    nor cancelled (issue 11 item 6, rule R-IM-02), within :data:`IMPROVEMENT_WINDOW_DAYS` of
    its deadline; the key holds the deadline, so an item given a new deadline is reminded
    again once that one passes."""
    from promotion.models import ImprovementItem
    from promotion.reviews import PENDING

    items = ImprovementItem._base_manager.filter(
        status__in=PENDING,
        deadline__lt=today,
        deadline__gte=today - dt.timedelta(days=IMPROVEMENT_WINDOW_DAYS),
    ).only("pk", "title", "owner_id", "organisation_id", "deadline")
    return [
        Reminder(
            key=f"improvement:{item.pk}:{item.deadline.isoformat()}:user{item.owner_id}",
            user_id=item.owner_id,
            organisation_id=item.organisation_id,
            event=IMPROVEMENT_EVENT,
            entity="promotion.improvement",
            object_id=item.pk,
            object_text=item.title,
            due=item.deadline,
            url=reverse("promotion:improvement-detail", args=[item.pk]),
        )
        for item in items.iterator()
    ]


def reminders_send(*, today: dt.date | None = None) -> int:
    """Send the reminders due ``today`` (default: today in Asia/Shanghai) that were not sent
    before; output: the number of notifications created.

    One transaction: the :class:`~qcportal.models.ReminderLog` keys are inserted with
    ``ON CONFLICT DO NOTHING`` and only the keys inserted now get their in-app notification,
    so running it twice (beat restarted, two beats) sends each reminder once (R-PT-22).
    E-mails follow per the recipients' preference after commit (R-PT-20). System work across
    every tenant, hence ``no_tenant``.
    """
    today = today or timezone.localdate()
    with no_tenant(), transaction.atomic():
        reminders = (
            stage_reminders(today=today)
            + correction_reminders(today=today)
            + improvement_reminders(today=today)
        )
        recorded = reminders_record(r.key for r in reminders)
        rows = [r.notification() for r in reminders if r.key in recorded]
        notifications_create(rows)
    return len(rows)
