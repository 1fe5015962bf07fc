"""Honours and incentives (issue 11 item 4; seed 001 §9.1.2; seed 002 §二(五)): the management
layer nominates whom its share holds (R-HN-01), the decision layer alone approves, returns or
revokes (the workflow mechanism), grades become circles' nominations once published
(R-HN-02), an enterprise's approved material rewards are its Annex 3 奖励费用 part (R-HN-03),
and a person's history gathers their honours and their circles' (R-HN-04); pages and API."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from evaluation.choices import HonourKind, HonourStatus, JudgingStatus
from evaluation.honours import honour_list, honour_save, honours_from_grades, person_history
from evaluation.judging import judging_get_or_create
from evaluation.models import Honour, Judging, Result
from evaluation.workflow import HONOUR_WORKFLOW
from promotion.models import EnterpriseAnnualFigures
from qcportal.models import Membership
from qcportal.tenancy import membership_scope, no_tenant, tenant_scope
from reports.statistics import annex3_figures

pytestmark = pytest.mark.django_db


def membership(user) -> Membership:
    with no_tenant():
        return Membership.objects.select_related("organisation", "user").get(user=user)


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def promoter(network, **extra) -> dict:
    return {
        "kind": HonourKind.PROMOTER,
        "year": 2020,
        "title": "2020年度优秀推进者",
        "recipient": network.e1,
        "person_name": "张推进",
        "person_position": "质量部部长",
        "citation": "组织全厂QC小组活动，注册小组增长三成。",
        "material_reward": Decimal("2.5"),
        **extra,
    }


def take(honour, name, user, comment=""):
    acting = membership(user)
    with membership_scope(acting):
        return HONOUR_WORKFLOW.perform(honour, name, membership=acting, comment=comment)


def figures(enterprise, year=2020) -> EnterpriseAnnualFigures:
    with no_tenant():
        return EnterpriseAnnualFigures.objects.get(organisation=enterprise, year=year)


def annex3_rewards(network) -> Decimal:
    with tenant_scope(network.pa):
        return annex3_figures(campaign=network.campaign, association=network.pa).reward_spending


def published_grades(network):
    """PA's judging of CAQ-T published: s1 一等, s2 二等 (both E1's)."""
    with no_tenant():
        judging = judging_get_or_create(campaign=network.campaign, association=network.pa)
        first = judging.grade_levels.create(name="一等", position=1)
        second = judging.grade_levels.create(name="二等", position=2)
        for rank, (submission, level) in enumerate(
            ((network.submissions[0], first), (network.submissions[1], second)), start=1
        ):
            Result.objects.update_or_create(
                submission=submission,
                defaults={
                    "organisation": submission.organisation,
                    "judging": judging,
                    "final_score": Decimal("90") - rank,
                    "rank": rank,
                    "grade": level,
                },
            )
        Judging.objects.filter(pk=judging.pk).update(status=JudgingStatus.PUBLISHED)
        return judging


def test_only_the_decision_layer_approves_and_the_reward_reaches_annex3(network):
    """R-HN-03: E1 typed 2.25 万元 of other rewards for 2020; its promoter's honour of 2.5 万元
    counts once approved by its executive (not by the coordinator who nominated), and no
    longer once revoked."""
    coord = membership(network.users.e1_coord)
    before, typed = annex3_rewards(network), figures(network.e1).other_reward_spending
    with membership_scope(coord):
        honour = honour_save(membership=coord, data=promoter(network))
    take(honour, "submit", network.users.e1_coord)
    assert figures(network.e1).honour_reward_spending == 0  # not approved yet
    with pytest.raises(PermissionDenied):
        take(honour, "approve", network.users.e1_coord)
    with pytest.raises(PermissionDenied):
        take(honour, "approve", network.users.pa_leader)  # another organisation's decision layer
    honour = take(honour, "approve", network.users.e1_exec)
    assert honour.status == HonourStatus.APPROVED and honour.approved_by == network.users.e1_exec
    row = figures(network.e1)
    assert row.honour_reward_spending == Decimal("2.5") and row.reward_spending == typed + Decimal("2.5")
    assert annex3_rewards(network) == before + Decimal("2.50")
    with pytest.raises(ValidationError):
        take(honour, "revoke", network.users.e1_exec)  # a reason is required
    take(honour, "revoke", network.users.e1_exec, comment="事迹核实有误")
    assert figures(network.e1).honour_reward_spending == 0
    assert annex3_rewards(network) == before


def test_an_association_honour_counts_in_no_enterprise_spending(network):
    staff = membership(network.users.pa_staff)
    with membership_scope(staff):
        honour = honour_save(
            membership=staff,
            data={
                "kind": HonourKind.ENTERPRISE,
                "year": 2020,
                "title": "2020年度QC小组活动优秀企业",
                "recipient": network.e1,
                "material_reward": Decimal("5"),
            },
        )
    take(honour, "submit", network.users.pa_staff)
    take(honour, "approve", network.users.pa_leader)
    assert figures(network.e1).honour_reward_spending == 0


def test_nominations_are_refused_in_chinese_when_they_break_a_rule(network):
    """R-HN-01: a person's honour names the person; a circle or unit outside the granter's
    share is refused; an enterprise does not grant 优秀企业; rewards are 0–99,999,999 万元."""
    coord = membership(network.users.e1_coord)
    with no_tenant():
        foreign_circle = network.circles[7]  # E4's
    with membership_scope(coord):
        cases = [
            (promoter(network, person_name=""), "person_name"),
            (promoter(network, material_reward=Decimal("-1")), "material_reward"),
            (promoter(network, recipient=network.e4), "recipient"),
            (promoter(network, kind=HonourKind.CIRCLE, circle=foreign_circle), "circle"),
            (promoter(network, kind=HonourKind.ENTERPRISE), "kind"),
            (promoter(network, year=1999, title=""), "year"),
        ]
        for data, field in cases:
            with pytest.raises(ValidationError) as refused:
                honour_save(membership=coord, data=data)
            assert field in refused.value.message_dict, (field, refused.value.message_dict)
    leader = membership(network.users.e1_leader)
    with membership_scope(leader), pytest.raises(PermissionDenied):
        honour_save(membership=leader, data=promoter(network))
    with no_tenant():
        assert not Honour.objects.exists()


def test_published_grades_become_nominations_and_approved_ones_reach_the_enterprise(network):
    """R-HN-02: before publication no nomination; after it, one per graded circle (once);
    E1 sees them only once approved."""
    staff = membership(network.users.pa_staff)
    with no_tenant():
        judging = judging_get_or_create(campaign=network.campaign, association=network.pa)
    with membership_scope(staff), pytest.raises(ValidationError, match="发布"):
        honours_from_grades(membership=staff, campaign=network.campaign)
    published_grades(network)
    with membership_scope(staff):
        assert honours_from_grades(membership=staff, campaign=network.campaign) == 2
        assert honours_from_grades(membership=staff, campaign=network.campaign) == 0
        honours = list(honour_list(membership=staff).order_by("grade"))
    assert [h.grade for h in honours] == ["一等", "二等"]
    assert {h.recipient_id for h in honours} == {network.e1.pk}
    coord = membership(network.users.e1_coord)
    with membership_scope(coord):
        assert not honour_list(membership=coord).exists()
    with no_tenant():  # the judging reopened: its grades are no ground for an honour (R-HN-02)
        Judging.objects.filter(pk=judging.pk).update(status=JudgingStatus.APPROVED)
    with pytest.raises(ValidationError, match="R-HN-02"):
        take(honours[0], "submit", network.users.pa_staff)
    with no_tenant():
        Judging.objects.filter(pk=judging.pk).update(status=JudgingStatus.PUBLISHED)
    for h in honours:
        take(h, "submit", network.users.pa_staff)
        take(h, "approve", network.users.pa_leader)
    with membership_scope(coord):
        assert honour_list(membership=coord).count() == 2
    with membership_scope(membership(network.users.e4_coord)):
        assert not honour_list(membership=membership(network.users.e4_coord)).exists()


def test_a_persons_history_gathers_their_honours_and_their_circles(network):
    coord = membership(network.users.e1_coord)
    with no_tenant():
        circle = network.circles[0]
        member = circle.members.order_by("id").first()
    with membership_scope(coord):
        personal = honour_save(membership=coord, data=promoter(network, person_name=member.name))
        circle_honour = honour_save(
            membership=coord,
            data={
                "kind": HonourKind.CIRCLE,
                "year": 2020,
                "title": "厂级优秀QC小组",
                "circle": circle,
                "material_reward": Decimal("1"),
            },
        )
    for h in (personal, circle_honour):
        take(h, "submit", network.users.e1_coord)
        take(h, "approve", network.users.e1_exec)
    with membership_scope(coord):
        history = list(person_history(name=member.name, organisation=network.e1))
    assert {h.pk for h in history} == {personal.pk, circle_honour.pk}
    assert figures(network.e1).honour_reward_spending == Decimal("3.5")


def test_the_pages_nominate_approve_and_show_the_history(network):
    coord, executive = client_of(network.users.e1_coord), client_of(network.users.e1_exec)
    assert coord.get(reverse("evaluation:honour-list")).status_code == 200
    answer = coord.post(
        reverse("evaluation:honour-create"),
        {
            "kind": "promoter",
            "year": "2020",
            "title": "2020年度优秀推进者",
            "person_name": "李推进",
            "material_reward": "1.5",
        },
    )
    assert answer.status_code == 302, answer.content.decode()[:2000]
    with no_tenant():
        honour = Honour.objects.get(person_name="李推进")
    assert honour.recipient_id == network.e1.pk
    bad = coord.post(reverse("evaluation:honour-create"), {"kind": "leader", "year": "2020", "title": "x"})
    assert bad.status_code == 400 and "姓名" in bad.content.decode()
    detail = reverse("evaluation:honour-detail", args=[honour.pk])
    coord.post(detail, {"transition": "submit"})
    body = executive.get(detail).content.decode()
    assert "批准表彰" in body
    assert executive.post(detail, {"transition": "approve"}).status_code == 302
    honour.refresh_from_db()
    assert honour.status == HonourStatus.APPROVED
    person = coord.get(reverse("evaluation:honour-person"), {"name": "李推进", "org": "E1"})
    assert "2020年度优秀推进者" in person.content.decode()
    assert client_of(network.users.e4_coord).get(detail).status_code == 404


def test_the_api_nominates_and_takes_transitions(network, login):
    coord = login(network.users.e1_coord)
    created = coord.post(
        "/api/v1/honours/",
        {
            "kind": "promoter",
            "year": 2020,
            "title": "优秀推进者",
            "person_name": "王推进",
            "material_reward": "0.8",
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["recipient"] == "E1" and body["status"] == "nominated"
    bad = coord.post(
        "/api/v1/honours/", {"kind": "leader", "year": 2020, "title": "x"}, content_type="application/json"
    )
    assert bad.status_code == 400 and "person_name" in bad.json()["errors"]
    submitted = coord.post(
        f"/api/v1/honours/{body['id']}/transitions/",
        {"transition": "submit"},
        content_type="application/json",
    )
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
    refused = coord.post(
        f"/api/v1/honours/{body['id']}/transitions/",
        {"transition": "approve"},
        content_type="application/json",
    )
    assert refused.status_code == 403
    executive = client_of(network.users.e1_exec)
    approved = executive.post(
        f"/api/v1/honours/{body['id']}/transitions/",
        {"transition": "approve"},
        content_type="application/json",
    )
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    assert figures(network.e1).honour_reward_spending == Decimal("0.8")
    assert coord.get("/api/v1/honours/", {"year": "20x0"}).status_code == 400
    assert [h["id"] for h in coord.get("/api/v1/honours/", {"status": "approved"}).json()["results"]] == [
        body["id"]
    ]


def test_the_decision_layer_finds_the_submitted_honour_on_its_to_do_list(network):
    from qcportal.todos import todos_for

    coord = membership(network.users.e1_coord)
    with membership_scope(coord):
        honour = honour_save(membership=coord, data=promoter(network))
    take(honour, "submit", network.users.e1_coord)
    executive = membership(network.users.e1_exec)
    with membership_scope(executive):
        items = {str(t.label): t for t in todos_for(executive)}
    assert items["待审批的表彰"].count == 1 and "status=submitted" in items["待审批的表彰"].url
    take(honour, "return", network.users.e1_exec, comment="事迹不够具体")
    with membership_scope(coord):
        items = {str(t.label): t for t in todos_for(coord)}
    assert items["被退回的表彰提名"].count == 1
