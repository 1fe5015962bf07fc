"""The yearly evaluation and the improvement list in a real browser (issue 11 item 6): the
enterprise coordinator evaluates the year and lists an improvement owned by the circle
leader with a deadline already past; the leader finds it on the to-do list as overdue and
completes it with its evidence."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.test_circles import nav, open_todo, take

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_an_overdue_improvement_reaches_its_owner_who_completes_it(network, sign_in):
    coord = sign_in("e1_coord")
    nav(coord, "推进计划")
    coord.click("[data-testid=reviews]")
    coord.click("[data-testid=this-year-review]")
    coord.fill("#id_results", "全年注册小组增加两成。")
    coord.fill("#id_problems", "活动记录不及时。")
    coord.fill("#id_directions", "每月检查活动记录。")
    coord.click("[data-testid=save-review]")
    expect(coord.locator(".alert-success")).to_contain_text("已保存年度评价")
    coord.click("[data-testid=add-item]")
    coord.fill("#id_title", "补齐活动记录（浏览器）")
    coord.select_option("#id_owner", str(network.users.e1_leader.pk))
    coord.fill("#id_deadline", (timezone.localdate() - dt.timedelta(days=1)).isoformat())
    coord.click("[data-testid=save-item]")
    expect(coord.locator("[data-testid=item-overdue]")).to_be_visible()

    leader = sign_in("e1_leader")
    open_todo(leader, "已逾期的改进事项")
    expect(leader.locator("[data-testid=improvements]")).to_contain_text("补齐活动记录（浏览器）")
    leader.get_by_role("link", name="补齐活动记录（浏览器）").click()
    take(leader, "complete", fields={"evidence": "已补齐近三个月的12条记录"})
    expect(leader.locator("[data-testid=item-status]")).to_contain_text("已完成")
    expect(leader.locator("[data-testid=item-evidence]")).to_have_text("已补齐近三个月的12条记录")
