"""Judges see only their share, in the round model (issues 3 and 8; domain.md §6;
standard.md §3–4).

In the small network PA's first round (成果评审, open) assigns s6 to 赵组长 (``pa_judge``,
chair), 钱骨干 (``pa_judge2``) and 孙评委; s1 and s2 were scored before. 吴评委 is assigned only
to s3. Panels, sign-off and paper sheets are tested in tests/evaluation/test_sheets.py.
"""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from evaluation import services
from evaluation.choices import ScoreSheetStatus
from evaluation.models import JudgeAssignment, ScoreSheet, Submission
from evaluation.selectors import submission_list_for_judge
from qcportal.conflicts import AlreadyDone
from qcportal.models import Membership
from qcportal.tenancy import membership_scope, no_tenant
from tests import factories as f
from tests.factories import api_token

pytestmark = pytest.mark.django_db

PS_POINTS = {
    "topic": "13",
    "cause_analysis": "25",
    "countermeasures": "17",
    "effect": "18",
    "report": "4",
    "features": "8",
}


def membership(username):
    with no_tenant():
        return Membership.objects.select_related("organisation", "user").get(user__username=username)


def api(user):
    """An API client authenticated with the user's token (so the tenancy middleware resolves
    the membership exactly as for a real client)."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(user)}")
    return client


def submit_sheet(
    network, username, submission, points=PS_POINTS, assessment="优势：数据翔实。不足：图表可改进。"
):
    m = membership(username)
    with membership_scope(m):
        return services.score_sheet_save(
            membership=m,
            submission=Submission.objects.get(pk=submission.pk),
            points=points,
            assessment=assessment,
            submit=True,
        )


# --- what a judge can list and open -------------------------------------------------


def test_judge_lists_only_assigned_submissions(network, login):
    m = membership("pa_judge")
    with membership_scope(m):
        assert {s.pk for s in submission_list_for_judge(membership=m)} == {
            network.submissions[0].pk,
            network.submissions[1].pk,
            network.submissions[5].pk,
        }
        assert set(Submission.objects.values_list("pk", flat=True)) == {
            network.submissions[0].pk,
            network.submissions[1].pk,
            network.submissions[5].pk,
        }
    body = login(network.users.pa_judge).get(reverse("evaluation:task-list")).content.decode()
    assert "甲攻关QC小组" in body and network.submissions[2].circle.name not in body
    listed = {
        row["id"] for row in api(network.users.pa_judge).get(reverse("api:submission-list")).json()["results"]
    }
    assert listed == {network.submissions[0].pk, network.submissions[1].pk, network.submissions[5].pk}


@pytest.mark.parametrize("index", [2, 3, 4])  # s3 (same association, unassigned), s4 (IA), s5 (PB)
def test_judge_cannot_open_an_unassigned_submission(network, login, index):
    pk = network.submissions[index].pk
    assert (
        login(network.users.pa_judge).get(reverse("evaluation:submission-detail", args=[pk])).status_code
        == 404
    )
    assert api(network.users.pa_judge).get(reverse("api:submission-detail", args=[pk])).status_code == 404


def test_recused_judge_no_longer_sees_the_submission(network, login):
    s6 = network.submissions[5]
    client = login(network.users.pa_judge2)
    assert client.get(reverse("evaluation:submission-detail", args=[s6.pk])).status_code == 200
    response = client.post(reverse("evaluation:recuse", args=[s6.pk]), {"reason": "评委曾参与该课题的辅导"})
    assert response.status_code == 302
    assert client.get(reverse("evaluation:submission-detail", args=[s6.pk])).status_code == 404
    assert api(network.users.pa_judge2).get(reverse("api:submission-detail", args=[s6.pk])).status_code == 404
    with no_tenant():
        assignment = JudgeAssignment.objects.get(submission=s6, judge=network.judges[1])
    assert assignment.recused and assignment.recusal_reason == "评委曾参与该课题的辅导"


def test_recusal_needs_a_reason(network):
    m = membership("pa_judge2")
    with membership_scope(m), pytest.raises(ValidationError, match="回避原因"):
        services.recusal_declare(
            membership=m, submission=Submission.objects.get(pk=network.submissions[5].pk), reason=" "
        )


def test_recused_judges_sheet_stops_counting(network):
    from evaluation.sheets import sheet_list

    s6 = network.submissions[5]
    for username in ("pa_judge", "pa_judge2"):
        submit_sheet(network, username, s6)
    m = membership("pa_judge2")
    with membership_scope(m):
        services.recusal_declare(membership=m, submission=Submission.objects.get(pk=s6.pk), reason="利益冲突")
    staff = membership("pa_staff")
    with membership_scope(staff):
        judges = set(sheet_list().filter(submission_id=s6.pk).values_list("judge_id", flat=True))
    assert judges == {network.judges[0].pk}


# --- other judges' scores before publication -----------------------------------------


def test_judge_cannot_read_other_sheets_before_publication(network, login):
    s6 = network.submissions[5]
    submit_sheet(network, "pa_judge2", s6)
    with no_tenant():
        other = ScoreSheet.objects.get(submission=s6, judge=network.judges[1])
    m = membership("pa_judge")
    with membership_scope(m):
        assert not ScoreSheet.objects.filter(pk=other.pk).exists()
    page = login(network.users.pa_judge).get(reverse("evaluation:submission-detail", args=[s6.pk]))
    assert "钱骨干" not in page.content.decode().split("评审组")[0]
    client = api(network.users.pa_judge)
    assert client.get(reverse("api:scoresheet-detail", args=[other.pk])).status_code == 404
    listed = {
        row["id"]
        for row in client.get(reverse("api:scoresheet-list"), {"submission": s6.pk}).json()["results"]
    }
    assert other.pk not in listed


def test_release_needs_every_sheet_and_then_opens_them(network):
    """The chain's per-submission release (kept for the recommendation chain; issue 8 judges
    sign off by panel) still needs every assigned judge's sheet."""
    s6 = network.submissions[5]
    chair = membership("pa_judge")
    submit_sheet(network, "pa_judge", s6)
    with membership_scope(chair), pytest.raises(ValidationError, match="尚未提交评分表") as refused:
        services.scores_release(membership=chair, submission=Submission.objects.get(pk=s6.pk))
    assert "钱骨干" in str(refused.value) and "孙评委" in str(refused.value)
    submit_sheet(network, "pa_judge2", s6)
    with no_tenant():
        f.ScoreSheetFactory(
            organisation=network.pa, submission=s6, judge=network.judges[2], total=Decimal("80")
        )
    with membership_scope(chair):
        released = services.scores_release(membership=chair, submission=Submission.objects.get(pk=s6.pk))
    assert released.scores_released_at is not None
    assert released.score == Decimal("83.33")  # (85 + 85 + 80) / 3, fewer than 5 judges: no trimming


def test_only_the_panel_chair_or_staff_release(network):
    member = membership("pa_judge2")
    with membership_scope(member), pytest.raises(PermissionDenied):
        services.scores_release(
            membership=member, submission=Submission.objects.get(pk=network.submissions[5].pk)
        )


# --- score sheets --------------------------------------------------------------------


def test_submitted_sheet_is_locked_until_staff_reopen_it(network):
    s6 = network.submissions[5]
    sheet = submit_sheet(network, "pa_judge", s6)
    assert sheet.status == ScoreSheetStatus.SUBMITTED and sheet.total == Decimal("85")
    with pytest.raises(AlreadyDone, match="无需重复操作"):  # the same sheet again: a repeat (R-SC-31)
        submit_sheet(network, "pa_judge", s6)
    with pytest.raises(ValidationError, match="锁定"):
        submit_sheet(network, "pa_judge", s6, points={**PS_POINTS, "features": "10"})
    staff = membership("pa_staff")
    with membership_scope(staff):
        services.score_sheet_withdraw(membership=staff, sheet=ScoreSheet.objects.get(pk=sheet.pk))
    again = submit_sheet(network, "pa_judge", s6, points={**PS_POINTS, "features": "10"})
    assert again.total == Decimal("87")


@pytest.mark.parametrize(
    ("points", "assessment", "message"),
    [
        (
            {**PS_POINTS, "topic": "16"},
            "评价",
            "0到15分",
        ),  # above the item's maximum (T/CAQ 10201-2020 附录B)
        ({**PS_POINTS, "topic": "-1"}, "评价", "0到15分"),
        ({**PS_POINTS, "topic": "12.3"}, "评价", "0.5分"),
        ({**PS_POINTS, "topic": "abc"}, "评价", "须为数字"),
        ({k: v for k, v in PS_POINTS.items() if k != "effect"}, "评价", "每个评审项目都须打分"),
        (PS_POINTS, "", "总体评价"),
        (PS_POINTS, "很" * 301, "300字"),  # seed 002, Annex 5: ≤ 300 characters
    ],
)
def test_bad_sheets_are_refused_with_chinese_messages(network, points, assessment, message):
    with pytest.raises(ValidationError, match=message):
        submit_sheet(network, "pa_judge", network.submissions[5], points=points, assessment=assessment)
    with no_tenant():  # nothing was stored (a refused submit rolls the draft back)
        assert not ScoreSheet.objects.filter(submission=network.submissions[5]).exists()


def test_sheet_form_errors_are_shown_inline(network, login):
    response = login(network.users.pa_judge).post(
        reverse("evaluation:sheet-save", args=[network.submissions[5].pk]),
        {
            "action": "submit",
            **{f"points_{k}": v for k, v in {**PS_POINTS, "topic": "99"}.items()},
            "assessment": "评价",
        },
    )
    assert response.status_code == 400
    assert "“选题”的得分须在0到15分之间" in response.content.decode()


# --- assignment and automatic recusal ------------------------------------------------


def test_automatic_recusal_refuses_a_judge_of_the_same_enterprise(network):
    staff = membership("pa_staff")
    with no_tenant():
        judge = network.judges[3]
        judge.employer = network.e1
        judge.save()
    with membership_scope(staff), pytest.raises(ValidationError, match="须回避"):
        services.judge_assign(
            membership=staff, submission=Submission.objects.get(pk=network.submissions[5].pk), judge=judge
        )


def test_automatic_recusal_covers_the_recommending_unit_and_its_group(network):
    from qcportal.choices import UnitKind

    s6 = network.submissions[5]
    with no_tenant():
        assert services.recusal_reason_for(network.judges[3], s6) is None
        network.judges[3].employer = network.ru1
        assert "推荐单位" in services.recusal_reason_for(network.judges[3], s6)
        network.ru1.unit_kind = UnitKind.GROUP_COMPANY
        network.ru1.save()
        network.judges[3].employer = network.e2  # a sister company in the same group
        s6 = Submission.objects.select_related("recommending_unit").get(pk=s6.pk)
        assert "集团" in services.recusal_reason_for(network.judges[3], s6)


def test_only_the_associations_own_judges_and_one_chair(network):
    staff = membership("pa_staff")
    with membership_scope(staff):
        s6 = Submission.objects.get(pk=network.submissions[5].pk)
        with pytest.raises(ValidationError, match="已有评审组长"):
            services.judge_assign(
                membership=staff, submission=s6, judge=network.judges[4], is_panel_chair=True
            )
    with no_tenant():
        foreign_judge = network.pb_judge
    with membership_scope(staff), pytest.raises(ValidationError, match="本协会"):
        services.judge_assign(
            membership=staff, submission=Submission.objects.get(pk=s6.pk), judge=foreign_judge
        )


def test_judge_query_budget(network, login, django_assert_max_num_queries):
    client = login(network.users.pa_judge)
    with django_assert_max_num_queries(21):  # +6: the judge scope re-checks conflicts per request
        assert client.get(reverse("evaluation:task-list")).status_code == 200
    with django_assert_max_num_queries(30):
        assert (
            client.get(reverse("evaluation:submission-detail", args=[network.submissions[0].pk])).status_code
            == 200
        )
