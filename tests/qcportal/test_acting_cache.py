"""The acting membership is cached per session and user (issue 10 item 4, rule R-SC-70):
a request of a signed-in session reads no membership, and a grant, a revocation, a
deactivation, a switch or an organisation change takes effect on the very next request."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from qcportal import tenancy
from qcportal.models import Membership, Organisation
from qcportal.roles import Role
from qcportal.services import membership_grant, membership_revoke
from qcportal.tenancy import SESSION_KEY, no_tenant, scope_for, tenant_scope

pytestmark = pytest.mark.django_db

#: A page every enterprise coordinator may open, showing the acting organisation.
PAGE = "notification-list"


def membership_queries(captured) -> list[str]:
    return [q["sql"] for q in captured.captured_queries if '"qcportal_membership"' in q["sql"]]


def acting(client):
    response = client.get(reverse(PAGE))
    assert response.status_code == 200
    request = response.wsgi_request
    return request.membership, request.memberships


@pytest.fixture
def coord(network):
    with no_tenant():
        return Membership.objects.get(user=network.users.e1_coord)


@pytest.fixture
def pa_admin(network):
    with no_tenant():
        return Membership.objects.select_related("organisation").get(user=network.users.pa_admin)


def test_a_signed_in_session_reads_its_memberships_once(
    network, login, settings, django_assert_max_num_queries
):
    settings.ACTING_CACHE_SECONDS = 600
    client = login(network.users.e1_coord)
    with CaptureQueriesContext(connection) as first:
        client.get(reverse(PAGE))
    assert len(membership_queries(first)) == 1  # read once (no longer twice)
    with CaptureQueriesContext(connection) as second:
        membership, memberships = acting(client)
    assert membership_queries(second) == []
    assert membership.organisation.code == "E1" and [m.pk for m in memberships] == [membership.pk]
    # Reading the membership's user costs nothing either (it is the request's user).
    with django_assert_max_num_queries(0):
        assert membership.user.username == "e1_coord"


def test_without_the_cache_every_request_reads_them(network, login, settings):
    settings.ACTING_CACHE_SECONDS = 0
    client = login(network.users.e1_coord)
    client.get(reverse(PAGE))
    with CaptureQueriesContext(connection) as captured:
        client.get(reverse(PAGE))
    assert len(membership_queries(captured)) == 1


def test_a_revoked_membership_stops_working_on_the_next_request(network, login, coord, pa_admin):
    victim = login(network.users.e1_coord)
    assert acting(victim)[0].pk == coord.pk
    assert victim.get(reverse("circles:circle-list")).status_code == 200
    with no_tenant():
        membership_revoke(membership=pa_admin, target=coord)
    membership, memberships = acting(victim)
    assert membership is None and memberships == []
    assert victim.get(reverse("circles:circle-list")).status_code == 403


def test_a_revocation_through_the_administration_page_takes_effect_at_once(network, login, coord):
    victim = login(network.users.e1_coord)
    assert victim.get(reverse("circles:circle-list")).status_code == 200
    admin = Client()
    admin.force_login(network.users.pa_admin)  # verified with its device (tests/accounts.py)
    response = admin.post(reverse("membership-revoke", args=[coord.pk]))
    assert response.status_code in (200, 302)
    with no_tenant():
        assert not Membership.objects.get(pk=coord.pk).is_active
    assert victim.get(reverse("circles:circle-list")).status_code == 403


def test_a_revocation_committed_by_another_transaction_is_seen(
    network, login, coord, pa_admin, django_capture_on_commit_callbacks
):
    victim = login(network.users.e1_coord)
    acting(victim)
    with django_capture_on_commit_callbacks(execute=True) as callbacks, no_tenant():
        membership_revoke(membership=pa_admin, target=coord)
    assert callbacks  # the version is replaced again when the revocation commits
    assert acting(victim)[0] is None


def test_a_granted_membership_appears_on_the_next_request(network, login, pa_admin):
    client = login(network.users.e1_coord)
    assert len(acting(client)[1]) == 1
    with no_tenant():
        granted = membership_grant(
            membership=pa_admin,
            user=network.users.e1_coord,
            organisation=Organisation.objects.get(code="E2"),
            role=Role.ENTERPRISE_COORDINATOR,
        )
    assert granted.pk in {m.pk for m in acting(client)[1]}


def test_switching_takes_effect_on_the_next_request(network, login, pa_admin):
    with no_tenant():
        second = membership_grant(
            membership=pa_admin,
            user=network.users.e1_coord,
            organisation=Organisation.objects.get(code="E2"),
            role=Role.ENTERPRISE_COORDINATOR,
        )
    client = login(network.users.e1_coord)
    assert acting(client)[0].organisation.code == "E1"
    assert client.post(reverse("switch-membership", args=[second.pk])).status_code == 302
    membership = acting(client)[0]
    assert membership.pk == second.pk and membership.organisation.code == "E2"
    circles = client.get(reverse("circles:circle-list")).context["page_obj"].object_list
    assert circles and {c.organisation.code for c in circles} == {"E2"}


def test_a_deactivated_user_is_signed_out_on_the_next_request(network, login):
    client = login(network.users.e1_coord)
    acting(client)
    user = network.users.e1_coord
    user.is_active = False
    with no_tenant():
        user.save()
    response = client.get(reverse(PAGE))
    assert response.status_code == 302 and reverse("login") in response.url


def test_a_deactivated_organisation_takes_its_memberships_away(network, login):
    client = login(network.users.e1_coord)
    assert acting(client)[0] is not None
    with no_tenant():
        e1 = Organisation.objects.get(code="E1")
        e1.is_active = False
        e1.save()
    assert acting(client)[0] is None


def test_a_moved_organisation_is_seen_with_its_new_place(network, login):
    client = login(network.users.e1_coord)
    assert acting(client)[0].organisation.path == "/CAQ/PA/RU1/E1/"
    with no_tenant():
        e1 = Organisation.objects.get(code="E1")
        e1.parent = Organisation.objects.get(code="RU3")
        e1.save()
    membership = acting(client)[0]
    assert membership.organisation.path == "/CAQ/PB/RU3/E1/"
    assert membership.organisation.ancestor_codes() == ["CAQ", "PB", "RU3"]


def test_the_cache_is_per_session_and_per_user(network, login, settings):
    settings.ACTING_CACHE_SECONDS = 600
    office, phone = login(network.users.e1_coord), Client()
    phone.force_login(network.users.e1_coord)
    acting(office)
    with CaptureQueriesContext(connection) as captured:
        acting(phone)  # its own session: its own entry
    assert len(membership_queries(captured)) == 1
    keys = {tenancy._entry_key(network.users.e1_coord.pk, c.session.session_key) for c in (office, phone)}
    assert len(keys) == 2
    # An entry stored for another user under this session key is never used.
    other = network.users.e4_coord
    key = tenancy._entry_key(other.pk, office.session.session_key)
    assert key not in keys
    from django.core.cache import cache

    entry = cache.get(tenancy._entry_key(network.users.e1_coord.pk, office.session.session_key))
    assert entry["user_id"] == network.users.e1_coord.pk
    entry["user_id"] = other.pk  # as if the entry had been written for someone else
    cache.set(tenancy._entry_key(network.users.e1_coord.pk, office.session.session_key), entry)
    with CaptureQueriesContext(connection) as captured:
        membership, _memberships = acting(office)
    assert len(membership_queries(captured)) == 1 and membership.user_id == network.users.e1_coord.pk


def test_a_failing_cache_falls_back_to_the_database(network, login, monkeypatch):
    client = login(network.users.e1_coord)

    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(tenancy.cache, "get_many", broken)
    monkeypatch.setattr(tenancy.cache, "set", broken)
    assert acting(client)[0].organisation.code == "E1"


def test_the_session_choice_is_honoured_from_the_cached_list(network, login, pa_admin):
    with no_tenant():
        second = membership_grant(
            membership=pa_admin,
            user=network.users.e1_coord,
            organisation=Organisation.objects.get(code="E2"),
            role=Role.ENTERPRISE_EXECUTIVE,
        )
    client = login(network.users.e1_coord)
    session = client.session
    session[SESSION_KEY] = second.pk
    session.save()
    assert acting(client)[0].pk == second.pk


def test_scope_of_an_affiliated_enterprise_needs_no_query(network, login, django_assert_num_queries):
    with no_tenant():
        e2 = Organisation.objects.select_related("industry_association").get(code="E2")  # 行业直属 → IA
        membership = Membership(
            organisation=e2, role=Role.ENTERPRISE_COORDINATOR, user=network.users.e1_coord
        )
    with django_assert_num_queries(0):
        scope_for(membership)
    with tenant_scope(e2):
        assert set(Organisation.objects.values_list("code", flat=True)) == {"CAQ", "PA", "RU1", "E2", "IA"}
    # The session's memberships carry the industry association: no query builds the scope.
    with no_tenant():
        pa_admin = Membership.objects.select_related("organisation").get(user=network.users.pa_admin)
        membership_grant(
            membership=pa_admin, user=network.users.e1_coord, organisation=e2, role=Role.ENTERPRISE_EXECUTIVE
        )
    cached = [m for m in tenancy.memberships_of(network.users.e1_coord) if m.organisation_id == e2.pk][0]
    with django_assert_num_queries(0):
        scope_for(cached)


def user_queries(captured) -> list[str]:
    return [q["sql"] for q in captured.captured_queries if 'FROM "qcportal_user"' in q["sql"]]


def test_the_session_user_is_read_from_the_cache_with_its_memberships(network, login, settings):
    settings.ACTING_CACHE_SECONDS = 600
    client = login(network.users.e1_coord)
    client.get(reverse(PAGE))  # stores the entry
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse(PAGE))
    assert response.status_code == 200
    assert user_queries(captured) == [] and membership_queries(captured) == []
    user = response.wsgi_request.user
    assert user.pk == network.users.e1_coord.pk and user.is_authenticated
    # Only the user's fields are kept: nothing a middleware added (the two-factor device).
    from django.core.cache import cache

    entry = cache.get(tenancy._entry_key(user.pk, client.session.session_key))
    assert entry["user"].pk == user.pk and "otp_device" not in entry["user"].__dict__


def test_without_the_cache_the_user_is_read_from_the_database(network, login, settings):
    settings.ACTING_CACHE_SECONDS = 0
    client = login(network.users.e1_coord)
    client.get(reverse(PAGE))
    with CaptureQueriesContext(connection) as captured:
        client.get(reverse(PAGE))
    assert len(user_queries(captured)) == 1


def test_a_password_change_signs_the_other_sessions_out(network, login):
    office, phone = login(network.users.e1_coord), login(network.users.e1_coord)
    acting(office), acting(phone)
    user = network.users.e1_coord
    with no_tenant():
        user.set_password("a-new-long-password-2026")
        user.save()
    for client in (office, phone):
        response = client.get(reverse(PAGE))
        assert response.status_code == 302 and reverse("login") in response.url


def test_a_session_whose_hash_does_not_match_the_cached_user_is_signed_out(network, login):
    from django.contrib.auth import HASH_SESSION_KEY

    client = login(network.users.e1_coord)
    acting(client)  # the entry holds the user
    session = client.session
    session[HASH_SESSION_KEY] = "0" * 64  # not this user's hash (e.g. a forged or old session)
    session.save()
    response = client.get(reverse(PAGE))
    assert response.status_code == 302 and reverse("login") in response.url
