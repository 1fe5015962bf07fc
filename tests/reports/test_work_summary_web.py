"""Pages: the work-summary editor (seed 002 附件2) and the national package page; links from
the campaign forms page and the association home; tenant isolation."""

import pytest
from django.urls import reverse

from qcportal.tenancy import no_tenant
from reports.models import ReportRun, WorkSummary
from reports.worksummary import ANNUAL

from .test_national_package import attach_reports
from .test_work_summary import full_sections, save

pytestmark = pytest.mark.django_db

URL = reverse("reports:work-summary", args=["CAQ-T", "annual"])


def post_data(sections, action="save"):
    return {**{key: "" for key in ANNUAL.keys}, **sections, "action": action}


def test_editor_shows_every_sub_point_and_the_count(network, login):
    client = login(network.users.pa_staff)
    save(network, {"basic_overall": "质量 管理。"})
    page = client.get(URL)
    body = page.content.decode()
    assert page.status_code == 200
    for section in ANNUAL.sections:
        assert section.heading in body
        for point in section.points:
            assert point.heading in body and f'name="{point.key}"' in body
    assert page.context["count"] == 5 and page.context["minimum"] == 3000
    assert "js/work-summary.js" in body and "<script>" not in body  # CSP: no inline script


def test_editor_saves_a_draft(network, login):
    client = login(network.users.pa_staff)
    response = client.post(URL, post_data({"basic_overall": "草稿内容"}))
    assert response.status_code == 302
    with no_tenant():
        summary = WorkSummary.objects.get(organisation=network.pa, kind="annual")
    assert summary.sections["basic_overall"] == "草稿内容" and summary.updated_by == network.users.pa_staff


def test_annex2_export_from_the_page_refused_below_3000_characters_seed002_annex2(network, login):
    client = login(network.users.pa_staff)
    response = client.post(URL, post_data({"basic_overall": "字" * 1234}, action="export_docx"))
    assert response.status_code == 400
    body = response.content.decode()
    assert "1234" in body and "3000" in body
    with no_tenant():
        assert WorkSummary.objects.get(organisation=network.pa).sections["basic_overall"] == "字" * 1234
        assert not ReportRun.objects.filter(form="annex2").exists()


def test_annex2_export_from_the_page_runs_as_a_report_run(network, login, django_capture_on_commit_callbacks):
    client = login(network.users.pa_staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, post_data(full_sections(), action="export_pdf"))
    assert response.status_code == 302
    with no_tenant():
        run = ReportRun.objects.get(form="annex2")
    assert run.status == "succeeded" and run.file_format == "pdf"
    download = client.get(reverse("reports:run-download", args=[run.pk]))
    assert b"".join(download.streaming_content).startswith(b"%PDF")


@pytest.mark.parametrize("text", ["空\x00字符", "长" * 20001])
def test_malformed_text_on_the_page_is_a_chinese_400(network, login, text):
    client = login(network.users.pa_staff)
    response = client.post(URL, post_data({"basic_overall": text}))
    assert response.status_code == 400
    body = response.content.decode()
    assert "控制字符" in body or "超过每小节20000个字符" in body
    assert "\x00" not in body


@pytest.mark.parametrize(("user", "status"), [("pb_staff", 404), ("caq_staff", 200), ("pa_admin", 200)])
def test_another_association_cannot_read_your_summary(network, client, user, status):
    """Tenant isolation: PB's staff get 404 for PA's summary; CAQ (above PA) reads it."""
    save(network, {"basic_overall": "测试省的总结"})
    client.force_login(getattr(network.users, user))
    response = client.get(reverse("reports:work-summary-org", args=["CAQ-T", "annual", "PA"]))
    assert response.status_code == status
    if status == 200:
        assert "测试省的总结" in response.content.decode()


def test_reader_cannot_write_someone_elses_summary(network, login):
    save(network, {"basic_overall": "原文"})
    client = login(network.users.caq_staff)
    response = client.post(
        reverse("reports:work-summary-org", args=["CAQ-T", "annual", "PA"]),
        post_data({"basic_overall": "改"}),
    )
    assert response.status_code == 404
    with no_tenant():
        assert WorkSummary.objects.get(organisation=network.pa).sections["basic_overall"] == "原文"


def test_unknown_kind_is_404(network, login):
    client = login(network.users.pa_staff)
    assert client.get(reverse("reports:work-summary", args=["CAQ-T", "nope"])).status_code == 404


def test_links_from_campaign_forms_and_association_home(network, login):
    client = login(network.users.pa_staff)
    forms_page = client.get(reverse("reports:campaign-forms", args=["CAQ-T"])).content.decode()
    assert reverse("reports:work-summary", args=["CAQ-T", "annual"]) in forms_page
    assert reverse("reports:national-package", args=["CAQ-T"]) in forms_page
    home = client.get(reverse("home")).content.decode()
    assert 'data-testid="home-package"' in home and 'data-testid="home-summary"' in home


def test_national_package_page_lists_what_is_missing(network, login):
    client = login(network.users.pa_staff)
    page = client.get(reverse("reports:national-package", args=["CAQ-T"]))
    body = page.content.decode()
    assert page.status_code == 200
    assert "尚未上传成果报告文件" in body and "附件2 质量管理小组活动总结尚未填写" in body
    refused = client.post(reverse("reports:national-package", args=["CAQ-T"]))
    assert refused.status_code == 400 and "尚未上传成果报告文件" in refused.content.decode()


def test_national_package_from_the_page(network, login, django_capture_on_commit_callbacks):
    attach_reports(network)
    save(network, full_sections())
    client = login(network.users.pa_staff)
    assert (
        'data-testid="package-ready"'
        in client.get(reverse("reports:national-package", args=["CAQ-T"])).content.decode()
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:national-package", args=["CAQ-T"]))
    assert response.status_code == 302
    with no_tenant():
        run = ReportRun.objects.get(form="package")
    assert run.status == "succeeded", run.error
    download = client.get(reverse("reports:run-download", args=[run.pk]))
    assert download["Content-Type"] == "application/zip"


def test_national_package_page_needs_export_permission(network, login):
    client = login(network.users.pa_admin)
    assert client.get(reverse("reports:national-package", args=["CAQ-T"])).status_code == 403
