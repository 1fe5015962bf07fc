"""Active sessions (issue 9 item 1; qcportal/user_sessions.py): the user's sessions listed
with browser, address, start and last activity, the current one marked; signing out another
one or all others; deactivation ends every session of the user; a password change ends the
other sessions, a password reset all of them."""

import datetime as dt
import re

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.tokens import default_token_generator
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from qcportal.models import UserSession
from qcportal.user_sessions import user_sessions_active

from ..factories import PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Zhiliang-Xiaozu-2024!"


def browser(user, agent: str) -> Client:
    """A client with its own user agent, signed in as ``user`` through the login page
    (verified with the user's device when they need one: tests/accounts.py)."""
    client = Client(HTTP_USER_AGENT=agent, REMOTE_ADDR="203.0.113.7")
    client.force_login(user)
    return client


def signed_in(client) -> bool:
    return SESSION_KEY in client.session


def test_login_page_records_browser_and_address(network):
    user = network.users.e1_coord
    client = Client(HTTP_USER_AGENT="Mozilla/5.0 测试浏览器", REMOTE_ADDR="198.51.100.4")
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    row = UserSession.objects.get(session_key=client.session.session_key)
    assert (
        row.user == user and row.user_agent == "Mozilla/5.0 测试浏览器" and row.ip_address == "198.51.100.4"
    )
    assert row.started_at and row.last_activity


def test_active_sessions_listed_with_the_current_one_marked(network):
    user = network.users.pa_staff
    office, phone = browser(user, "Office-PC"), browser(user, "Phone")
    browser(network.users.pb_staff, "Someone-else")
    page = office.get(reverse("session-list"))
    body = page.content.decode()
    assert page.status_code == 200
    assert len(page.context["sessions"]) == 2
    assert 'data-testid="current-session"' in body and body.count("当前会话") == 1
    assert "Someone-else" not in body
    current = page.context["current"]
    assert UserSession.objects.get(pk=current).session_key == office.session.session_key
    assert signed_in(phone)


def test_sign_out_another_session(network):
    user = network.users.pa_staff
    office, phone = browser(user, "Office-PC"), browser(user, "Phone")
    other = UserSession.objects.get(session_key=phone.session.session_key)
    response = office.post(reverse("session-end", args=[other.pk]))
    assert response.status_code == 302 and response.url == reverse("session-list")
    assert not Session.objects.filter(session_key=other.session_key).exists()
    assert not UserSession.objects.filter(pk=other.pk).exists()
    assert phone.get(reverse("home")).url.startswith(reverse("login"))
    assert office.get(reverse("home")).status_code == 200
    # the current session is ended with "log out", not from the list
    own = office.session.get("_qc_user_session")
    office.post(reverse("session-end", args=[own]))
    assert signed_in(office)


def test_sign_out_all_other_sessions(network):
    user = network.users.e1_coord
    office, phone, tablet = (browser(user, agent) for agent in ("Office-PC", "Phone", "Tablet"))
    response = office.post(reverse("session-end-others"), follow=True)
    assert "已退出其他2个会话" in response.content.decode()
    assert [s.session_key for s in user_sessions_active(user=user)] == [office.session.session_key]
    assert phone.get(reverse("home")).url.startswith(reverse("login"))
    assert tablet.get(reverse("home")).url.startswith(reverse("login"))
    assert office.get(reverse("home")).status_code == 200


def test_another_users_session_cannot_be_ended(network):
    victim = browser(network.users.pb_staff, "Victim")
    row = UserSession.objects.get(session_key=victim.session.session_key)
    attacker = browser(network.users.pa_admin, "Attacker")
    assert attacker.post(reverse("session-end", args=[row.pk])).status_code == 404
    assert victim.get(reverse("home")).status_code == 200


def test_idle_and_old_sessions_are_not_listed(network, settings):
    user = network.users.e1_coord
    office, old = browser(user, "Office-PC"), browser(user, "Old")
    row = UserSession.objects.get(session_key=old.session.session_key)
    UserSession.objects.filter(pk=row.pk).update(
        last_activity=timezone.now() - dt.timedelta(seconds=settings.SESSION_IDLE_TIMEOUT + 120)
    )
    listed = [s.pk for s in office.get(reverse("session-list")).context["sessions"]]
    assert row.pk not in listed and len(listed) == 1
    assert not UserSession.objects.filter(pk=row.pk).exists()  # pruned


def test_last_activity_refreshed_at_most_once_a_minute(network):
    client = browser(network.users.e1_coord, "Office-PC")
    row = UserSession.objects.get(session_key=client.session.session_key)
    earlier = timezone.now() - dt.timedelta(minutes=10)
    UserSession.objects.filter(pk=row.pk).update(last_activity=earlier)
    client.get(reverse("home"))
    row.refresh_from_db()
    assert row.last_activity == earlier  # touched less than a minute ago (at login)
    session = client.session
    session["_qc_user_session_touched"] -= 61
    session.save()
    client.get(reverse("home"))
    row.refresh_from_db()
    assert row.last_activity > earlier


def test_deactivation_ends_every_session_of_the_user(network):
    from qcportal.tenancy import no_tenant
    from tests import factories as f

    with no_tenant():
        target = f.MembershipFactory(
            user=f.UserFactory(username="to_deactivate"), organisation=network.ru1, role="unit_coordinator"
        ).user
    first, second = browser(target, "PC"), browser(target, "Phone")
    assert UserSession.objects.filter(user=target).count() == 2
    admin = browser(network.users.pa_admin, "Admin")
    response = admin.post(reverse("user-deactivate", args=[target.pk]))
    assert response.status_code == 302
    target.refresh_from_db()
    assert not target.is_active
    assert not UserSession.objects.filter(user=target).exists()
    for client in (first, second):
        assert not Session.objects.filter(session_key=client.cookies["sessionid"].value).exists()
        assert client.get(reverse("home")).url.startswith(reverse("login"))


def test_password_change_ends_the_other_sessions(network):
    user = network.users.e1_coord
    office, phone = browser(user, "Office-PC"), browser(user, "Phone")
    response = office.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert office.get(reverse("home")).status_code == 200
    assert phone.get(reverse("home")).url.startswith(reverse("login"))
    assert [s.session_key for s in user_sessions_active(user=user)] == [office.session.session_key]


def test_password_reset_ends_all_sessions(network):
    user = network.users.e1_coord
    office = browser(user, "Office-PC")
    anonymous = Client()
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    start = anonymous.get(reverse("password_reset_confirm", args=[uid, token]))
    assert start.status_code == 302  # Django swaps the token for a session marker
    done = anonymous.post(start.url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302 and re.search("complete", done.url)
    assert not UserSession.objects.filter(user=user).exists()
    assert office.get(reverse("home")).url.startswith(reverse("login"))
