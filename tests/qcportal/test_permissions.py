"""Permission matrix of the tenancy core (issue 3): administration, audit, membership switch.

Columns: association admin, staff, leadership, recommending-unit coordinator, enterprise
executive, enterprise coordinator, circle leader, judge, anonymous (tests/security/matrix.py).
302 after a POST means the action was carried out and redirected; anonymous HTML requests
are redirected to the login page (302), anonymous API requests get 401.
"""

import pytest

from qcportal.models import AuditEntry, Membership

from ..security.matrix import Row, cases, run

pytestmark = pytest.mark.django_db


def _membership(username):
    return Membership._base_manager.get(user__username=username)


MATRIX = [
    #   route                      admin staff lead unit exec coord cleader judge anon
    Row("home", "200 200 200 200 200 200 200 200 302"),
    Row("organisation-list", "200 200 200 200 403 403 403 403 302"),
    Row("organisation-detail", "200 200 200 403 403 403 403 403 302", lambda n: {"code": "PA"}),
    Row("organisation-detail", "200 200 200 200 403 403 403 403 302", lambda n: {"code": "RU1"}),
    Row("organisation-create", "200 403 403 403 403 403 403 403 302"),
    Row(
        "organisation-create",
        "302 403 403 403 403 403 403 403 302",
        method="POST",
        data={"code": "PA-NEW-UNIT", "name": "新推荐单位", "kind": "recommending_unit", "parent": "PA"},
    ),
    Row("organisation-edit", "200 403 403 403 403 403 403 403 302", lambda n: {"code": "PA"}),
    Row("membership-list", "200 403 403 403 403 403 403 403 302"),
    Row("invitation-create", "200 403 403 403 403 403 403 403 302"),
    Row(
        "invitation-create",
        "200 403 403 403 403 403 403 403 302",
        method="POST",
        data={
            "full_name": "新同事",
            "email": "new@example.cn",
            "organisation": "PA",
            "role": "association_staff",
        },
    ),
    Row(
        "membership-revoke",
        "302 403 403 403 403 403 403 403 302",
        lambda n: {"pk": _membership("pa_leader").pk},
        "POST",
    ),
    Row(
        "user-deactivate",
        "302 403 403 403 403 403 403 403 302",
        lambda n: {"pk": n.users.pa_leader.pk},
        "POST",
    ),
    Row(
        "invitation-revoke",
        "302 403 403 403 403 403 403 403 302",
        lambda n: {"pk": n.invitations.pa.pk},
        "POST",
    ),
    Row("audit-list", "200 200 403 403 403 403 403 403 302"),
    Row(
        "audit-detail",
        "200 200 403 403 403 403 403 403 302",
        lambda n: {"pk": AuditEntry.objects.filter(organisation=n.pa).order_by("id").first().pk},
    ),
    Row("api:organisation-list", "200 200 200 200 403 403 403 403 401"),
    Row("api:organisation-detail", "200 200 200 404 403 403 403 403 401", lambda n: {"code": "PA"}),
    Row("api:auditentry-list", "200 200 403 403 403 403 403 403 401"),
]


def test_permission_matrix(client, network):
    failures = run(client, network, MATRIX)
    assert not failures, "\n" + "\n".join(failures)


def test_matrix_size():
    assert len(cases(MATRIX)) == len(MATRIX) * 9
