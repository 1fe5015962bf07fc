"""Browser tests in headless Chromium (Debian's /usr/bin/chromium, driven by Playwright)
against the live server. Data comes from the small network of tests/conftest.py, committed
for each test (the live server reads it through its own connection)."""

import os
import shutil

import pytest
from playwright.sync_api import expect

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Launch Debian's Chromium (Playwright's own browser download is not available here)."""
    assert os.path.exists(CHROMIUM), "chromium is needed: scripts/system-deps.sh all"
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture
def browser_context_args(browser_context_args):
    return {
        **browser_context_args,
        "accept_downloads": True,
        # Bootstrap drops its collapse/fade transitions under reduced motion, so a form is
        # never clicked while it is still sliding open (a flake seen once in CI).
        "reduced_motion": "reduce",
        "locale": "zh-CN",
        "viewport": {"width": 1366, "height": 900},
    }


@pytest.fixture
def network(committed_network):
    """The small network, committed (browser tests are transactional)."""
    return committed_network


def _needs_second_step(username, password) -> bool:
    """Whether the login will ask for the two-factor code: the user's roles require it (the
    user then gets an authenticator before logging in) or they enrolled; never for a wrong
    password."""
    from qcportal.models import User
    from qcportal.otp import otp_enrolled, otp_required

    from ..accounts import otp_device

    user = User.objects.filter(username=username).first()
    if user is None or not user.check_password(password):
        return False
    if otp_required(user):
        otp_device(user)
        return True
    return otp_enrolled(user)


def complete_second_step(page, username):
    """On the verify page after the password: type the authenticator's current code, as a
    person does with the app (tests/accounts.py computes it from the device's secret)."""
    from qcportal.models import User

    from ..accounts import otp_code, otp_device

    page.wait_for_url("**/accounts/2fa/verify/**")
    page.fill("#id_token", otp_code(otp_device(User.objects.get(username=username))))
    page.click("[data-testid=otp-submit]")
    page.wait_for_load_state()
    return page


@pytest.fixture
def signed_in(page, live_server):
    """``signed_in(username)`` logs in through the login form (and the two-factor step when
    the user needs it) and returns the page."""

    def _sign_in(username, password="Test-pass-2020!"):
        second_step = _needs_second_step(username, password)
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("button[type=submit]")
        page.wait_for_load_state()
        if second_step:
            complete_second_step(page, username)
        return page

    return _sign_in


@pytest.fixture
def sign_in(browser, browser_context_args, live_server):
    """``sign_in(username)``: a page of a fresh browser context logged in as the user, with the
    two-factor step when needed (the coordinator and the circle leader work side by side,
    each in their own browser)."""
    contexts = []

    def _sign_in(username, password="Test-pass-2020!"):
        second_step = _needs_second_step(username, password)
        context = browser.new_context(**browser_context_args)
        contexts.append(context)
        page = context.new_page()
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("button[type=submit]")
        if second_step:
            complete_second_step(page, username)
        expect(page.locator("[data-testid=active-membership]")).to_be_visible()
        return page

    yield _sign_in
    for context in contexts:
        context.close()
