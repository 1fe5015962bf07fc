"""API v1: start a report run, poll it to success, download the file (token and session)."""

import io

import openpyxl
import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from qcportal.tenancy import no_tenant
from reports.models import ReportRun
from tests.factories import api_token

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(network):
    client = APIClient()
    token = api_token(network.users.pa_staff)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def test_start_poll_and_download(api, network, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            reverse("api:reportrun-list"),
            {"campaign": "CAQ-T", "form": "annex3", "file_format": "xlsx", "organisation": "PA"},
            format="json",
        )
    assert response.status_code == 202, response.content
    run = response.json()
    assert run["form"] == "annex3" and run["organisation"] == "PA"
    # Tasks run eagerly in the test settings, so the first poll already sees the end state.
    for _ in range(20):
        status = api.get(reverse("api:reportrun-detail", args=[run["id"]])).json()
        if status["status"] in ("succeeded", "failed"):
            break
    assert status["status"] == "succeeded", status
    assert status["progress"] == 100
    assert status["download_url"].endswith(f"/api/v1/report-runs/{run['id']}/download/")
    download = api.get(status["download_url"])
    assert download.status_code == 200
    assert download["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in download["Content-Disposition"]
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    assert workbook.active["A2"].value == "质量管理小组活动统计表"


def test_obtain_token_with_password(network):
    from tests.accounts import otp_code, otp_device

    client = APIClient()
    code = otp_code(otp_device(network.users.pa_staff))  # staff use two-factor (issue 9 item 1)
    response = client.post(
        reverse("api:token"), {"username": "pa_staff", "password": "Test-pass-2020!", "otp": code}
    )
    assert response.status_code == 200 and response.json()["token"]


def test_bad_input_gets_a_clear_400(api):
    response = api.post(
        reverse("api:reportrun-list"),
        {"campaign": "NOPE", "form": "annex9", "file_format": "doc", "organisation": "PA"},
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"detail", "errors"}  # the stable 400 shape of every API input error
    assert set(body["errors"]) >= {"campaign", "form", "file_format"}


def test_annex3_for_an_enterprise_is_refused_with_a_chinese_message(api):
    response = api.post(
        reverse("api:reportrun-list"),
        {"campaign": "CAQ-T", "form": "annex3", "file_format": "pdf", "organisation": "E1"},
        format="json",
    )
    assert response.status_code == 400
    assert "协会" in response.json()["detail"]
    with no_tenant():
        assert not ReportRun.objects.filter(organisation__code="E1").exists()


def test_roles_without_export_permission_get_403(network):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(network.users.e1_coord)}")
    response = client.post(
        reverse("api:reportrun-list"),
        {"campaign": "CAQ-T", "form": "annex3", "file_format": "pdf", "organisation": "E1"},
        format="json",
    )
    assert response.status_code == 403


def test_campaign_api(api):
    body = api.get(reverse("api:campaign-detail", args=["CAQ-T"])).json()
    assert body["document_number"] == "中国质协字〔2020〕21号"
    assert body["period_start"] == "2019-06-01" and body["deadline"] == "2020-09-15"


def test_run_list_query_budget(api, network, django_assert_max_num_queries):
    with no_tenant():
        for _ in range(15):
            ReportRun.objects.create(
                organisation=network.pa,
                campaign=network.campaign,
                form="annex3",
                file_format="xlsx",
                requested_by=network.users.pa_staff,
            )
    with django_assert_max_num_queries(8):
        response = api.get(reverse("api:reportrun-list"))
    assert response.json()["count"] == 16  # 15 + the fixture's run for PA
