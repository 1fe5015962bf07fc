"""Conflicts answered clearly, one request at a time (issue 9 item 4; ``qcportal.conflicts``).

The simultaneous versions are in tests/security/test_races.py; here each mechanism is shown
with sequential requests: a database conflict becomes a 409 with the constraint's Chinese
message (API shape, form inline, the 409 page), a repeated transition is answered by the
workflow mechanism (page: notice and redirect; API: 409), a repeated invitation is not sent
again, and a repeated acceptance changes nothing.
"""

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from circles.choices import ProjectStatus
from qcportal import services
from qcportal.conflicts import AlreadyDone, Conflict, conflict_for
from qcportal.models import Invitation, Membership, Organisation, WorkflowLog
from qcportal.tenancy import membership_scope, no_tenant
from tests import factories as f

pytestmark = pytest.mark.django_db

STRONG_PASSWORD = "Zhiliang-Xiaozu-2024!"


def membership_of(user) -> Membership:
    with no_tenant():
        return Membership.objects.select_related("organisation", "user").get(user=user)


def _integrity_error(create) -> IntegrityError:
    with pytest.raises(IntegrityError) as caught, no_tenant(), transaction.atomic():
        create()
    return caught.value


def test_unique_violation_gets_the_registered_message(network):
    """R-SC-30: a duplicate organisation code from the database gets the message registered
    for it, on the ``code`` field."""
    error = _integrity_error(
        lambda: Organisation.objects.create(
            code="RU1", name="重复", kind="recommending_unit", parent=network.pa
        )
    )
    conflict = conflict_for(error)
    assert isinstance(conflict, Conflict)
    assert conflict.message_dict == {"code": ["该代码已被其他组织使用，请换一个代码。"]}


def test_unregistered_unique_violation_gets_a_message_from_the_labels(network):
    """R-SC-30: a constraint without a registration is described from the model's labels."""
    s1 = network.submissions[0]
    error = _integrity_error(
        lambda: f.SubmissionFactory(
            campaign=s1.campaign, project=s1.project, recommending_association=network.pa
        )
    )
    message = " ".join(conflict_for(error).messages)
    assert "成果" in message and "请勿重复提交" in message


def test_api_answers_a_database_conflict_409_in_the_stable_shape(network, monkeypatch):
    """R-SC-30: an IntegrityError no service caught answers 409 ``{"detail", "errors"}``
    with the constraint's Chinese message (here: a membership that exists already)."""
    from qcportal import api_views

    def duplicate_membership(**kwargs):
        Membership.objects.create(
            user=network.users.pa_staff, organisation=network.pa, role="association_staff"
        )

    monkeypatch.setattr(api_views, "organisation_create", duplicate_membership)
    client = Client()
    client.force_login(network.users.pa_admin)
    response = client.post(
        reverse("api:organisation-list"),
        {"code": "NEW1", "name": "新单位", "kind": "recommending_unit", "parent": "PA"},
        "application/json",
    )
    assert response.status_code == 409
    assert response.json() == {
        "detail": "该用户已经拥有此身份。",
        "errors": {"non_field_errors": ["该用户已经拥有此身份。"]},
    }


def test_pages_answer_an_uncaught_database_conflict_with_the_409_page(network, monkeypatch, login):
    """R-SC-30: on a page, an IntegrityError no view caught answers the 409 page with the
    Chinese message instead of a server error (``ConflictMiddleware``)."""

    @transaction.atomic  # as every service
    def duplicate_membership(**kwargs):
        Membership.objects.create(
            user=network.users.pa_staff, organisation=network.pa, role="association_staff"
        )

    monkeypatch.setattr(services, "invitation_revoke", duplicate_membership)
    response = login(network.users.pa_admin).post(
        reverse("invitation-revoke", args=[network.invitations.pa.pk])
    )
    assert response.status_code == 409
    assert "该用户已经拥有此身份。" in response.content.decode()


def test_organisation_form_shows_a_lost_race_inline(network, monkeypatch, login):
    """R-SC-32: when the unique constraint decides (the check passed, another request
    committed the code first), the form comes back 409 with the message on ``code``."""
    real_filter = Organisation._base_manager.filter

    def blind_check(*args, **kwargs):  # the other request's row is not seen by the check
        qs = real_filter(*args, **kwargs)
        return qs.none() if "code__iexact" in kwargs else qs

    with no_tenant():
        Organisation.objects.create(code="TWIN", name="先到者", kind="recommending_unit", parent=network.pa)
    monkeypatch.setattr(Organisation._base_manager, "filter", blind_check)
    response = login(network.users.pa_admin).post(
        reverse("organisation-create"),
        {"code": "TWIN", "name": "后到者", "kind": "recommending_unit", "parent": "PA"},
    )
    assert response.status_code == 409
    assert [str(e) for e in response.context["form"].errors["code"]] == [
        "该代码已被其他组织使用，请换一个代码。"
    ]


# --- the workflow mechanism: a repeated transition ------------------------------------------------
def test_repeated_transition_is_answered_by_the_mechanism(network):
    """R-SC-31: the transition just taken, asked again, changes nothing and says so."""
    from circles import services as circle_services

    coord = membership_of(network.users.e1_coord)
    with no_tenant():
        project = f.ProjectFactory(circle=network.circles[0], status=ProjectStatus.APPLIED)
    with membership_scope(coord):
        circle_services.transition(membership=coord, obj=project, name="approve")
        with pytest.raises(AlreadyDone, match="“立项评审通过并注册”已于.*完成，无需重复操作。") as repeat:
            circle_services.transition(membership=coord, obj=project, name="approve")
    assert repeat.value.obj.pk == project.pk
    with no_tenant():
        assert WorkflowLog.objects.filter(entity="circles.project", object_id=project.pk).count() == 1


def test_repeated_transition_on_a_page_redirects_with_a_notice_and_api_409(network, login):
    """R-SC-31: the second POST of a page's transition form (a double click) redirects like
    the first with a notice; the API answers 409 in the stable shape."""
    with no_tenant():
        project = f.ProjectFactory(circle=network.circles[0], status=ProjectStatus.APPLIED)
    client = login(network.users.e1_coord)
    url = reverse("circles:project-detail", args=[project.pk])
    first = client.post(url, {"transition": "approve"})
    second = client.post(url, {"transition": "approve"})
    assert first.status_code == second.status_code == 302
    notices = [str(m) for m in get_messages(second.wsgi_request)]
    assert any("无需重复操作" in m for m in notices), notices
    api = client.post(
        reverse("api:project-transitions", args=[project.pk]), {"transition": "approve"}, "application/json"
    )
    assert api.status_code == 409 and "无需重复操作" in api.json()["detail"]
    assert set(api.json()) == {"detail", "errors"}


# --- invitations ------------------------------------------------------------------------------------
def _invite(client, email="twice@example.cn"):
    return client.post(
        reverse("invitation-create"),
        {"full_name": "重复邀请", "email": email, "organisation": "PA", "role": "association_staff"},
    )


def test_identical_invitation_is_not_sent_twice(network, login):
    """R-SC-33: the same invitation again (any letter case of the address) answers 409 with
    the first one's date inline; one row, one e-mail. Another role is another invitation."""
    mail.outbox = []
    client = login(network.users.pa_admin)
    assert _invite(client).status_code == 200
    again = _invite(client, "TWICE@example.cn")
    assert again.status_code == 409
    assert "未重复发送" in " ".join(again.context["form"].errors["email"])
    with no_tenant():
        assert Invitation.objects.filter(email__iexact="twice@example.cn").count() == 1
    assert len(mail.outbox) == 1


def test_expired_open_invitation_is_closed_when_a_new_one_is_sent(network):
    """R-SC-33: an open invitation past its date does not block a new one: it is closed."""
    admin = membership_of(network.users.pa_admin)
    with membership_scope(admin):
        old, _url = services.invitation_create(
            membership=admin, organisation=network.pa, role="judge", email="late@example.cn", full_name="迟到"
        )
        Invitation.objects.filter(pk=old.pk).update(expires_at=timezone.now() - dt.timedelta(days=1))
        new, _url = services.invitation_create(
            membership=admin, organisation=network.pa, role="judge", email="late@example.cn", full_name="迟到"
        )
    with no_tenant():
        assert Invitation.objects.get(pk=old.pk).revoked_at is not None
        assert Invitation.objects.get(pk=new.pk).revoked_at is None


def test_open_invitations_are_unique_in_the_database(network):
    """R-SC-33: the partial unique constraint refuses a second open invitation written
    around the service; a revoked one does not count."""
    with no_tenant():
        first = network.invitations.pa
        with pytest.raises(IntegrityError), transaction.atomic():
            Invitation.objects.create(
                organisation=first.organisation,
                email=first.email.upper(),
                full_name="绕过",
                role=first.role,
                token_digest="c" * 64,
                invited_by=first.invited_by,
                expires_at=first.expires_at,
            )
        Invitation.objects.filter(pk=first.pk).update(revoked_at=timezone.now())
        Invitation.objects.create(
            organisation=first.organisation,
            email=first.email,
            full_name="重发",
            role=first.role,
            token_digest="d" * 64,
            invited_by=first.invited_by,
            expires_at=first.expires_at,
        )


def test_accepting_twice_changes_nothing(network, login):
    """R-SC-31: a logged-in user who accepts the same link again is sent on with a notice;
    an anonymous second acceptance answers 410 「该邀请链接已经使用过」; one membership."""
    admin = membership_of(network.users.pa_admin)
    with membership_scope(admin):
        _inv, url = services.invitation_create(
            membership=admin, organisation=network.pa, role="judge", email="j@example.cn", full_name="评委丙"
        )
    client = login(network.users.e1_coord)
    first = client.post(url, {"attach": "1"})
    second = client.post(url, {"attach": "1"})
    assert first.status_code == second.status_code == 302
    assert any("无需重复操作" in str(m) for m in get_messages(second.wsgi_request))
    with no_tenant():
        assert Membership.objects.filter(user=network.users.e1_coord, role="judge").count() == 1
    other = Client().post(
        url, {"username": "late", "password1": STRONG_PASSWORD, "password2": STRONG_PASSWORD}
    )
    assert other.status_code == 410 and "该邀请链接已经使用过" in other.content.decode()
