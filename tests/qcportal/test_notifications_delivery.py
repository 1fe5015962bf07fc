"""Notification delivery (issue 7 item 9 and the notifications API of item 11): e-mail after
commit per the user's preference (R-PT-20), deadline reminders sent once (R-PT-21–23), the
preference page and the notifications API (R-PT-25)."""

import datetime as dt

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from circles.choices import CircleStatus
from circles.models import Circle, CircleMember
from evaluation.choices import SubmissionStatus
from evaluation.models import Submission
from evaluation.reminders import reminders_send, threshold_due
from evaluation.tasks import reminders_send_task
from promotion.choices import CampaignStatus, StageKind
from promotion.models import Campaign, CampaignStage
from qcportal.models import Membership, Notification, ReminderLog, User
from qcportal.tenancy import membership_scope, no_tenant
from qcportal.workflow import WORKFLOWS, notice_text, notify
from reports import summaries

pytestmark = pytest.mark.django_db


def _set(user, *, email="", by_email=True):
    User.objects.filter(pk=user.pk).update(email=email, notify_by_email=by_email)


def _membership(user):
    return Membership._base_manager.select_related("organisation", "user").get(user=user)


def _pending_circle(network):
    """Circle c1 of E1 back in 待注册审核, with three linked members: the leader (wants
    e-mail), one who chose 仅站内通知, one without an address."""
    users = network.users
    c1 = network.circles[0]
    with no_tenant():
        Circle._base_manager.filter(pk=c1.pk).update(status=CircleStatus.PENDING)
        others = list(CircleMember._base_manager.filter(circle=c1).exclude(user=users.e1_leader)[:2])
        CircleMember._base_manager.filter(pk=others[0].pk).update(user=users.e1_exec)
        CircleMember._base_manager.filter(pk=others[1].pk).update(user=users.e4_coord)
    _set(users.e1_leader, email="leader@e1.example.cn")
    _set(users.e1_exec, email="exec@e1.example.cn", by_email=False)
    _set(users.e4_coord, email="")
    return c1


def test_rule_email_after_commit_only_for_users_who_want_it(network, django_capture_on_commit_callbacks):
    """R-PT-20 (issue 7 item 9): a transition's notifications are e-mailed after commit, only
    to recipients with 「邮件和站内通知」 and an address, with the reason and an absolute link."""
    c1 = _pending_circle(network)
    member = _membership(network.users.e1_coord)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with membership_scope(member):
            WORKFLOWS["circles.circle"].perform(c1, "return", membership=member, comment="组员名单不完整")
        assert mail.outbox == []  # nothing before the commit
    # one e-mail callback (besides the statistics summary's refresh, reports.summaries, and the
    # cache generations bumped again at commit, qcportal.cache.generation_bump)
    others = [
        c
        for c in callbacks
        if not isinstance(c, summaries._Marked)
        and not getattr(c, "__qualname__", "").startswith("generation_bump")
    ]
    assert len(others) == 1
    assert Notification.objects.filter(event="circles.circle.returned").count() == 3
    assert [m.to for m in mail.outbox] == [["leader@e1.example.cn"]]
    message = mail.outbox[0]
    assert message.subject.startswith("质量管理小组活动管理平台：")
    assert "组员名单不完整" in message.body
    assert f"https://qc.example.cn{reverse('circles:circle-detail', args=[c1.pk])}" in message.body


def test_rule_no_email_when_the_transaction_rolls_back(network, django_capture_on_commit_callbacks):
    """R-PT-20: a rolled-back transaction sends nothing (the e-mail waits for on_commit)."""
    users = network.users
    _set(users.e1_coord, email="coord@e1.example.cn")
    member = _membership(users.e1_leader)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                notify(
                    entity="circles.circle",
                    verb="resubmitted",
                    obj=network.circles[0],
                    recipients=[(users.e1_coord.pk, network.e1.pk)],
                    membership=member,
                )
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass
    assert callbacks == []
    assert mail.outbox == []
    assert not Notification.objects.filter(recipient=users.e1_coord).exists()


def test_rule_mail_failure_is_logged_not_raised(
    network, django_capture_on_commit_callbacks, settings, caplog
):
    """R-PT-20: a mail server failure never reaches the user: the transition stands."""
    settings.EMAIL_BACKEND = "tests.qcportal.test_notifications_delivery.BrokenBackend"
    c1 = _pending_circle(network)
    member = _membership(network.users.e1_coord)
    with django_capture_on_commit_callbacks(execute=True), membership_scope(member):
        WORKFLOWS["circles.circle"].perform(c1, "return", membership=member, comment="请补充")
    with no_tenant():
        assert Circle._base_manager.get(pk=c1.pk).status == CircleStatus.RETURNED
    assert "could not e-mail notification" in caplog.text


class BrokenBackend:
    """An e-mail backend whose server is down."""

    def __init__(self, *args, **kwargs):
        pass

    def open(self):
        return True

    def close(self):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("smtp down")


# --- reminders ----------------------------------------------------------------------------
def _stage(campaign, kind, ends_on):
    CampaignStage.objects.create(
        campaign=campaign, kind=kind, starts_on=ends_on - dt.timedelta(days=20), ends_on=ends_on
    )


def _reminder_setup(network, today):
    """CAQ-T open with 成果申报 ending in 3 days (s1 a draft of E1), 成果推荐 in 1 day (s5
    waiting at RU3), 成果评价 in 2 days (s2 waiting for PA's formal review); PB-T open with
    活动报名 ending in 1 day (E4 not signed up); s6 returned for correction due in 2 days."""
    s1, s2, _s3, _s4, s5, s6 = network.submissions
    users = network.users
    with no_tenant():
        Campaign._base_manager.filter(pk__in=[network.campaign.pk, network.campaign_pb.pk]).update(
            status=CampaignStatus.OPEN
        )
        _stage(network.campaign, StageKind.SUBMISSION, today + dt.timedelta(days=3))
        _stage(network.campaign, StageKind.RECOMMENDATION, today + dt.timedelta(days=1))
        _stage(network.campaign, StageKind.EVALUATION, today + dt.timedelta(days=2))
        _stage(network.campaign_pb, StageKind.REGISTRATION, today + dt.timedelta(days=1))
        Submission._base_manager.filter(pk=s1.pk).update(status=SubmissionStatus.DRAFT)
        Submission._base_manager.filter(pk=s5.pk).update(status=SubmissionStatus.SUBMITTED)
        Submission._base_manager.filter(pk=s2.pk).update(status=SubmissionStatus.UNIT_RECOMMENDED)
        Submission._base_manager.filter(pk=s6.pk).update(
            status=SubmissionStatus.RETURNED, correction_due=today + dt.timedelta(days=2)
        )
    for user in (users.e1_coord, users.ru3_coord, users.e4_coord):
        _set(user, email=f"{user.username}@example.cn")
    _set(users.pa_staff, email="pa_staff@example.cn", by_email=False)


def _reminders():
    return Notification.objects.filter(event__endswith="_due")


def test_each_reminder_sent_once_across_two_beat_runs(network, django_capture_on_commit_callbacks):
    """R-PT-21, R-PT-22 (issue 7 item 9): the beat task run twice (or restarted) sends each
    stage and correction reminder once, in-app to everyone who must act and by e-mail to
    those who chose it."""
    today = timezone.localdate()
    _reminder_setup(network, today)
    users = network.users
    with django_capture_on_commit_callbacks(execute=True):
        reminders_send_task.delay()
    first = sorted((n.recipient.username, n.event) for n in _reminders().select_related("recipient"))
    assert first == [
        ("e1_coord", "evaluation.submission.correction_due"),
        ("e1_coord", "promotion.campaign.submission_due"),
        ("e4_coord", "promotion.campaign.registration_due"),
        ("pa_staff", "promotion.campaign.evaluation_due"),
        ("ru3_coord", "promotion.campaign.recommendation_due"),
    ]
    assert sorted(m.to[0] for m in mail.outbox) == [
        "e1_coord@example.cn",
        "e1_coord@example.cn",
        "e4_coord@example.cn",
        "ru3_coord@example.cn",
    ]
    assert ReminderLog.objects.filter(key=f"stage:CAQ-T:submission:3d:user{users.e1_coord.pk}").exists()
    with django_capture_on_commit_callbacks(execute=True):
        reminders_send_task.delay()
        assert reminders_send(today=today) == 0
    assert _reminders().count() == 5
    assert len(mail.outbox) == 4
    text = notice_text(_reminders().get(event="promotion.campaign.recommendation_due"))
    assert (today + dt.timedelta(days=1)).isoformat() in text
    assert "成果推荐" in text


def test_stage_reminder_thresholds_catch_up_a_missed_day(network):
    """R-PT-21: 3 days and 1 day before the stage's end; a run that missed the exact day still
    sends the reminder of its threshold, and the next threshold sends a new one."""
    assert [threshold_due(d, (3, 1)) for d in (5, 4, 3, 2, 1, 0, -1)] == [None, None, 3, 3, 1, 1, None]
    assert [threshold_due(d, (2, 0)) for d in (3, 2, 1, 0, -1)] == [None, 2, 2, 0, None]
    today = timezone.localdate()
    _reminder_setup(network, today)
    reminders_send(today=today)
    stage = _reminders().filter(event="promotion.campaign.submission_due")
    assert stage.count() == 1
    reminders_send(today=today + dt.timedelta(days=1))  # 2 days left: the 3-day reminder was sent
    assert stage.count() == 1
    reminders_send(today=today + dt.timedelta(days=2))  # 1 day left
    assert stage.count() == 2


def test_rule_correction_deadline_reminder_two_days_before_and_on_the_last_day(
    network, django_capture_on_commit_callbacks
):
    """R-PT-23 (seed 003 §二.4, issue 7 item 9): a result returned for correction reminds the
    enterprise's coordinators 2 days before its deadline and on the last day, linking to it."""
    today = timezone.localdate()
    s6 = network.submissions[5]
    with no_tenant():
        Submission._base_manager.filter(pk=s6.pk).update(
            status=SubmissionStatus.RETURNED, correction_due=today + dt.timedelta(days=2)
        )
    _set(network.users.e1_coord, email="coord@e1.example.cn")
    corrections = Notification.objects.filter(event="evaluation.submission.correction_due")
    with django_capture_on_commit_callbacks(execute=True):
        reminders_send(today=today)
        reminders_send(today=today + dt.timedelta(days=1))
    assert corrections.count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        reminders_send(today=today + dt.timedelta(days=2))
        reminders_send(today=today + dt.timedelta(days=3))  # past the deadline: nothing
    assert corrections.count() == 2
    assert {n.recipient_id for n in corrections} == {network.users.e1_coord.pk}
    assert corrections.first().params["url"] == reverse("evaluation:submission-detail", args=[s6.pk])
    assert len(mail.outbox) == 2
    assert (today + dt.timedelta(days=2)).isoformat() in mail.outbox[0].body
    assert ReminderLog.objects.filter(
        key=f"correction:{s6.pk}:{(today + dt.timedelta(days=2)).isoformat()}:0d:user{network.users.e1_coord.pk}"
    ).exists()


# --- preferences ----------------------------------------------------------------------------
def test_preferences_page_sets_email_or_site_only(network, login):
    """Issue 7 item 9: the user chooses 「邮件和站内通知」 or 「仅站内通知」 on the preference
    page, reachable from the notifications page and the user menu."""
    client = login(network.users.e1_coord)
    listing = client.get(reverse("notification-list")).content.decode()
    assert reverse("notification-preferences") in listing
    page = client.get(reverse("notification-preferences")).content.decode()
    assert "邮件和站内通知" in page and "仅站内通知" in page
    response = client.post(reverse("notification-preferences"), {"channel": "site"})
    assert response.status_code == 302
    assert User.objects.get(pk=network.users.e1_coord.pk).notify_by_email is False
    response = client.post(reverse("notification-preferences"), {"channel": "fax"})
    assert response.status_code == 200
    assert "请选择“邮件和站内通知”或“仅站内通知”" in response.content.decode()
    client.post(reverse("notification-preferences"), {"channel": "email"})
    assert User.objects.get(pk=network.users.e1_coord.pk).notify_by_email is True


def test_preferences_api_get_patch_and_400_shape(network, login):
    """Issue 7 item 11: GET/PATCH /api/v1/notifications/preferences/; bad input answers 400
    with the stable {"detail", "errors"} shape."""
    client = login(network.users.e1_coord)
    url = "/api/v1/notifications/preferences/"
    assert client.get(url).json() == {
        "notify_by_email": True,
        "channel": "email",
        "channel_display": "邮件和站内通知",
    }
    response = client.patch(url, {"notify_by_email": False}, content_type="application/json")
    assert response.status_code == 200
    assert response.json()["channel"] == "site"
    assert User.objects.get(pk=network.users.e1_coord.pk).notify_by_email is False
    bad = client.patch(url, {"notify_by_email": "maybe"}, content_type="application/json")
    assert bad.status_code == 400
    assert set(bad.json()) == {"detail", "errors"}
    assert "notify_by_email" in bad.json()["errors"]
    assert client.patch(url, {}, content_type="application/json").status_code == 400


# --- notifications API ------------------------------------------------------------------------
def _notice(user, org, object_id=1):
    return Notification.objects.create(
        recipient=user,
        organisation=org,
        event="circles.circle.returned",
        entity="circles.circle",
        object_id=object_id,
        params={"object": "甲攻关QC小组", "actor": "测试", "comment": "", "url": "/circles/1/"},
    )


def test_notifications_api_lists_only_own_newest_first(network, login, django_assert_max_num_queries):
    """Issue 7 item 11: GET /api/v1/notifications/ lists the user's own notifications, newest
    first, with the text in the active language and the object."""
    users = network.users
    older = _notice(users.e1_coord, network.e1, 1)
    newer = _notice(users.e1_coord, network.e1, 2)
    _notice(users.e4_coord, network.e4, 3)
    client = login(users.e1_coord)
    with django_assert_max_num_queries(12):
        body = client.get("/api/v1/notifications/").json()
    assert [r["id"] for r in body["results"]] == [newer.pk, older.pk]
    first = body["results"][0]
    assert first["text"] == "QC小组“甲攻关QC小组”的注册申请被退回（测试）。"
    assert first["url"] == "/circles/1/"
    assert (first["entity"], first["object_id"], first["read_at"]) == ("circles.circle", 2, None)


def test_notifications_api_read_and_read_all_isolated(network, login):
    """Issue 7 item 11: POST {id}/read/ marks the user's own notification read; another
    user's answers 404 and stays unread; POST read-all/ marks all the user's own."""
    users = network.users
    mine = _notice(users.e1_coord, network.e1)
    mine2 = _notice(users.e1_coord, network.e1)
    theirs = _notice(users.e4_coord, network.e4)
    client = login(users.e1_coord)
    response = client.post(f"/api/v1/notifications/{mine.pk}/read/")
    assert response.status_code == 200 and response.json()["read_at"]
    assert client.post(f"/api/v1/notifications/{theirs.pk}/read/").status_code == 404
    assert client.post("/api/v1/notifications/nope/read/").status_code == 404
    assert Notification.objects.get(pk=theirs.pk).read_at is None
    assert client.post("/api/v1/notifications/read-all/").json() == {"marked": 1}
    assert Notification.objects.get(pk=mine2.pk).read_at is not None
    assert Notification.objects.get(pk=theirs.pk).read_at is None
