"""The work-summary editor in a real browser: the live character count (static/js/
work-summary.js) counts as the server does (seed 002 附件2 “字数3000字以上”)."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_live_character_count_matches_the_server_seed002_annex2(network, signed_in, live_server):
    page = signed_in("pa_staff")
    page.goto(live_server.url + reverse("reports:work-summary", args=["CAQ-T", "annual"]))
    expect(page.locator("[data-testid=summary-count]")).to_have_text("0")
    page.fill("#id_basic_overall", "质量 管理，QC小组。\n\t　2020年")
    page.fill("#id_issues_suggestions", "建议 一条")
    expect(page.locator("[data-testid=summary-count]")).to_have_text("19")  # 15 + 4
    page.click("[data-testid=summary-save]")
    page.wait_for_load_state()
    expect(page.locator("[data-testid=summary-count]")).to_have_text("19")  # the server's count
    page.click("[data-testid=summary-export-docx]")
    page.wait_for_load_state()
    expect(page.locator("[data-testid=summary-errors]")).to_contain_text("当前为19字，少于要求的3000字")
