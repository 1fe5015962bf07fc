"""Round configuration by staff (issue 8, item 2; rules R-JD-21, R-JD-25, R-JD-26, R-JD-29):
validation of weights, sheets, presentation mode and entry rules; which submissions enter
a later round; the judging hub; the rounds API."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from evaluation.choices import RoundStatus
from evaluation.judging import judging_get_or_create, submission_default_round
from evaluation.models import GradeLevel, JudgingRound, RoundScore, ScoreSheet
from evaluation.rounds import (
    judging_settings_update,
    round_create,
    round_entrants,
    round_update,
    weights_problem,
)
from evaluation.workflow import ROUND_WORKFLOW
from qcportal.models import Membership
from qcportal.tenancy import membership_scope, no_tenant

pytestmark = pytest.mark.django_db

BASE = {
    "name": "发表评审",
    "kind": "presentation",
    "presentation_mode": "in_person",
    "starts_on": "2020-07-01",
    "ends_on": "2020-07-02",
}


def staff(network):
    return Membership._base_manager.select_related("organisation", "user").get(user=network.users.pa_staff)


def judging(network):
    with no_tenant():
        first = submission_default_round(network.submissions[0])
    return first.judging, first


def test_weights_must_not_exceed_100_and_total_100_before_publication(network):
    j, first = judging(network)
    member = staff(network)
    with membership_scope(member):
        with pytest.raises(ValidationError) as exc:
            round_create(membership=member, judging=j, data={**BASE, "weight": "40"})
        assert "权重之和不能超过100%" in str(exc.value.message_dict["weight"])
        round_update(membership=member, round_=first, data={"weight": "60"})
        assert "目前为60%" in weights_problem(j)
        second = round_create(membership=member, judging=j, data={**BASE, "weight": "40"})
    assert second.position == 2 and second.status == RoundStatus.DRAFT
    assert weights_problem(j) is None


def test_round_config_validation_messages(network):
    j, first = judging(network)
    member = staff(network)
    with membership_scope(member):
        round_update(membership=member, round_=first, data={"weight": "50"})
        cases = [
            ({"presentation_mode": ""}, "presentation_mode", "发表方式"),
            ({"presentation_mode": "video"}, "video_minutes", "时长上限"),
            ({"ends_on": "2020-06-01"}, "ends_on", "不能早于"),
            ({"judges_per_submission": "0"}, "judges_per_submission", "1–15"),
            ({"weight": "abc"}, "weight", "0–100"),
            ({"entry": "min_score"}, "entry_score", "分数线"),
            ({"entry": "min_grade"}, "entry_grade", "等级线"),
            ({"kind": "onsite", "template": "999999"}, "template", "评分表"),
        ]
        for change, field, text in cases:
            with pytest.raises(ValidationError) as exc:
                round_create(membership=member, judging=j, data={**BASE, "weight": "10", **change})
            assert text in " ".join(exc.value.message_dict[field]), (change, exc.value.message_dict)
        video = round_create(
            membership=member,
            judging=j,
            data={**BASE, "presentation_mode": "video", "video_minutes": "15", "weight": "50"},
        )
    assert video.video_minutes == 15 and video.template.kind == "presentation"


def test_first_round_takes_every_entrant_and_open_round_keeps_structure(network):
    j, first = judging(network)
    member = staff(network)
    with membership_scope(member):
        with pytest.raises(ValidationError, match="第一轮没有上一轮"):
            round_update(membership=member, round_=first, data={"entry": "min_score", "entry_score": "80"})
        with pytest.raises(ValidationError, match="只能修改名称、日期和权重"):
            round_update(membership=member, round_=first, data={"judges_per_submission": "7"})
        entrants = set(round_entrants(first).values_list("pk", flat=True))
    s1, s2, s3, s4, s5, s6 = network.submissions
    assert {s1.pk, s6.pk} <= entrants and not entrants & {s4.pk, s5.pk}


def test_later_round_entry_by_score_and_by_grade(network):
    j, first = judging(network)
    member = staff(network)
    s1, s2, s3, s4, s5, s6 = network.submissions
    with no_tenant():
        RoundScore.objects.create(organisation=network.pa, round=first, submission=s1, score=Decimal("86"))
        RoundScore.objects.create(organisation=network.pa, round=first, submission=s6, score=Decimal("79.5"))
        gold = GradeLevel.objects.create(judging=j, name="标杆级", position=1)
        good = GradeLevel.objects.create(judging=j, name="优秀级", position=2)
        third = GradeLevel.objects.create(judging=j, name="推进级", position=3)
        sheets = list(
            ScoreSheet.objects.filter(round=first, submission=s1, status="submitted").order_by("id")
        )
        for sheet, grade in zip(sheets, (gold, good, good, third, third), strict=False):
            sheet.recommended_grade = grade
            sheet.save(update_fields=["recommended_grade"])
    with membership_scope(member):
        round_update(membership=member, round_=first, data={"weight": "50"})
        by_score = round_create(
            membership=member,
            judging=j,
            data={**BASE, "weight": "25", "entry": "min_score", "entry_score": "80"},
        )
        assert list(round_entrants(by_score).values_list("pk", flat=True)) == [s1.pk]
    with no_tenant():
        by_grade = JudgingRound.objects.create(
            organisation=network.pa,
            judging=j,
            position=3,
            name="三轮",
            template=by_score.template,
            kind="presentation",
            presentation_mode="in_person",
            starts_on=by_score.starts_on,
            ends_on=by_score.ends_on,
            weight=25,
            entry="min_grade",
            entry_grade=good,
        )
        # previous round (by_score) has no sheets: nobody enters; against the first round:
        assert not round_entrants(by_grade).exists()
        by_grade.position, by_score.position = 3, 2
        JudgingRound.objects.filter(pk=by_score.pk).delete()
        by_grade.position = 2
        by_grade.save()
        # s1's grades: 标杆, 优秀, 优秀, 推进, 推进 → median 优秀: enters at 优秀级 and not at 标杆级
        assert list(round_entrants(by_grade).values_list("pk", flat=True)) == [s1.pk]
        by_grade.entry_grade = gold
        by_grade.save()
        assert not round_entrants(by_grade).exists()


def test_settings_validation(network):
    j, _first = judging(network)
    member = staff(network)
    with membership_scope(member):
        with pytest.raises(ValidationError) as exc:
            judging_settings_update(
                membership=member, judging=j, trim_min_judges="2", score_places="4", grade_method="x"
            )
        assert set(exc.value.message_dict) == {"trim_min_judges", "score_places", "grade_method"}
        j = judging_settings_update(
            membership=member, judging=j, trim_min_judges=7, score_places=1, grade_method="band"
        )
    assert (j.trim_min_judges, j.score_places, j.grade_method) == (7, 1, "band")


def test_frozen_judging_refuses_round_changes(network):
    j, first = judging(network)
    member = staff(network)
    with no_tenant():
        type(j)._base_manager.filter(pk=j.pk).update(status="published")
        j.refresh_from_db()
    with membership_scope(member), pytest.raises(ValidationError, match="冻结"):
        round_update(membership=member, round_=first, data={"weight": "50"})


def test_hub_page_shows_settings_rounds_and_weights(client, network, django_assert_max_num_queries):
    client.force_login(network.users.pa_staff)
    with django_assert_max_num_queries(40):
        response = client.get(reverse("evaluation:judging", args=["CAQ-T"]))
    body = response.content.decode()
    assert response.status_code == 200
    assert (
        'data-testid="judging-settings"' in body and 'data-testid="rounds"' in body and "各轮权重合计" in body
    )
    assert "结束本轮" in body  # the open round offers its transition
    bad = client.post(
        reverse("evaluation:judging-settings", args=["CAQ-T"]),
        {"trim_min_judges": "1", "score_places": "9", "grade_method": "band"},
        follow=True,
    )
    assert "3" in bad.content.decode() and bad.status_code == 200
    created = client.post(
        reverse("evaluation:round-create", args=["CAQ-T"]),
        {**BASE, "entry": "all", "judges_per_submission": "5", "weight": "10"},
    )
    assert created.status_code == 400 and "不能超过100%" in created.content.decode()


def test_rounds_api_for_staff(client, network, django_assert_max_num_queries):
    j, first = judging(network)
    client.force_login(network.users.pa_staff)
    with django_assert_max_num_queries(12):
        listed = client.get("/api/v1/rounds/").json()
    assert first.pk in {r["id"] for r in listed["results"]}
    bad = client.post(
        "/api/v1/rounds/", {"campaign": "CAQ-T", **BASE, "weight": "30"}, content_type="application/json"
    )
    assert bad.status_code == 400 and "权重" in bad.json()["detail"] and "weight" in bad.json()["errors"]
    patched = client.patch(f"/api/v1/rounds/{first.pk}/", {"weight": "70"}, content_type="application/json")
    assert patched.status_code == 200 and patched.json()["weight"] == "70.00"
    created = client.post(
        "/api/v1/rounds/", {"campaign": "CAQ-T", **BASE, "weight": "30"}, content_type="application/json"
    )
    assert created.status_code == 201 and created.json()["status"] == "draft"
    refused = client.post(
        f"/api/v1/rounds/{created.json()['id']}/transitions/",
        {"transition": "publish_assignment"},
        content_type="application/json",
    )
    assert refused.status_code == 400 and "尚未分配评委" in refused.json()["detail"]
    client.force_login(network.users.pa_judge)
    assert client.get("/api/v1/rounds/").status_code == 403
    client.force_login(network.users.pb_staff)
    assert client.get(f"/api/v1/rounds/{first.pk}/").status_code == 404


def test_close_needs_signed_panels(network):
    j, first = judging(network)
    member = staff(network)
    from evaluation.models import Panel

    with no_tenant():
        Panel.objects.create(organisation=network.pa, round=first, name="制造类评审组")
    with membership_scope(member), pytest.raises(ValidationError, match="组长未签字"):
        ROUND_WORKFLOW.perform(first, "close", membership=member)


def test_judging_for_an_association_only(network):
    from evaluation.rounds import judging_for

    with no_tenant():
        member = Membership._base_manager.select_related("organisation").get(user=network.users.e1_coord)
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        judging_for(membership=member, campaign=network.campaign)
    assert judging_get_or_create(campaign=network.campaign, association=network.pa).pk
