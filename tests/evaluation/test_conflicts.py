"""Conflicts of interest (回避), issue 8 item 3; standard.md §4.

In the network fixture s1, s2, s3 and s6 are results of E1 (测试甲机械有限公司) recommended by
RU1; s4 is E3's (group RU2, judged by IA); s5 is E4's (PB). E2 is E1's sibling under RU1.
"""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from evaluation import pool, services
from evaluation.conflicts import conflict_reason, conflicted_pairs
from evaluation.models import ConflictWaiver, Judge, JudgeAssignment, Submission
from qcportal.models import AuditEntry, Membership
from qcportal.roles import Role
from qcportal.tenancy import membership_scope, no_tenant
from tests import factories as f

pytestmark = pytest.mark.django_db


def membership(username, organisation=None):
    with no_tenant():
        qs = Membership.objects.select_related("organisation", "user").filter(user__username=username)
        if organisation is not None:
            qs = qs.filter(organisation=organisation)
        return qs.get()


def coordinating_judge(network, enterprise, username="judge"):
    """A PA judge whose login also coordinates ``enterprise`` (like the demo judge who
    coordinates 上海东方物流)."""
    user = f.UserFactory(username=username)
    f.MembershipFactory(user=user, organisation=network.pa, role=Role.JUDGE)
    f.MembershipFactory(user=user, organisation=enterprise, role=Role.ENTERPRISE_COORDINATOR)
    return f.JudgeFactory(organisation=network.pa, name="兼职评委", user=user, work_unit="高校")


def test_employer_is_a_conflict(network):
    s1 = network.submissions[0]
    judge = f.JudgeFactory(organisation=network.pa, employer=network.e1)
    reason = conflict_reason(judge, s1)
    assert "评委工作单位" in reason and "申报企业" in reason
    assert conflict_reason(judge, network.submissions[3]) is None  # E3 (another unit)


def test_group_and_unit_are_conflicts(network):
    s1, s4 = network.submissions[0], network.submissions[3]
    unit_judge = f.JudgeFactory(organisation=network.pa, employer=network.ru1)
    assert "推荐单位" in conflict_reason(unit_judge, s1)
    group_judge = f.JudgeFactory(organisation=network.ia, employer=network.ru2)  # E3's group
    assert conflict_reason(group_judge, s4) is not None
    sibling = f.JudgeFactory(organisation=network.pa, employer=network.e2)  # same unit (group) as E1
    assert "上级单位" in conflict_reason(sibling, s1)


def test_every_membership_of_the_judges_login_is_a_conflict(network):
    s1 = network.submissions[0]
    user = f.UserFactory(username="multi")
    f.MembershipFactory(user=user, organisation=network.pa, role=Role.JUDGE)
    f.MembershipFactory(user=user, organisation=network.ru1, role=Role.UNIT_COORDINATOR)
    judge = f.JudgeFactory(organisation=network.pa, user=user, employer=None)
    assert "担任" in conflict_reason(judge, s1)
    Membership._base_manager.filter(user=user, organisation=network.ru1).update(is_active=False)
    assert conflict_reason(judge, s1) is None  # an ended role no longer counts


def test_judge_coordinating_an_enterprise_is_not_assignable_nor_sees_its_results(network):
    s6 = network.submissions[5]  # E1, formally reviewed, not yet scored
    judge = coordinating_judge(network, network.e1)
    assert (judge.pk, s6.pk) in conflicted_pairs([judge], network.submissions)
    staff = membership("pa_staff")
    with membership_scope(staff), pytest.raises(ValidationError, match="须回避"):
        services.judge_assign(membership=staff, submission=Submission.objects.get(pk=s6.pk), judge=judge)
    assert not JudgeAssignment._base_manager.filter(judge=judge).exists()
    judge_membership = membership("judge", network.pa)
    with membership_scope(judge_membership):
        assert not Submission.objects.filter(pk=s6.pk).exists()


def test_conflicted_pairs_query_count_is_bounded(network, django_assert_max_num_queries):
    judges = [f.JudgeFactory(organisation=network.pa, employer=network.e1) for _ in range(20)]
    judges.append(coordinating_judge(network, network.e2))
    with django_assert_max_num_queries(6):
        pairs = conflicted_pairs(judges, network.submissions)
    assert len({j for j, _s in pairs}) == 21


def test_declared_conflict_with_a_submission_recuses_the_assignment(network):
    s6 = network.submissions[5]
    judge = network.judges[0]  # 赵组长 (pa_judge), chair on s6
    m = membership("pa_judge")
    with membership_scope(m):
        with pytest.raises(ValidationError):
            pool.conflict_declare(membership=m, submission=Submission.objects.get(pk=s6.pk), reason="")
        with pytest.raises(ValidationError):
            pool.conflict_declare(
                membership=m, submission=Submission.objects.get(pk=s6.pk), reason="长" * 201
            )
        pool.conflict_declare(
            membership=m, submission=Submission.objects.get(pk=s6.pk), reason="曾指导该小组"
        )
    assert "曾指导该小组" in conflict_reason(judge, s6)
    assignment = JudgeAssignment._base_manager.get(judge=judge, submission=s6)
    assert assignment.recused and assignment.recusal_reason == "曾指导该小组"
    assert not assignment.is_panel_chair


def test_declared_conflict_with_an_organisation(network):
    judge = network.judges[1]  # 钱骨干 (pa_judge2)
    m = membership("pa_judge2")
    with membership_scope(m):
        pool.conflict_declare(membership=m, party=network.e1, reason="亲属在该企业任职")
    for s in (network.submissions[0], network.submissions[5]):
        assert "亲属" in conflict_reason(judge, s)
    assert conflict_reason(judge, network.submissions[3]) is None


def test_declare_page_posts_and_shows_errors_inline(network, login):
    client = login(network.users.pa_judge2)
    url = reverse("evaluation:conflict-declare")
    assert client.get(url, {"submission": network.submissions[5].pk}).status_code == 200
    response = client.post(url, {"submission": network.submissions[5].pk, "reason": ""})
    assert response.status_code == 200 and "回避原因" in response.content.decode()
    response = client.post(url, {"party": "NOPE", "reason": "x"})
    assert "未找到该单位代码" in response.content.decode()
    response = client.post(url, {"submission": network.submissions[5].pk, "reason": "同事"})
    assert response.status_code == 302
    assert JudgeAssignment._base_manager.get(
        judge=network.judges[1], submission=network.submissions[5]
    ).recused


def test_waiver_by_staff_is_recorded_with_reason_and_actor(network, login):
    s1 = network.submissions[0]
    judge = f.JudgeFactory(organisation=network.pa, employer=network.e2)
    staff = membership("pa_staff")
    with membership_scope(staff):
        with pytest.raises(ValidationError, match="原因"):
            pool.conflict_waive(membership=staff, judge=judge, submission=s1, reason=" ")
        waiver = pool.conflict_waive(
            membership=staff, judge=judge, submission=s1, reason="仅同属一推荐单位，经审议豁免"
        )
        with pytest.raises(ValidationError, match="已豁免"):
            pool.conflict_waive(membership=staff, judge=judge, submission=s1, reason="再次")
    assert conflict_reason(judge, s1) is None
    assert waiver.waived_by == network.users.pa_staff and waiver.reason.startswith("仅同属")
    with no_tenant():
        entry = AuditEntry.objects.filter(
            object_pk=str(waiver.pk), content_type__model="conflictwaiver"
        ).get()
    assert entry.organisation_id == network.pa.pk
    # the staff page lists conflicts and waivers; revoking restores the conflict
    client = login(network.users.pa_staff)
    page = client.get(reverse("evaluation:judging-conflicts", args=["CAQ-T"]))
    assert page.status_code == 200 and "仅同属" in page.content.decode()
    client.post(reverse("evaluation:waiver-revoke", args=[waiver.pk]))
    assert not ConflictWaiver._base_manager.filter(pk=waiver.pk).exists()
    assert conflict_reason(judge, s1) is not None


def test_waive_page_post(network, login):
    s1 = network.submissions[0]
    judge = f.JudgeFactory(organisation=network.pa, employer=network.e1)
    client = login(network.users.pa_staff)
    url = reverse("evaluation:judging-conflicts", args=["CAQ-T"])
    client.post(url, {"judge": judge.pk, "submission": s1.pk, "reason": "经领导小组同意"})
    assert ConflictWaiver._base_manager.get(judge=judge, submission=s1).waived_by == network.users.pa_staff
    # a judge without a conflict cannot be "waived"
    other = f.JudgeFactory(organisation=network.pa)
    response = client.post(url, {"judge": other.pk, "submission": s1.pk, "reason": "x"}, follow=True)
    assert "没有需要豁免" in response.content.decode()


def test_judges_cannot_waive(network):
    m = membership("pa_judge")
    judge = f.JudgeFactory(organisation=network.pa, employer=network.e1)
    with membership_scope(m), pytest.raises(Exception):  # noqa: B017 - PermissionDenied
        pool.conflict_waive(membership=m, judge=judge, submission=network.submissions[0], reason="x")


def test_a_role_granted_after_assignment_hides_the_result_at_once(network):
    """Issue 8 item 3: the judge scope re-checks conflicts, so a judge who becomes a
    coordinator of the submitting enterprise after being assigned no longer sees it."""
    s6 = network.submissions[5]  # E1; 赵组长 (pa_judge) is assigned (open round)
    judge_membership = membership("pa_judge", network.pa)
    with membership_scope(judge_membership):
        assert Submission.objects.filter(pk=s6.pk).exists()
    f.MembershipFactory(
        user=network.users.pa_judge, organisation=network.e1, role=Role.ENTERPRISE_COORDINATOR
    )
    with membership_scope(membership("pa_judge", network.pa)):
        assert not Submission.objects.filter(pk=s6.pk).exists()
    with no_tenant():
        judge = Judge.objects.get(user=network.users.pa_judge)
        ConflictWaiver.objects.create(
            organisation=network.pa,
            judge=judge,
            submission=s6,
            reason="仅兼任工会职务",
            waived_by=network.users.pa_staff,
        )
    with membership_scope(membership("pa_judge", network.pa)):
        assert Submission.objects.filter(pk=s6.pk).exists()
