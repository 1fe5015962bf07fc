"""Campaign configuration by the association's staff (issue 7, item 1): create and edit
(pages and API), the stage calendar of seed 003 二、活动安排, the lifecycle (筹备中 → 进行中 →
已结束), permissions and bad input (Chinese 400s, never a 500)."""

import datetime as dt

import pytest
from django.urls import reverse

from promotion.choices import STAGE_ORDER, CampaignStatus
from promotion.models import DEFAULT_DOMAINS, Campaign
from qcportal.tenancy import no_tenant

from .helpers import calendar_around, shanghai_setup

pytestmark = pytest.mark.django_db

API = "/api/v1/campaigns/"


def _payload(**extra):
    data = {
        "code": "PA-2023",
        "year": 2023,
        "title": "2023年测试省质量管理小组活动",
        "document_number": "沪质协[2023]8号",
        "theme": "扎根基层 落实标准",
        "period_start": "2022-06-01",
        "period_end": "2023-05-31",
        "deadline": "2023-07-31",
        "parent": "CAQ-T",
    }
    data.update(extra)
    return data


def _iso_calendar(today):
    return [
        {**row, "starts_on": row["starts_on"].isoformat(), "ends_on": row["ends_on"].isoformat()}
        for row in calendar_around(today)
    ]


def test_staff_create_a_draft_campaign_with_the_default_domains_seed003_1_3(network, login):
    client = login(network.users.pa_staff)
    response = client.post(API, _payload(), content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "draft" and body["status_display"] == "筹备中"
    assert body["domains"] == list(DEFAULT_DOMAINS)
    assert body["submission_quota"] == 2  # seed 003 三、2
    assert body["parent"] == "CAQ-T" and body["organisation"] == "PA"
    assert body["available_transitions"] == []  # 发布活动 waits for a calendar
    page = client.get(reverse("promotion:campaign-detail", args=["PA-2023"])).content.decode()
    assert "筹备中" in page and "请先设置活动日程" in page


def test_create_with_stages_units_and_quotas(network, login):
    shanghai = shanghai_setup(network)
    client = login(network.users.pa_staff)
    response = client.post(
        API,
        _payload(
            stages=_iso_calendar(shanghai.today),
            domains=["制造类", "建造类"],
            co_building_units=["RU1"],
            fallback_unit="PA-OTHER",
            recommendation_quota=5,
            submission_quota=3,
            grade_scheme="three_grades",
        ),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert [s["kind"] for s in body["stages"]] == ["coaching", "registration", *STAGE_ORDER[2:]]
    assert body["co_building_units"] == ["RU1"] and body["fallback_unit"] == "PA-OTHER"
    assert body["domains"] == ["制造类", "建造类"]
    stages = client.get(reverse("api:campaign-stages", args=["PA-2023"])).json()
    assert [s["kind"] for s in stages if s["is_current"]] == ["registration"]
    assert stages[1]["kind_display"] == "活动报名"


def test_publish_needs_a_calendar(network, login):
    client = login(network.users.pa_staff)
    assert client.post(API, _payload(), content_type="application/json").status_code == 201
    url = reverse("api:campaign-transitions", args=["PA-2023"])
    refused = client.post(url, {"transition": "publish"}, content_type="application/json")
    assert refused.status_code == 400
    assert "请先设置活动日程" in refused.json()["detail"]
    today = dt.date.today()
    put = client.put(
        reverse("api:campaign-stages", args=["PA-2023"]),
        _iso_calendar(today),
        content_type="application/json",
    )
    assert put.status_code == 200, put.content
    assert len(put.json()) == 7
    published = client.post(url, {"transition": "publish"}, content_type="application/json")
    assert published.status_code == 200
    assert published.json()["status_display"] == "进行中"
    closed = client.post(url, {"transition": "close"}, content_type="application/json")
    assert closed.json()["status"] == "closed"
    reopen = client.post(url, {"transition": "reopen"}, content_type="application/json")
    assert reopen.status_code == 400 and "重新开放原因" in reopen.json()["detail"]
    reopen = client.post(
        url, {"transition": "reopen", "comment": "补充评审"}, content_type="application/json"
    )
    assert reopen.json()["status_display"] == "进行中"


def test_publish_on_the_page_through_the_transitions_include(network, login):
    s = shanghai_setup(network, status=CampaignStatus.DRAFT)
    client = login(network.users.pa_staff)
    page = client.get(reverse("promotion:campaign-detail", args=["PA-2022"]))
    body = page.content.decode()
    assert 'data-testid="open-publish"' in body and 'data-testid="current-stage"' in body
    assert 'data-testid="next-deadline"' in body
    assert page.context["current_stage"].kind == "registration"
    response = client.post(reverse("promotion:campaign-detail", args=["PA-2022"]), {"transition": "publish"})
    assert response.status_code == 302
    with no_tenant():
        assert Campaign.objects.get(pk=s.campaign.pk).status == CampaignStatus.OPEN


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("period_end", "2021-01-01", "统计期止不能早于统计期起。"),
        ("period_start", "2023-02-30", "“统计期起”不是有效的日期（格式：2022-04-30）。"),
        # Refused where the API parses its body, before the service (R-SC-21).
        ("title", "活动\x00名称", "含有不允许的控制字符。"),
        ("theme", "长" * 201, "“活动主题”不能超过200个字（现为201个字）。"),
        ("code", "PA/2023", "活动代码只能包含字母、数字、点、短横线和下划线，如 SAQ-2022。"),
        ("code", "CAQ-T", "活动代码已被使用，请换一个。"),
        ("year", "二〇二三", "“年度”须为整数。"),
        ("submission_quota", 0, "“每个参与单位申报名额”须在1至1000之间。"),
        ("parent", "PB-T", "上级活动须为上级协会的活动（如全国质量管理小组活动）。"),
        ("fallback_unit", "RU3", "兜底推荐单位须为本协会下属的推荐单位（沪质协[2022]8号 二、3(2)）。"),
        ("domains", ["制造类", "x" * 51], "“领域”不能超过50个字（现为51个字）。"),
        ("title", {"a": 1}, "“活动名称”格式不正确。"),
    ],
)
def test_campaign_api_refuses_bad_input_in_chinese(network, login, field, value, message):
    response = login(network.users.pa_staff).post(
        API, _payload(**{field: value}), content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["errors"][field] == [message]
    with no_tenant():
        assert not Campaign.objects.filter(code="PA-2023").exists()


def test_stage_calendar_refuses_a_window_ending_before_it_starts(network, login):
    shanghai_setup(network)
    client = login(network.users.pa_staff)
    url = reverse("api:campaign-stages", args=["PA-2022"])
    bad = [{"kind": "registration", "starts_on": "2022-04-30", "ends_on": "2022-04-01"}]
    response = client.put(url, bad, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"]["registration_ends_on"] == ["“活动报名”阶段的结束日期不能早于开始日期。"]
    for body in ([{"kind": "nope", "starts_on": "2022-04-01", "ends_on": "2022-04-30"}], "x", [1]):
        assert client.put(url, body, content_type="application/json").status_code == 400
    # overlapping windows are accepted (seed 003: 辅导培育 3-4月 overlaps 活动报名 4月)
    overlap = [
        {"kind": "coaching", "starts_on": "2022-03-01", "ends_on": "2022-04-30", "responsible": "上海市质协"},
        {
            "kind": "registration",
            "starts_on": "2022-04-01",
            "ends_on": "2022-04-30",
            "responsible": "各自愿申报单位",
        },
    ]
    assert client.put(url, overlap, content_type="application/json").status_code == 200
    # the page shows the same refusal as a form error
    page = client.post(
        reverse("promotion:campaign-stages", args=["PA-2022"]),
        {"registration_starts_on": "2022-04-30", "registration_ends_on": "2022-04-01"},
    )
    assert page.status_code == 400
    assert page.context["form"].errors["registration_ends_on"] == [
        "“活动报名”阶段的结束日期不能早于开始日期。"
    ]


def test_campaign_pages_create_and_edit_with_form_errors(network, login):
    client = login(network.users.pa_staff)
    page = client.get(reverse("promotion:campaign-create"))
    assert page.status_code == 200
    assert page.context["form"].initial["domains"] == "\n".join(DEFAULT_DOMAINS)
    data = {
        "year": "2023",
        "code": "PA-2023",
        "title": "2023年活动",
        "period_start": "2022-06-01",
        "period_end": "2023-05-31",
        "domains": "\n".join(DEFAULT_DOMAINS),
        "grade_scheme": "benchmark_excellent",
        "submission_quota": "2",
    }
    response = client.post(reverse("promotion:campaign-create"), {**data, "period_end": "2022-05-01"})
    assert response.status_code == 400
    assert response.context["form"].errors["period_end"] == ["统计期止不能早于统计期起。"]
    response = client.post(reverse("promotion:campaign-create"), {**data, "period_start": "2023-02-30"})
    assert response.status_code == 400 and response.context["form"].errors["period_start"]
    response = client.post(reverse("promotion:campaign-create"), {**data, "title": "a\x00b"})
    assert response.status_code == 400 and response.context["form"].errors["title"]
    response = client.post(reverse("promotion:campaign-create"), data)
    assert response.status_code == 302, response.context["form"].errors
    with no_tenant():
        campaign = Campaign.objects.get(code="PA-2023")
        assert campaign.status == CampaignStatus.DRAFT
        assert list(campaign.domains.values_list("name", flat=True)) == list(DEFAULT_DOMAINS)
    edit = reverse("promotion:campaign-edit", args=["PA-2023"])
    assert client.get(edit).status_code == 200
    response = client.post(edit, {**data, "title": "2023年活动（修订）", "domains": "制造类"})
    assert response.status_code == 302, response.context["form"].errors
    with no_tenant():
        campaign.refresh_from_db()
        assert campaign.title == "2023年活动（修订）"
        assert list(campaign.domains.values_list("name", flat=True)) == ["制造类"]


def test_enterprise_cannot_create_campaigns(network, login):
    client = login(network.users.e1_coord)
    assert client.post(API, _payload(), content_type="application/json").status_code == 403
    assert client.get(reverse("promotion:campaign-create")).status_code == 403


def test_another_association_cannot_edit(network, login):
    shanghai_setup(network)
    pb = login(network.users.pb_staff)
    assert pb.patch(f"{API}PA-2022/", {"title": "越界"}, content_type="application/json").status_code == 404
    assert pb.get(reverse("promotion:campaign-edit", args=["PA-2022"])).status_code == 404
    # the national campaign is visible to PA along the lineage, but only CAQ edits it
    pa = login(network.users.pa_staff)
    assert pa.patch(f"{API}CAQ-T/", {"title": "越界"}, content_type="application/json").status_code == 404
    assert pa.get(reverse("promotion:campaign-edit", args=["CAQ-T"])).status_code == 404
    assert (
        pa.put(
            reverse("api:campaign-stages", args=["CAQ-T"]), [], content_type="application/json"
        ).status_code
        == 404
    )
    response = pa.patch(
        f"{API}PA-2022/", {"title": "改名后的活动", "submission_quota": 3}, content_type="application/json"
    )
    assert response.status_code == 200
    assert response.json()["title"] == "改名后的活动" and response.json()["submission_quota"] == 3
    assert response.json()["stages"]  # the calendar is untouched by a PATCH


def test_campaign_list_page_and_api_query_budget(network, login, django_assert_max_num_queries):
    with no_tenant():
        for n in range(5):
            Campaign.objects.create(
                organisation=network.pa,
                code=f"PA-Q{n}",
                year=2020 + n,
                title=f"预算活动{n}",
                period_start=dt.date(2020, 1, 1),
                period_end=dt.date(2020, 12, 31),
            )
    client = login(network.users.pa_staff)
    client.get(reverse("promotion:campaign-list"))
    with django_assert_max_num_queries(12):
        page = client.get(reverse("promotion:campaign-list"))
    assert page.status_code == 200 and "新建年度活动" in page.content.decode()
    with django_assert_max_num_queries(15):
        response = client.get(API)
    assert response.status_code == 200
    assert {"status", "status_display"} <= set(response.json()["results"][0])
