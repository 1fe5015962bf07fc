"""The to-do list on the home page (待办事项) and notifications: what awaits each role now,
linking to where it is done (issue 6, item 8)."""

import pytest
from django.urls import reverse

from qcportal.models import Notification
from qcportal.tenancy import no_tenant

pytestmark = pytest.mark.django_db


def _todos(response):
    return {str(t.label): t for t in response.context["todos"]}


def test_coordinator_sees_the_application_waiting_and_is_notified(login, network, api):
    created = api("e1_leader").post(
        "/api/v1/projects/",
        {"circle": network.circles[0].pk, "title": "降低能耗", "project_type": "innovation"},
        format="json",
    )
    assert created.status_code == 201
    client = login(network.users.e1_coord)
    home = client.get(reverse("home"))
    todos = _todos(home)
    assert todos["课题立项待评审"].count == 1
    assert client.get(todos["课题立项待评审"].url).status_code == 200
    assert 'data-testid="unread"' in home.content.decode()
    with no_tenant():
        notice = Notification.objects.get(recipient=network.users.e1_coord)
    page = client.get(reverse("notification-list")).content.decode()
    assert "降低能耗" in page and "立项评审" in page
    opened = client.get(reverse("notification-open", args=[notice.pk]))
    assert opened.status_code == 302 and opened.url == f"/projects/{created.json()['id']}/"


def test_leader_sees_the_return_and_the_open_comment(login, network, api):
    project = (
        api("e1_leader")
        .post(
            "/api/v1/projects/",
            {"circle": network.circles[0].pk, "title": "提高一次合格率", "project_type": "innovation"},
            format="json",
        )
        .json()
    )
    api("e1_coord").post(
        f"/api/v1/projects/{project['id']}/transitions/",
        {"transition": "return", "comment": "请补充现状数据"},
        format="json",
    )
    todos = _todos(login(network.users.e1_leader).get(reverse("home")))
    assert todos["课题立项申请被退回，待答复"].count == 1


def test_someone_elses_notification_answers_404(login, network, api):
    api("e1_leader").post(
        "/api/v1/projects/",
        {"circle": network.circles[0].pk, "title": "x课题", "project_type": "innovation"},
        format="json",
    )
    with no_tenant():
        notice = Notification.objects.get(recipient=network.users.e1_coord)
    response = login(network.users.e1_exec).get(reverse("notification-open", args=[notice.pk]))
    assert response.status_code == 404


def test_judge_sees_results_waiting_for_a_score(login, network):
    todos = _todos(login(network.users.pa_judge).get(reverse("home")))
    assert todos["评分表待提交"].count == 1  # s6: assigned, no sheet yet
