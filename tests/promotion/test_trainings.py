"""Publicity and training (issue 11 item 2; seed 001 §7.2) and the enterprise's yearly
figures (seed 002 Annex 3): a training's cost becomes the enterprise's Annex 3 spending of
its year without being typed again; an association's trainings count in no enterprise's;
pages and ``/api/v1/trainings/``, scoped to the acting organisation; bad input refused in
Chinese."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from promotion.choices import TrainingDelivery, TrainingKind
from promotion.models import EnterpriseAnnualFigures, Training
from promotion.trainings import annual_figures_save, training_delete, training_save
from qcportal.models import Membership
from qcportal.tenancy import membership_scope, no_tenant, tenant_scope
from reports.statistics import annex3_figures

pytestmark = pytest.mark.django_db

API = "/api/v1/trainings/"


def membership(user) -> Membership:
    with no_tenant():
        return Membership.objects.select_related("organisation", "user").get(user=user)


def session(**override) -> dict:
    data = {
        "kind": TrainingKind.TRAINING,
        "delivery": TrainingDelivery.INTERNAL,
        "held_on": dt.date(2020, 5, 12),
        "topic": "QC小组活动准则宣贯",
        "trainer": "省质协注册咨询师",
        "participants": 40,
        "hours": Decimal("8"),
        "cost": Decimal("2.5"),
    }
    data.update(override)
    return data


def figures(enterprise, year=2020) -> EnterpriseAnnualFigures:
    with no_tenant():
        return EnterpriseAnnualFigures.objects.get(organisation=enterprise, year=year)


def annex3(network):
    with tenant_scope(network.pa):
        return annex3_figures(campaign=network.campaign, association=network.pa)


def test_a_training_cost_reaches_annex3_without_being_typed_again(network):
    """E1 typed 3 万元 of other spending for 2020; a training of 2.5 万元 makes its 经费投入
    5.5 and PA's Annex 3 row 2.5 more; moving it to 2019 and deleting it follow."""
    coord = membership(network.users.e1_coord)
    before = annex3(network).qc_activity_spending
    typed = figures(network.e1).other_activity_spending
    with membership_scope(coord):
        training = training_save(membership=coord, data=session())
    row = figures(network.e1)
    assert row.training_spending == Decimal("2.5")
    assert row.qc_activity_spending == typed + Decimal("2.5")
    assert annex3(network).qc_activity_spending == before + Decimal("2.50")
    with membership_scope(coord):
        training_save(membership=coord, data=session(cost=Decimal("1.25")))
    assert figures(network.e1).training_spending == Decimal("3.75")
    with membership_scope(coord):
        training_save(membership=coord, training=training, data={"held_on": dt.date(2019, 11, 2)})
    assert figures(network.e1).training_spending == Decimal("1.25")
    assert figures(network.e1, 2019).training_spending == Decimal("2.5")
    with membership_scope(coord):
        training_delete(membership=coord, training=training)
    assert figures(network.e1, 2019).training_spending == 0
    assert figures(network.e1, 2019).qc_activity_spending == figures(network.e1, 2019).other_activity_spending


def test_a_training_in_a_year_without_figures_starts_its_row(network):
    """No 2018 figures yet: the row is started with the training's cost, 职工总数 left empty
    for the enterprise to report."""
    coord = membership(network.users.e1_coord)
    with membership_scope(coord):
        training_save(membership=coord, data=session(held_on=dt.date(2018, 3, 1), cost=Decimal("0.8")))
    row = figures(network.e1, 2018)
    assert row.total_employees is None and row.qc_activity_spending == Decimal("0.8")


def test_an_association_training_counts_in_no_enterprise(network):
    staff = membership(network.users.pa_staff)
    with no_tenant():
        rows = EnterpriseAnnualFigures.objects.count()
    with membership_scope(staff):
        training = training_save(membership=staff, data=session(delivery=TrainingDelivery.EXTERNAL))
    assert training.organisation_id == network.pa.pk
    with no_tenant():
        assert EnterpriseAnnualFigures.objects.count() == rows


def test_only_the_management_layer_of_the_organisation_records(network):
    coord = membership(network.users.e1_coord)
    with membership_scope(coord):
        training = training_save(membership=coord, data=session())
    for user in (network.users.e1_exec, network.users.e1_leader):
        other = membership(user)
        with membership_scope(other), pytest.raises(PermissionDenied):
            training_save(membership=other, data=session())
    stranger = membership(network.users.e4_coord)
    with membership_scope(stranger), pytest.raises(PermissionDenied):
        training_save(membership=stranger, training=training, data={"topic": "改"})


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"participants": 0}, "participants"),
        ({"cost": Decimal("-1")}, "cost"),
        ({"hours": Decimal("-0.5")}, "hours"),
        ({"held_on": dt.date(1999, 12, 31)}, "held_on"),
        ({"topic": ""}, "topic"),
        ({"topic": "题" * 201}, "topic"),
        ({"kind": "lecture"}, "kind"),
        ({"participants": 1_000_001}, "participants"),
        ({"hours": Decimal("1000.5")}, "hours"),
    ],
)
def test_bad_trainings_are_refused_in_chinese_and_nothing_is_written(network, override, field):
    coord = membership(network.users.e1_coord)
    with membership_scope(coord), pytest.raises(ValidationError) as refused:
        training_save(membership=coord, data=session(**override))
    assert field in refused.value.message_dict
    assert all(any("\u4e00" <= c <= "\u9fff" for c in m) for m in refused.value.message_dict[field])
    with no_tenant():
        assert not Training.objects.exists()


def test_the_database_keeps_the_totals_equal_to_their_parts(network):
    with no_tenant(), pytest.raises(IntegrityError), transaction.atomic():
        EnterpriseAnnualFigures.objects.filter(organisation=network.e1, year=2020).update(
            qc_activity_spending=Decimal("12345")
        )


def test_the_enterprise_reports_its_figures(network):
    coord = membership(network.users.e1_coord)
    with membership_scope(coord):
        training_save(membership=coord, data=session(held_on=dt.date(2021, 4, 1), cost=Decimal("1")))
        row = annual_figures_save(
            membership=coord,
            year=2021,
            data={
                "total_employees": 300,
                "other_activity_spending": Decimal("4"),
                "other_reward_spending": Decimal("2"),
            },
        )
    assert row.total_employees == 300 and row.qc_activity_spending == Decimal("5")
    assert row.reward_spending == Decimal("2")
    for data in ({"total_employees": 0}, {"total_employees": 10, "other_reward_spending": Decimal("-3")}):
        with membership_scope(coord), pytest.raises(ValidationError):
            annual_figures_save(membership=coord, year=2021, data=data)
    staff = membership(network.users.pa_staff)
    with membership_scope(staff), pytest.raises(PermissionDenied):
        annual_figures_save(membership=staff, year=2021, data={"total_employees": 5})


def test_pages_record_change_and_delete(network, login):
    client = login(network.users.e1_coord)
    assert client.get(reverse("promotion:training-list")).status_code == 200
    created = client.post(
        reverse("promotion:training-create"),
        {
            "kind": "training",
            "delivery": "external",
            "held_on": "2020-06-01",
            "topic": "六西格玛绿带培训",
            "trainer": "外部机构",
            "participants": "12",
            "hours": "16",
            "cost": "3.2",
            "notes": "",
        },
    )
    assert created.status_code == 302 and created["Location"].endswith("?year=2020")
    page = client.get(created["Location"]).content.decode()
    assert "六西格玛绿带培训" in page and "192.0" in page  # 12 people × 16 hours
    with no_tenant():
        training = Training.objects.get(topic="六西格玛绿带培训")
    assert figures(network.e1).training_spending == Decimal("3.2")
    bad = client.post(
        reverse("promotion:training-edit", args=[training.pk]), {"topic": "x", "participants": "0"}
    )
    assert bad.status_code == 400 and "is-invalid" in bad.content.decode()
    assert client.post(reverse("promotion:training-delete", args=[training.pk])).status_code == 302
    assert figures(network.e1).training_spending == 0
    # the decision layer reads, without the buttons; a circle member has no page
    boss = login(network.users.e1_exec).get(reverse("promotion:training-list")).content.decode()
    assert 'data-testid="new-training"' not in boss
    assert login(network.users.e1_leader).get(reverse("promotion:training-list")).status_code == 403


def test_the_annual_figures_page_shows_the_recorded_trainings(network, login):
    coord = membership(network.users.e1_coord)
    with membership_scope(coord):
        training_save(membership=coord, data=session(held_on=dt.date(2020, 9, 1), cost=Decimal("0.75")))
    client = login(network.users.e1_coord)
    url = f"{reverse('promotion:annual-figures')}?year=2020"
    page = client.get(url).content.decode()
    assert 'data-testid="figures-training">0.7500' in page
    saved = client.post(
        url, {"total_employees": "420", "other_activity_spending": "5", "other_reward_spending": "1.5"}
    )
    assert saved.status_code == 302
    row = figures(network.e1)
    assert row.total_employees == 420 and row.qc_activity_spending == Decimal("5.75")
    assert client.post(url, {"total_employees": "abc"}).status_code == 400
    assert login(network.users.pa_staff).get(url).status_code in (403, 404)


def test_the_api_records_lists_changes_and_deletes(network, login):
    api = login(network.users.e1_coord)
    body = {**{k: str(v) for k, v in session().items()}}
    created = api.post(API, body, content_type="application/json")
    assert created.status_code == 201, created.content
    item = created.json()
    assert item["organisation"] == network.e1.code and item["person_hours"] == "320.0"
    assert figures(network.e1).training_spending == Decimal("2.5")
    listed = api.get(f"{API}?year=2020").json()
    assert [t["id"] for t in listed["results"]] == [item["id"]]
    assert api.get(f"{API}?year=2019").json()["results"] == []
    url = f"{API}{item['id']}/"
    patched = api.patch(url, {"cost": "4"}, content_type="application/json")
    assert patched.status_code == 200 and figures(network.e1).training_spending == Decimal("4")
    assert login(network.users.e4_coord).get(url).status_code == 404
    assert login(network.users.e1_exec).delete(url).status_code == 403
    assert login(network.users.e1_coord).delete(url).status_code == 204
    assert figures(network.e1).training_spending == 0


@pytest.mark.parametrize(
    "body",
    [
        {"topic": "题", "held_on": "2020-13-01", "participants": 3},
        {"topic": "题" * 201, "held_on": "2020-01-01", "participants": 3},
        {"topic": "题\x00", "held_on": "2020-01-01", "participants": 3},
        {"topic": "题", "held_on": "2020-01-01", "participants": -3},
        {"topic": "题", "held_on": "2020-01-01", "participants": 3, "cost": "abc"},
        {"topic": "题", "held_on": "2020-01-01", "participants": 3, "cost": "1e30"},
        {"topic": "题", "held_on": "1900-01-01", "participants": 3},
        ["not", "an", "object"],
    ],
)
def test_the_api_refuses_bad_input_with_a_chinese_400(network, login, body):
    response = login(network.users.e1_coord).post(API, body, content_type="application/json")
    assert response.status_code == 400, response.content
    assert "detail" in response.json()
    with no_tenant():
        assert not Training.objects.exists()
