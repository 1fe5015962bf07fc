"""Enterprise sign-up (活动报名, seed 003 §二.1 and 附件2 报名表; issue 7 item 3): through the
enterprise's own unit or the campaign's fallback unit (seed 003 §二.3(2)), with the name as
on the seal (seed 002 Annex 1 note 2), once per campaign; who sees which sign-ups."""

import threading

import pytest
from django.db import connection
from django.urls import reverse

from promotion import services
from promotion.choices import CampaignStatus
from promotion.models import CampaignEntry, EnterpriseAnnualFigures
from promotion.scopes import unit_scope
from qcportal.models import Membership
from qcportal.tenancy import membership_scope, no_tenant
from tests import factories as f

from .helpers import ENTRY, shanghai_setup

pytestmark = pytest.mark.django_db


def _entry(campaign, enterprise, unit, user, seal_name):
    return CampaignEntry.objects.create(
        campaign=campaign,
        organisation=enterprise,
        recommending_unit=unit,
        signed_up_by=user,
        seal_name=seal_name,
        contact_person="联系人",
        contact_mobile="13800000003",
    )


def test_fallback_unit_sign_up_seed003_2_3_2(network, login):
    """An enterprise with no unit of its own signs up through 其他-市质协会员现场部, which then
    sees it (and the enterprise itself) although it is outside the unit's subtree."""
    s = shanghai_setup(network)
    client = login(s.e5_coord)
    page = client.get(reverse("promotion:entry", args=["PA-2022"]))
    assert page.status_code == 200
    assert [label for _value, label in page.context["form"].fields["recommending_unit"].choices] == [
        "其他-市质协会员现场部"
    ]
    response = client.post(
        reverse("promotion:entry", args=["PA-2022"]), {**ENTRY, "seal_name": "测试戊会员单位有限公司"}
    )
    assert response.status_code == 302, response.content.decode()
    with no_tenant():
        entry = CampaignEntry.objects.get(organisation=s.e5)
    assert entry.recommending_unit == s.other
    unit = login(s.other_coord)
    detail = unit.get(reverse("promotion:campaign-detail", args=["PA-2022"]))
    assert "测试戊会员单位有限公司" in detail.content.decode()
    listed = unit.get(reverse("api:campaign-entries", args=["PA-2022"])).json()["results"]
    assert [row["organisation"] for row in listed] == ["E5"]
    with no_tenant():
        f.FiguresFactory(organisation=s.e5, year=2022, total_employees=30)
    membership = Membership._base_manager.get(user=s.other_coord)
    with membership_scope(membership):  # the tenancy scope provider: E5's data, not RU1's
        assert list(EnterpriseAnnualFigures.objects.values_list("organisation__code", flat=True)) == ["E5"]
    # the enterprise's own unit (RU1) does not see E5
    ru1 = login(network.users.ru1_coord).get(reverse("api:campaign-entries", args=["PA-2022"])).json()
    assert ru1["results"] == []


def test_unit_scope_provider_is_one_subquery(network):
    s = shanghai_setup(network)
    with no_tenant():
        _entry(s.campaign, s.e5, s.other, s.e5_coord, "测试戊会员单位有限公司")
        membership = Membership._base_manager.get(user=s.other_coord)
        tenant = unit_scope(membership)["tenant"]
        sql = str(tenant.query)
        assert sql.count("SELECT") == 2  # the organisations and one subquery of entries
        assert set(tenant.values_list("pk", flat=True)) == {s.other.pk, s.e5.pk}


def test_sign_up_name_as_on_seal_seed002_annex1_note2(network, login):
    s = shanghai_setup(network)
    client = login(network.users.e1_coord)
    page = client.get(reverse("promotion:entry", args=["PA-2022"]))
    assert (
        page.context["form"].initial["seal_name"] == "测试甲机械有限公司"
    )  # prefilled with Organisation.name
    assert "企业名称（以公章为准）" in page.content.decode()
    response = client.post(reverse("promotion:entry", args=["PA-2022"]), {**ENTRY, "seal_name": ""})
    assert response.status_code == 200 or response.status_code == 400
    assert response.context["form"].errors["seal_name"]
    response = client.post(
        reverse("api:campaign-entries", args=["PA-2022"]),
        {**ENTRY, "seal_name": "测试甲机械有限公司（盖章全称）"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["seal_name"] == "测试甲机械有限公司（盖章全称）"
    assert body["recommending_unit"] == "RU1" and body["recommending_unit_name"] == "测试区推荐单位"
    assert s.campaign.code == body["campaign"]


def test_duplicate_sign_up_gives_a_clear_message(network, login):
    shanghai_setup(network)
    client = login(network.users.e1_coord)
    url = reverse("api:campaign-entries", args=["PA-2022"])
    assert client.post(url, ENTRY, content_type="application/json").status_code == 201
    again = client.post(url, ENTRY, content_type="application/json")
    assert again.status_code == 400
    assert again.json()["detail"] == "本企业已报名本活动，如需修改请编辑报名信息。"


@pytest.mark.django_db(transaction=True)
def test_simultaneous_double_sign_up_leaves_one_entry(committed_network):
    """Two simultaneous POSTs: one entry, the other a Chinese refusal, never a 500."""
    from django.test import Client

    network = committed_network
    shanghai_setup(network)
    results = []
    barrier = threading.Barrier(2)

    def post():
        client = Client()
        client.force_login(network.users.e1_coord)
        barrier.wait()
        try:
            response = client.post(
                reverse("api:campaign-entries", args=["PA-2022"]), ENTRY, content_type="application/json"
            )
            results.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [201, 400]
    with no_tenant():
        assert CampaignEntry.objects.filter(organisation=network.e1).count() == 1


def test_sign_up_only_for_open_campaigns_and_enterprises(network, login):
    shanghai_setup(network, status=CampaignStatus.DRAFT)
    url = reverse("api:campaign-entries", args=["PA-2022"])
    response = login(network.users.e1_coord).post(url, ENTRY, content_type="application/json")
    assert response.status_code == 400
    assert "筹备中" in response.json()["detail"]
    assert login(network.users.pa_staff).post(url, ENTRY, content_type="application/json").status_code == 403
    assert login(network.users.e4_coord).post(url, ENTRY, content_type="application/json").status_code == 404


def test_sign_up_refuses_bad_contact_details(network, login):
    shanghai_setup(network)
    response = login(network.users.e1_coord).post(
        reverse("api:campaign-entries", args=["PA-2022"]),
        {
            **ENTRY,
            "contact_mobile": "123",
            "contact_email": "nope",
            "postcode": "12",
            "contact_person": "x" * 51,
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors["contact_mobile"] == ["请填写11位手机号码。"]
    assert errors["contact_email"] == ["请填写有效的邮箱地址。"]
    assert errors["postcode"] == ["邮编须为6位数字。"]
    assert "不能超过50个字" in errors["contact_person"][0]


def test_enterprise_edits_its_sign_up_while_open(network, login):
    s = shanghai_setup(network)
    with no_tenant():
        _entry(s.campaign, network.e1, network.ru1, network.users.e1_coord, "测试甲机械有限公司")
    client = login(network.users.e1_coord)
    response = client.post(
        reverse("promotion:entry", args=["PA-2022"]),
        {**ENTRY, "contact_person": "李新联系", "recommending_unit": network.ru1.pk},
    )
    assert response.status_code == 302
    with no_tenant():
        assert CampaignEntry.objects.get(organisation=network.e1).contact_person == "李新联系"
        type(s.campaign)._base_manager.filter(pk=s.campaign.pk).update(status=CampaignStatus.CLOSED)
    response = client.post(reverse("promotion:entry", args=["PA-2022"]), {**ENTRY, "contact_person": "王"})
    assert response.status_code == 400
    assert "已结束" in response.content.decode()


def test_staff_see_all_sign_ups_with_counts_per_unit(network, login, django_assert_max_num_queries):
    s = shanghai_setup(network)
    with no_tenant():
        _entry(s.campaign, network.e1, network.ru1, network.users.e1_coord, "测试甲机械有限公司")
        _entry(s.campaign, network.e2, network.ru1, network.users.e1_coord, "测试乙电气有限公司")
        _entry(s.campaign, s.e5, s.other, s.e5_coord, "测试戊会员单位有限公司")
    client = login(network.users.pa_staff)
    url = reverse("promotion:campaign-detail", args=["PA-2022"])
    client.get(url)
    with django_assert_max_num_queries(30):
        response = client.get(url)
    counts = {c["recommending_unit__name"]: c["count"] for c in response.context["entry_counts"]}
    assert counts == {"测试区推荐单位": 2, "其他-市质协会员现场部": 1}
    assert len(response.context["entries"]) == 3
    with no_tenant():
        assert services.sign_up_units(campaign=s.campaign, enterprise=network.e1) == [network.ru1, s.other]
