"""The annual promotion plan in a real browser (issue 11 item 1; seed 001 §6): the enterprise
coordinator (管理层) drafts the plan — diagnosis, goals, an activity type, a key project, with
「添加一行」 for a second goal — and submits it; the executive (决策层) finds it on the to-do
list and approves it, and sees its goals tracked on the dashboard."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.test_circles import nav, open_todo, take

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_coordinator_drafts_and_executive_approves_the_plan(network, sign_in):
    year = timezone.localdate().year
    coord = sign_in("e1_coord")
    nav(coord, "推进计划")
    coord.click("[data-testid=new-plan]")
    coord.fill("#id_title", f"{year}年度推进计划（浏览器）")
    coord.fill("#id_direction", "扩大一线员工参与面")
    coord.click("[data-testid=save]")
    expect(coord.locator("[data-testid=plan-form]")).to_be_visible()
    coord.wait_for_load_state("load")  # circles.js (the 「添加一行」 script) has run

    coord.fill("[name=findings-0-weak_point]", "一线员工参与率低")
    coord.fill("[name=findings-0-evidence]", "去年参与率18%")
    coord.select_option("[name=goals-0-metric]", "circles_registered")
    coord.fill("[name=goals-0-target]", "12")
    coord.locator("[data-formset-add=goals]").click()
    coord.select_option("[name=goals-1-metric]", "other")
    coord.fill("[name=goals-1-description]", "成果发表交流")
    coord.fill("[name=goals-1-target]", "4")
    coord.fill("[name=goals-1-actual]", "1")
    coord.select_option("[name=activities-0-kind]", "qc_circle")
    coord.fill("[name=activities-0-purpose]", "解决现场质量问题")
    coord.fill("[name=projects-0-name]", "QC小组骨干培训")
    coord.fill("[name=projects-0-budget]", "6.5")
    coord.fill("[name=projects-0-starts_on]", f"{year}-03-01")
    coord.fill("[name=projects-0-ends_on]", f"{year}-06-30")
    coord.click("[data-testid=save]")
    expect(coord.locator(".alert-success")).to_contain_text("已保存计划")
    expect(coord.locator("[data-testid=goals]")).to_contain_text("25.0%")  # 1 of 4 typed for 「其他」
    take(coord, "submit")
    expect(coord.locator("[data-testid=plan-status]")).to_have_text("待审批")

    boss = sign_in("e1_exec")
    open_todo(boss, "待审批的年度推进计划")
    boss.get_by_role("link", name=f"{year}年度推进计划（浏览器）").click()
    take(boss, "approve")
    expect(boss.locator("[data-testid=plan-status]")).to_have_text("已批准")
    nav(boss, "数据看板")
    boss.goto(f"{boss.url.split('?')[0]}?year={year}")
    expect(boss.locator("[data-testid=dashboard-plan]")).to_contain_text("成果发表交流")
