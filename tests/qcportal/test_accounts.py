"""Account security (issue 9, item 1): password change, password reset by e-mail with a
single-use, expiring link, and the idle and absolute session timeouts."""

import datetime as dt
import re
import time
from types import SimpleNamespace
from unittest import mock

import django_ratelimit.core
import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from qcportal import middleware
from qcportal.middleware import SESSION_ACTIVITY_KEY, SESSION_STARTED_KEY
from tests.factories import api_token

from ..factories import PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Zhiliang-Xiaozu-2024!"
RESET_LINK = re.compile(re.escape(settings.SITE_URL) + r"(/accounts/password/reset/[^/\s]+/[^/\s]+/)")


def logged_in(client) -> bool:
    return SESSION_KEY in client.session


def login_post(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


@pytest.fixture
def staff(network):
    user = network.users.pa_staff
    user.email = "pa.staff@example.cn"
    user.save(update_fields=["email"])
    return user


# --- Password change --------------------------------------------------------------------------


def test_password_change_requires_the_old_password(client, staff):
    client.force_login(staff)
    url = reverse("password_change")
    assert client.get(url).status_code == 200
    wrong = client.post(
        url, {"old_password": "not-it", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert wrong.status_code == 200 and "old_password" in wrong.context["form"].errors
    staff.refresh_from_db()
    assert staff.check_password(PASSWORD)
    common = client.post(
        url, {"old_password": PASSWORD, "new_password1": "password123", "new_password2": "password123"}
    )
    assert "new_password2" in common.context["form"].errors  # the validators refuse common passwords
    done = client.post(
        url, {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert done.status_code == 302 and done.url == reverse("password_change_done")
    staff.refresh_from_db()
    assert staff.check_password(NEW_PASSWORD)
    assert logged_in(client)  # the session survives its own password change
    assert "密码已修改" in client.get(done.url).content.decode()


def test_password_change_needs_a_login(client):
    response = client.get(reverse("password_change"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_user_menu_and_login_page_link_to_the_password_pages(client, staff):
    login_page = client.get(reverse("login")).content.decode()
    assert reverse("password_reset") in login_page and "忘记密码？" in login_page
    client.force_login(staff)
    page = client.get(reverse("home")).content.decode()
    assert reverse("password_change") in page and "修改密码" in page


# --- Password reset ---------------------------------------------------------------------------


def request_reset(client, email):
    return client.post(reverse("password_reset"), {"email": email})


def reset_link(client, staff) -> str:
    response = request_reset(client, staff.email)
    assert response.status_code == 302 and response.url == reverse("password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [staff.email] and "重设密码" in message.subject
    match = RESET_LINK.search(message.body)
    assert match, message.body
    return match.group(1)


def set_new_password(client, link):
    """Follow the e-mailed link (Django moves the token into the session) and set a password."""
    opened = client.get(link)
    assert opened.status_code == 302, "the link no longer works"
    form = client.get(opened.url)
    assert form.status_code == 200 and form.context["validlink"]
    return client.post(opened.url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})


def test_reset_link_works_once(client, staff):
    link = reset_link(client, staff)
    done = set_new_password(client, link)
    assert done.status_code == 302 and done.url == reverse("password_reset_complete")
    staff.refresh_from_db()
    assert staff.check_password(NEW_PASSWORD)
    # The same link a second time, in this browser or another one, is refused.
    for again in (client, Client()):
        response = again.get(link, follow=True)
        assert response.status_code == 200 and not response.context["validlink"]
        assert "链接无效" in response.content.decode()
    fresh = Client()
    assert login_post(fresh, staff.username, NEW_PASSWORD).status_code == 302 and logged_in(fresh)


def test_reset_link_expires(client, staff):
    assert settings.PASSWORD_RESET_TIMEOUT == 60 * 60  # default: one hour
    link = reset_link(client, staff)
    later = dt.datetime.now() + dt.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 5)
    with mock.patch.object(default_token_generator, "_now", return_value=later):
        response = client.get(link, follow=True)
    assert not response.context["validlink"]
    staff.refresh_from_db()
    assert staff.check_password(PASSWORD)
    # Within the hour it still works.
    soon = dt.datetime.now() + dt.timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT - 60)
    with mock.patch.object(default_token_generator, "_now", return_value=soon):
        assert set_new_password(Client(), link).status_code == 302


def test_unknown_address_gets_the_same_answer(client, staff):
    unknown = request_reset(client, "nobody@example.cn")
    known = request_reset(Client(), staff.email)
    assert unknown.status_code == known.status_code == 302
    assert unknown.url == known.url == reverse("password_reset_done")
    assert [m.to for m in mail.outbox] == [[staff.email]]


def test_reset_request_is_rate_limited_per_address(client, staff, monkeypatch):
    now = time.time()
    monkeypatch.setattr(django_ratelimit.core, "time", SimpleNamespace(time=lambda: now))
    assert settings.RATE_LIMITS["password_reset"] == "5/m"
    for n in range(5):
        assert request_reset(client, f"ghost{n}@example.cn").status_code == 302, n
    limited = request_reset(client, staff.email)
    assert limited.status_code == 429 and "操作过于频繁" in limited.content.decode()
    assert not mail.outbox
    assert request_reset(Client(REMOTE_ADDR="10.20.30.40"), staff.email).status_code == 302


# --- Session timeouts -------------------------------------------------------------------------


def shift_session(client, **seconds_ago):
    session = client.session
    now = int(time.time())
    for key, ago in seconds_ago.items():
        session[{"started": SESSION_STARTED_KEY, "activity": SESSION_ACTIVITY_KEY}[key]] = now - ago
    session.save()


def test_timeout_defaults():
    assert settings.SESSION_IDLE_TIMEOUT == 30 * 60
    assert settings.SESSION_ABSOLUTE_TIMEOUT == 12 * 60 * 60


def test_idle_session_is_logged_out_with_a_message(client, staff):
    client.force_login(staff)
    shift_session(client, activity=settings.SESSION_IDLE_TIMEOUT + 1)
    url = reverse("notification-list")
    response = client.get(url)
    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={url}"
    assert not logged_in(client)
    page = client.get(response.url).content.decode()
    assert "您已长时间未操作，请重新登录。" in page


def test_activity_within_the_window_keeps_the_session(client, staff):
    client.force_login(staff)
    shift_session(client, activity=settings.SESSION_IDLE_TIMEOUT - 60)
    assert client.get(reverse("notification-list")).status_code == 200
    assert logged_in(client)
    assert int(time.time()) - client.session[SESSION_ACTIVITY_KEY] < 5  # the activity was recorded
    # Requests close together do not rewrite the session each time.
    shift_session(client, activity=10)
    client.get(reverse("notification-list"))
    assert int(time.time()) - client.session[SESSION_ACTIVITY_KEY] >= 10


def test_absolute_lifetime_ends_even_an_active_session(client, staff):
    client.force_login(staff)
    shift_session(client, started=settings.SESSION_ABSOLUTE_TIMEOUT + 1, activity=5)
    response = client.get(reverse("notification-list"), follow=True)
    assert not logged_in(client)
    assert "登录已超过最长有效期，请重新登录。" in response.content.decode()


def test_login_records_the_session_start(client, staff):
    assert login_post(client, staff.username, PASSWORD).status_code == 302
    session = client.session
    assert abs(session[SESSION_STARTED_KEY] - time.time()) < 5
    assert session[SESSION_ACTIVITY_KEY] == session[SESSION_STARTED_KEY]


def test_session_api_request_after_timeout_is_refused_not_redirected(client, staff):
    client.force_login(staff)
    shift_session(client, activity=settings.SESSION_IDLE_TIMEOUT + 1)
    response = client.get(reverse("api:notification-preferences"))
    assert response.status_code in (401, 403)
    assert not logged_in(client)


def test_token_requests_are_not_affected(staff):
    token = api_token(staff)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    url = reverse("api:notification-preferences")
    assert api.get(url).status_code == 200
    far = time.time() + settings.SESSION_ABSOLUTE_TIMEOUT + settings.SESSION_IDLE_TIMEOUT
    with mock.patch.object(middleware, "time", SimpleNamespace(time=lambda: far)):
        assert api.get(url).status_code == 200
