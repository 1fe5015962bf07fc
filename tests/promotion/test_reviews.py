"""The yearly evaluation and the improvement list (issue 11 item 6; seed 001 §9.1.1, §9.2):
the management layer writes the evaluation (R-IM-01; an association's fills its Annex 2 where
empty), items get an owner who is a member, a deadline and evidence (R-IM-03), overdue items
stand on the owner's to-do list and the owner is reminded once (R-IM-02); pages and API."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from evaluation.reminders import IMPROVEMENT_EVENT, reminders_send
from promotion.choices import ImprovementStatus
from promotion.models import ImprovementItem
from promotion.reviews import improvement_save, is_overdue, review_save
from promotion.workflow import IMPROVEMENT_WORKFLOW
from qcportal.models import Membership, Notification
from qcportal.tenancy import membership_scope, no_tenant
from qcportal.todos import todos_for

pytestmark = pytest.mark.django_db


def membership(user) -> Membership:
    with no_tenant():
        return Membership.objects.select_related("organisation", "user").get(user=user)


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def item(network, *, owner=None, deadline=None, **extra) -> ImprovementItem:
    coord = membership(network.users.e1_coord)
    with membership_scope(coord):
        return improvement_save(
            membership=coord,
            data={
                "title": "完善课题注册审核流程",
                "description": "立项审核平均用时过长。",
                "owner": owner or network.users.e1_leader,
                "deadline": deadline or timezone.localdate() + dt.timedelta(days=30),
                **extra,
            },
        )


def test_the_management_layer_writes_the_evaluation(network):
    coord = membership(network.users.e1_coord)
    year = timezone.localdate().year
    with membership_scope(coord):
        review = review_save(
            membership=coord, year=year, data={"results": "注册小组增加三成。", "problems": "课题选题偏小。"}
        )
        again = review_save(membership=coord, year=year, data={"directions": "加强选题指导。"})
    assert (
        again.pk == review.pk
        and again.results == "注册小组增加三成。"
        and again.directions == "加强选题指导。"
    )
    with membership_scope(coord), pytest.raises(ValidationError):
        review_save(membership=coord, year=year, data={"results": "字" * 5001})
    with membership_scope(coord), pytest.raises(ValidationError):
        review_save(membership=coord, year=1999, data={})
    for user in (network.users.e1_exec, network.users.e1_leader):
        acting = membership(user)
        with membership_scope(acting), pytest.raises(PermissionDenied):
            review_save(membership=acting, year=year, data={"results": "x"})


def test_an_associations_evaluation_fills_its_empty_annex2_points(network, login):
    """R-IM-01: PA's evaluation of the campaign's year fills 一(一), 三(一), 三(二) of its Annex 2
    editor where they are empty; a point it already wrote is kept."""
    staff = membership(network.users.pa_staff)
    year = network.campaign.year
    with membership_scope(staff):
        review_save(
            membership=staff,
            year=year,
            data={
                "results": "全省注册小组一万个。",
                "problems": "行业发展不平衡。",
                "directions": "加强中小企业辅导。",
            },
        )
    client = login(network.users.pa_staff)
    url = reverse("reports:work-summary", kwargs={"code": network.campaign.code, "kind": "annual"})
    client.post(url, {"issues_problems": "已写好的问题。"})
    body = client.get(url).content.decode()
    assert "全省注册小组一万个。" in body and "加强中小企业辅导。" in body
    assert "已写好的问题。" in body and "行业发展不平衡。" not in body
    assert 'data-testid="from-review"' in body


def test_items_need_a_member_as_owner_and_a_deadline(network):
    coord = membership(network.users.e1_coord)
    with membership_scope(coord), pytest.raises(ValidationError) as refused:
        improvement_save(
            membership=coord,
            data={"title": "", "owner": network.users.e4_coord, "deadline": dt.date(1999, 1, 1)},
        )
    assert set(refused.value.message_dict) == {"title", "owner", "deadline"}
    leader = membership(network.users.e1_leader)
    with membership_scope(leader), pytest.raises(PermissionDenied):
        improvement_save(
            membership=leader,
            data={"title": "x", "owner": network.users.e1_leader, "deadline": timezone.localdate()},
        )


def test_the_owner_completes_with_evidence_and_only_the_management_reopens(network):
    entry = item(network)
    leader = membership(network.users.e1_leader)
    with membership_scope(leader):
        entry = IMPROVEMENT_WORKFLOW.perform(entry, "start", membership=leader)
        with pytest.raises(ValidationError):
            IMPROVEMENT_WORKFLOW.perform(entry, "complete", membership=leader, data={})
        entry = IMPROVEMENT_WORKFLOW.perform(
            entry, "complete", membership=leader, data={"evidence": "审核用时由10天降至4天，见立项台账。"}
        )
        assert entry.status == ImprovementStatus.DONE and entry.completed_on == timezone.localdate()
        with pytest.raises(PermissionDenied):
            IMPROVEMENT_WORKFLOW.perform(entry, "reopen", membership=leader, comment="x")
    stranger = membership(network.users.e4_coord)
    with membership_scope(stranger), pytest.raises(Exception):  # noqa: B017  (not found or refused)
        IMPROVEMENT_WORKFLOW.perform(entry, "cancel", membership=stranger, comment="越权")
    coord = membership(network.users.e1_coord)
    with membership_scope(coord):
        entry = IMPROVEMENT_WORKFLOW.perform(entry, "reopen", membership=coord, comment="证据不足")
    assert entry.status == ImprovementStatus.IN_PROGRESS and entry.completed_on is None


def test_an_overdue_item_is_on_the_owners_to_do_list_and_reminded_once(network):
    """R-IM-02: the item past its deadline appears on the owner's to-do list (not on another
    member's); the daily reminders notify the owner once, however often they run; a done item
    is neither."""
    today = timezone.localdate()
    late = item(network, deadline=today - dt.timedelta(days=2))
    item(network, title="按期事项", deadline=today + dt.timedelta(days=5))
    assert is_overdue(late)
    leader = membership(network.users.e1_leader)
    with membership_scope(leader):
        todos = {str(t.label): t for t in todos_for(leader)}
    assert todos["已逾期的改进事项"].count == 1
    assert "overdue=1" in todos["已逾期的改进事项"].url
    coord = membership(network.users.e1_coord)
    with membership_scope(coord):
        assert {str(t.label): t.count for t in todos_for(coord)}.get("已逾期的改进事项", 0) == 0
    assert reminders_send(today=today) >= 1
    reminders_send(today=today)
    reminders_send(today=today + dt.timedelta(days=1))
    with no_tenant():
        sent = Notification.objects.filter(event=IMPROVEMENT_EVENT, object_id=late.pk)
        assert sent.count() == 1 and sent.get().recipient_id == network.users.e1_leader.pk
    with membership_scope(leader):
        IMPROVEMENT_WORKFLOW.perform(late, "complete", membership=leader, data={"evidence": "已完成"})
        assert {str(t.label): t.count for t in todos_for(leader)}.get("已逾期的改进事项", 0) == 0


def test_the_pages_write_the_evaluation_and_the_list(network):
    coord = client_of(network.users.e1_coord)
    year = timezone.localdate().year
    page = reverse("promotion:review", kwargs={"year": year})
    assert coord.get(reverse("promotion:review-list")).status_code == 200
    assert coord.post(page, {"results": "成效", "problems": "问题", "directions": "方向"}).status_code == 302
    body = coord.get(page).content.decode()
    assert "成效" in body and 'data-testid="add-item"' in body
    assert coord.get(reverse("promotion:review", kwargs={"year": 1990})).status_code == 404
    answer = coord.post(
        reverse("promotion:improvement-create"),
        {
            "title": "补齐活动记录",
            "owner": network.users.e1_leader.pk,
            "deadline": (timezone.localdate() - dt.timedelta(days=1)).isoformat(),
        },
    )
    assert answer.status_code == 302, answer.content.decode()[:1500]
    leader = client_of(network.users.e1_leader)
    listing = leader.get(
        reverse("promotion:improvement-list"), {"mine": "1", "overdue": "1"}
    ).content.decode()
    assert "补齐活动记录" in listing and 'data-testid="overdue"' in listing
    with no_tenant():
        entry = ImprovementItem.objects.get(title="补齐活动记录")
    detail = reverse("promotion:improvement-detail", args=[entry.pk])
    assert 'data-testid="item-overdue"' in leader.get(detail).content.decode()
    leader.post(detail, {"transition": "complete", "complete-evidence": "已补齐12条记录"})
    entry.refresh_from_db()
    assert entry.status == ImprovementStatus.DONE and entry.evidence == "已补齐12条记录"
    assert client_of(network.users.e4_coord).get(detail).status_code == 404


def test_the_api_lists_adds_and_completes(network, login):
    coord = login(network.users.e1_coord)
    created = coord.post(
        "/api/v1/improvement-items/",
        {"title": "统一成果报告模板", "owner": network.users.e1_leader.username, "deadline": "2020-01-31"},
        content_type="application/json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["overdue"] is True and body["owner"] == network.users.e1_leader.username
    bad = coord.post(
        "/api/v1/improvement-items/",
        {"title": "x", "owner": network.users.e4_coord.username, "deadline": "2020-01-31"},
        content_type="application/json",
    )
    assert bad.status_code == 400 and "owner" in bad.json()["errors"]
    leader = client_of(network.users.e1_leader)
    mine = leader.get("/api/v1/improvement-items/", {"mine": "1", "overdue": "1"}).json()["results"]
    assert [i["id"] for i in mine] == [body["id"]]
    done = leader.post(
        f"/api/v1/improvement-items/{body['id']}/transitions/",
        {"transition": "complete", "evidence": "模板已发布"},
        content_type="application/json",
    )
    assert done.status_code == 200 and done.json()["status"] == "done" and done.json()["overdue"] is False
    assert coord.get("/api/v1/improvement-items/", {"status": "bogus"}).status_code == 400
    assert (
        client_of(network.users.e4_coord).get(f"/api/v1/improvement-items/{body['id']}/").status_code == 404
    )


def test_owners_are_members_who_work_on_items_and_the_year_follows_the_evaluation(network):
    staff = membership(network.users.pa_staff)
    with membership_scope(staff):
        with pytest.raises(ValidationError) as refused:  # a judge's membership owns no item
            improvement_save(
                membership=staff,
                data={"title": "x", "owner": network.users.pa_judge, "deadline": timezone.localdate()},
            )
        assert "owner" in refused.value.message_dict
        review = review_save(membership=staff, year=2020, data={"results": "成效"})
        far = dt.date(timezone.localdate().year + 5, 12, 31)
        entry = improvement_save(
            membership=staff,
            data={"title": "跟进", "owner": network.users.pa_staff, "deadline": far, "review": review},
        )
    assert entry.year == 2020 and entry.deadline == far
