"""The campaign panel of every home (issue 7, item 10): the live campaign of the acting
organisation, the seven stages of seed 003 二 with their dates, the current stage
highlighted, the countdown to the next deadline (Asia/Shanghai) and the newest
announcements, within a bounded number of queries."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from promotion.choices import StageKind
from promotion.models import Campaign
from promotion.selectors import campaign_live, campaign_timeline
from qcportal.tenancy import no_tenant, tenant_scope

from .. import factories as f

pytestmark = pytest.mark.django_db

#: Every role's home, by a user of PA's subtree (PA-LIVE is their live campaign).
PA_SUBTREE_HOMES = (
    "pa_staff",
    "pa_admin",
    "pa_leader",
    "ru1_coord",
    "e1_coord",
    "e1_exec",
    "e1_leader",
    "pa_judge",
)

STAGE_LABELS = ("活动报名", "辅导培育", "成果申报", "成果推荐", "成果评价", "推荐全国成果", "活动推广")


def _home(login, user=None, client=None):
    response = (client or login(user)).get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("username", PA_SUBTREE_HOMES)
def test_every_home_shows_timeline_current_stage_and_countdown(
    network, login, live_campaign, username, django_assert_max_num_queries
):
    """Each role's home: the provincial live campaign, the seven stages in order with dates,
    成果申报 as the current stage and 「距“成果申报”截止还有 10 天（date）」."""
    today = timezone.localdate()
    client = login(getattr(network.users, username))
    # 26: staff sessions also load their verified two-factor device (django-otp, issue 9 item 1)
    with django_assert_max_num_queries(26):
        body = _home(login, client=client)
    assert 'data-testid="campaign-panel"' in body
    assert "测试省本年度质量管理小组活动" in body
    timeline = body[body.index('data-testid="campaign-timeline"') :]
    positions = [timeline.index(label) for label in STAGE_LABELS]
    assert positions == sorted(positions)
    current = body[body.index('data-testid="current-stage"') :]
    assert current.split("</li>")[0].count("成果申报") == 1 and "当前阶段" in current.split("</li>")[0]
    deadline = today + dt.timedelta(days=10)
    assert f"距“成果申报”截止还有 10 天（{deadline:%Y-%m-%d}）" in body
    assert f"{today - dt.timedelta(days=5):%Y-%m-%d} – {deadline:%Y-%m-%d}" in body


def test_home_says_today_is_the_last_day(network, login, live_campaign):
    """On the stage's last day the countdown reads 「今天截止」."""
    today = timezone.localdate()
    with no_tenant():
        live_campaign.stages.filter(kind=StageKind.SUBMISSION).update(ends_on=today)
        live_campaign.stages.filter(kind=StageKind.RECOMMENDATION).update(
            starts_on=today + dt.timedelta(days=1)
        )
    body = _home(login, network.users.e1_coord)
    text = body.split('data-testid="countdown"')[1].split(">", 1)[1].split("</div>")[0]
    assert text == "“成果申报”今天截止"


def test_provincial_campaign_is_preferred_to_its_national_parent(network, login, live_campaign):
    """When the national association runs an open campaign of the same year, PA's subtree
    still sees PA's (the nearest association); the national staff see the national one."""
    today = timezone.localdate()
    with no_tenant():
        national = f.CampaignFactory(
            code="CAQ-LIVE", organisation=network.caq, year=today.year, title="全国本年度质量管理小组活动"
        )
        f.stages_around(national, today, current="coaching")
    with tenant_scope(network.e1):
        assert campaign_live(organisation=network.e1).code == "PA-LIVE"
    with tenant_scope(network.caq):
        assert campaign_live(organisation=network.caq).code == "CAQ-LIVE"
    with tenant_scope(network.pb):
        assert campaign_live(organisation=network.pb).code == "CAQ-LIVE"
    national_home = _home(login, network.users.caq_staff)
    assert (
        "全国本年度质量管理小组活动" in national_home and "测试省本年度质量管理小组活动" not in national_home
    )
    assert "距“辅导培育”截止还有 10 天" in national_home


def test_sibling_province_never_sees_the_live_campaign(network, login, live_campaign):
    """PB's side (staff, enterprise) does not see PA's campaign on their homes."""
    for user in (network.users.pb_staff, network.users.e4_coord):
        body = _home(login, user)
        assert "测试省本年度质量管理小组活动" not in body


def test_closed_campaigns_show_the_latest_as_ended(network, login):
    """With no open campaign (the historical demo campaign CAQ-2020 is closed), the home shows
    the latest campaign marked 「已结束」, no current stage and no countdown."""
    with no_tenant():
        Campaign.objects.update(status="closed")
        f.stages_around(network.campaign, dt.date(2020, 5, 10))
    body = _home(login, network.users.e1_coord)
    assert network.campaign.title in body
    assert 'data-testid="campaign-closed"' in body and "已结束" in body
    assert 'data-testid="current-stage"' not in body and 'data-testid="countdown"' not in body
    with tenant_scope(network.e1):
        campaign = campaign_live(organisation=network.e1)
        timeline = campaign_timeline(campaign=campaign, today=dt.date(2020, 5, 10))
    assert timeline["closed"] and timeline["current"] is None and timeline["deadline"] is None
    assert {s["state"] for s in timeline["stages"]} == {"done"}


def test_draft_campaigns_never_show(network, login, live_campaign):
    """A draft campaign (筹备中) is not the live one."""
    with no_tenant():
        Campaign.objects.filter(pk=live_campaign.pk).update(status="draft")
    with tenant_scope(network.e1):
        assert campaign_live(organisation=network.e1).code == "CAQ-T"


def test_timeline_states_and_deadline(network, live_campaign):
    """Stages before today are done, the current one is current, later ones upcoming; the
    deadline is the current stage's end with the days left (no query once prefetched)."""
    today = timezone.localdate()
    with tenant_scope(network.e1):
        campaign = campaign_live(organisation=network.e1)
        timeline = campaign_timeline(campaign=campaign, today=today)
    states = [s["state"] for s in timeline["stages"]]
    assert states == ["done", "done", "current", "upcoming", "upcoming", "upcoming", "upcoming"]
    assert timeline["deadline"]["label"] == "成果申报" and timeline["deadline"]["days"] == 10


def test_selector_queries_are_bounded(network, live_campaign, django_assert_num_queries):
    """The live campaign with its stages: two queries; the timeline: none."""
    with tenant_scope(network.e1), django_assert_num_queries(2):
        campaign = campaign_live(organisation=network.e1)
        campaign_timeline(campaign=campaign)


def test_home_lists_the_newest_five_announcements_in_bounded_queries(
    network, login, live_campaign, django_assert_max_num_queries
):
    """The panel lists the 5 newest published announcements (pinned first) of the lineage,
    whatever their number, and never a draft."""
    with no_tenant():
        for n in range(8):
            f.AnnouncementFactory(
                organisation=network.pa,
                created_by=network.users.pa_staff,
                title=f"省公告{n}",
                published_at=timezone.now() - dt.timedelta(days=n),
            )
        f.AnnouncementFactory(
            organisation=network.caq, created_by=network.users.caq_staff, title="全国置顶公告", pinned=True
        )
        f.AnnouncementFactory(
            organisation=network.pa, created_by=network.users.pa_staff, title="省草稿公告", published_at=None
        )
        f.AnnouncementFactory(organisation=network.pb, created_by=network.users.pb_staff, title="另一省公告")
    client = login(network.users.e1_leader)
    with django_assert_max_num_queries(25):
        body = _home(login, client=client)
    panel = body[body.index('data-testid="home-announcements"') :].split("</ul>")[0]
    assert panel.count("<li") == 5
    assert panel.index("全国置顶公告") < panel.index("省公告0")
    assert "省公告3" in panel and "省公告4" not in panel
    assert "省草稿公告" not in panel and "另一省公告" not in panel
    staff_body = _home(login, network.users.pa_staff)
    assert "省草稿公告" not in staff_body  # the homes show published ones only


def _panel_queries(login, user):
    """The home's body and the SQL it ran on campaigns, stages and announcements."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(user)
    with CaptureQueriesContext(connection) as queries:
        body = _home(login, client=client)
    tables = ("promotion_campaign", "promotion_campaignstage", "promotion_announcement")
    return body, [q["sql"] for q in queries if any(f'FROM "{t}"' in q["sql"] for t in tables)]


def test_the_panel_is_kept_in_the_cache_until_a_campaign_stage_or_announcement_changes(
    network, login, live_campaign
):
    """Rule R-SC-74: the second home (any user of the organisation) reads the panel from the
    cache (no campaign, stage or announcement query); a new announcement, a new stage
    calendar (saved in bulk by the service) and a renamed campaign show at once."""
    from promotion.services import campaign_stages_save
    from qcportal.models import Membership

    body, first = _panel_queries(login, network.users.e1_leader)
    assert first and "测试省本年度质量管理小组活动" in body
    body, second = _panel_queries(login, network.users.e1_coord)
    assert second == [] and "测试省本年度质量管理小组活动" in body

    with no_tenant():
        f.AnnouncementFactory(
            organisation=network.pa,
            created_by=network.users.pa_staff,
            title="新发布的省公告",
            published_at=timezone.now(),
        )
    body, third = _panel_queries(login, network.users.e1_coord)
    assert third and "新发布的省公告" in body

    today = timezone.localdate()
    with no_tenant():
        stages = [
            {"kind": s.kind, "starts_on": s.starts_on, "ends_on": s.ends_on, "responsible": s.responsible}
            for s in live_campaign.stages.all()
        ]
    for stage in stages:
        if stage["kind"] == StageKind.SUBMISSION:
            stage["ends_on"] = today + dt.timedelta(days=3)
    with tenant_scope(network.pa):
        membership = Membership.objects.get(user=network.users.pa_staff)
        campaign_stages_save(membership=membership, campaign=live_campaign, stages=stages)
    body, _queries = _panel_queries(login, network.users.e1_coord)
    assert "还有 3 天" in body

    with no_tenant():
        Campaign.objects.filter(pk=live_campaign.pk).get().save()  # a save through the model
        live_campaign.title = "测试省本年度活动（修订）"
        live_campaign.save(update_fields=["title"])
    body, _queries = _panel_queries(login, network.users.e1_coord)
    assert "测试省本年度活动（修订）" in body
