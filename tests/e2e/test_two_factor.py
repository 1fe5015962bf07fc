"""Two-factor authentication in the browser (issue 9 item 1): an association staff member
logs in, is sent to the setup page, scans (here: reads) the secret, confirms with the
authenticator's code, keeps the recovery codes, and from then on verifies every login."""

import base64

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import expect

from qcportal.models import User

from ..accounts import otp_code, otp_device

pytestmark = pytest.mark.e2e


def code_from_secret(secret_text: str) -> str:
    """What an authenticator app shows for the secret typed in from the setup page."""
    secret = secret_text.replace(" ", "")
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    return f"{TOTP(key).token():06d}"


def test_staff_sets_up_two_factor_then_verifies_at_login(network, page, live_server):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "pa_staff")
    page.fill("#id_password", "Test-pass-2020!")
    page.click("button[type=submit]")
    page.wait_for_url("**/accounts/2fa/setup/**")
    expect(page.locator("[data-testid=otp-required]")).to_be_visible()
    expect(page.locator("[data-testid=otp-qr]")).to_be_visible()
    expect(page.locator("[data-testid=active-membership]")).to_have_count(0)  # no navigation yet
    assert page.locator("[data-testid=otp-qr]").get_attribute("src").startswith("data:image/svg+xml")
    # Nothing else opens before the setup is done.
    page.goto(f"{live_server.url}/users/")
    page.wait_for_url("**/accounts/2fa/setup/**")
    page.fill("#id_token", code_from_secret(page.locator("[data-testid=otp-secret]").inner_text()))
    page.click("[data-testid=otp-submit]")
    expect(page.locator("[data-testid=recovery-codes] li")).to_have_count(10)
    page.click("text=我已保存恢复码，继续")
    expect(page.locator("[data-testid=active-membership]")).to_be_visible()

    page.context.clear_cookies()  # a new browser session
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "pa_staff")
    page.fill("#id_password", "Test-pass-2020!")
    page.click("button[type=submit]")
    page.wait_for_url("**/accounts/2fa/verify/**")
    expect(page.locator("[data-testid=demo-otp]")).to_have_count(0)
    device = otp_device(User.objects.get(username="pa_staff"))
    page.fill("#id_token", "000000" if otp_code(device) != "000000" else "111111")
    page.click("[data-testid=otp-submit]")
    expect(page.locator(".invalid-feedback")).to_contain_text("验证码不正确")
    page.fill("#id_token", otp_code(device))  # (also ends the device's back-off after the wrong code)
    page.click("[data-testid=otp-submit]")
    expect(page.locator("[data-testid=active-membership]")).to_be_visible()
