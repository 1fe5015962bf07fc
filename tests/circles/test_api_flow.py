"""The project lifecycle through the API (issue 6 contract): register a circle, apply,
return with a reason, answer, approve, record every step, comment and resolve, complete,
accept with the benefit confirmed (seed 001 §7.3–7.5; T/CAQ 10201-2020)."""

import datetime as dt

import pytest
from django.utils import timezone

from circles.choices import ProjectStatus, procedure_for
from circles.models import Circle, Project
from qcportal.tenancy import no_tenant

pytestmark = pytest.mark.django_db

MEMBERS = [
    {"name": "赵组长", "role": "leader", "position": "班长"},
    {"name": "钱一", "role": "member", "position": "操作工"},
    {"name": "孙二", "role": "member", "position": "技术员"},
    {"name": "李三", "role": "member", "position": "质检员"},
    {"name": "周四", "role": "member", "position": "操作工"},
]


def _apply(api, network, **extra):
    body = {
        "circle": network.circles[0].pk,
        "title": "降低电机壳体砂眼不良率",
        "project_type": "problem_solving",
        "target_kind": "self_set",
        "reasons": "砂眼不良率高，客户投诉多。",
        "indicator": "砂眼不良率",
        "unit": "%",
        "baseline_value": "4.2",
        "target_value": "1.5",
        "planned_start": "2026-01-05",
        "planned_end": "2026-10-30",
        **extra,
    }
    return api("e1_leader").post("/api/v1/projects/", body, format="json")


def test_coordinator_registers_a_circle_with_members(api, network):
    response = api("e1_coord").post(
        "/api/v1/circles/",
        {"name": "新建攻关QC小组", "department": "铸造车间", "members": MEMBERS},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    year = timezone.localdate().year
    assert body["status"] == "registered"
    assert body["registration_number"] == f"E1-{year}-001"
    assert [m["name"] for m in body["members"]] == [m["name"] for m in MEMBERS]
    assert body["members"][0]["role"] == "leader"
    assert body["warnings"] == []


def test_full_project_lifecycle_through_the_api(api, network):
    leader, coord = api("e1_leader"), api("e1_coord")
    response = _apply(api, network)
    assert response.status_code == 201, response.json()
    project = response.json()
    assert project["status"] == "applied"
    url = f"/api/v1/projects/{project['id']}/"
    assert coord.get(url).json()["available_transitions"] == ["approve", "return", "reject"]
    assert leader.get(url).json()["available_transitions"] == ["withdraw"]

    returned = coord.post(
        url + "transitions/", {"transition": "return", "comment": "目标值依据不足"}, format="json"
    )
    assert returned.status_code == 200 and returned.json()["status"] == "returned"
    seen = leader.get(url).json()
    assert seen["history"][-1]["comment"] == "目标值依据不足"
    assert leader.patch(url, {"target_value": "2.0"}, format="json").status_code == 200
    answered = leader.post(
        url + "transitions/", {"transition": "resubmit", "comment": "已按近三年数据调整目标"}, format="json"
    )
    assert answered.json()["status"] == "applied"
    approved = coord.post(url + "transitions/", {"transition": "approve"}, format="json")
    assert approved.status_code == 200
    assert approved.json()["status"] == "registered"
    assert approved.json()["registration_number"].startswith("E1-")

    day = dt.date.today() - dt.timedelta(days=30)
    for n, step in enumerate(procedure_for("problem_solving", "self_set")):
        data = {
            "project": project["id"],
            "step": step,
            "held_on": (day + dt.timedelta(days=n)).isoformat(),
            "content": f"开展“{step}”步骤的活动。",
            "tools": ["调查表", "排列图"],
        }
        if step == "survey":
            data["data_before"] = "砂眼不良率4.2%"
        created = leader.post("/api/v1/activity-records/", data, format="json")
        assert created.status_code == 201, created.json()
        if n == 0:
            record_id = created.json()["id"]
            assert leader.get(url).json()["status"] == "in_progress"

    comment = coord.post(
        f"/api/v1/activity-records/{record_id}/comments/", {"text": "请补充原始数据表。"}, format="json"
    )
    assert comment.status_code == 201
    blocked = leader.post(
        url + "transitions/",
        {"transition": "complete", "achieved_value": "1.3", "economic_benefit": "12.5"},
        format="json",
    )
    assert blocked.status_code == 400
    assert "检查意见" in blocked.json()["detail"]
    resolved = leader.post(
        f"/api/v1/record-comments/{comment.json()['id']}/transitions/",
        {"transition": "resolve", "comment": "已上传原始数据表"},
        format="json",
    )
    assert resolved.status_code == 200 and resolved.json()["status"] == "resolved"
    done = leader.post(
        url + "transitions/",
        {"transition": "complete", "achieved_value": "1.3", "economic_benefit": "12.5"},
        format="json",
    )
    assert done.status_code == 200, done.json()
    assert done.json()["status"] == "completed"

    refused = coord.post(
        url + "transitions/",
        {"transition": "accept", "achieved_value": "1.3", "economic_benefit": "12.5", "comment": "效果属实"},
        format="json",
    )
    assert refused.status_code == 400
    assert "DB43 §7.5.1" in refused.json()["detail"]
    accepted = coord.post(
        url + "transitions/",
        {
            "transition": "accept",
            "achieved_value": "1.3",
            "economic_benefit": "12.5",
            "benefit_confirmed": True,
            "benefit_confirmed_by": "财务部 王会计",
            "benefit_confirmed_on": dt.date.today().isoformat(),
            "comment": "效果属实",
        },
        format="json",
    )
    assert accepted.status_code == 200, accepted.json()
    body = accepted.json()
    assert body["status"] == "accepted" and body["benefit_confirmed"] and body["accepted_on"]
    assert body["available_transitions"] == []
    with no_tenant():
        assert Project.objects.get(pk=project["id"]).accepted_by == network.users.e1_coord


def test_unknown_transition_and_bad_inputs_answer_400_in_chinese(api, network):
    project = _apply(api, network).json()
    url = f"/api/v1/projects/{project['id']}/transitions/"
    coord = api("e1_coord")
    for body in (
        {"transition": "fly"},
        {},
        {"transition": "return"},
        {"transition": "return", "comment": "x" * 1001},
        {"transition": "return", "comment": "坏\x00字符"},
    ):
        response = coord.post(url, body, format="json")
        assert response.status_code == 400, (body, response.status_code)
        detail = response.json()["detail"]
        assert any("\u4e00" <= ch <= "\u9fff" for ch in detail), detail
    with no_tenant():
        assert Project.objects.get(pk=project["id"]).status == ProjectStatus.APPLIED


def test_a_second_identical_transition_is_refused_with_a_clear_answer(api, network):
    project = _apply(api, network).json()
    url = f"/api/v1/projects/{project['id']}/transitions/"
    first = api("e1_coord").post(url, {"transition": "approve"}, format="json")
    second = api("e1_coord").post(url, {"transition": "approve"}, format="json")
    assert first.status_code == 200
    assert second.status_code == 409  # a repeat: nothing changes (R-SC-31)
    assert "无需重复操作" in second.json()["detail"]
    with no_tenant():
        assert Circle.objects.count() >= 1
