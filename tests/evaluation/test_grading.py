"""Grades, selection board, approval and publication (issue 8 item 7; evaluation/grading.py):
grade by band and by places (per domain, ties flagged), preview lists the changes, undo
restores, approval by leadership only, freeze after publication and audited reopening."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from evaluation import grading
from evaluation.choices import GradeMethod, JudgingStatus, RoundStatus, SubmissionStatus
from evaluation.models import GradeLevel, GradePlaces, Judging, JudgingRound, Result, Submission
from evaluation.scoring import results_compute
from evaluation.services import judge_assign
from evaluation.workflow import JUDGING_WORKFLOW
from qcportal.models import Membership, WorkflowLog
from qcportal.tenancy import no_tenant, tenant_scope
from tests import factories as f
from tests.factories import api_token

from .test_scoring import World

pytestmark = pytest.mark.django_db
D = Decimal


def m(username):
    return Membership._base_manager.select_related("organisation", "user").get(user__username=username)


@pytest.fixture
def graded(network):
    """Three results in 制造类 (90, 85, 85) and one in 服务类 (88), scored and computed."""
    w = World(network)
    subs = [w.submission(0), w.submission(0), w.submission(0), w.submission(1)]
    for s, total in zip(subs, (90, 85, 85, 88), strict=True):
        w.score(s, [total, total, total])
    with no_tenant():
        JudgingRound.objects.filter(judging=w.judging).update(weight=D(50))
        results_compute(w.judging)
    w.subs = subs
    return w


def result(submission):
    with no_tenant():
        return Result.objects.select_related("grade").get(submission=submission)


def test_grade_by_band(graded):
    with no_tenant():
        grading.grade_levels_preset(
            membership=m("pa_staff"), judging=graded.judging, preset="band_gold_silver_bronze"
        )
        judging = Judging.objects.get(pk=graded.judging.pk)
        assert judging.grade_method == GradeMethod.BAND
        preview = grading.proposal(judging)
        names = {c.result.submission_id: c.grade.name for c in preview.changes}
    assert names == {
        graded.subs[0].pk: "金奖",
        graded.subs[1].pk: "银奖",
        graded.subs[2].pk: "银奖",
        graded.subs[3].pk: "银奖",
    }


def test_grade_by_places_per_domain_with_ties(graded):
    with no_tenant():
        levels = grading.grade_levels_preset(
            membership=m("pa_staff"), judging=graded.judging, preset="benchmark_excellent"
        )
        manufacturing, service = graded.domains
        GradePlaces.objects.create(level=levels[0], domain=manufacturing, places=2)
        GradePlaces.objects.create(level=levels[0], domain=service, places=1)
        preview = grading.proposal(Judging.objects.get(pk=graded.judging.pk))
    changes = {c.result.submission_id: c.grade.name for c in preview.changes}
    ties = {c.result.submission_id for c in preview.ties}
    assert changes[graded.subs[0].pk] == "标杆级"  # 90: first in 制造类
    assert changes[graded.subs[3].pk] == "标杆级"  # 88: first in 服务类
    assert ties == {graded.subs[1].pk, graded.subs[2].pk}  # 85 = 85 across the cut: staff decide
    assert graded.subs[1].pk not in changes
    r1, r2 = result(graded.subs[1]), result(graded.subs[2])
    assert r1.rank == r2.rank == 2


def test_preview_lists_changes_and_undo_restores(graded):
    staff = m("pa_staff")
    with no_tenant():
        levels = grading.grade_levels_preset(membership=staff, judging=graded.judging, preset="three_grades")
        r = [result(s) for s in graded.subs]
        decisions = {r[0].pk: levels[0].pk, r[1].pk: levels[1].pk, r[2].pk: ""}
        preview = grading.decisions_preview(graded.judging, decisions)
        assert preview.count == 2  # r[2] already has no grade: no change
        assert {str(c.result.submission.project) for c in preview.changes}
        first = grading.decisions_apply(membership=staff, judging=graded.judging, decisions=decisions)
        assert result(graded.subs[0]).grade == levels[0]
        second = grading.decisions_apply(
            membership=staff, judging=graded.judging, decisions={r[0].pk: levels[2].pk}
        )
        assert result(graded.subs[0]).grade == levels[2]
        assert grading.batch_undo(membership=staff, judging=graded.judging, batch=second) == 1
        assert result(graded.subs[0]).grade == levels[0]
        grading.batch_undo(membership=staff, judging=graded.judging, batch=first)
        assert result(graded.subs[0]).grade is None and result(graded.subs[1]).grade is None
        with pytest.raises(ValidationError):
            grading.batch_undo(membership=staff, judging=graded.judging, batch=first)  # once only


def test_decisions_refuse_foreign_staff_and_bad_grades(graded):
    with no_tenant():
        levels = grading.grade_levels_preset(
            membership=m("pa_staff"), judging=graded.judging, preset="three_grades"
        )
        r = result(graded.subs[0])
        with pytest.raises(PermissionDenied):
            grading.decisions_apply(
                membership=m("pb_staff"), judging=graded.judging, decisions={r.pk: levels[0].pk}
            )
        with pytest.raises(ValidationError):
            grading.decisions_preview(graded.judging, {r.pk: "999999"})
        with pytest.raises(ValidationError):
            grading.decisions_preview(graded.judging, {"x": levels[0].pk})


def _publishable(graded):
    """Grades decided for every result, rounds closed."""
    staff = m("pa_staff")
    levels = grading.grade_levels_preset(
        membership=staff, judging=graded.judging, preset="benchmark_excellent"
    )
    decisions = {result(s).pk: levels[0].pk if n == 0 else "" for n, s in enumerate(graded.subs)}
    grading.decisions_apply(membership=staff, judging=graded.judging, decisions=decisions)
    JudgingRound.objects.filter(judging=graded.judging).update(status=RoundStatus.CLOSED)
    return staff, levels


def test_approval_by_leadership_only_then_publication_freezes(graded):
    with no_tenant():
        staff, levels = _publishable(graded)
        judging = JUDGING_WORKFLOW.perform(graded.judging, "request_approval", membership=staff)
        with pytest.raises(PermissionDenied):
            JUDGING_WORKFLOW.perform(judging, "approve", membership=staff)
        judging = JUDGING_WORKFLOW.perform(judging, "approve", membership=m("pa_leader"))
        assert judging.status == JudgingStatus.APPROVED
        judging = JUDGING_WORKFLOW.perform(judging, "publish", membership=staff)
        assert judging.is_frozen
        s0 = Submission.objects.get(pk=graded.subs[0].pk)
        assert s0.status == SubmissionStatus.SCORED and s0.score == D("90.00")
        # frozen: grades, scores and assignments refuse
        with pytest.raises(ValidationError):
            grading.decisions_apply(
                membership=staff, judging=judging, decisions={result(s0).pk: levels[1].pk}
            )
        with pytest.raises(ValidationError):
            results_compute(judging)
        with pytest.raises(ValidationError):
            judge_assign(
                membership=staff,
                submission=graded.subs[3],
                judge=graded.judges[6],
                round=graded.rounds[0],
            )
        # audited reopening by leadership with a reason
        with pytest.raises(ValidationError):
            JUDGING_WORKFLOW.perform(judging, "reopen", membership=m("pa_leader"), comment="")
        judging = JUDGING_WORKFLOW.perform(
            judging, "reopen", membership=m("pa_leader"), comment="更正计分错误"
        )
        assert judging.status == JudgingStatus.GRADING
        log = WorkflowLog.objects.filter(
            entity="evaluation.judging", object_id=judging.pk, transition="reopen"
        ).get()
        assert log.comment == "更正计分错误" and log.actor.username == "pa_leader"


def test_sheet_save_refused_after_publication(graded, network):
    from evaluation.services import score_sheet_save

    with no_tenant():
        Judging.objects.filter(pk=graded.judging.pk).update(status=JudgingStatus.PUBLISHED)
        membership = f.MembershipFactory(
            user=f.UserFactory(username="g_judge"), organisation=network.pa, role="judge"
        )
        graded.judges[0].user = membership.user
        graded.judges[0].save()
    with tenant_scope(network.pa), pytest.raises((ValidationError, PermissionDenied)):
        score_sheet_save(
            membership=m("g_judge"), submission=graded.subs[0], points={}, assessment="", submit=False
        )


def test_request_refused_until_every_result_decided_and_places_kept(graded):
    with no_tenant():
        staff = m("pa_staff")
        levels = grading.grade_levels_preset(
            membership=staff, judging=graded.judging, preset="national_excellent"
        )
        JudgingRound.objects.filter(judging=graded.judging).update(status=RoundStatus.CLOSED)
        with pytest.raises(ValidationError, match="既未评定等级"):
            JUDGING_WORKFLOW.perform(graded.judging, "request_approval", membership=staff)
        GradeLevel.objects.filter(pk=levels[0].pk).update(places=1)
        grading.decisions_apply(
            membership=staff,
            judging=graded.judging,
            decisions={result(s).pk: levels[0].pk for s in graded.subs},
        )
        with pytest.raises(ValidationError, match="超过了该等级"):
            JUDGING_WORKFLOW.perform(graded.judging, "request_approval", membership=staff)
        b = grading.board(graded.judging)
        assert b.totals[0].taken == 4 and b.totals[0].left == -3 and b.totals[0].over


def test_board_query_count(graded, django_assert_max_num_queries):
    with no_tenant():
        grading.grade_levels_preset(
            membership=m("pa_staff"), judging=graded.judging, preset="benchmark_excellent"
        )
        with django_assert_max_num_queries(5):
            b = grading.board(graded.judging)
    assert b.results == 4 and b.ungraded == 4 and len(b.rows) == 2


# --- pages and API ------------------------------------------------------------------------------------
def _published(graded):
    with no_tenant():
        staff, _levels = _publishable(graded)
        judging = JUDGING_WORKFLOW.perform(graded.judging, "request_approval", membership=staff)
        judging = JUDGING_WORKFLOW.perform(judging, "approve", membership=m("pa_leader"))
        return JUDGING_WORKFLOW.perform(judging, "publish", membership=staff)


def test_board_page_offers_transitions_and_bounded_queries(
    client, graded, network, django_assert_max_num_queries
):
    client.force_login(network.users.pa_staff)
    with no_tenant():
        grading.grade_levels_preset(
            membership=m("pa_staff"), judging=graded.judging, preset="benchmark_excellent"
        )
    url = f"/evaluation/campaigns/{graded.campaign.code}/board/"
    client.get(url)  # warm caches (session, content types)
    with django_assert_max_num_queries(40):
        response = client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert "标杆级" in body and "评审测试课题1" in body
    assert "并列" in body  # two results of 85 share rank 2
    with no_tenant():
        for _ in range(20):
            s = graded.submission(0)
            graded.score(s, [70, 71, 72])
        results_compute(graded.judging)
    with django_assert_max_num_queries(40):
        assert client.get(url).status_code == 200  # same count for 24 results as for 4
    proposal = client.get(url + "?propose=1").content.decode()
    assert "建议等级" in proposal


def test_bulk_decision_preview_then_apply_on_the_page(client, graded, network):
    client.force_login(network.users.pa_staff)
    with no_tenant():
        levels = grading.grade_levels_preset(
            membership=m("pa_staff"), judging=graded.judging, preset="three_grades"
        )
        ids = [result(s).pk for s in graded.subs[:2]]
    url = f"/evaluation/campaigns/{graded.campaign.code}/board/decide/"
    preview = client.post(url, {"result": ids, "grade": levels[0].pk})
    assert preview.status_code == 200 and "将变更2项成果的等级" in preview.content.decode()
    with no_tenant():
        assert result(graded.subs[0]).grade is None  # preview changes nothing
    client.post(url, {"confirm": "1", **{f"d_{pk}": levels[0].pk for pk in ids}})
    with no_tenant():
        assert result(graded.subs[0]).grade == levels[0]
    bad = client.post(url, {"result": ["x"], "grade": levels[0].pk}, follow=True)
    assert bad.status_code == 200 and "请选择本次评审的等级" in bad.content.decode()


def test_leadership_sees_approve_on_the_board(client, graded, network):
    with no_tenant():
        staff, _levels = _publishable(graded)
        JUDGING_WORKFLOW.perform(graded.judging, "request_approval", membership=staff)
    client.force_login(network.users.pa_leader)
    body = client.get(f"/evaluation/campaigns/{graded.campaign.code}/board/").content.decode()
    assert 'data-testid="do-approve"' in body and 'data-testid="do-publish"' not in body
    response = client.post(f"/evaluation/campaigns/{graded.campaign.code}/board/", {"transition": "approve"})
    assert response.status_code == 302
    with no_tenant():
        assert Judging.objects.get(pk=graded.judging.pk).status == JudgingStatus.APPROVED


def test_calibration_and_exports(client, graded, network):
    import io

    import openpyxl

    client.force_login(network.users.pa_staff)
    code = graded.campaign.code
    assert "测评委1" in client.get(f"/evaluation/campaigns/{code}/calibration/").content.decode()
    ranking_xlsx = client.get(f"/evaluation/campaigns/{code}/board/export/ranking/")
    rows = list(openpyxl.load_workbook(io.BytesIO(ranking_xlsx.content)).active.values)
    assert rows[1][:3] == ("领域", "名次", "并列") and len(rows) == 6
    matrix = client.get(f"/evaluation/campaigns/{code}/board/export/matrix/")
    rows = list(openpyxl.load_workbook(io.BytesIO(matrix.content)).active.values)
    assert rows[1][5] == "评委" and len(rows) == 2  # factory sheets carry totals, no items


def test_api_results_enterprise_sees_published_staff_also_unpublished(client, graded, network):
    from rest_framework.test import APIClient

    def api(user):
        c = APIClient()
        with no_tenant():
            c.credentials(HTTP_AUTHORIZATION=f"Token {api_token(user)}")
        return c

    staff = api(network.users.pa_staff).get("/api/v1/results/").json()["results"]
    assert {r["published"] for r in staff} == {False} and len(staff) == 4
    assert api(network.users.e1_coord).get("/api/v1/results/").json()["results"] == []
    _published(graded)
    mine = api(network.users.e1_coord).get("/api/v1/results/").json()["results"]
    assert len(mine) == 4 and mine[0]["published"] is True
    assert {
        "campaign",
        "submission",
        "enterprise",
        "circle",
        "title",
        "domain",
        "final_score",
        "rank",
        "grade",
    } <= set(mine[0])
    assert api(network.users.e4_coord).get("/api/v1/results/").json()["results"] == []


def test_enterprise_page_shows_published_results(client, graded, network):
    _published(graded)
    client.force_login(network.users.pa_staff)  # the association sees its subtree's enterprise page
    response = client.get(reverse("organisation-detail", args=[network.e1.code]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "已发布的评审结果" in body and "标杆级" in body


def test_nominate_waits_for_the_published_score(graded):
    from evaluation.workflow import SCORE_PUBLISHED

    with no_tenant():
        s0 = Submission.objects.get(pk=graded.subs[0].pk)
        assert not SCORE_PUBLISHED.check(s0, None)
    _published(graded)
    with no_tenant():
        s0 = Submission.objects.get(pk=graded.subs[0].pk)
        assert SCORE_PUBLISHED.check(s0, None) and s0.score == D("90.00")
