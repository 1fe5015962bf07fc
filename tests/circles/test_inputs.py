"""No input reaches a server error (issue 6, "what holds across every issue"): malformed,
over-long, NUL-bearing or impossible values sent to every circles endpoint and form get a
clear Chinese 400 (API: ``{"detail", "errors"}``), never a 500; simultaneous identical
requests leave one effect; list pages and endpoints stay within a query budget."""

import datetime as dt
import threading

import pytest
from django.db import connection
from django.urls import reverse

from circles import services
from circles.choices import ProjectStatus
from circles.models import Circle, Project
from qcportal.models import Membership, WorkflowLog
from qcportal.tenancy import membership_scope, no_tenant

from .. import factories as f

pytestmark = pytest.mark.django_db

BAD_TEXT = ["坏\x00字符", "x" * 6000, "\x07响铃", ["列表"], {"键": "值"}]
BAD_DATES = ["2026-02-30", "99999-01-01", "昨天", "", None, 20260101]
BAD_CHOICES = ["fly", "", None, ["problem_solving"]]
BAD_NUMBERS = ["1e400", "NaN", "-1", "abc", "99999999999999999", None]


def _cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def _payloads(network):
    circle = network.circles[0].pk
    members = [{"name": "组长", "role": "leader"}]
    for value in BAD_TEXT:
        yield "post", "/api/v1/circles/", {"name": value, "members": members}
        yield "post", "/api/v1/circles/", {"name": "好名", "members": [{"name": value, "role": "leader"}]}
        yield "patch", f"/api/v1/circles/{circle}/", {"department": value}
        yield "post", "/api/v1/projects/", {"circle": circle, "title": value, "project_type": "innovation"}
        yield (
            "post",
            "/api/v1/projects/",
            {"circle": circle, "title": "题", "project_type": "innovation", "reasons": value},
        )
    for value in BAD_CHOICES:
        yield "post", "/api/v1/circles/", {"name": "好名", "members": [{"name": "甲", "role": value}]}
        yield "post", "/api/v1/projects/", {"circle": circle, "title": "题", "project_type": value}
    for value in (d for d in BAD_DATES if d not in ("", None)):  # an empty planned date is allowed
        yield (
            "post",
            "/api/v1/projects/",
            {"circle": circle, "title": "题", "project_type": "innovation", "planned_end": value},
        )
    yield "post", "/api/v1/circles/", {"name": "好名", "members": "不是列表"}
    yield (
        "post",
        "/api/v1/circles/",
        {"name": "好名", "members": [{"name": f"人{i}", "role": "member"} for i in range(80)]},
    )
    yield "post", "/api/v1/circles/", {"name": "好名", "registration_year": 1900, "members": members}
    yield "post", "/api/v1/projects/", {"circle": "abc", "title": "题", "project_type": "innovation"}
    yield "post", "/api/v1/projects/", {"circle": 10**12, "title": "题", "project_type": "innovation"}


@pytest.mark.parametrize("username", ["e1_coord", "e1_leader"])
def test_malformed_api_input_answers_a_chinese_400(api, network, username):
    client = api(username)
    for method, url, body in _payloads(network):
        response = getattr(client, method)(url, body, format="json")
        assert response.status_code in (400, 403, 404), (method, url, body, response.status_code)
        if response.status_code == 400:
            payload = response.json()
            assert set(payload) == {"detail", "errors"}, payload
            assert _cjk(payload["detail"]), (url, body, payload)


def test_malformed_record_and_transition_input(api, network):
    with no_tenant():
        project = f.ProjectFactory(circle=network.circles[0], status=ProjectStatus.IN_PROGRESS)
    leader = api("e1_leader")
    base = {"project": project.pk, "step": "select_topic", "held_on": "2026-01-05", "content": "活动"}
    cases = [
        *({**base, "held_on": d} for d in BAD_DATES),
        *({**base, "step": s} for s in BAD_CHOICES),
        *({**base, "content": t} for t in BAD_TEXT),
        {**base, "tools": ["不存在的方法"]},
        {**base, "tools": "排列图"},
        {**base, "participants": [10**12]},
        {**base, "participants": ["x"]},
        {**base, "data_after": "不需要"},
        {**base, "held_on": (dt.date.today() + dt.timedelta(days=3)).isoformat()},
    ]
    for body in cases:
        response = leader.post("/api/v1/activity-records/", body, format="json")
        assert response.status_code == 400, (body, response.status_code)
        assert _cjk(response.json()["detail"]), (body, response.json())
    with no_tenant():
        completed = f.ProjectFactory(
            circle=network.circles[0], status=ProjectStatus.COMPLETED, economic_benefit=1
        )
    coord = api("e1_coord")
    url = f"/api/v1/projects/{completed.pk}/transitions/"
    for value in BAD_NUMBERS:
        body = {"transition": "accept", "achieved_value": "1", "economic_benefit": value}
        response = coord.post(url, body, format="json")
        assert response.status_code == 400, (value, response.status_code)
        assert _cjk(response.json()["detail"])
    for value in BAD_DATES:
        body = {
            "transition": "accept",
            "achieved_value": "1",
            "economic_benefit": "1",
            "benefit_confirmed": True,
            "benefit_confirmed_by": "财务",
            "benefit_confirmed_on": value,
        }
        assert coord.post(url, body, format="json").status_code == 400
    for body in (
        {"transition": ["accept"]},
        {"transition": None},
        {"transition": "accept", "comment": ["x"]},
    ):
        assert coord.post(url, body, format="json").status_code == 400


@pytest.mark.parametrize(
    "route, data",
    [
        ("circles:circle-create", {"name": "坏\x00", "registration_year": "abc", "members-TOTAL_FORMS": "x"}),
        (
            "circles:circle-create",
            {"name": "好", "registration_year": "2026", "members-TOTAL_FORMS": "999999"},
        ),
        ("circles:import", {}),
    ],
)
def test_malformed_form_input_never_errors(login, network, route, data):
    response = login(network.users.e1_coord).post(reverse(route), data)
    assert response.status_code in (400, 403), response.status_code


def test_malformed_page_forms_for_projects_and_records(login, network):
    circle = network.circles[0]
    leader = login(network.users.e1_leader)
    for data in (
        {"title": "x" * 500, "project_type": "innovation", "reasons": "r"},
        {"title": "题", "project_type": "fly", "reasons": "r"},
        {"title": "题", "project_type": "innovation", "reasons": "r", "planned_start": "2026-13-01"},
        {
            "title": "题",
            "project_type": "innovation",
            "reasons": "r",
            "planned_start": "2026-05-01",
            "planned_end": "2026-01-01",
        },
    ):
        assert leader.post(reverse("circles:project-apply", args=[circle.pk]), data).status_code == 400
    with no_tenant():
        project = f.ProjectFactory(circle=circle, status=ProjectStatus.IN_PROGRESS)
    for data in (
        {"step": "survey", "held_on": "2026-02-30", "content": "c"},
        {"step": "nope", "held_on": "2026-01-01", "content": "c"},
        {"step": "survey", "held_on": "2026-01-01", "content": "c", "participants": ["999999"]},
    ):
        assert leader.post(reverse("circles:record-create", args=[project.pk]), data).status_code == 400


@pytest.mark.django_db(transaction=True)
def test_simultaneous_identical_transitions_leave_one_effect(committed_network):
    """Five coordinators' browsers approve the same application at the same moment: one
    approval (one history row, one registration number), four clear refusals."""
    network = committed_network
    assert connection.vendor == "postgresql", "the suite runs on PostgreSQL (make test provides it)"
    with no_tenant():
        project = f.ProjectFactory(circle=network.circles[0], status=ProjectStatus.APPLIED)
        coord = Membership.objects.select_related("organisation", "user").get(user=network.users.e1_coord)
    barrier, results = threading.Barrier(5), []

    def approve():
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            with membership_scope(coord):
                services.transition(membership=coord, obj=project, name="approve")
            results.append("ok")
        except Exception as exc:  # noqa: BLE001  (the refusals are what we count)
            results.append(" ".join(getattr(exc, "messages", [str(exc)])))
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=approve) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results.count("ok") == 1, results
    assert all(
        "当前状态" in r or "刚刚已被他人处理" in r or "无需重复操作" in r for r in results if r != "ok"
    ), results
    with no_tenant():
        assert WorkflowLog.objects.filter(entity="circles.project", object_id=project.pk).count() == 1
        assert Project.objects.get(pk=project.pk).status == ProjectStatus.REGISTERED


@pytest.mark.django_db(transaction=True)
def test_simultaneous_registrations_get_distinct_numbers(committed_network):
    """Ten circles registered at the same moment get ten distinct numbers (R-S1-04)."""
    network = committed_network
    assert connection.vendor == "postgresql", "the suite runs on PostgreSQL (make test provides it)"
    with no_tenant():
        coord = Membership.objects.select_related("organisation", "user").get(user=network.users.e1_coord)
    barrier, numbers = threading.Barrier(10), []

    def register(n):
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            with membership_scope(coord):
                circle = services.circle_register(
                    membership=coord, name=f"并发{n}QC小组", members=[{"name": "组长", "role": "leader"}]
                ).obj
            numbers.append(circle.registration_number)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=register, args=(n,)) for n in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(numbers) == 10 and len(set(numbers)) == 10, numbers
    with no_tenant():
        assert Circle.objects.filter(name__startswith="并发").count() == 10


@pytest.mark.parametrize(
    "url",
    [
        "/circles/",
        "/projects/",
        "/records/",
        "/api/v1/circles/",
        "/api/v1/projects/",
        "/api/v1/activity-records/",
    ],
)
def test_lists_have_a_query_budget_independent_of_rows(login, network, url, django_assert_max_num_queries):
    """No N+1: 40 more circles with projects and records do not add queries to a page."""
    client = login(network.users.e1_coord)
    client.get(url)
    with no_tenant():
        for _ in range(40):
            circle = f.CircleFactory(organisation=network.e1, members=4)
            project = f.ProjectFactory(circle=circle)
            f.ActivityRecordFactory(project=project)
    with django_assert_max_num_queries(14):
        response = client.get(url)
    assert response.status_code == 200
