"""Publicity, training and the presentation conference in a real browser (issue 11 item 2):
the enterprise coordinator records a training with its cost; the provincial association's
staff announces the conference of its live campaign; the coordinator signs a result up;
the staff finds the sign-up on its to-do list and chooses it to present. The training's
cost and the conference's counts then stand in Annex 3 for the province."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from circles.choices import ProjectStatus
from circles.models import Project
from qcportal.tenancy import no_tenant, tenant_scope
from reports.statistics import annex3_figures
from tests.e2e.test_circles import nav, open_todo, take

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_training_and_a_conference_reach_annex3(network, live_campaign, sign_in):
    today = timezone.localdate()
    with tenant_scope(network.pa):
        before = annex3_figures(campaign=live_campaign, association=network.pa).qc_activity_spending

    coord = sign_in("e1_coord")
    nav(coord, "宣传培训")
    coord.click("[data-testid=new-training]")
    coord.select_option("#id_kind", "training")
    coord.select_option("#id_delivery", "external")
    coord.fill("#id_held_on", today.isoformat())
    coord.fill("#id_topic", "QC小组诊断师培训（浏览器）")
    coord.fill("#id_trainer", "测试省质协")
    coord.fill("#id_participants", "5")
    coord.fill("#id_hours", "24")
    coord.fill("#id_cost", "1.5")
    coord.click("[data-testid=save]")
    expect(coord.locator("[data-testid=trainings]")).to_contain_text("QC小组诊断师培训（浏览器）")
    expect(coord.locator("[data-testid=training-cost]")).to_have_text("1.50")

    staff = sign_in("pa_staff")
    nav(staff, "成果发表会")
    staff.select_option("[data-testid=new-conference] select", "PA-LIVE")
    staff.locator("[data-testid=new-conference] button").click()
    staff.fill("#id_title", "测试省成果发表会（浏览器）")
    staff.check("#id_held")
    staff.fill("#id_held_on", (today + dt.timedelta(days=30)).isoformat())
    staff.fill("#id_place", "测试省会议中心")
    staff.fill("#id_signup_deadline", (today + dt.timedelta(days=10)).isoformat())
    staff.click("[data-testid=save]")
    expect(staff.locator("[data-testid=signed-up]")).to_have_text("0")

    coord = sign_in("e1_coord")
    nav(coord, "成果发表会")
    coord.get_by_role("link", name="测试省成果发表会（浏览器）").click()
    with no_tenant():
        project = Project.objects.filter(organisation=network.e1, status=ProjectStatus.ACCEPTED).order_by(
            "id"
        )[0]
    coord.select_option("#id_project", str(project.pk))
    coord.fill("#id_presenter", "张工")
    coord.click("[data-testid=sign-up]")
    expect(coord.locator("[data-testid=signed-up]")).to_have_text("1")

    staff = sign_in("pa_staff")
    open_todo(staff, "成果发表会报名待安排发表")
    staff.get_by_role("link", name="测试省成果发表会（浏览器）").click()
    staff.click("[data-testid=open-signup]")
    take(staff, "select")
    expect(staff.locator("[data-testid=signup-status]")).to_have_text("安排发表")

    with tenant_scope(network.pa):
        figures = annex3_figures(campaign=live_campaign, association=network.pa)
    assert figures.qc_activity_spending == before + Decimal("1.50")
    assert figures.conference.signed_up_circles == 1 and figures.conference.presented_circles == 1
    assert figures.conference.place == "测试省会议中心"
