"""The promotion structure (推进组织, seed 001 §5): the committee and the three layers with
their duties, people and the transitions their duties allow; the duties decide who takes
which transition (issue 6, item 2)."""

import pytest
from django.urls import reverse

from promotion.models import QualityCommittee, StructureMember
from promotion.structure import layer_transitions
from qcportal.roles import ROLE_LAYER, ROLE_PERMISSIONS, Layer, Role, layer_permissions
from qcportal.tenancy import no_tenant

pytestmark = pytest.mark.django_db


def test_rule_roles_map_to_layers_and_duties_decide_permissions():
    """R-S1-13 — seed 001 §5.1.2/§5.2: executive → 决策层, coordinator → 管理层, circle
    leader/member → 执行层; each enterprise role holds its layer's duty permissions."""
    assert ROLE_LAYER[Role.ENTERPRISE_EXECUTIVE] == Layer.DECISION
    assert ROLE_LAYER[Role.ENTERPRISE_COORDINATOR] == Layer.MANAGEMENT
    assert ROLE_LAYER[Role.CIRCLE_LEADER] == ROLE_LAYER[Role.CIRCLE_MEMBER] == Layer.EXECUTION
    for role in (
        Role.ENTERPRISE_EXECUTIVE,
        Role.ENTERPRISE_COORDINATOR,
        Role.CIRCLE_LEADER,
        Role.CIRCLE_MEMBER,
    ):
        assert layer_permissions(ROLE_LAYER[role]) <= ROLE_PERMISSIONS[role]
    assert {"projects:review", "projects:accept", "circles:manage"} <= layer_permissions(Layer.MANAGEMENT)
    assert not {"projects:review", "projects:accept"} & ROLE_PERMISSIONS[Role.CIRCLE_LEADER]


def test_layer_transitions_come_from_the_declarations():
    management = layer_transitions(Layer.MANAGEMENT)
    execution = layer_transitions(Layer.EXECUTION)
    assert ("课题", "验收通过") in management and ("课题", "立项评审通过并注册") in management
    assert ("课题", "填写") not in execution
    assert ("检查意见", "已处理") in execution
    assert not set(management) & {("课题", "验收通过")} - set(management)


def test_executive_sets_up_the_committee_and_everyone_sees_it(login, network):
    client = login(network.users.e1_exec)
    page = client.get(reverse("promotion:structure"))
    assert page.status_code == 200 and "尚未设立质量管理委员会" in page.content.decode()
    response = client.post(
        reverse("promotion:structure"),
        {"part": "committee", "name": "质量管理委员会", "chair": "张总经理", "established_on": "2025-03-01"},
    )
    assert response.status_code == 302
    client.post(
        reverse("promotion:structure"),
        {
            "part": "member",
            "layer": "management",
            "name": "王推进",
            "position": "质量部经理",
            "on_committee": "on",
        },
    )
    with no_tenant():
        assert QualityCommittee.objects.get(organisation=network.e1).chair == "张总经理"
        assert StructureMember.objects.get(organisation=network.e1).on_committee
    body = login(network.users.e1_leader).get(reverse("promotion:structure")).content.decode()
    assert "张总经理" in body and "王推进" in body and "管理层" in body
    assert 'data-testid="committee-form"' not in body  # the execution layer reads only


def test_association_reads_an_enterprise_structure_but_not_a_foreign_one(login, network):
    client = login(network.users.pa_staff)
    assert client.get(reverse("promotion:structure"), {"org": "E1"}).status_code == 200
    assert client.get(reverse("promotion:structure"), {"org": "E4"}).status_code == 404


def test_future_committee_date_and_control_characters_are_refused(login, network):
    client = login(network.users.e1_coord)
    bad = client.post(
        reverse("promotion:structure"),
        {"part": "committee", "name": "委员会", "established_on": "2999-01-01"},
    )
    assert bad.status_code == 400 and "不能晚于今天" in bad.content.decode()
    bad = client.post(
        reverse("promotion:structure"), {"part": "member", "layer": "execution", "name": "坏\x00名"}
    )
    assert bad.status_code == 400 and "字符" in bad.content.decode()
