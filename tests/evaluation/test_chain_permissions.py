"""Permission matrix of the recommendation chain, generated from its declaration (issue 7;
rule R-PT-02): every transition of evaluation/workflow.py has a row of expected statuses,
one per role, or the test fails; each row is requested through
``POST /api/v1/submissions/{id}/transitions/`` on a fresh submission in the transition's
source state, with every material in place (rolled back after each request).

Columns: association admin, staff, leadership (PA, the judging association),
recommending-unit coordinator (RU1, the submission's unit), enterprise executive and
coordinator (E1, the submitting enterprise), circle leader, judge (PA's panel chair, on the
panel of the submission: sees it, may only release its scores), anonymous, another province's staff (PB). 200 taken; 403 the
role may not; 404 outside the role's scope; 401 anonymous.
"""

import pytest
from django.db import transaction
from rest_framework.test import APIClient

from evaluation.judging import submission_default_round
from evaluation.models import JudgeAssignment, Submission
from qcportal.tenancy import no_tenant
from qcportal.workflow import WORKFLOWS
from tests import factories as f
from tests.factories import api_token

from .test_chain import CHECKLIST, build_live

pytestmark = pytest.mark.django_db

ROLES = (
    "pa_admin",
    "pa_staff",
    "pa_leader",
    "ru1_coord",
    "e1_exec",
    "e1_coord",
    "e1_leader",
    "pa_judge",
    "anonymous",
    "pb_staff",
)

#: transition → expected statuses in ROLES order (written by hand: seed 003 §二.3–4, §三)
EXPECTED = {
    "submit": "403 403 403 403 403 200 403 403 401 404",
    "unit_recommend": "403 403 403 200 403 403 403 403 401 404",
    "unit_return": "403 403 403 200 403 403 403 403 401 404",
    "resubmit": "403 403 403 403 403 200 403 403 401 404",
    "review_pass": "403 200 403 403 403 403 403 403 401 404",
    "review_return": "403 200 403 403 403 403 403 403 401 404",
    "correct": "403 403 403 403 403 200 403 403 401 404",
    "review_reject": "403 200 403 403 403 403 403 403 401 404",
    "release_scores": "403 200 403 403 403 403 403 200 401 404",
    "nominate": "403 200 403 403 403 403 403 403 401 404",
    "decline": "403 200 403 403 403 403 403 403 401 404",
    "withdraw": "403 403 403 403 403 200 403 403 401 404",
}
DATA = {"review_pass": CHECKLIST, "review_return": {"correction_due": None}}


def test_every_declared_transition_has_a_row():
    declared = set(WORKFLOWS["evaluation.submission"].transitions)
    assert declared == set(EXPECTED), (
        f"missing rows: {sorted(declared - set(EXPECTED))}; stale rows: {sorted(set(EXPECTED) - declared)}"
    )


def _submission(network, live, state, n):
    with no_tenant():
        project = f.ProjectFactory(circle=network.circles[0], status="accepted", accepted_on=live.today)
        submission = Submission.objects.create(
            organisation=network.e1,
            campaign=live.campaign,
            project=project,
            circle=project.circle,
            entry=live.entry,
            recommending_unit=network.ru1,
            recommending_association=network.pa,
            domain=live.campaign.domains.first(),
            status=state,
            seal_name="测试甲机械有限公司",
            result_report="results/2026/r.pdf",
            recommendation_form="recommendations/2026/f.pdf",
            correction_due=live.today,
        )
        JudgeAssignment.objects.create(
            organisation=network.pa,
            round=submission_default_round(submission),
            submission=submission,
            judge=network.judges[0],
            is_panel_chair=True,
        )
        f.ScoreSheetFactory(
            organisation=network.pa, submission=submission, judge=network.judges[0], total="90"
        )
    return submission


def test_chain_permission_matrix(network):
    live = build_live(network, quota=99, parent_quota=99)
    clients = {}
    with no_tenant():
        for name in ROLES:
            client = APIClient()
            user = getattr(network.users, name, None)
            if user is not None:
                client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(user)}")
            clients[name] = client
    workflow = WORKFLOWS["evaluation.submission"]
    failures = []
    for n, (name, statuses) in enumerate(EXPECTED.items()):
        t = workflow.transitions[name]
        for role, expected in zip(ROLES, (int(s) for s in statuses.split()), strict=True):
            with transaction.atomic():
                submission = _submission(network, live, t.source[0], n)
                data = dict(DATA.get(name, {}))
                if "correction_due" in data:
                    data["correction_due"] = live.today.isoformat()
                body = {"transition": name, "comment": "矩阵测试", **data}
                response = clients[role].post(
                    f"/api/v1/submissions/{submission.pk}/transitions/", body, format="json"
                )
                if response.status_code != expected:
                    failures.append(
                        f"{name} as {role}: expected {expected}, got {response.status_code} {response.content[:200]!r}"
                    )
                elif expected == 200:
                    assert response.json()["status"] == t.target
                transaction.set_rollback(True)
    assert not failures, "\n" + "\n".join(failures)


# --- rounds (issue 8, item 2 and 4): ROUND_WORKFLOW through POST /api/v1/rounds/{id}/transitions/
ROUND_EXPECTED = {
    "publish_assignment": "403 200 403 403 403 403 403 403 401 404",
    "close": "403 200 403 403 403 403 403 403 401 404",
    "reopen": "403 200 403 403 403 403 403 403 401 404",
}


def test_every_round_transition_has_a_row():
    declared = set(WORKFLOWS["evaluation.round"].transitions)
    assert declared == set(ROUND_EXPECTED)


def _round_in(network, state):
    """A round of PA's judging of CAQ-T in ``state``, ready for the transition out of it:
    a draft second round with one unconflicted judge per entrant; the open first round
    without panels; a closed third round."""
    from evaluation.judging import standard_template
    from evaluation.models import JudgingRound
    from evaluation.rounds import round_entrants

    with no_tenant():
        first = submission_default_round(network.submissions[0])
        if state == "open":
            return first
        round_ = JudgingRound.objects.create(
            organisation=network.pa,
            judging=first.judging,
            position=2,
            name="矩阵轮次",
            template=standard_template("problem_solving_result"),
            starts_on=first.starts_on,
            ends_on=first.ends_on,
            judges_per_submission=1,
            weight=0,
        )
        if state == "closed":
            JudgingRound.objects.filter(pk=round_.pk).update(status="closed")
            return JudgingRound.objects.get(pk=round_.pk)
        for s in round_entrants(round_):
            JudgeAssignment.objects.create(
                organisation=network.pa, round=round_, submission=s, judge=network.judges[3]
            )
        return round_


def test_round_permission_matrix(network):
    clients = {}
    with no_tenant():
        for name in ROLES:
            client = APIClient()
            user = getattr(network.users, name, None)
            if user is not None:
                client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(user)}")
            clients[name] = client
    workflow = WORKFLOWS["evaluation.round"]
    failures = []
    for name, statuses in ROUND_EXPECTED.items():
        t = workflow.transitions[name]
        for role, expected in zip(ROLES, (int(s) for s in statuses.split()), strict=True):
            with transaction.atomic():
                round_ = _round_in(network, t.source[0])
                body = {"transition": name, "comment": "矩阵测试"}
                response = clients[role].post(f"/api/v1/rounds/{round_.pk}/transitions/", body, format="json")
                if response.status_code != expected:
                    failures.append(
                        f"{name} as {role}: expected {expected}, got {response.status_code} {response.content[:200]!r}"
                    )
                elif expected == 200:
                    assert response.json()["status"] == t.target
                transaction.set_rollback(True)


# --- issue 8: score sheets and panels (generated from SCORE_SHEET_WORKFLOW and PANEL_WORKFLOW) ---
JUDGING_ROLES = ("pa_staff", "pa_judge", "pa_judge2", "pa_leader", "pa_admin")

#: entity → transition → expected outcome per JUDGING_ROLES ("ok" taken, "403" refused by
#: permission or object rule). The sheet is 赵组长's (``pa_judge``) on s6; the panel's chair is
#: 赵组长; 钱骨干 (``pa_judge2``) sits on the panel. Rules R-JD-10 … R-JD-13, R-JD-22.
JUDGING_EXPECTED = {
    "evaluation.scoresheet": {
        "submit": "403 ok 403 403 403",
        "submit_paper": "ok 403 403 403 403",
        "withdraw": "403 ok 403 403 403",
        "staff_return": "ok 403 403 403 403",
    },
    "evaluation.panel": {
        "sign_off": "ok ok 403 403 403",
        "reopen": "ok 403 403 403 403",
    },
}


def test_every_sheet_and_panel_transition_has_a_row():
    for entity, rows in JUDGING_EXPECTED.items():
        assert set(WORKFLOWS[entity].transitions) == set(rows), entity


def _judging_object(network, entity, t):
    from decimal import Decimal

    from evaluation.models import Panel, ScoreItem, ScoreSheet

    s6 = Submission._base_manager.get(pk=network.submissions[5].pk)
    round_ = submission_default_round(s6)
    for judge in network.judges[:3]:
        sheet = f.ScoreSheetFactory(
            organisation=network.pa, submission=s6, judge=judge, total=Decimal("85"), status=t.source[0]
        )
        for c in sheet.template.criteria.all():
            ScoreItem._base_manager.create(sheet=sheet, criterion=c, points=0)
    if entity == "evaluation.scoresheet":
        sheet = ScoreSheet._base_manager.get(round=round_, submission=s6, judge=network.judges[0])
        if t.name == "submit_paper":
            ScoreSheet._base_manager.filter(pk=sheet.pk).update(
                on_paper=True, entered_by=network.users.pa_staff
            )
        return ScoreSheet._base_manager.get(pk=sheet.pk)
    panel = Panel._base_manager.create(
        organisation=network.pa, round=round_, name="矩阵组", chair=network.judges[0], status=t.source[0]
    )
    JudgeAssignment._base_manager.filter(round=round_, submission=s6).update(panel=panel)
    ScoreSheet._base_manager.filter(round=round_, submission=s6).update(status="submitted")
    return panel


def test_sheet_and_panel_permission_matrix(network):
    from django.core.exceptions import PermissionDenied

    from qcportal.models import Membership
    from qcportal.tenancy import membership_scope

    with no_tenant():
        members = {
            name: Membership.objects.select_related("organisation", "user").get(user__username=name)
            for name in JUDGING_ROLES
        }
    failures = []
    for entity, rows in JUDGING_EXPECTED.items():
        workflow = WORKFLOWS[entity]
        for name, outcomes in rows.items():
            t = workflow.transitions[name]
            for role, expected in zip(JUDGING_ROLES, outcomes.split(), strict=True):
                with transaction.atomic():
                    with no_tenant():
                        obj = _judging_object(network, entity, t)
                    with membership_scope(members[role]):
                        try:
                            done = workflow.perform(obj, name, membership=members[role], comment="矩阵测试")
                            got = "ok" if done.status == t.target else "wrong-state"
                        except PermissionDenied:
                            got = "403"
                        except Exception as exc:  # noqa: BLE001 - reported below
                            got = f"{type(exc).__name__}: {exc}"[:200]
                    if got != expected:
                        failures.append(f"{entity}.{name} as {role}: expected {expected}, got {got}")
                    transaction.set_rollback(True)
    assert not failures, "\n" + "\n".join(failures)


# --- the judging's approval and publication (issue 8, item 7): JUDGING_WORKFLOW -------------
#: Who may take each transition of a PA judging in its source state (permission and object
#: rule; the guards are tested in tests/evaluation/test_grading.py). 1 may, 0 may not.
#: Columns: ROLES without "anonymous".
PUBLICATION_EXPECTED = {
    "request_approval": "0 1 0 0 0 0 0 0 0",
    "approve": "0 0 1 0 0 0 0 0 0",
    "return": "0 0 1 0 0 0 0 0 0",
    "publish": "0 1 0 0 0 0 0 0 0",
    "reopen": "0 0 1 0 0 0 0 0 0",
}


def test_every_judging_transition_has_a_row():
    assert set(WORKFLOWS["evaluation.judging"].transitions) == set(PUBLICATION_EXPECTED)


def test_judging_permission_matrix(network):
    """Generated from the declaration: each role's right to take each transition of the
    judging (association staff request approval and publish; the leadership approves,
    returns and reopens; nobody else — another province's staff neither)."""
    from evaluation.models import Judging
    from qcportal.models import Membership

    workflow = WORKFLOWS["evaluation.judging"]
    roles = [r for r in ROLES if r != "anonymous"]
    failures = []
    with no_tenant():
        judging = submission_default_round(network.submissions[0]).judging
        for name, row in PUBLICATION_EXPECTED.items():
            t = workflow.transitions[name]
            Judging.objects.filter(pk=judging.pk).update(status=t.source[0])
            obj = Judging.objects.get(pk=judging.pk)
            for role, expected in zip(roles, row.split(), strict=True):
                membership = Membership.objects.select_related("organisation", "user").get(
                    user__username=role
                )
                allowed = workflow.may_take(obj, membership, t)
                if allowed != (expected == "1"):
                    failures.append(f"{name} as {role}: expected {expected}, got {int(allowed)}")
    assert not failures, "\n".join(failures)
