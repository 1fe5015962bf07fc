"""Stage windows (rule R-PT-04, issue 7 item 2): an action of a stage is accepted only inside
the stage's dates of the calendar (seed 003 二、活动安排), or until an extension (延期)
granted to the acting organisation; the refusal names the window and its dates."""

import datetime as dt

import pytest
from django.urls import reverse

from promotion import services
from promotion.choices import StageKind
from promotion.models import CampaignEntry, StageExtension
from promotion.windows import window_refusal
from qcportal.models import Membership
from qcportal.tenancy import membership_scope, no_tenant

from .helpers import ENTRY, shanghai_setup

pytestmark = pytest.mark.django_db

D = dt.timedelta


def test_window_refusal_names_window_and_dates_seed003_stages(network):
    s = shanghai_setup(network, registration_open=False)
    with no_tenant():
        stage = s.campaign.stage_for(StageKind.REGISTRATION)
        assert window_refusal(
            campaign=s.campaign, stage=StageKind.REGISTRATION, organisation_id=network.e1.pk
        ) == (
            f"已过“活动报名”阶段（{stage.starts_on.isoformat()} 至 {stage.ends_on.isoformat()}），"
            "该操作已关闭；如需延期，请联系主办协会。"
        )
        before = stage.starts_on - D(1)
        message = window_refusal(
            campaign=s.campaign, stage=StageKind.REGISTRATION, organisation_id=None, today=before
        )
        assert "尚未开始" in message and stage.starts_on.isoformat() in message
        assert (
            window_refusal(
                campaign=s.campaign, stage=StageKind.REGISTRATION, organisation_id=None, today=stage.ends_on
            )
            is None
        )  # inclusive of the last day


def test_window_refusal_without_the_stage_in_the_calendar(network):
    s = shanghai_setup(network)
    with no_tenant():
        s.campaign.stages.filter(kind=StageKind.REGISTRATION).delete()
        message = window_refusal(campaign=s.campaign, stage=StageKind.REGISTRATION, organisation_id=None)
    assert message == "活动日程未设置“活动报名”阶段，该操作暂不能办理。"


def test_extension_lets_one_organisation_act_after_the_window(network, login):
    s = shanghai_setup(network, registration_open=False)
    staff = Membership._base_manager.get(user=network.users.pa_staff)
    with membership_scope(staff):
        services.extension_grant(
            membership=staff,
            campaign=s.campaign,
            organisation=network.e1,
            stage=StageKind.REGISTRATION,
            until=s.today + D(3),
            reason="系统故障，补报",
        )
    # E1 signs up after the window thanks to its extension ...
    client = login(network.users.e1_coord)
    response = client.post(
        reverse("promotion:entry", args=["PA-2022"]), {**ENTRY, "recommending_unit": network.ru1.pk}
    )
    assert response.status_code == 302
    with no_tenant():
        assert CampaignEntry.objects.filter(campaign=s.campaign, organisation=network.e1).exists()
    # ... while E5, without one, is refused with the window and its dates.
    client = login(s.e5_coord)
    response = client.post(
        reverse("promotion:entry", args=["PA-2022"]), {**ENTRY, "seal_name": "测试戊会员单位有限公司"}
    )
    assert response.status_code == 400
    assert "已过“活动报名”阶段" in response.content.decode()
    with no_tenant():
        assert not CampaignEntry.objects.filter(organisation=s.e5).exists()


def test_extension_granted_again_updates_it_and_can_be_revoked(network, login):
    s = shanghai_setup(network, registration_open=False)
    client = login(network.users.pa_staff)
    url = reverse("promotion:extension-grant", args=["PA-2022"])
    for until in (s.today + D(2), s.today + D(9)):
        data = {
            "ext-organisation": network.e1.pk,
            "ext-stage": "registration",
            "ext-until": until,
            "ext-reason": "补报",
        }
        assert client.post(url, data).status_code == 302
    with no_tenant():
        extension = StageExtension.objects.get(campaign=s.campaign, organisation=network.e1)
        assert extension.until == s.today + D(9)
    page = client.get(reverse("promotion:campaign-detail", args=["PA-2022"])).content.decode()
    assert "测试甲机械有限公司" in page and "补报" in page
    # an organisation sees its own extension on the campaign page, not the others'
    with no_tenant():
        StageExtension.objects.create(
            campaign=s.campaign,
            organisation=network.e2,
            stage="registration",
            until=s.today + D(5),
            reason="乙的延期",
            granted_by=network.users.pa_staff,
        )
    e1_page = (
        login(network.users.e1_coord)
        .get(reverse("promotion:campaign-detail", args=["PA-2022"]))
        .content.decode()
    )
    assert "补报" in e1_page and "乙的延期" not in e1_page
    client = login(network.users.pa_staff)
    response = client.post(reverse("promotion:extension-revoke", args=["PA-2022", extension.pk]))
    assert response.status_code == 302
    with no_tenant():
        assert not StageExtension.objects.filter(pk=extension.pk).exists()


def test_extension_refuses_foreign_organisation_and_an_early_date(network, login):
    s = shanghai_setup(network)
    client = login(network.users.pa_staff)
    url = reverse("promotion:extension-grant", args=["PA-2022"])
    response = client.post(
        url,
        {
            "ext-organisation": network.e4.pk,
            "ext-stage": "registration",
            "ext-until": s.today,
            "ext-reason": "x",
        },
    )
    assert response.status_code == 400  # E4 belongs to another province: not a choice
    response = client.post(
        url,
        {
            "ext-organisation": network.e1.pk,
            "ext-stage": "registration",
            "ext-until": s.today,
            "ext-reason": "x",
        },
    )
    assert response.status_code == 400
    assert "延期日期须晚于“活动报名”阶段的结束日期" in response.content.decode()
    api = client.post(
        reverse("api:campaign-extensions", args=["PA-2022"]),
        {"organisation": "E1", "stage": "registration", "until": "2022-02-30", "reason": "x"},
        content_type="application/json",
    )
    assert api.status_code == 400
    assert "不是有效的日期" in api.json()["errors"]["until"][0]
    # A control character is refused where the API parses its body (R-SC-21).
    api = client.post(
        reverse("api:campaign-extensions", args=["PA-2022"]),
        {"organisation": "E1", "stage": "registration", "until": "2030-01-01", "reason": "x\x00"},
        content_type="application/json",
    )
    assert api.status_code == 400
    assert "控制字符" in api.json()["errors"]["reason"][0]
    with no_tenant():
        assert not StageExtension.objects.exists()


def test_extensions_api_grants_and_lists(network, login):
    s = shanghai_setup(network)
    client = login(network.users.pa_staff)
    url = reverse("api:campaign-extensions", args=["PA-2022"])
    response = client.post(
        url,
        {
            "organisation": "E1",
            "stage": "submission",
            "until": (s.today + D(60)).isoformat(),
            "reason": "补交材料",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["stage_display"] == "成果申报"
    assert [row["organisation"] for row in client.get(url).json()["results"]] == ["E1"]
    # an enterprise may not grant: 403; another association's staff cannot find the campaign: 404
    assert login(network.users.e1_coord).post(url, {}, content_type="application/json").status_code == 403
    assert login(network.users.pb_staff).post(url, {}, content_type="application/json").status_code == 404
