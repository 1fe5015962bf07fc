"""Two-factor authentication (issue 9 item 1; qcportal/otp.py, qcportal/account_middleware.py,
qcportal/security_views.py): association administrators and staff must set up TOTP and
verify every session before any page; recovery codes are single use; verification is rate
limited and locked like the login; others may enrol voluntarily."""

import re

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import override_settings
from django.urls import NoReverseMatch, reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from qcportal.account_middleware import OTP_EXEMPT_URL_NAMES
from qcportal.otp import RECOVERY_CODE_COUNT, current_code, otp_required
from tests.accounts import otp_code, otp_device

from ..factories import PASSWORD
from ..security.routes import all_routes

pytestmark = pytest.mark.django_db

SAMPLE = {"int": 1, "str": "X", "slug": "x", "path": "x", "uuid": "00000000-0000-0000-0000-000000000000"}
PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")


def _sample_url(name: str, pattern: str) -> str | None:
    kwargs = {m.group(2): SAMPLE[m.group(1) or "str"] for m in PARAM.finditer(pattern)}
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return None


def staff_html_routes() -> list[tuple[str, str]]:
    """Every HTML route but the ones open before the second factor (login, logout, password
    reset, the two-factor pages, language, health)."""
    routes = []
    for name, pattern in sorted(all_routes().items()):
        if name.startswith("api:") or name in OTP_EXEMPT_URL_NAMES:
            continue
        url = _sample_url(name, pattern)
        if url is not None:
            routes.append((name, url))
    return routes


def logged_in(client) -> bool:
    return SESSION_KEY in client.session


def verified(client) -> bool:
    return DEVICE_ID_SESSION_KEY in client.session


def password_login(client, user, **extra):
    return client.post(reverse("login"), {"username": user.username, "password": PASSWORD, **extra})


# --- R-SC-01: required for association administrators and staff ------------------------------


def test_staff_roles_require_two_factor_from_the_setting(network):
    assert otp_required(network.users.pa_staff) and otp_required(network.users.pa_admin)
    assert not otp_required(network.users.e1_coord) and not otp_required(network.users.pa_judge)
    with override_settings(OTP_REQUIRED_ROLES=["judge"]):
        assert otp_required(network.users.pa_judge) and not otp_required(network.users.pa_staff)


def test_every_staff_html_route_redirects_to_setup_then_verify(client, network, otp_unverified):
    """Generated over the URL configuration: before verification every staff HTML route
    sends the user to the setup page (no device yet), then, with a device, to the verify
    page; never a page of the portal."""
    user = network.users.pa_staff
    routes = staff_html_routes()
    assert len(routes) > 50
    client.force_login(user)
    for name, url in routes:
        response = client.get(url)
        assert response.status_code == 302, (name, url, response.status_code)
        assert response.url.startswith(reverse("otp-setup")), (name, response.url)
    otp_device(user)
    client.force_login(user)
    for name, url in routes:
        response = client.get(url)
        assert response.status_code == 302, (name, url, response.status_code)
        assert response.url.startswith(reverse("otp-verify")), (name, response.url)
    posted = client.post(reverse("invitation-create"), {"email": "x@example.cn"})
    assert posted.status_code == 302 and posted.url == reverse("otp-verify")


def test_api_with_an_unverified_staff_session_answers_403_json(client, network, otp_unverified):
    client.force_login(network.users.pa_staff)
    response = client.get("/api/v1/organisations/")
    assert response.status_code == 403
    assert set(response.json()) == {"detail"} and "两步验证" in response.json()["detail"]
    otp_device(network.users.pa_staff)
    client.force_login(network.users.pa_staff)
    response = client.get("/api/v1/organisations/")
    assert response.status_code == 403 and "两步验证" in response.json()["detail"]


def test_exempt_pages_stay_open_before_verification(client, network, otp_unverified):
    client.force_login(network.users.pa_staff)
    assert client.get(reverse("otp-setup")).status_code == 200
    assert client.get(reverse("healthz")).status_code == 200
    assert client.post(reverse("set_language"), {"language": "en", "next": "/"}).status_code == 302
    assert client.post(reverse("logout")).status_code == 302
    assert not logged_in(client)


def test_other_roles_are_not_asked(client, network, otp_unverified):
    client.force_login(network.users.e1_coord)
    assert client.get(reverse("home")).status_code == 200
    assert client.get("/api/v1/notifications/").status_code == 200


def test_shared_login_helper_verifies_staff_sessions(client, network):
    """The suite's logins (``client.force_login``) are verified with a device, so every other
    test runs with enforcement on (tests/accounts.py)."""
    client.force_login(network.users.pa_staff)
    assert verified(client)
    assert client.get(reverse("home")).status_code == 200


# --- R-SC-02: setup with a real code, recovery codes shown once ------------------------------


def test_setup_flow_with_a_real_totp_code(client, network, otp_unverified):
    user = network.users.pa_staff
    client.force_login(user)
    home = client.get(reverse("home"))
    assert home.url.startswith(reverse("otp-setup"))
    page = client.get(home.url)
    body = page.content.decode()
    assert page.status_code == 200
    assert 'src="data:image/svg+xml' in body and "须使用两步验证" in body
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    secret = re.search(r'data-testid="otp-secret">([A-Z2-7 ]+)<', body).group(1)
    assert len(secret.replace(" ", "")) == 32  # the 20-byte key in base32, shown in groups
    wrong_code = "000000" if current_code(device) != "000000" else "111111"
    wrong = client.post(reverse("otp-setup"), {"token": wrong_code})
    assert wrong.status_code == 400 and "验证码不正确" in wrong.content.decode()
    assert not verified(client)
    done = client.post(reverse("otp-setup"), {"token": current_code(device), "next": "/"})
    assert done.status_code == 200
    codes = re.findall(r'<span class="border rounded d-block py-1">([a-z2-7]+)</span>', done.content.decode())
    assert len(codes) == RECOVERY_CODE_COUNT == 10 and len(set(codes)) == 10
    device.refresh_from_db()
    assert device.confirmed and verified(client)
    assert StaticToken.objects.filter(device__user=user).count() == 10
    assert client.get(reverse("home")).status_code == 200
    manage = client.get(reverse("otp-manage")).content.decode()
    assert "已启用" in manage and codes[0] not in manage  # shown once only


def test_verify_step_after_the_password_login(client, network):
    user = network.users.pa_admin
    device = otp_device(user)
    response = password_login(client, user, next="/users/")
    assert response.status_code == 302 and response.url == "/users/"
    response = client.get("/users/")
    assert response.url == reverse("otp-verify") + "?next=%2Fusers%2F"
    page = client.get(response.url)
    assert page.status_code == 200 and "演示环境" not in page.content.decode()
    assert client.post(response.url, {"token": "12345"}).status_code == 400
    code = otp_code(device)
    done = client.post(response.url, {"token": code, "next": "/users/"})
    assert done.status_code == 302 and done.url == "/users/"
    assert client.get("/users/").status_code == 200
    # a code cannot be used twice
    client.post(reverse("logout"))
    password_login(client, user)
    assert client.post(reverse("otp-verify"), {"token": code}).status_code == 400


def test_open_redirect_refused_after_verification(client, network):
    user = network.users.pa_admin
    device = otp_device(user)
    password_login(client, user)
    done = client.post(reverse("otp-verify"), {"token": otp_code(device), "next": "https://evil.example/"})
    assert done.status_code == 302 and done.url == reverse("home")


# --- R-SC-03: recovery codes -----------------------------------------------------------------


def _recovery_codes(user) -> list[str]:
    from qcportal.otp import recovery_codes_regenerate

    return recovery_codes_regenerate(user=user)


def test_recovery_code_is_single_use(client, network):
    user = network.users.pa_staff
    otp_device(user)
    codes = _recovery_codes(user)
    password_login(client, user)
    assert client.get(reverse("otp-recovery")).status_code == 200
    done = client.post(reverse("otp-recovery"), {"token": codes[0].upper()})
    assert done.status_code == 302 and verified(client)
    assert StaticToken.objects.filter(device__user=user).count() == 9
    assert "还剩9个" in client.get(reverse("home"), follow=True).content.decode()
    client.post(reverse("logout"))
    password_login(client, user)
    again = client.post(reverse("otp-recovery"), {"token": codes[0]})
    assert again.status_code == 400 and "恢复码不正确或已使用过" in again.content.decode()
    assert not verified(client)
    StaticDevice.objects.filter(user=user).update(throttling_failure_count=0)  # past the back-off
    assert client.post(reverse("otp-recovery"), {"token": codes[1]}).status_code == 302


def test_regenerating_recovery_codes_replaces_them(client, network):
    user = network.users.pa_staff
    client.force_login(user)
    old = _recovery_codes(user)
    page = client.post(reverse("otp-recovery-codes"))
    assert page.status_code == 200
    new = re.findall(r'<span class="border rounded d-block py-1">([a-z2-7]+)</span>', page.content.decode())
    assert len(new) == 10 and not set(new) & set(old)
    assert set(StaticToken.objects.filter(device__user=user).values_list("token", flat=True)) == set(new)


# --- R-SC-04: rate limit and lockout ---------------------------------------------------------


@override_settings(AXES_FAILURE_LIMIT=3)
def test_verify_attempts_are_locked_like_the_login(client, network):
    user = network.users.pa_staff
    device = otp_device(user)
    password_login(client, user)
    for _ in range(2):
        assert client.post(reverse("otp-verify"), {"token": "000001"}).status_code == 400
    locked = client.post(reverse("otp-verify"), {"token": "000001"})
    assert locked.status_code == 429 and 'data-testid="lockout"' in locked.content.decode()
    assert not logged_in(client)
    # the account is locked at this address for the password login too, even with the right code
    blocked = password_login(client, user)
    assert blocked.status_code == 429 and not logged_in(client)
    device.refresh_from_db()
    assert device.throttling_failure_count >= 1  # django-otp's own back-off per device


def test_verify_attempts_are_rate_limited(client, network):
    user = network.users.pa_staff
    otp_device(user)
    password_login(client, user)
    with override_settings(AXES_FAILURE_LIMIT=1000, RATELIMIT_ENABLE=True):
        statuses = [client.post(reverse("otp-verify"), {"token": "abc"}).status_code for _ in range(12)]
    assert 429 in statuses and statuses[0] == 400


# --- R-SC-05: voluntary enrolment, disabling -------------------------------------------------


def test_voluntary_enrolment_then_verify_at_every_login(client, network):
    user = network.users.e1_coord
    client.force_login(user)
    assert "未启用" in client.get(reverse("otp-manage")).content.decode()
    client.get(reverse("otp-setup"))
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    assert client.post(reverse("otp-setup"), {"token": current_code(device)}).status_code == 200
    client.post(reverse("logout"))
    password_login(client, user)
    assert client.get(reverse("home")).url.startswith(reverse("otp-verify"))
    assert client.post(reverse("otp-verify"), {"token": otp_code(device)}).status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_disable_refused_while_the_role_requires_it(client, network):
    staff = network.users.pa_staff
    client.force_login(staff)
    page = client.get(reverse("otp-manage")).content.decode()
    assert "不能关闭" in page and reverse("otp-disable") not in page
    response = client.post(reverse("otp-disable"), follow=True)
    assert "不能关闭" in response.content.decode()
    assert TOTPDevice.objects.filter(user=staff, confirmed=True).exists()
    coordinator = network.users.e1_coord
    otp_device(coordinator)
    _recovery_codes(coordinator)
    client.force_login(coordinator)
    assert client.post(reverse("otp-disable")).status_code == 302
    assert not TOTPDevice.objects.filter(user=coordinator).exists()
    assert not StaticDevice.objects.filter(user=coordinator).exists()
    assert client.get(reverse("home")).status_code == 200


def test_replacing_the_authenticator_needs_a_verified_session(client, network, otp_unverified):
    user = network.users.pa_staff
    otp_device(user)
    client.force_login(user)
    assert client.get(reverse("otp-setup")).url == reverse("otp-verify")


# --- the demo ---------------------------------------------------------------------------------


def test_demo_hint_only_with_demo_show_otp(client, network):
    user = network.users.pa_staff
    device = otp_device(user)
    password_login(client, user)
    assert "演示环境" not in client.get(reverse("otp-verify")).content.decode()
    with override_settings(DEMO_SHOW_OTP=True):
        body = client.get(reverse("otp-verify")).content.decode()
    assert "演示环境" in body and 'data-testid="demo-otp-code"' in body
    code = re.search(r'data-testid="demo-otp-code">(\d{6})<', body).group(1)
    assert code == current_code(device)


def test_seed_demo_enrols_association_staff(empty_database):
    from qcportal.tenancy import no_tenant
    from reports.demo import seed_organisations, seed_users

    with no_tenant():
        seed_users(seed_organisations())
    enrolled = set(TOTPDevice.objects.filter(confirmed=True).values_list("user__username", flat=True))
    assert {"caq_admin", "caq_staff", "saq_admin", "saq_staff", "jsaq_staff"} <= enrolled
    assert not enrolled & {"caq_leader", "saq_leader", "company", "judge", "unit"}


def test_devices_removed_elsewhere_do_not_trap_the_other_session(client, network):
    user = network.users.e1_coord
    otp_device(user)
    password_login(client, user)
    assert client.get(reverse("home")).url.startswith(reverse("otp-verify"))
    TOTPDevice.objects.filter(user=user).delete()  # turned off from another session
    assert client.get(reverse("otp-verify")).url == reverse("home")
    assert client.get(reverse("home")).status_code == 200
