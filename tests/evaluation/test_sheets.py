"""Score sheets, paper entry, the chair's panel page and sheet templates (issue 8, item 5;
standard.md §3; seed 002 Annex 5).

In the small network PA's first round (成果评审, open) assigns s6 to 赵组长 (``pa_judge``, the
panel chair), 钱骨干 (``pa_judge2``) and 孙评委 (no login). The ``panel`` fixture puts the
three into the panel 「第一组」 chaired by 赵组长.
"""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from evaluation import sheets
from evaluation.choices import JudgingStatus, PanelStatus, ScoreSheetStatus
from evaluation.judging import submission_default_round
from evaluation.models import (
    JudgeAssignment,
    Judging,
    Panel,
    ScoreSheet,
    ScoringCriterion,
    SheetTemplate,
    Submission,
)
from evaluation.workflow import PANEL_WORKFLOW, SCORE_SHEET_WORKFLOW
from qcportal.models import Membership, WorkflowLog
from qcportal.tenancy import membership_scope, no_tenant
from tests.factories import api_token

pytestmark = pytest.mark.django_db

PS_POINTS = {
    "topic": "13",
    "cause_analysis": "25",
    "countermeasures": "17",
    "effect": "18",
    "report": "4",
    "features": "8.5",
}
ASSESSMENT = "优势：数据翔实。不足：图表可改进。"


def membership(username):
    with no_tenant():
        return Membership.objects.select_related("organisation", "user").get(user__username=username)


def api(user):
    """An API client authenticated with the user's token."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(user)}")
    return client


def s6_of(network):
    with no_tenant():
        return Submission.objects.select_related("organisation", "circle", "project").get(
            pk=network.submissions[5].pk
        )


def round_of(network):
    with no_tenant():
        return submission_default_round(s6_of(network))


@pytest.fixture
def panel(network):
    """The panel 「第一组」 of s6 in the first round, chaired by 赵组长 (``pa_judge``)."""
    with no_tenant():
        round_ = round_of(network)
        panel = Panel._base_manager.create(
            organisation=network.pa, round=round_, name="第一组", chair=network.judges[0]
        )
        panel.judges.set(network.judges[:3])
        JudgeAssignment._base_manager.filter(round=round_, submission_id=network.submissions[5].pk).update(
            panel=panel
        )
    return panel


def save(username, network, points=PS_POINTS, assessment=ASSESSMENT, submit=False):
    m = membership(username)
    with membership_scope(m):
        return sheets.score_sheet_save(
            membership=m,
            submission=Submission.objects.get(pk=network.submissions[5].pk),
            round=round_of(network),
            points=points,
            assessment=assessment,
            submit=submit,
        )


def paper(network, submit=True, points=PS_POINTS):
    """Staff enter 孙评委's paper sheet for s6."""
    staff = membership("pa_staff")
    with membership_scope(staff):
        assignment = JudgeAssignment.objects.get(
            round=round_of(network), submission_id=network.submissions[5].pk, judge=network.judges[2]
        )
        return sheets.paper_sheet_save(
            membership=staff, assignment=assignment, points=points, assessment="纸质评分表代录", submit=submit
        )


# --- items and the assessment ---------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("16", "0到15分"),  # over the item's maximum (附录B 选题 15)
        ("-0.5", "0到15分"),
        ("12.3", "0.5分"),
        ("12.25", "0.5分"),
        ("abc", "须为数字"),
        ("NaN", "0到15分"),
        ("1e400", "0到15分"),
    ],
)
def test_item_maxima_and_half_point_steps(network, value, message):
    with pytest.raises(ValidationError, match=message):
        save("pa_judge", network, points={**PS_POINTS, "topic": value})
    sheet = save("pa_judge", network, points={**PS_POINTS, "topic": "14.5"})
    assert sheet.total == Decimal("87")  # 14.5 + 25 + 17 + 18 + 4 + 8.5


def test_item_maxima_on_the_page_inline(network, login, panel):
    url = reverse("evaluation:round-sheet", args=[round_of(network).pk, network.submissions[5].pk])
    response = login(network.users.pa_judge).post(
        url,
        {"action": "save", **{f"points_{k}": v for k, v in {**PS_POINTS, "topic": "15.5"}.items()}},
    )
    assert response.status_code == 400
    assert "“选题”的得分须在0到15分之间" in response.content.decode()


def test_assessment_at_most_300_characters_service_page_and_api(network, login):
    with pytest.raises(ValidationError, match="300字"):
        save("pa_judge", network, assessment="很" * 301)
    save("pa_judge", network, assessment="很" * 300)
    url = reverse("evaluation:round-sheet", args=[round_of(network).pk, network.submissions[5].pk])
    response = login(network.users.pa_judge).post(url, {"action": "save", "assessment": "好" * 301})
    assert response.status_code == 400 and "300字" in response.content.decode()
    with no_tenant():
        sheet = ScoreSheet.objects.get(submission_id=network.submissions[5].pk, judge=network.judges[0])
    response = api(network.users.pa_judge).patch(
        reverse("api:scoresheet-detail", args=[sheet.pk]), {"assessment": "好" * 301}, format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert "300字" in body["detail"] and "assessment" in body["errors"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"items": {"topic": "abc"}}, "topic"),
        ({"items": {"topic": "16"}}, "topic"),
        ({"items": {"topic": "7.3"}}, "topic"),
        ({"items": {"topic": True}}, "topic"),
        ({"items": {"topic": ["1"]}}, "topic"),
        ({"items": {"nonsense": "1"}}, "items"),
        ({"items": "topic=3"}, "items"),
        ({"assessment": "好" * 301}, "assessment"),
        ({"assessment": "好\x00坏"}, "assessment"),
        ({"items": {"topic": "1\x00"}}, "items.topic"),  # refused where the body is parsed (R-SC-21)
        ({"recommended_grade": "abc"}, "recommended_grade"),
        ({"recommended_grade": 999999}, "recommended_grade"),
    ],
)
def test_api_refuses_bad_input_with_the_stable_shape(network, payload, field):
    sheet = save("pa_judge", network)
    response = api(network.users.pa_judge).patch(
        reverse("api:scoresheet-detail", args=[sheet.pk]), payload, format="json"
    )
    assert response.status_code == 400, response.content
    body = response.json()
    assert set(body) == {"detail", "errors"} and field in body["errors"], body


def test_api_patch_and_submit(network):
    client = api(network.users.pa_judge)
    sheet = save("pa_judge", network, points={})
    url = reverse("api:scoresheet-detail", args=[sheet.pk])
    body = client.get(url).json()
    assert [i["code"] for i in body["items"]] == list(PS_POINTS) and body["items"][0]["max_points"] == 15
    response = client.patch(url, {"items": PS_POINTS, "assessment": ASSESSMENT}, format="json")
    assert response.status_code == 200 and response.json()["total"] == "85.50"
    response = client.post(
        reverse("api:scoresheet-transitions", args=[sheet.pk]), {"transition": "submit"}, format="json"
    )
    assert response.status_code == 200 and response.json()["status"] == ScoreSheetStatus.SUBMITTED
    locked = client.patch(url, {"items": {"topic": "1"}}, format="json")
    assert locked.status_code == 400 and "锁定" in locked.json()["detail"]


def test_judge_lists_only_own_sheets_in_the_api(network):
    save("pa_judge2", network)
    save("pa_judge", network)
    rows = api(network.users.pa_judge).get(reverse("api:scoresheet-list")).json()["results"]
    with no_tenant():
        own = set(ScoreSheet.objects.filter(judge=network.judges[0]).values_list("pk", flat=True))
    assert rows and {r["id"] for r in rows} <= own


# --- lock, withdrawal, return ------------------------------------------------------------------
def test_submit_locks_the_sheet(network):
    sheet = save("pa_judge", network, submit=True)
    assert sheet.status == ScoreSheetStatus.SUBMITTED and sheet.submitted_at is not None
    with pytest.raises(ValidationError, match="锁定"):
        save("pa_judge", network, points={**PS_POINTS, "topic": "1"})


def test_submit_needs_every_item_and_the_assessment(network):
    with pytest.raises(ValidationError, match="每个评审项目"):
        save("pa_judge", network, points={"topic": "10"}, submit=True)
    with pytest.raises(ValidationError, match="每个评审项目"):
        save("pa_judge", network, assessment="", submit=True)


def test_withdrawal_is_recorded_with_its_reason(network):
    sheet = save("pa_judge", network, submit=True)
    client = api(network.users.pa_judge)
    url = reverse("api:scoresheet-transitions", args=[sheet.pk])
    refused = client.post(url, {"transition": "withdraw"}, format="json")
    assert refused.status_code == 400 and "撤回原因" in refused.json()["detail"]
    response = client.post(url, {"transition": "withdraw", "comment": "选题得分录入有误"}, format="json")
    assert response.status_code == 200 and response.json()["status"] == ScoreSheetStatus.DRAFT
    with no_tenant():
        log = WorkflowLog.objects.get(
            entity="evaluation.scoresheet", object_id=sheet.pk, transition="withdraw"
        )
    assert log.comment == "选题得分录入有误" and log.actor == network.users.pa_judge
    again = save("pa_judge", network, points={**PS_POINTS, "features": "10"}, submit=True)
    assert again.total == Decimal("87")


def test_staff_return_a_sheet_with_a_reason(network, login):
    sheet = save("pa_judge", network, submit=True)
    client = login(network.users.pa_staff)
    url = reverse("evaluation:sheet-detail", args=[sheet.pk])
    assert "staff_return" in client.get(url).content.decode()
    response = client.post(url, {"transition": "staff_return", "staff_return-comment": "请补充总体评价"})
    assert response.status_code == 302
    with no_tenant():
        assert ScoreSheet.objects.get(pk=sheet.pk).status == ScoreSheetStatus.DRAFT


# --- paper sheets ---------------------------------------------------------------------------------
def test_staff_enter_a_paper_sheet_for_a_judge_without_login(network, login, panel):
    url_kwargs = {}
    with no_tenant():
        assignment = JudgeAssignment.objects.get(
            round=round_of(network), submission_id=network.submissions[5].pk, judge=network.judges[2]
        )
        assert network.judges[2].user_id is None
        url_kwargs["pk"] = assignment.pk
    client = login(network.users.pa_staff)
    url = reverse("evaluation:paper-sheet", kwargs=url_kwargs)
    assert client.get(url).status_code == 200
    form = {
        "action": "submit",
        "assessment": "纸质评分表",
        **{f"points_{k}": v for k, v in PS_POINTS.items()},
    }
    response = client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:500]
    again = client.post(url, form)  # a double click: nothing more happens (R-SC-31)
    assert again.status_code == 302 and again["Location"] == response["Location"]
    assert any("无需重复操作" in str(m) for m in again.wsgi_request._messages)
    with no_tenant():
        sheet = ScoreSheet.objects.get(submission_id=network.submissions[5].pk, judge=network.judges[2])
        log = WorkflowLog.objects.get(entity="evaluation.scoresheet", object_id=sheet.pk)
    assert sheet.on_paper and sheet.entered_by == network.users.pa_staff
    assert sheet.status == ScoreSheetStatus.SUBMITTED and log.transition == "submit_paper"
    page = client.get(reverse("evaluation:sheet-detail", args=[sheet.pk])).content.decode()
    assert "纸质代录" in page and str(network.users.pa_staff) in page
    # It counts for sign-off: with the two online sheets in, the chair may sign.
    save("pa_judge", network, submit=True)
    save("pa_judge2", network, submit=True)
    chair = membership("pa_judge")
    with membership_scope(chair):
        PANEL_WORKFLOW.perform(Panel.objects.get(pk=panel.pk), "sign_off", membership=chair)


def test_paper_sheet_refused_over_an_online_sheet_and_for_judges(network):
    save("pa_judge", network)
    staff = membership("pa_staff")
    with membership_scope(staff):
        assignment = JudgeAssignment.objects.get(
            round=round_of(network), submission_id=network.submissions[5].pk, judge=network.judges[0]
        )
        with pytest.raises(ValidationError, match="已在线填写"):
            sheets.paper_sheet_save(
                membership=staff, assignment=assignment, points=PS_POINTS, assessment="纸质"
            )
    judge = membership("pa_judge2")
    with membership_scope(judge), pytest.raises(PermissionDenied):
        sheets.paper_sheet_save(membership=judge, assignment=assignment, points=PS_POINTS, assessment="纸质")


def test_api_staff_create_a_paper_sheet_and_submit_it(network):
    client = api(network.users.pa_staff)
    response = client.post(
        reverse("api:scoresheet-list"),
        {
            "round": round_of(network).pk,
            "submission": network.submissions[5].pk,
            "judge": network.judges[2].pk,
            "items": PS_POINTS,
            "assessment": "纸质",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["on_paper"] and body["entered_by"] == str(network.users.pa_staff)
    done = client.post(
        reverse("api:scoresheet-transitions", args=[body["id"]]),
        {"transition": "submit_paper"},
        format="json",
    )
    assert done.status_code == 200 and done.json()["status"] == ScoreSheetStatus.SUBMITTED
    judge_post = api(network.users.pa_judge).post(reverse("api:scoresheet-list"), {}, format="json")
    assert judge_post.status_code == 403


# --- the panel ------------------------------------------------------------------------------------
def test_chair_sign_off_refused_until_every_sheet_is_in(network, login, panel):
    client = login(network.users.pa_judge)
    url = reverse("evaluation:panel", args=[panel.pk])
    page = client.get(url).content.decode()
    assert "blocked-sign_off" in page and "还有评委未提交评分表" in page
    save("pa_judge", network, submit=True)
    save("pa_judge2", network, submit=True)
    refused = client.post(url, {"transition": "sign_off"})
    assert refused.status_code == 400
    paper(network)
    assert client.post(url, {"transition": "sign_off"}).status_code == 302
    with no_tenant():
        signed = Panel.objects.get(pk=panel.pk)
    assert signed.status == PanelStatus.SIGNED_OFF and signed.signed_off_by == network.users.pa_judge
    with pytest.raises(ValidationError, match="组长已签字"):
        save("pa_judge", network)
    staff = membership("pa_staff")
    with membership_scope(staff):
        with pytest.raises(ValidationError, match="重新开放原因"):
            PANEL_WORKFLOW.perform(Panel.objects.get(pk=panel.pk), "reopen", membership=staff)
        PANEL_WORKFLOW.perform(Panel.objects.get(pk=panel.pk), "reopen", membership=staff, comment="复核分差")


def test_recused_judge_sheet_never_shown_to_the_chair_nor_counted(network, login, panel):
    save("pa_judge2", network, points={**PS_POINTS, "topic": "1.5"}, submit=True)
    m = membership("pa_judge2")
    with membership_scope(m):
        from evaluation import services

        services.recusal_declare(membership=m, submission=Submission.objects.get(pk=network.submissions[5].pk),
                                 reason="与申报企业有业务往来")  # fmt: skip
    save("pa_judge", network, submit=True)
    paper(network)
    page = login(network.users.pa_judge).get(reverse("evaluation:panel", args=[panel.pk])).content.decode()
    assert "已回避" in page and "72.00" not in page  # 钱骨干's total (1.5 + 25 + 17 + 18 + 4 + 8.5)
    with no_tenant():
        recused = ScoreSheet.objects.get(submission_id=network.submissions[5].pk, judge=network.judges[1])
    assert (
        login(network.users.pa_judge).get(reverse("evaluation:sheet-detail", args=[recused.pk])).status_code
        == 404
    )
    rows = api(network.users.pa_staff).get(
        reverse("api:scoresheet-list"), {"submission": network.submissions[5].pk}
    )
    assert recused.pk not in {r["id"] for r in rows.json()["results"]}
    chair = membership("pa_judge")
    with membership_scope(chair):  # the recused judge's sheet no longer blocks sign-off
        PANEL_WORKFLOW.perform(Panel.objects.get(pk=panel.pk), "sign_off", membership=chair)
    with membership_scope(chair):
        matrix = sheets.panel_matrix(membership=chair, panel=Panel.objects.get(pk=panel.pk))
    assert matrix["rows"][0]["count"] == 2 and recused.pk not in matrix["sheets"]


def test_other_judges_see_only_their_own_sheets_until_publication(network, login, panel):
    save("pa_judge", network, points={**PS_POINTS, "topic": "2"}, submit=True)  # 74.50
    save("pa_judge2", network, submit=True)  # 85.50
    member = login(network.users.pa_judge2).get(reverse("evaluation:panel", args=[panel.pk])).content.decode()
    assert "85.50" in member and "74.50" not in member
    chair = login(network.users.pa_judge).get(reverse("evaluation:panel", args=[panel.pk])).content.decode()
    assert "85.50" in chair and "74.50" in chair and "table-danger" in chair  # spread 11 highlighted


def test_panel_discussion_and_assessment(network, login, panel):
    client = login(network.users.pa_judge)
    client.post(reverse("evaluation:panel-comment", args=[panel.pk]), {"text": "请各位关注效果的确认。"})
    client.post(
        reverse("evaluation:panel-assessment", args=[panel.pk]),
        {"submission": network.submissions[5].pk, "text": "优势：选题实用。不足：巩固期偏短。"},
    )
    with no_tenant():
        assert Submission.objects.get(pk=network.submissions[5].pk).panel_assessment.startswith("优势")
    client.post(
        reverse("evaluation:panel-assessment", args=[panel.pk]),
        {"submission": network.submissions[5].pk, "text": "长" * 301},
    )
    with no_tenant():
        assert Submission.objects.get(pk=network.submissions[5].pk).panel_assessment.startswith("优势")
    page = client.get(reverse("evaluation:panel", args=[panel.pk])).content.decode()
    assert "请各位关注效果的确认。" in page
    member = membership("pa_judge2")
    with membership_scope(member), pytest.raises(PermissionDenied):
        sheets.panel_assessment_save(
            membership=member, panel=Panel.objects.get(pk=panel.pk), submission=s6_of(network), text="x"
        )


def test_publication_freezes_sheets(network, panel):
    sheet = save("pa_judge", network, submit=True)
    with no_tenant():
        Judging._base_manager.filter(pk=round_of(network).judging_id).update(status=JudgingStatus.PUBLISHED)
    with pytest.raises(ValidationError, match="冻结"):
        save("pa_judge2", network)
    m = membership("pa_judge")
    with membership_scope(m), pytest.raises(ValidationError, match="冻结"):
        SCORE_SHEET_WORKFLOW.perform(
            ScoreSheet.objects.get(pk=sheet.pk), "withdraw", membership=m, comment="改"
        )
    with pytest.raises(ValidationError, match="冻结"):
        paper(network)
    chair = membership("pa_judge")
    with membership_scope(chair), pytest.raises(ValidationError, match="冻结"):
        sheets.panel_comment_add(membership=chair, panel=Panel.objects.get(pk=panel.pk), text="x")


# --- the task list -------------------------------------------------------------------------------
def test_task_list_shows_rounds_status_and_deadlines(network, login):
    save("pa_judge", network)
    page = login(network.users.pa_judge).get(reverse("evaluation:task-list")).content.decode()
    round_ = round_of(network)
    assert round_.name in page and round_.ends_on.strftime("%Y-%m-%d") in page and "草稿" in page
    assert reverse("evaluation:round-sheet", args=[round_.pk, network.submissions[5].pk]) in page
    assert network.submissions[2].circle.name not in page  # s3: not assigned to 赵组长


def test_query_counts_of_task_list_and_panel_page(network, login, panel, django_assert_max_num_queries):
    save("pa_judge", network, submit=True)
    paper(network)
    client = login(network.users.pa_judge)
    with django_assert_max_num_queries(20):  # +6: the judge scope re-checks conflicts per request
        assert client.get(reverse("evaluation:task-list")).status_code == 200
    with django_assert_max_num_queries(30):
        assert client.get(reverse("evaluation:panel", args=[panel.pk])).status_code == 200
    staff = login(network.users.pa_staff)
    with django_assert_max_num_queries(30):
        assert staff.get(reverse("evaluation:panel", args=[panel.pk])).status_code == 200
    staff_api = api(network.users.pa_staff)  # creating the token is not part of the request
    with django_assert_max_num_queries(25):
        assert staff_api.get(reverse("api:scoresheet-list")).status_code == 200


# --- templates --------------------------------------------------------------------------------------
def _items(template):
    return [
        {
            "code": c.code,
            "label": c.label,
            "description": c.description,
            "method": c.method,
            "max_points": c.max_points,
        }  # fmt: skip
        for c in template.criteria.order_by("position")
    ]


def test_staff_derive_and_edit_a_variant_whose_maxima_total_100(network, login):
    staff = membership("pa_staff")
    with no_tenant():
        standard = SheetTemplate.objects.get(organisation__isnull=True, kind="presentation")
    with membership_scope(staff):
        variant = sheets.template_derive(
            membership=staff, source=standard, name="测试省发表评审表", version="2025"
        )
        items = _items(variant)
        items[0]["max_points"] = 25
        with pytest.raises(ValidationError, match="合计须为100分"):
            sheets.template_update(membership=staff, template=variant, name="测试省发表评审表", version="2025",
                                   items=items)  # fmt: skip
        items[1]["max_points"] = 15
        items.append({"code": "video", "label": "视频质量", "max_points": 0})
        with pytest.raises(ValidationError, match="1到100"):
            sheets.template_update(membership=staff, template=variant, name="x", version="2025", items=items)
        items[-1]["max_points"] = 5
        items[2]["max_points"] = 10
        sheets.template_update(
            membership=staff, template=variant, name="测试省发表评审表", version="2025", items=items
        )
        assert sum(c.max_points for c in variant.criteria.all()) == 100
        assert variant.criteria.filter(code="video").exists()
        assert variant in sheets.template_choices(network.pa, "presentation")
        with pytest.raises(PermissionDenied):
            sheets.template_update(membership=staff, template=standard, name="x", version="y", items=items)
        with pytest.raises(ValidationError, match="同名版本"):
            sheets.template_derive(membership=staff, source=standard, name="重复", version="2025")
    page = login(network.users.pa_staff).get(reverse("evaluation:template-detail", args=[variant.pk]))
    assert page.status_code == 200 and "template-form" in page.content.decode()
    with no_tenant():
        assert variant not in sheets.template_choices(network.pb, "presentation")


def test_a_used_template_is_read_only(network, login):
    staff = membership("pa_staff")
    with no_tenant():
        standard = SheetTemplate.objects.get(organisation__isnull=True, kind="problem_solving_result")
    with membership_scope(staff):
        variant = sheets.template_derive(
            membership=staff, source=standard, name="问题解决型（测试省）", version="v2"
        )
    with no_tenant():
        round_ = round_of(network)
        round_.template = variant
        round_.save()
        ScoreSheet._base_manager.filter(round=round_, submission_id=network.submissions[5].pk).delete()
    save("pa_judge", network)
    with membership_scope(staff), pytest.raises(ValidationError, match="另存为新版本"):
        sheets.template_update(
            membership=staff, template=variant, name="改", version="v2", items=_items(variant)
        )
    page = (
        login(network.users.pa_staff)
        .get(reverse("evaluation:template-detail", args=[variant.pk]))
        .content.decode()
    )
    assert "template-form" not in page and "已使用（只读）" in page
    response = login(network.users.pa_staff).post(
        reverse("evaluation:template-derive", args=[variant.pk]),
        {"name": "问题解决型（测试省）", "version": "v3"},
    )
    assert response.status_code == 302
    with no_tenant():
        v3 = SheetTemplate.objects.get(organisation=network.pa, version="v3")
        assert ScoringCriterion.objects.filter(template=v3).count() == 6 and v3.based_on == variant


def test_other_associations_templates_are_not_found(network, login):
    staff = membership("pb_staff")
    with no_tenant():
        standard = SheetTemplate.objects.get(organisation__isnull=True, kind="onsite")
    with membership_scope(staff):
        foreign = sheets.template_derive(
            membership=staff, source=standard, name="另一省现场评价表", version="1"
        )
    client = login(network.users.pa_staff)
    assert client.get(reverse("evaluation:template-detail", args=[foreign.pk])).status_code == 404
    assert client.get(reverse("evaluation:template-list")).status_code == 200
