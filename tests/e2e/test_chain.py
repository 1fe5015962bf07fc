"""Browser test of the recommendation chain (issue 7): an enterprise submits its accepted
result; the unit recommends it with its sealed form; the association returns it for
correction; the enterprise corrects and resubmits; it passes formal review; after judging
the association recommends it to the national campaign and downloads the national package
checklist."""

from __future__ import annotations

import zipfile

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from evaluation.judging import submission_default_round
from evaluation.models import JudgeAssignment, Judging, JudgingRound, Submission
from evaluation.scoring import results_compute
from evaluation.workflow import JUDGING_WORKFLOW
from qcportal.models import Membership
from qcportal.tenancy import membership_scope, no_tenant, tenant_scope
from reports.services import work_summary_save
from tests import factories as f
from tests.e2e.test_circles import small_pdf, take
from tests.evaluation.test_chain import build_live
from tests.reports.test_work_summary import full_sections

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def status(page, text):
    expect(page.locator("[data-testid=submission-status]")).to_have_text(text)


def test_result_from_submission_to_national_recommendation(network, sign_in, tmp_path, live_server):
    live = build_live(network)
    project = live.projects[0]
    pdf = small_pdf(tmp_path / "成果报告.pdf")

    # --- the enterprise submits ------------------------------------------------------------
    coord = sign_in("e1_coord")
    coord.locator("#mainnav").get_by_role("link", name="成果申报", exact=True).click()
    coord.click("[data-testid=new-submission]")
    coord.select_option("#id_campaign", label=live.campaign.title)
    coord.select_option("#id_project", label=f"{project.title}（{project.circle.name}）")
    coord.click("[data-testid=save]")
    expect(coord.locator(".alert-success")).to_contain_text("已创建申报草稿")
    expect(coord.locator("#id_seal_name")).to_have_value("测试甲机械有限公司（以公章为准）")
    coord.select_option("#id_domain", label="制造类")
    coord.fill("#id_introduction", "小组围绕焊接缺陷开展活动，缺陷率由3.1%降至0.8%。")
    coord.click("[data-testid=save]")
    expect(coord.locator(".alert-success")).to_contain_text("申报材料已保存")
    status(coord, "草稿")
    expect(coord.locator("[data-testid=blocked-submit]")).to_contain_text("成果报告")
    coord.set_input_files("[data-testid=upload-form] input[type=file]", str(pdf))
    coord.click("[data-testid=upload-form] button[type=submit]")
    expect(coord.locator(".alert-success")).to_contain_text("成果报告已上传")
    take(coord, "submit")
    status(coord, "待推荐单位推荐")
    url = coord.url

    # --- the unit recommends with its sealed form -------------------------------------------
    unit = sign_in("ru1_coord")
    unit.goto(url)
    status(unit, "待推荐单位推荐")
    expect(unit.locator("[data-testid=blocked-unit_recommend]")).to_contain_text("加盖公章")
    unit.set_input_files("[data-testid=recommendation-form-upload] input[type=file]", str(pdf))
    unit.click("[data-testid=recommendation-form-upload] button[type=submit]")
    expect(unit.locator(".alert-success")).to_contain_text("推荐表已上传")
    take(unit, "unit_recommend", comment="材料齐全，同意推荐。")
    status(unit, "待形式审查")

    # --- the association returns it for correction -------------------------------------------
    staff = sign_in("pa_staff")
    staff.goto(url)
    expect(staff.locator("[data-testid=similar-results]")).to_be_visible()
    take(staff, "review_return", comment="成果报告缺少巩固期数据。")
    status(staff, "形式审查退回修改")

    # --- the enterprise sees why and by when, corrects and resubmits --------------------------
    coord.goto(url)
    expect(coord.locator("[data-testid=correction-due]")).to_be_visible()
    expect(coord.locator("[data-testid=history]")).to_contain_text("成果报告缺少巩固期数据。")
    take(coord, "correct", comment="已补充巩固期数据。")
    status(coord, "待形式审查")

    # --- formal review passes with every checklist item ------------------------------------------
    staff.goto(url)
    form = staff.locator("[data-testid=form-review_pass]")
    if not form.is_visible():
        staff.click("[data-testid=open-review_pass]")
    for box in form.locator("input[type=checkbox]").all():
        box.check()
    form.locator("[data-testid=do-review_pass]").click()
    status(staff, "形式审查通过（参评）")

    # --- judged and published (the judging's own flow is tests/e2e/test_judging.py) ------------
    with no_tenant():
        submission = Submission.objects.get(campaign=live.campaign, project=project)
        judge = network.judges[0]
        round_ = submission_default_round(submission)
        JudgeAssignment.objects.create(
            organisation=network.pa, round=round_, submission=submission, judge=judge, is_panel_chair=True
        )
        f.ScoreSheetFactory(organisation=network.pa, submission=submission, judge=judge, total="92")
        JudgingRound.objects.filter(pk=round_.pk).update(status="closed")
        results_compute(round_.judging)
        Judging.objects.filter(pk=round_.judging_id).update(status="approved")
        pa_staff = Membership.objects.select_related("organisation", "user").get(user__username="pa_staff")
    with membership_scope(pa_staff):
        JUDGING_WORKFLOW.perform(Judging.objects.get(pk=round_.judging_id), "publish", membership=pa_staff)
    staff.goto(url)
    status(staff, "已评审")
    take(staff, "nominate")
    status(staff, "已推荐上级")
    expect(staff.locator("[data-testid=recommended-as]")).to_contain_text(live.parent.title)

    # --- the association checks and downloads the national package -----------------------------
    staff.goto(f"{live_server.url}/campaigns/{live.campaign.code}/national-package/")
    expect(staff.locator("[data-testid=package-missing]")).to_contain_text("附件2")
    expect(staff.locator("[data-testid=package-start]")).to_be_disabled()
    with no_tenant():  # what the association writes on its own pages (tested in tests/reports)
        Submission.objects.filter(pk=submission.pk).update(
            panel_assessment="优势：数据翔实。不足：图表不规范。"
        )
        for enterprise in (network.e1, network.e2):  # the campaign year's figures (Annex 3)
            f.FiguresFactory(organisation=enterprise, year=live.campaign.year, total_employees=500)
        membership = Membership.objects.select_related("organisation").get(user=network.users.pa_staff)
    with tenant_scope(network.pa):
        work_summary_save(
            membership=membership,
            user=network.users.pa_staff,
            campaign=live.campaign,
            kind="annual",
            sections=full_sections(),
        )
    staff.reload()
    expect(staff.locator("[data-testid=package-ready]")).to_be_visible()
    # The package is built in-process in the browser tests (forms and PDFs): on a loaded
    # machine that takes longer than the default 30 s navigation wait.
    staff.click("[data-testid=package-start]", timeout=120_000)
    download_link = staff.locator("[data-testid=package-runs] [data-role=download]").first
    expect(download_link).to_be_visible(timeout=60_000)
    with staff.expect_download() as info:
        download_link.click()
    with zipfile.ZipFile(info.value.path()) as archive:
        names = archive.namelist()
    assert any(n.startswith("附件1_申报表/") for n in names) and any(n.startswith("成果报告/") for n in names)

    # --- the national campaign's association finds it waiting for its formal review ------------
    national = sign_in("caq_admin")
    national.goto(
        f"{live_server.url}/evaluation/submissions/?campaign={live.parent.code}&status=unit_recommended"
    )
    expect(national.locator("[data-testid=submissions]")).to_contain_text(project.title)
    assert timezone.localdate() == live.today
