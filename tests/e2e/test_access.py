"""Each role's share in a real browser (issue 3): a new user joins through an invitation,
every role sees exactly its navigation, a judge scores an assigned result, a user with two
memberships switches between them."""

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

EXECUTIVE_NAVIGATION = [
    "首页",
    "数据看板",
    "QC小组",
    "课题",
    "活动记录",
    "年度活动",
    "成果申报",
    "推进计划",
    "宣传培训",
    "成果知识库",
    "表彰与证书",
    "改进清单",
    "通知公告",
    "推进组织",
]
#: The coordinator also signs circles up for presentation conferences.
ENTERPRISE_NAVIGATION = [*EXECUTIVE_NAVIGATION[:9], "成果发表会", *EXECUTIVE_NAVIGATION[9:]]
CIRCLE_NAVIGATION = [
    "首页",
    "QC小组",
    "课题",
    "活动记录",
    "年度活动",
    "成果知识库",
    "表彰与证书",
    "改进清单",
    "通知公告",
    "推进组织",
]
NAVIGATION = {
    "pa_admin": [
        "首页",
        "数据看板",
        "QC小组",
        "课题",
        "活动记录",
        "年度活动",
        "成果申报",
        "推进计划",
        "宣传培训",
        "成果知识库",
        "表彰与证书",
        "改进清单",
        "通知公告",
        "推进组织",
        "报表记录",
        "组织管理",
        "用户管理",
        "审计日志",
    ],
    "pa_staff": [
        "首页",
        "数据看板",
        "QC小组",
        "课题",
        "活动记录",
        "年度活动",
        "成果申报",
        "推进计划",
        "宣传培训",
        "成果发表会",
        "成果知识库",
        "表彰与证书",
        "改进清单",
        "通知公告",
        "推进组织",
        "专家库",
        "报表记录",
        "组织管理",
        "审计日志",
    ],
    "pa_leader": [
        "首页",
        "数据看板",
        "QC小组",
        "课题",
        "活动记录",
        "年度活动",
        "成果申报",
        "推进计划",
        "宣传培训",
        "成果知识库",
        "表彰与证书",
        "改进清单",
        "通知公告",
        "推进组织",
        "报表记录",
        "组织管理",
    ],
    "ru1_coord": [
        "首页",
        "数据看板",
        "QC小组",
        "课题",
        "活动记录",
        "年度活动",
        "成果申报",
        "成果知识库",
        "表彰与证书",
        "改进清单",
        "通知公告",
        "推进组织",
        "组织管理",
    ],
    "e1_exec": EXECUTIVE_NAVIGATION,
    "e1_coord": ENTERPRISE_NAVIGATION,
    "e1_leader": CIRCLE_NAVIGATION,
    "pa_judge": ["首页", "年度活动", "通知公告", "评审任务"],
}


@pytest.mark.parametrize("username", sorted(NAVIGATION))
def test_each_role_sees_exactly_its_navigation(network, signed_in, username):
    page = signed_in(username)
    expect(page.locator("#mainnav .navbar-nav.me-auto .nav-link")).to_have_text(NAVIGATION[username])
    expect(page.locator("[data-testid=active-membership]")).to_be_visible()


def test_new_user_joins_through_an_invitation(network, signed_in, live_server, browser):
    page = signed_in("pa_admin")
    page.goto(f"{live_server.url}/organisations/E1/")
    page.click("[data-testid=invite]")
    page.fill("#id_full_name", "新来的推进负责人")
    page.fill("#id_email", "newcomer@e1.example.cn")
    page.select_option("#id_organisation", "E1")
    page.select_option("#id_role", "enterprise_coordinator")
    page.click("[data-testid=invitation-form] button[type=submit]")
    link = page.locator("[data-testid=invitation-url]").input_value()
    assert "/accounts/invitations/" in link

    newcomer = browser.new_context(locale="zh-CN").new_page()
    newcomer.goto(link)
    newcomer.fill("#id_username", "newcomer")
    newcomer.fill("#id_password1", "Quality-Circle-2026")
    newcomer.fill("#id_password2", "Quality-Circle-2026")
    newcomer.click("[data-testid=accept-form] button[type=submit]")
    expect(newcomer.locator(".alert-success")).to_contain_text("欢迎")
    expect(newcomer.locator("[data-testid=active-membership]")).to_contain_text("企业推进负责人")
    expect(newcomer.locator("#mainnav .navbar-nav.me-auto .nav-link")).to_have_text(ENTERPRISE_NAVIGATION)
    expect(newcomer.locator("[data-testid=submissions]")).to_contain_text("甲攻关QC小组")
    response = newcomer.goto(f"{live_server.url}/organisations/")
    assert response.status == 403
    newcomer.goto(link)
    expect(newcomer.locator("[data-testid=invitation-invalid]")).to_contain_text("已经使用过")


def test_judge_scores_an_assigned_result(network, signed_in, live_server):
    page = signed_in("pa_judge")
    page.click("text=评审任务")
    tasks = page.locator("[data-testid=tasks] tbody tr")
    expect(tasks).to_have_count(3)
    page.click(f"[data-testid=tasks] a[href$='/submissions/{network.submissions[5].pk}/sheet/']")
    for code, points in {
        "topic": "13",
        "cause_analysis": "25",
        "countermeasures": "17",
        "effect": "18",
        "report": "4",
        "features": "8",
    }.items():
        page.fill(f"input[name=points_{code}]", points)
    page.fill("#id_assessment", "优势：现状调查细致。不足：效果维持期数据偏少。")
    expect(page.locator("[data-running-total]")).to_have_text("85")
    page.click("[data-testid=sheet-submit]")
    expect(page.locator(".alert-success")).to_be_visible()
    expect(page.locator("[data-testid=sheet-status]")).to_have_text("已提交")
    response = page.goto(f"{live_server.url}/evaluation/submissions/{network.submissions[2].pk}/")
    assert response.status == 404


def test_user_with_two_memberships_switches(network, signed_in):
    from qcportal.models import Membership
    from qcportal.tenancy import no_tenant

    with no_tenant():
        Membership.objects.create(
            user=network.users.pa_judge, organisation=network.e1, role="enterprise_coordinator"
        )
    page = signed_in("pa_judge")
    expect(page.locator("[data-testid=active-membership]")).to_contain_text("评委")
    page.click("[data-testid=active-membership]")
    page.click("text=测试甲机械有限公司 · 企业推进负责人")
    expect(page.locator(".alert-success")).to_contain_text("已切换为")
    expect(page.locator("[data-testid=active-membership]")).to_contain_text("企业推进负责人")
    expect(page.locator("#mainnav .navbar-nav.me-auto .nav-link")).to_have_text(ENTERPRISE_NAVIGATION)
    expect(page.locator("[data-testid=stat-members]")).to_have_text("14")
