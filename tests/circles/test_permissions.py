"""Permission matrix of the circles workflows, generated from their declarations
(issue 6, item 1): every transition declared in circles/workflow.py must have a row of
expected statuses here, one per role, or the test fails; each row is then requested
through ``POST /api/v1/<entities>/{id}/transitions/`` on a fresh object in the
transition's source state (rolled back after each request).

Columns: association admin, staff, leadership, recommending-unit coordinator, enterprise
executive, company coordinator, circle leader (组长 of the circle), judge, anonymous,
circle member (组员 of the circle). 200 taken; 403 the role may not (duties of its layer,
seed 001 §5.2); 404 not in the role's scope; 401 anonymous.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import transaction
from rest_framework.test import APIClient

from circles.choices import CircleStatus, CommentStatus, MemberRole, ProjectStatus, procedure_for
from circles.models import ActivityRecord, Circle, CircleMember, Project, RecordComment
from qcportal.tenancy import no_tenant
from qcportal.workflow import WORKFLOWS
from tests.factories import api_token

pytestmark = pytest.mark.django_db

ROLES = (
    "pa_admin",
    "pa_staff",
    "pa_leader",
    "ru1_coord",
    "e1_exec",
    "e1_coord",
    "e1_leader",
    "pa_judge",
    "anonymous",
    "e1_member",
)

#: (entity, transition) → expected statuses in ROLES order (written by hand, per seed 001 §5.2)
EXPECTED = {
    ("circles.circle", "approve"): "403 403 403 403 403 200 403 403 401 404",
    ("circles.circle", "return"): "403 403 403 403 403 200 403 403 401 404",
    ("circles.circle", "resubmit"): "403 403 403 403 403 403 200 403 401 404",
    ("circles.circle", "deactivate"): "403 403 403 403 403 200 403 403 401 404",
    ("circles.circle", "reactivate"): "403 403 403 403 403 200 403 403 401 404",
    ("circles.project", "approve"): "403 403 403 403 403 200 403 403 401 403",
    ("circles.project", "return"): "403 403 403 403 403 200 403 403 401 403",
    ("circles.project", "reject"): "403 403 403 403 403 200 403 403 401 403",
    ("circles.project", "resubmit"): "403 403 403 403 403 403 200 403 401 403",
    ("circles.project", "start"): "403 403 403 403 403 403 200 403 401 200",
    ("circles.project", "complete"): "403 403 403 403 403 403 200 403 401 403",
    ("circles.project", "return_completion"): "403 403 403 403 403 200 403 403 401 403",
    ("circles.project", "accept"): "403 403 403 403 403 200 403 403 401 403",
    ("circles.project", "withdraw"): "403 403 403 403 403 403 200 403 401 403",
    ("circles.recordcomment", "resolve"): "403 403 403 403 403 403 200 403 401 200",
    ("circles.recordcomment", "reopen"): "403 403 403 403 403 200 403 403 401 403",
}

DATA = {
    ("circles.project", "complete"): {"achieved_value": "1.2", "economic_benefit": "3"},
    ("circles.project", "accept"): {
        "achieved_value": "1.2",
        "economic_benefit": "3",
        "benefit_confirmed": True,
        "benefit_confirmed_by": "财务部 王会计",
        "benefit_confirmed_on": "2026-01-05",
    },
}
ENDPOINT = {
    "circles.circle": "circles",
    "circles.project": "projects",
    "circles.recordcomment": "record-comments",
}


def _circle(network, state, leader):
    circle = Circle.objects.create(
        organisation=network.e1,
        name=f"矩阵{state}QC小组",
        registration_year=2026,
        status=state,
        registration_number=None if state in (CircleStatus.PENDING, CircleStatus.RETURNED) else f"M-{state}",
        registered_on=None if state in (CircleStatus.PENDING, CircleStatus.RETURNED) else dt.date(2026, 1, 2),
    )
    CircleMember.objects.create(
        organisation=network.e1, circle=circle, name="组长", role=MemberRole.LEADER, user=leader
    )
    return circle


def _project(network, state):
    circle = network.circles[0]
    project = Project.objects.create(
        organisation=network.e1,
        circle=circle,
        title=f"矩阵课题{state}",
        project_type="innovation",
        status=state,
        applied_on=dt.date(2026, 1, 1),
        economic_benefit=Decimal("3"),
    )
    if state in (ProjectStatus.IN_PROGRESS, ProjectStatus.COMPLETED):
        for step in procedure_for("innovation", None):
            ActivityRecord.objects.create(
                organisation=network.e1,
                circle=circle,
                project=project,
                step=step,
                held_on=dt.date(2026, 1, 3),
            )
    return project


def _comment(network, state):
    project = _project(network, ProjectStatus.IN_PROGRESS)
    record = project.activity_records.first()
    return RecordComment.objects.create(
        organisation=network.e1,
        circle=project.circle,
        record=record,
        author=network.users.e1_coord,
        text="请补充",
        status=state,
    )


def test_every_declared_transition_has_a_row():
    declared = {(e, t) for e, wf in WORKFLOWS.items() if e.startswith("circles.") for t in wf.transitions}
    assert declared == set(EXPECTED), (
        f"missing rows: {sorted(declared - set(EXPECTED))}; stale rows: {sorted(set(EXPECTED) - declared)}"
    )


def test_transition_permission_matrix(network, e1_member):
    users = {name: getattr(network.users, name, None) for name in ROLES}
    users["e1_member"] = e1_member
    clients = {}
    with no_tenant():
        for name, user in users.items():
            client = APIClient()
            if user is not None:
                client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(user)}")
            clients[name] = client
    failures = []
    for (entity, name), statuses in EXPECTED.items():
        t = WORKFLOWS[entity].transitions[name]
        source = t.source[0]
        for role, expected in zip(ROLES, (int(s) for s in statuses.split()), strict=True):
            with transaction.atomic():
                with no_tenant():
                    if entity == "circles.circle":
                        obj = _circle(network, source, network.users.e1_leader)
                    elif entity == "circles.project":
                        obj = _project(network, source)
                    else:
                        obj = _comment(network, source)
                body = {"transition": name, "comment": "矩阵测试", **DATA.get((entity, name), {})}
                response = clients[role].post(
                    f"/api/v1/{ENDPOINT[entity]}/{obj.pk}/transitions/", body, format="json"
                )
                if response.status_code != expected:
                    failures.append(
                        f"{entity}.{name} as {role}: expected {expected}, got {response.status_code}"
                    )
                elif expected == 200:
                    assert response.json()["status"] == t.target
                transaction.set_rollback(True)
    assert not failures, "\n" + "\n".join(failures)


def test_comment_states_are_the_declared_ones():
    assert {t.target for t in WORKFLOWS["circles.recordcomment"].transitions.values()} == set(
        CommentStatus.values
    )
