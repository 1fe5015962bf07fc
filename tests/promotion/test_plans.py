"""The annual promotion plan (issue 11 item 1; seed 001 §5.2, §6, §7.1): drafted by the
management layer, approved by the decision layer only, its content frozen once submitted,
each goal's actual value read from the organisation's dashboard; pages and ``/api/v1/plans/``."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from promotion.choices import ActivityType, GoalMetric, PlanStatus
from promotion.models import PlanGoal, PromotionPlan
from promotion.plans import plan_create, plan_progress, plan_save
from promotion.workflow import PLAN_WORKFLOW
from qcportal.models import Membership, Notification
from qcportal.tenancy import membership_scope, no_tenant

pytestmark = pytest.mark.django_db

API = "/api/v1/plans/"
YEAR = 2026


def membership(user) -> Membership:
    with no_tenant():
        return Membership.objects.select_related("organisation", "user").get(user=user)


def full_parts(**override) -> dict:
    """Every kind of row, as the page and the API send them."""
    parts = {
        "findings": [{"weak_point": "一线员工参与率低", "evidence": "2025年参与率仅18%，低于行业平均30%"}],
        "goals": [
            {"metric": GoalMetric.CIRCLES_REGISTERED, "description": "新注册小组", "target": "30"},
            {"metric": GoalMetric.OTHER, "description": "发表交流成果", "target": "5", "actual": "2"},
        ],
        "activities": [{"kind": ActivityType.QC_CIRCLE, "purpose": "解决现场质量问题，覆盖全部生产车间"}],
        "projects": [
            {
                "name": "QC小组骨干培训",
                "budget": "12.50",
                "starts_on": dt.date(YEAR, 3, 1),
                "ends_on": dt.date(YEAR, 6, 30),
                "responsible": "质量部",
            }
        ],
        "activity_plans": [
            {
                "kind": ActivityType.QC_CIRCLE,
                "theme": "降本增效",
                "starts_on": dt.date(YEAR, 4, 1),
                "ends_on": dt.date(YEAR, 11, 30),
                "responsibilities": "质量部组织，各车间实施",
                "resources": "专项经费10万元",
                "expected_results": "完成课题20个",
            }
        ],
    }
    parts.update(override)
    return parts


@pytest.fixture
def coord(network):
    return membership(network.users.e1_coord)


@pytest.fixture
def executive(network):
    return membership(network.users.e1_exec)


@pytest.fixture
def drafted(coord):
    with membership_scope(coord):
        plan = plan_create(membership=coord, year=YEAR, title="2026年度推进计划", direction="全员参与")
        plan_save(membership=coord, plan=plan, title=plan.title, direction=plan.direction, parts=full_parts())
    return plan


def perform(plan, name, who, comment=""):
    with membership_scope(who):
        plan = PromotionPlan.objects.get(pk=plan.pk)
        PLAN_WORKFLOW.perform(plan, name, membership=who, comment=comment)
        return PromotionPlan.objects.get(pk=plan.pk)


def test_the_decision_layer_alone_approves_a_plan(drafted, coord, executive):
    with membership_scope(coord):
        assert [t.name for t in PLAN_WORKFLOW.available(drafted, coord)] == ["submit"]
    plan = perform(drafted, "submit", coord)
    assert plan.status == PlanStatus.SUBMITTED
    # The management layer (企业推进负责人) may not approve its own plan.
    with membership_scope(coord):
        assert PLAN_WORKFLOW.available(plan, coord) == []
    with pytest.raises(PermissionDenied):
        perform(plan, "approve", coord)
    # The executive (企业领导, 决策层) was told, and approves.
    with no_tenant():
        assert Notification.objects.filter(
            recipient=executive.user, event="promotion.plan.submitted"
        ).exists()
    with membership_scope(executive):
        assert {t.name for t in PLAN_WORKFLOW.available(plan, executive)} == {"approve", "return"}
    plan = perform(plan, "approve", executive)
    assert plan.status == PlanStatus.APPROVED
    with no_tenant():
        assert Notification.objects.filter(recipient=coord.user, event="promotion.plan.approved").exists()


def test_another_organisations_decision_layer_cannot_approve(drafted, coord, network):
    plan = perform(drafted, "submit", coord)
    leader = membership(network.users.pa_leader)  # 协会领导 of PA: decision layer, not of E1
    with pytest.raises((PermissionDenied, PromotionPlan.DoesNotExist)):
        perform(plan, "approve", leader)
    with no_tenant():
        assert PromotionPlan.objects.get(pk=plan.pk).status == PlanStatus.SUBMITTED


def test_a_returned_plan_needs_a_reason_and_can_be_resubmitted(drafted, coord, executive):
    plan = perform(drafted, "submit", coord)
    with pytest.raises(ValidationError):
        perform(plan, "return", executive)  # no reason
    plan = perform(plan, "return", executive, comment="预算偏高，请压缩")
    assert plan.status == PlanStatus.RETURNED
    with membership_scope(coord):
        plan_save(membership=coord, plan=plan, title=plan.title, direction="压缩预算后", parts=full_parts())
    assert perform(plan, "submit", coord).status == PlanStatus.SUBMITTED


def test_submission_needs_diagnosis_goals_activities_and_projects(coord):
    with membership_scope(coord):
        plan = plan_create(membership=coord, year=YEAR, title="空计划")
    with pytest.raises(ValidationError) as refused:
        perform(plan, "submit", coord)
    text = "；".join(refused.value.messages)
    assert "质量诊断" in text and "DB43 §6.1" in text
    with membership_scope(coord):
        plan_save(membership=coord, plan=plan, title="计划", direction="", parts=full_parts(projects=[]))
    with pytest.raises(ValidationError) as refused:
        perform(plan, "submit", coord)
    assert "DB43 §6.4" in "；".join(refused.value.messages)


def test_a_submitted_or_approved_plan_cannot_be_changed_until_revised(drafted, coord, executive):
    plan = perform(drafted, "submit", coord)
    with membership_scope(coord), pytest.raises(ValidationError) as refused:
        plan_save(membership=coord, plan=plan, title="改", direction="", parts=full_parts())
    assert "R-PL-05" in refused.value.messages[0]
    plan = perform(perform(plan, "approve", executive), "revise", executive, comment="年中调整目标")
    assert plan.status == PlanStatus.DRAFT
    with membership_scope(coord):
        plan_save(membership=coord, plan=plan, title="修订版", direction="", parts=full_parts())
    with no_tenant():
        assert PromotionPlan.objects.get(pk=plan.pk).title == "修订版"


def test_one_plan_per_organisation_and_year(drafted, coord):
    with membership_scope(coord), pytest.raises(ValidationError) as refused:
        plan_create(membership=coord, year=YEAR, title="第二份")
    assert "已经存在" in str(refused.value)


def test_bad_rows_are_refused_in_chinese_and_nothing_is_written(drafted, coord):
    bad = [
        full_parts(projects=[{**full_parts()["projects"][0], "starts_on": dt.date(YEAR, 7, 1)}]),
        full_parts(activities=[{"kind": ActivityType.QC_CIRCLE, "purpose": "甲"}] * 2),
        full_parts(goals=[{"metric": GoalMetric.RESULTS, "target": "3", "actual": "1"}]),
        full_parts(findings=[{"weak_point": "薄" * 300, "evidence": "据"}]),
    ]
    for parts in bad:
        with membership_scope(coord), pytest.raises(ValidationError):
            plan_save(membership=coord, plan=drafted, title="改", direction="", parts=parts)
    with membership_scope(coord):
        assert PromotionPlan.objects.get(pk=drafted.pk).title == "2026年度推进计划"
        assert PlanGoal.objects.filter(plan=drafted).count() == 2


def test_goal_actuals_come_from_the_dashboard(drafted, coord):
    from reports.dashboards import Period, headline

    with membership_scope(coord):
        progress = plan_progress(PromotionPlan.objects.get(pk=drafted.pk))
        figures = headline(organisation=coord.organisation, period=Period.of_year(YEAR))
    registered, other = progress
    assert registered.actual == figures["circles_registered"]
    assert other.actual == 2 and other.percent == 40  # typed actual of an "other" goal: 2 of 5


def test_the_pages_take_a_plan_from_draft_to_approval(network, login, client, coord):
    page = login(network.users.e1_coord)
    assert page.get(reverse("promotion:plan-list")).status_code == 200
    created = page.post(
        reverse("promotion:plan-create"), {"year": YEAR, "title": "页面计划", "direction": "方向"}
    )
    assert created.status_code == 302
    with no_tenant():
        plan = PromotionPlan.objects.get(organisation=coord.organisation, year=YEAR)
    form = {"year": YEAR, "title": "页面计划", "direction": "方向"}
    for name, rows in full_parts().items():
        form.update({f"{name}-TOTAL_FORMS": len(rows), f"{name}-INITIAL_FORMS": 0})
        for i, row in enumerate(rows):
            form.update({f"{name}-{i}-{k}": v for k, v in row.items()})
    saved = page.post(reverse("promotion:plan-edit", args=[plan.pk]), form)
    assert saved.status_code == 302, saved.content.decode()[:2000]
    detail = reverse("promotion:plan-detail", args=[plan.pk])
    text = page.get(detail).content.decode()
    assert "一线员工参与率低" in text and "QC小组骨干培训" in text and "40.0%" in text
    assert page.post(detail, {"transition": "submit"}).status_code == 302
    refused = page.post(detail, {"transition": "approve"})
    assert refused.status_code in (400, 403)
    client.logout()
    boss = login(network.users.e1_exec)
    assert boss.post(detail, {"transition": "approve"}).status_code == 302
    with no_tenant():
        assert PromotionPlan.objects.get(pk=plan.pk).status == PlanStatus.APPROVED


def test_another_enterprise_sees_no_plan(drafted, network, login):
    other = login(network.users.e4_coord)
    assert other.get(reverse("promotion:plan-detail", args=[drafted.pk])).status_code == 404
    assert other.get(reverse("promotion:plan-edit", args=[drafted.pk])).status_code == 404
    assert other.get(f"{API}{drafted.pk}/").status_code == 404
    assert other.get(API).json()["results"] == []


def test_the_api_drafts_submits_and_approves(network, login, client):
    api = login(network.users.e1_coord)
    body = {
        "year": YEAR,
        "title": "接口计划",
        **{k: [{f: str(v) for f, v in row.items()} for row in rows] for k, rows in full_parts().items()},
    }
    created = api.post(API, body, content_type="application/json")
    assert created.status_code == 201, created.content
    plan = created.json()
    assert plan["status"] == "draft" and plan["budget"] == "12.50"
    assert [g["metric"] for g in plan["goals"]] == ["circles_registered", "other"]
    url = f"{API}{plan['id']}/"
    changed = api.put(
        url, {"title": "接口计划（修改）", "direction": "新方向"}, content_type="application/json"
    )
    assert changed.status_code == 200 and len(changed.json()["projects"]) == 1  # rows not sent are kept
    # Optional fields may be left out (the model's default), an empty list removes a kind.
    minimal = {"name": "现场改善", "starts_on": f"{YEAR}-05-01", "ends_on": f"{YEAR}-05-31"}
    changed = api.put(
        url,
        {"title": "接口计划（修改）", "projects": [minimal], "findings": []},
        content_type="application/json",
    )
    assert changed.status_code == 200, changed.content
    assert (
        changed.json()["projects"][0]["budget"] == "0.00"
        and changed.json()["projects"][0]["responsible"] == ""
    )
    assert changed.json()["findings"] == [] and len(changed.json()["activities"]) == 1
    restored = api.put(
        url,
        {"title": "接口计划（修改）", "findings": full_parts()["findings"]},
        content_type="application/json",
    )
    assert restored.status_code == 200 and len(restored.json()["findings"]) == 1
    assert (
        api.post(f"{url}transitions/", {"transition": "submit"}, content_type="application/json").status_code
        == 200
    )
    assert (
        api.post(f"{url}transitions/", {"transition": "approve"}, content_type="application/json").status_code
        == 403
    )
    client.logout()
    boss = login(network.users.e1_exec)
    approved = boss.post(f"{url}transitions/", {"transition": "approve"}, content_type="application/json")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    assert [h["transition"] for h in approved.json()["history"]] == ["submit", "approve"]


@pytest.mark.parametrize(
    "body",
    [
        {"year": YEAR, "title": "标" * 201},
        {"year": "二〇二六", "title": "计划"},
        {"year": YEAR, "title": "计\x00划"},
        {
            "year": YEAR,
            "title": "计划",
            "projects": [{"name": "项", "starts_on": "2026-13-40", "ends_on": "2026-01-01"}],
        },
        {"year": YEAR, "title": "计划", "goals": [{"metric": "nonsense", "target": "1"}]},
        {"year": YEAR, "title": "计划", "goals": [{"metric": "results", "target": "-1"}]},
        {"year": YEAR, "title": "计划", "findings": [{"weak_point": "x", "evidence": "y"}] * 51},
        ["not", "an", "object"],
    ],
)
def test_the_api_refuses_bad_input_with_a_chinese_400(network, login, body):
    api = login(network.users.e1_coord)
    response = api.post(API, body, content_type="application/json")
    assert response.status_code == 400, response.content
    assert "detail" in response.json()
    with no_tenant():
        assert not PromotionPlan.objects.exists()


def test_the_dashboard_tracks_the_approved_plan(drafted, coord, executive, network, login):
    boss = login(network.users.e1_exec)
    url = f"{reverse('reports:dashboard')}?year={YEAR}"
    assert "年度推进计划目标完成情况" not in boss.get(url).content.decode()  # a draft is not tracked
    perform(perform(drafted, "submit", coord), "approve", executive)
    text = boss.get(url).content.decode()
    assert 'data-testid="dashboard-plan"' in text and "发表交流成果" in text and "40.0%" in text
