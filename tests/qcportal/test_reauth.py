"""Re-authentication before sensitive actions (issue 9 item 1; qcportal/reauth.py): granting
roles (invitations), publishing judging results (a workflow transition declared
``reauth=True``, honoured by the transition pages and the API), exporting personal data
(exporters declaring ``personal_data``). A recent confirmation (REAUTH_MAX_AGE) lets the
action through; token-authenticated API requests are not asked."""

import dataclasses
from urllib.parse import quote

import pytest
from django.http import HttpRequest
from django.test import override_settings
from django.urls import reverse
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.request import Request

from evaluation.choices import JudgingStatus
from evaluation.models import Judging
from evaluation.workflow import JUDGING_WORKFLOW
from promotion.workflow import CAMPAIGN_WORKFLOW
from qcportal.exporters import REGISTRY, contains_personal_data
from qcportal.models import Invitation
from qcportal.reauth import REAUTH_SESSION_KEY, reauth_needed
from qcportal.tenancy import no_tenant
from tests.accounts import otp_code, otp_device

from ..evaluation.test_grading import _publishable, graded, m  # noqa: F401  (fixture)
from ..factories import PASSWORD

pytestmark = pytest.mark.django_db


def age_reauth(client, seconds: int = 301) -> None:
    """Make the client's last confirmation (the login) ``seconds`` old."""
    session = client.session
    session[REAUTH_SESSION_KEY] -= seconds
    session.save()


def reauth_url(next_url: str) -> str:
    return f"{reverse('reauth')}?next={quote(next_url, safe='')}"


def confirm(client, next_url: str, **data):
    return client.post(reverse("reauth"), {"next": next_url, **(data or {"password": PASSWORD})})


def test_declarations():
    import circles.exports  # noqa: F401  (registers the list exporters)

    assert JUDGING_WORKFLOW.transitions["publish"].reauth
    assert not any(t.reauth for name, t in JUDGING_WORKFLOW.transitions.items() if name != "publish")
    personal = {identifier for identifier, exporter in REGISTRY.items() if contains_personal_data(exporter)}
    assert {"circles.circles", "annex1", "annex4", "package", "judging_matrix"} <= personal
    assert not personal & {"annex3", "annex5", "circles.projects", "judging_ranking"}


def test_login_counts_then_expires_after_reauth_max_age(client, network):
    client.force_login(network.users.pa_admin)
    url = reverse("invitation-create")
    assert client.get(url).status_code == 200  # the login is a fresh confirmation
    age_reauth(client, 200)
    assert client.get(url).status_code == 200
    age_reauth(client, 101)
    assert client.get(url).url == reauth_url(url)
    with override_settings(REAUTH_MAX_AGE=3600):
        assert client.get(url).status_code == 200


# --- granting roles ----------------------------------------------------------------------------


def test_invitation_demands_reauth_then_honours_it(client, network):
    client.force_login(network.users.pa_admin)
    age_reauth(client)
    url = reverse("invitation-create")
    data = {
        "organisation": "RU1",
        "role": "unit_coordinator",
        "email": "reauth@example.cn",
        "full_name": "再认证",
    }
    response = client.post(url, data)
    assert response.status_code == 302 and response.url == reauth_url(url)
    assert not Invitation._base_manager.filter(email="reauth@example.cn").exists()
    page = client.get(response.url)
    assert page.status_code == 200 and "确认身份" in page.content.decode()
    wrong = confirm(client, url, password="not-the-password")
    assert wrong.status_code == 400 and "密码或验证码不正确" in wrong.content.decode()
    evil = confirm(client, "https://evil.example/")
    assert evil.status_code == 302 and evil.url == reverse("home")
    age_reauth(client)
    done = confirm(client, url)
    assert done.status_code == 302 and done.url == url
    assert client.post(url, data).status_code == 200
    assert Invitation._base_manager.filter(email="reauth@example.cn").exists()


def test_reauth_with_the_authenticator_code(client, network):
    user = network.users.pa_admin
    client.force_login(user)
    age_reauth(client)
    device = otp_device(user, create=False)
    url = reverse("invitation-create")
    assert "身份验证器中的6位验证码" in client.get(reauth_url(url)).content.decode()
    assert confirm(client, url, token=otp_code(device)).url == url
    assert client.get(url).status_code == 200


# --- publishing judging results (the workflow's reauth flag) -----------------------------------


def test_publish_transition_demands_reauth_then_honours_it(client, graded, network):  # noqa: F811
    with no_tenant():
        staff, _levels = _publishable(graded)
        judging = JUDGING_WORKFLOW.perform(graded.judging, "request_approval", membership=staff)
        JUDGING_WORKFLOW.perform(judging, "approve", membership=m("pa_leader"))
    client.force_login(network.users.pa_staff)
    url = f"/evaluation/campaigns/{graded.campaign.code}/board/"
    assert 'data-testid="reauth-publish"' in client.get(url).content.decode()
    age_reauth(client)
    response = client.post(url, {"transition": "publish"})
    assert response.status_code == 302 and response.url == reauth_url(url)
    with no_tenant():
        assert Judging.objects.get(pk=graded.judging.pk).status == JudgingStatus.APPROVED
    assert confirm(client, url).url == url
    assert client.post(url, {"transition": "publish"}).status_code == 302
    with no_tenant():
        assert Judging.objects.get(pk=graded.judging.pk).status == JudgingStatus.PUBLISHED


def test_api_transition_with_reauth_flag_answers_403_until_confirmed(client, network, monkeypatch):
    """The API's generic ``transitions`` action honours the flag on any workflow (here the
    campaign's ``close``, flagged for the test)."""
    close = CAMPAIGN_WORKFLOW.transitions["close"]
    monkeypatch.setitem(CAMPAIGN_WORKFLOW.transitions, "close", dataclasses.replace(close, reauth=True))
    client.force_login(network.users.caq_staff)
    age_reauth(client)
    url = f"/api/v1/campaigns/{network.campaign.code}/transitions/"
    response = client.post(url, {"transition": "close"}, content_type="application/json")
    assert response.status_code == 403
    assert set(response.json()) == {"detail"} and "重新验证身份" in response.json()["detail"]
    confirm(client, "/")
    response = client.post(url, {"transition": "close"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["status"] == "closed"


def test_token_requests_are_not_asked():
    """A DRF request authenticated by a token (not the session) never needs re-authentication:
    the token was issued for the password (documented in README and qcportal/reauth.py)."""
    raw = HttpRequest()
    raw.session = {}
    token_request = Request(raw)
    token_request._authenticator = TokenAuthentication()
    assert not reauth_needed(token_request)
    session_request = Request(raw)
    session_request._authenticator = SessionAuthentication()
    assert reauth_needed(session_request)


# --- exporting personal data ---------------------------------------------------------------------


def test_personal_data_list_export_demands_reauth(client, network):
    client.force_login(network.users.e1_coord)
    age_reauth(client)
    circles = reverse("circles:circle-list") + "?export=xlsx"
    response = client.get(circles)
    assert response.status_code == 302 and response.url == reauth_url(circles)
    projects = client.get(reverse("circles:project-list") + "?export=xlsx")  # no personal data
    assert projects.status_code == 200 and projects["Content-Type"].startswith("application/vnd.openxml")
    assert confirm(client, circles).url == circles
    download = client.get(circles)
    assert download.status_code == 200 and download["Content-Type"].startswith("application/vnd.openxml")


def test_personal_data_report_run_demands_reauth(client, network, django_capture_on_commit_callbacks):
    client.force_login(network.users.pa_staff)
    age_reauth(client)
    url = reverse("reports:campaign-forms", args=[network.campaign.code])
    data = {"form": "annex4", "file_format": "xlsx", "organisation": "PA"}
    response = client.post(url, data)
    assert response.status_code == 302 and response.url == reauth_url(url)
    api = client.post(
        "/api/v1/report-runs/",
        {"campaign": network.campaign.code, "form": "annex4", "file_format": "xlsx", "organisation": "PA"},
        content_type="application/json",
    )
    assert api.status_code == 403 and "重新验证身份" in api.json()["detail"]
    annex3 = client.post(
        "/api/v1/report-runs/",
        {"campaign": network.campaign.code, "form": "annex3", "file_format": "xlsx", "organisation": "PA"},
        content_type="application/json",
    )
    assert annex3.status_code == 202  # statistics only: no re-authentication
    confirm(client, url)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, data).status_code == 302
    with no_tenant():
        from reports.models import ReportRun

        run = ReportRun.objects.filter(form="annex4", organisation=network.pa).latest("id")
    assert run.status == "succeeded"
    age_reauth(client)
    download = reverse("reports:run-download", args=[run.pk])
    assert client.get(download).url == reauth_url(download)
    confirm(client, download)
    assert client.get(download).status_code == 200


def test_score_matrix_export_demands_reauth(client, graded, network):  # noqa: F811
    client.force_login(network.users.pa_staff)
    age_reauth(client)
    matrix = f"/evaluation/campaigns/{graded.campaign.code}/board/export/matrix/"
    ranking = f"/evaluation/campaigns/{graded.campaign.code}/board/export/ranking/"
    assert client.get(matrix).url == reauth_url(matrix)
    assert client.get(ranking).status_code == 200
    confirm(client, matrix)
    assert client.get(matrix).status_code == 200
