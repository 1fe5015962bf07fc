"""Automatic assignment of judges (issue 8, item 4; rules R-JD-20, R-JD-23, R-JD-24,
R-JD-27, R-JD-28): a generated campaign of 300 submissions and 40 judges, pins, swaps,
publication of the assignment and the API."""

from collections import Counter, defaultdict

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from evaluation.assignment import (
    JudgeIn,
    PanelIn,
    SubIn,
    _org_key,
    assignment_apply,
    assignment_plan,
    assignment_swap,
    count_violations,
    solve,
)
from evaluation.choices import RoundStatus, SubmissionStatus
from evaluation.conflicts import conflicted_pairs
from evaluation.judging import judging_get_or_create, standard_template, submission_default_round
from evaluation.models import Judge, JudgeAssignment, JudgingRound, Panel, Submission
from evaluation.rounds import panels_auto, round_entrants
from evaluation.workflow import ROUND_WORKFLOW
from promotion.models import CampaignDomain
from qcportal.choices import OrganisationKind as K
from qcportal.models import Membership, Notification
from qcportal.roles import Role
from qcportal.tenancy import membership_scope, no_tenant
from tests import factories as f

pytestmark = pytest.mark.django_db

DOMAINS = ("制造类", "服务类", "建筑类")


def staff(network):
    return Membership._base_manager.select_related("organisation", "user").get(user=network.users.pa_staff)


def generated(network, *, subs=300, judges=40, n=5, cap=45):
    """A campaign of ``subs`` submissions of PA in three domains from 12 enterprises under
    two units, and ``judges`` experts: pairs share a work unit, six work for an enterprise,
    one coordinates another enterprise through their login; most list a specialty domain."""
    with no_tenant():
        campaign = f.CampaignFactory(code="GEN-T", organisation=network.caq)
        domains = [
            CampaignDomain.objects.get_or_create(campaign=campaign, name=d, defaults={"position": i})[0]
            for i, d in enumerate(DOMAINS)
        ]
        ru_b = f.OrganisationFactory(
            code="GEN-RU", name="生成推荐单位", kind=K.RECOMMENDING_UNIT, parent=network.pa
        )
        enterprises = [
            f.OrganisationFactory(
                code=f"GEN-E{i}",
                name=f"生成企业{i}",
                kind=K.ENTERPRISE,
                parent=network.ru1 if i % 2 else ru_b,
            )
            for i in range(12)
        ]
        circles = [f.CircleFactory(organisation=e) for e in enterprises]
        rows = []
        for i in range(subs):
            project = f.ProjectFactory(circle=circles[i % 12], title=f"生成课题{i}")
            rows.append(
                Submission(
                    organisation=project.organisation,
                    campaign=campaign,
                    project=project,
                    circle=project.circle,
                    recommending_unit=project.organisation.parent,
                    recommending_association=network.pa,
                    domain=domains[i % 3],
                    status=SubmissionStatus.FORMALLY_REVIEWED,
                )
            )
        Submission.objects.bulk_create(rows)
        pool = []
        for k in range(judges):
            pool.append(
                f.JudgeFactory(
                    organisation=network.pa,
                    name=f"生成评委{k:02d}",
                    work_unit=f"生成大学{k // 2}",
                    employer=enterprises[k] if k < 6 else None,
                    domains=[] if k % 4 == 0 else [DOMAINS[k % 3]],
                )
            )
        coordinator = f.UserFactory(username="gen_judge")
        f.MembershipFactory(user=coordinator, organisation=enterprises[7], role=Role.ENTERPRISE_COORDINATOR)
        pool[10].user = coordinator
        pool[10].save()
        judging = judging_get_or_create(campaign=campaign, association=network.pa)
        round_ = JudgingRound.objects.create(
            organisation=network.pa,
            judging=judging,
            position=1,
            name="成果评审",
            template=standard_template("problem_solving_result"),
            innovation_template=standard_template("innovation_result"),
            starts_on=campaign.period_start,
            ends_on=campaign.period_end,
            judges_per_submission=n,
            judge_cap=cap,
        )
    return campaign, round_, pool


def test_generated_campaign_300_submissions_40_judges(network, django_assert_max_num_queries):
    campaign, round_, pool = generated(network)
    member = staff(network)
    with membership_scope(member):
        panels_auto(membership=member, round_=round_)
        # Two pins staff set by hand before the automatic assignment: kept as they are.
        entrants = list(round_entrants(round_).select_related("domain"))
        panel_of = {p.domain_id: p for p in Panel.objects.filter(round=round_).prefetch_related("judges")}
        pins = []
        for s in entrants[:2]:
            judge = next(j for j in panel_of[s.domain_id].judges.all() if not j.employer_id and not j.user_id)
            pins.append(
                JudgeAssignment.objects.create(
                    organisation=network.pa, round=round_, submission=s, judge=judge, pinned=True
                )
            )
        with django_assert_max_num_queries(40):
            plan = assignment_apply(membership=member, round_=round_)
    assert plan.problems == [] and plan.violations["spread"] <= 1
    with no_tenant():
        rows = list(
            JudgeAssignment.objects.filter(round=round_, recused=False).select_related("judge", "panel")
        )
        judges = {j.pk: j for j in Judge.objects.filter(organisation=network.pa)}
        by_sub = defaultdict(list)
        for a in rows:
            by_sub[a.submission_id].append(a)
        # every submission gets its N judges
        assert len(by_sub) == 300 and all(len(v) == 5 for v in by_sub.values())
        # no conflicted pair (employer, group, unit, the coordinator's membership)
        pairs = conflicted_pairs(pool, Submission.objects.filter(campaign=campaign))
        assert pairs, "the generated pool has conflicts"
        assert any(j == pool[10].pk for j, _s in pairs), "a membership makes a conflict"
        assert not [a for a in rows if (a.judge_id, a.submission_id) in pairs]
        # never two judges of one organisation on one submission
        for v in by_sub.values():
            keys = [_org_key(judges[a.judge_id]) for a in v]
            assert len(keys) == len(set(keys))
        # cap
        loads = Counter(a.judge_id for a in rows)
        assert max(loads.values()) <= 45
        # balance within each panel
        for panel in Panel.objects.filter(round=round_).prefetch_related("judges"):
            counts = Counter(a.judge_id for a in rows if a.panel_id == panel.pk)
            per = [counts.get(j.pk, 0) for j in panel.judges.all()]
            assert max(per) - min(per) <= 1, (panel.name, per)
            # the chair is marked where assigned
            for a in rows:
                if a.panel_id == panel.pk:
                    assert a.is_panel_chair == (a.judge_id == panel.chair_id)
        # pins kept
        for pin in pins:
            assert JudgeAssignment.objects.filter(pk=pin.pk, pinned=True, judge=pin.judge).exists()
    # idempotent: a second identical request changes nothing
    with membership_scope(member):
        again = assignment_apply(membership=member, round_=round_)
    assert (again.create, again.delete) == (0, 0)


def test_solver_reports_why_a_submission_cannot_get_its_judges():
    subs = [SubIn(id=1, label="降低不良率", panel=None, domain="制造类", topic="ps")]
    judges = [JudgeIn(id=i, name=f"j{i}", org=("w", i)) for i in range(4)]
    panels = {None: PanelIn(judges=[0, 1, 2, 3])}
    solution = solve(subs, judges, panels, n=5, cap=None, conflicts={(0, 1)})
    assert solution.problems == ["“降低不良率”可分配评委不足：需5人，仅3人无回避且符合专业。"]
    violations = count_violations(subs, judges, panels, solution, n=5, cap=None, conflicts={(0, 1)})
    assert violations["missing"] == 1 and violations["conflict"] == 0


def _draft_round(network, n=3):
    """A draft second round of PA's judging of CAQ-T (s1, s2, s3, s6 enter)."""
    with no_tenant():
        first = submission_default_round(network.submissions[0])
        first.weight = 60
        first.save()
        return JudgingRound.objects.create(
            organisation=network.pa,
            judging=first.judging,
            position=2,
            name="发表评审",
            kind="presentation",
            presentation_mode="in_person",
            template=standard_template("presentation"),
            starts_on=first.starts_on,
            ends_on=first.ends_on,
            judges_per_submission=n,
            weight=40,
        )


def test_swap_refuses_a_conflicted_judge(network):
    round_ = _draft_round(network)
    member = staff(network)
    with no_tenant():
        network.judges[3].employer = network.e1  # 李评委 now works for E1: conflicted with s6 (E1)
        network.judges[3].save()
    with membership_scope(member):
        assignment_apply(membership=member, round_=round_)
        a = JudgeAssignment.objects.filter(round=round_, submission=network.submissions[5]).first()
        with pytest.raises(ValidationError, match="回避"):
            assignment_swap(membership=member, assignment=a, judge=Judge.objects.get(pk=network.judges[3].pk))
        other = next(
            j
            for j in Judge.objects.filter(organisation=network.pa, is_active=True)
            if not JudgeAssignment.objects.filter(round=round_, submission=a.submission, judge=j).exists()
            and j.pk != network.judges[3].pk
        )
        swapped = assignment_swap(membership=member, assignment=a, judge=other)
    assert swapped.judge_id == other.pk and swapped.pinned


def test_publish_refused_while_incomplete_then_judges_notified(network):
    round_ = _draft_round(network)
    member = staff(network)
    with membership_scope(member):
        entrant = round_entrants(round_).first()
        JudgeAssignment.objects.create(
            organisation=network.pa, round=round_, submission=entrant, judge=network.judges[3]
        )
        with pytest.raises(ValidationError, match="评委不足"):
            ROUND_WORKFLOW.perform(round_, "publish_assignment", membership=member)
        assignment_apply(membership=member, round_=round_)
        round_ = ROUND_WORKFLOW.perform(round_, "publish_assignment", membership=member)
    assert round_.status == RoundStatus.OPEN and round_.assignment_published_at
    with no_tenant():
        judge_users = set(
            JudgeAssignment.objects.filter(round=round_, judge__user__isnull=False).values_list(
                "judge__user_id", flat=True
            )
        )
        assert judge_users
        notified = set(
            Notification.objects.filter(entity="evaluation.round").values_list("recipient_id", flat=True)
        )
    assert judge_users <= notified


def test_publish_refused_with_a_conflicted_assignment(network):
    round_ = _draft_round(network, n=1)
    member = staff(network)
    with membership_scope(member):
        assignment_apply(membership=member, round_=round_)
        a = JudgeAssignment.objects.filter(round=round_, submission=network.submissions[5]).first()
    with no_tenant():
        a.judge.employer = network.e1  # a conflict found after assignment
        a.judge.save()
    with membership_scope(member), pytest.raises(ValidationError, match="回避"):
        ROUND_WORKFLOW.perform(round_, "publish_assignment", membership=member)


def test_preview_and_round_page_for_staff(client, network, django_assert_max_num_queries):
    round_ = _draft_round(network)
    client.force_login(network.users.pa_staff)
    response = client.get(reverse("evaluation:round-preview", args=[round_.pk]))
    assert response.status_code == 200
    assert response.context["violations_total"] == 0 and response.context["plan"].create == 4 * 3
    assert client.post(reverse("evaluation:round-apply", args=[round_.pk])).status_code == 302
    with django_assert_max_num_queries(40):
        page = client.get(reverse("evaluation:round-detail", args=[round_.pk]))
    assert page.status_code == 200 and "发布评委分配" in page.content.decode()
    with no_tenant():
        assert JudgeAssignment.objects.filter(round=round_).count() == 12


def test_assignments_api_read_for_staff_with_filters(client, network, django_assert_max_num_queries):
    round_ = _draft_round(network)
    member = staff(network)
    with membership_scope(member):
        assignment_apply(membership=member, round_=round_)
    client.force_login(network.users.pa_staff)
    with django_assert_max_num_queries(12):
        data = client.get("/api/v1/assignments/", {"round": round_.pk}).json()
    assert data["count"] == 12 and {r["round"] for r in data["results"]} == {round_.pk}
    s6 = network.submissions[5].pk
    rows = client.get("/api/v1/assignments/", {"round": round_.pk, "submission": s6}).json()["results"]
    assert len(rows) == 3 and {r["submission"] for r in rows} == {s6}
    client.force_login(network.users.pa_judge)
    assert client.get("/api/v1/assignments/").status_code == 403
    client.force_login(network.users.pb_staff)
    assert client.get("/api/v1/assignments/", {"round": round_.pk}).json()["count"] == 0


def test_plan_counts_no_violation_on_the_network(network):
    round_ = _draft_round(network)
    with no_tenant():
        plan = assignment_plan(round_)
    assert sum(v for k, v in plan.violations.items() if k != "spread") == 0
