"""Key flows of each role in a real browser (headless Chromium)."""

import io

import openpyxl
import pytest
from playwright.sync_api import expect

from ..conftest import normalise, pdf_text

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def generate(page, live_server, *, form, file_format, organisation):
    page.goto(f"{live_server.url}/campaigns/CAQ-T/")
    page.click("[data-testid=open-forms]")
    page.select_option("[data-testid=form-select]", form)
    page.check(f"input[name=file_format][value={file_format}]")
    page.select_option("#id_organisation", organisation)
    page.click("[data-testid=generate]")
    expect(page.locator(".alert-success")).to_contain_text("已开始生成")
    row = page.locator("[data-testid=runs] tbody tr").first
    expect(row.locator("[data-role=label]")).to_have_text("已完成", timeout=60000)
    expect(row.locator("[data-role=bar]")).to_have_text("100%")
    with page.expect_download() as download:
        row.locator("[data-role=download]").click()
    return download.value


def test_national_staff_generates_annex3_pdf(network, signed_in, live_server, tmp_path):
    page = signed_in("caq_staff")
    expect(page.locator("[data-testid=active-membership]")).to_contain_text("中国质协")
    expect(page.locator("[data-testid=stat-circles]")).to_have_text("6")
    download = generate(page, live_server, form="annex3", file_format="pdf", organisation="PA")
    assert download.suggested_filename == "CAQ-T_附件3_质量管理小组活动统计表_PA.pdf"
    path = tmp_path / "annex3.pdf"
    download.save_as(path)
    text = normalise(pdf_text(path.read_bytes()))
    assert "质量管理小组活动统计表" in text and "14.00%" in text and "66.67%" in text


def test_provincial_staff_generates_annex5_xlsx(network, signed_in, live_server, tmp_path):
    page = signed_in("pa_staff")
    expect(page.locator("[data-testid=active-membership]")).to_contain_text("测试省质协")
    download = generate(page, live_server, form="annex5", file_format="xlsx", organisation="PA")
    path = tmp_path / "annex5.xlsx"
    download.save_as(path)
    sheet = openpyxl.load_workbook(io.BytesIO(path.read_bytes())).active
    assert sheet["A2"].value == "质量管理小组成果评审汇总表"
    page.goto(f"{live_server.url}/reports/runs/")
    expect(page.locator("table tbody tr")).to_have_count(2)  # this run and the fixture's pending PA run
    expect(page.locator("table tbody tr").first).to_contain_text("附件5")


def test_provincial_staff_cannot_open_another_provinces_campaign(network, signed_in, live_server):
    page = signed_in("pa_staff")
    response = page.goto(f"{live_server.url}/campaigns/PB-T/")
    assert response.status == 404


def test_unit_coordinator_sees_its_enterprises(network, signed_in):
    page = signed_in("ru1_coord")
    table = page.locator("[data-testid=unit-enterprises]")
    expect(table).to_contain_text("测试甲机械有限公司")
    expect(table).to_contain_text("行业直属")
    expect(page.locator("[data-testid=submissions]")).to_contain_text("甲攻关QC小组")
    expect(page.locator("nav")).not_to_contain_text("报表记录")


def test_enterprise_coordinator_and_executive_see_their_figures(network, signed_in):
    page = signed_in("e1_coord")
    expect(page.locator("[data-testid=stat-circles]")).to_have_text("3")
    expect(page.locator("[data-testid=stat-members]")).to_have_text("14")
    expect(page.locator("[data-testid=submissions]")).to_contain_text("85.00")
    page.context.clear_cookies()
    page = signed_in("e1_exec")
    expect(page.locator("[data-testid=stat-benefit]")).to_have_text("10.50")


def test_judge_sees_own_score_sheets(network, signed_in):
    page = signed_in("pa_judge")
    expect(page.locator("[data-testid=judge-sheets] tbody tr")).to_have_count(2)


def test_circle_leader_sees_own_circle(network, signed_in):
    page = signed_in("e1_leader")
    expect(page.locator("[data-testid=my-circles]")).to_contain_text("甲攻关QC小组")


def test_wrong_password_shows_a_chinese_error(network, signed_in):
    page = signed_in("pa_staff", password="wrong-password")
    expect(page.locator(".alert-danger")).to_contain_text("请输入一个正确的")
