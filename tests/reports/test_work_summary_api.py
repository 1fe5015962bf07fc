"""API v1: work summaries (GET/PUT per campaign and kind) and the national package action;
400s in the stable shape ``{"detail", "errors"}`` with Chinese messages, 404 across tenants."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from qcportal.tenancy import no_tenant
from reports.models import ReportRun, WorkSummary
from reports.worksummary import ANNUAL
from tests.factories import api_token

from .test_national_package import attach_reports
from .test_work_summary import full_sections

pytestmark = pytest.mark.django_db


def api_for(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(user)}")
    return client


def url(kind="annual", campaign="CAQ-T"):
    return reverse("api:worksummary-detail", kwargs={"campaign_code": campaign, "kind": kind})


def test_put_then_get_a_work_summary(network):
    api = api_for(network.users.pa_staff)
    response = api.put(url(), {"sections": {"basic_overall": "质量 管理。"}}, format="json")
    assert response.status_code == 200, response.content
    body = api.get(url()).json()
    assert body["saved"] and body["organisation"] == "PA" and body["title"] == "2020年质量管理小组活动总结"
    assert body["character_count"] == 5 and body["minimum_characters"] == 3000
    assert "5字" in body["export_problem"] and "3000字" in body["export_problem"]
    assert [s["heading"] for s in body["sections"]] == [s.heading for s in ANNUAL.sections]
    assert body["sections"][0]["points"][0] == {
        "key": "basic_overall",
        "heading": "（一）年度QC小组活动开展的整体情况、重点创新工作等",
        "text": "质量 管理。",
        "characters": 5,
    }
    listing = api.get(reverse("api:worksummary-list", kwargs={"campaign_code": "CAQ-T"})).json()
    assert [item["kind"] for item in listing] == ["annual", "promotion"]


def test_unsaved_summary_answers_empty(network):
    body = api_for(network.users.pa_staff).get(url("promotion")).json()
    assert body["saved"] is False and body["character_count"] == 0 and "尚未填写" in body["export_problem"]


@pytest.mark.parametrize(
    ("payload", "fragment"),
    [
        ({"sections": {"basic_overall": "空\u0000字符"}}, "控制字符"),
        ({"sections": {"basic_overall": "长" * 20001}}, "超过每小节20000个字符"),
        ({"sections": {"basic_overall": ["x"]}}, "必须是文字"),
        ({"sections": {"nope": "x"}}, "未知的小节"),
        ({"sections": "文字"}, "格式不正确"),
        ({}, ""),
        (["x"], ""),
    ],
)
def test_malformed_summary_is_a_chinese_400_never_500(network, payload, fragment):
    response = api_for(network.users.pa_staff).put(url(), payload, format="json")
    assert response.status_code == 400, response.content
    body = response.json()
    assert set(body) == {"detail", "errors"}
    assert fragment in str(body)
    with no_tenant():
        assert not WorkSummary.objects.exists()


def test_another_association_cannot_read_your_summary_api(network):
    api_for(network.users.pa_staff).put(url(), {"sections": {"basic_overall": "PA的总结"}}, format="json")
    foreign = api_for(network.users.pb_staff).get(url() + "?organisation=PA")
    assert foreign.status_code == 404
    assert api_for(network.users.caq_staff).get(url() + "?organisation=PA").json()["saved"] is True
    # PB's own summary is its own: PA's text never appears there.
    assert "PA的总结" not in api_for(network.users.pb_staff).get(url()).content.decode()


def test_another_association_cannot_export_your_summary_api(network):
    api_for(network.users.pa_staff).put(url(), {"sections": full_sections()}, format="json")
    response = api_for(network.users.pb_staff).post(
        reverse("api:reportrun-list"),
        {"campaign": "CAQ-T", "form": "annex2", "file_format": "docx", "organisation": "PA"},
        format="json",
    )
    assert response.status_code == 400 and "organisation" in response.json()["errors"]
    with no_tenant():
        assert not ReportRun.objects.filter(form="annex2").exists()


def test_foreign_campaign_and_unknown_kind_are_404(network):
    api = api_for(network.users.pa_staff)
    assert api.get(url(campaign="PB-T")).status_code == 404
    assert api.get(url(kind="nothing")).status_code == 404


def test_put_needs_export_permission(network):
    assert api_for(network.users.pa_admin).put(url(), {"sections": {}}, format="json").status_code == 403


def test_annex2_export_refused_below_3000_characters_via_api_seed002_annex2(network):
    api = api_for(network.users.pa_staff)
    api.put(url(), {"sections": {"basic_overall": "字" * 2999}}, format="json")
    response = api.post(
        reverse("api:reportrun-list"),
        {"campaign": "CAQ-T", "form": "annex2", "file_format": "docx", "organisation": "PA"},
        format="json",
    )
    assert response.status_code == 400
    assert "2999" in response.json()["detail"] and "3000" in response.json()["detail"]


def test_national_package_api_lists_what_is_missing(network):
    api = api_for(network.users.pa_staff)
    package = reverse("api:reportrun-national-package")
    check = api.get(package, {"campaign": "CAQ-T", "organisation": "PA"}).json()
    assert check["ready"] is False and any("尚未上传成果报告文件" in m for m in check["missing"])
    refused = api.post(package, {"campaign": "CAQ-T", "organisation": "PA"}, format="json")
    assert refused.status_code == 400
    body = refused.json()
    assert set(body) == {"detail", "errors"} and body["errors"]["non_field_errors"] == check["missing"]


def test_national_package_api_starts_the_run(network, django_capture_on_commit_callbacks):
    attach_reports(network)
    api = api_for(network.users.pa_staff)
    api.put(url(), {"sections": full_sections()}, format="json")
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            reverse("api:reportrun-national-package"),
            {"campaign": "CAQ-T", "organisation": "PA"},
            format="json",
        )
    assert response.status_code == 202, response.content
    run = api.get(reverse("api:reportrun-detail", args=[response.json()["id"]])).json()
    assert run["status"] == "succeeded" and run["form"] == "package" and run["progress"] == 100


def test_national_package_api_for_a_foreign_association_is_refused(network):
    response = api_for(network.users.pb_staff).get(
        reverse("api:reportrun-national-package"), {"campaign": "CAQ-T", "organisation": "PA"}
    )
    assert response.status_code == 404
