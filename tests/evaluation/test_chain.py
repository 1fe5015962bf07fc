"""The recommendation chain of issue 7 (evaluation/workflow.py): submission with quotas,
unit recommendation with the sealed form, formal review (pass, return with a deadline and
resubmission, 不予受理 final), recommendation into the parent campaign within its quota, and
the same state label on page and API. Each test is named after its rule and source."""

from __future__ import annotations

import datetime as dt
import threading
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import close_old_connections, connection
from django.urls import reverse
from django.utils import timezone

from circles.choices import ProjectStatus
from evaluation import services
from evaluation.choices import SubmissionStatus as S
from evaluation.judging import submission_default_round
from evaluation.models import JudgeAssignment, Submission
from evaluation.workflow import SUBMISSION_WORKFLOW
from promotion.choices import CampaignStatus, StageKind
from promotion.models import CampaignDomain, CampaignEntry, CampaignStage, StageExtension
from qcportal.models import Membership
from qcportal.tenancy import membership_scope, no_tenant
from tests import factories as f

PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def _membership(user):
    with no_tenant():
        return Membership.objects.select_related("organisation", "user").get(user=user)


def build_live(network, *, quota=2, parent_quota=1):
    """A live PA campaign (child of the network's CAQ-T) whose stages all hold today, E1
    signed up through RU1 (name as on the seal), and accepted projects of E1."""
    today = timezone.localdate()
    with no_tenant():
        parent = network.campaign
        type(parent).objects.filter(pk=parent.pk).update(recommendation_quota=parent_quota)
        live = f.CampaignFactory(
            code="PA-LIVE",
            organisation=network.pa,
            year=today.year,
            parent=parent,
            submission_quota=quota,
            status=CampaignStatus.OPEN,
        )
        for position, name in enumerate(("制造类", "市场服务类"), start=1):
            CampaignDomain.objects.create(campaign=live, name=name, position=position)
        for kind in StageKind.values:
            CampaignStage.objects.create(
                campaign=live,
                kind=kind,
                starts_on=today - dt.timedelta(days=5),
                ends_on=today + dt.timedelta(days=5),
            )
        entry = CampaignEntry.objects.create(
            campaign=live,
            organisation=network.e1,
            recommending_unit=network.ru1,
            seal_name="测试甲机械有限公司（以公章为准）",
            contact_person="钱联系",
            contact_mobile="13900000000",
            address="测试市机械路8号",
            postcode="310001",
            signed_up_by=network.users.e1_coord,
        )
        projects = [
            f.ProjectFactory(
                circle=network.circles[0],
                status=ProjectStatus.ACCEPTED,
                accepted_on=today,
                title=f"降低焊接缺陷率{n}",
            )
            for n in range(4)
        ]
    return SimpleNamespace(campaign=live, parent=parent, entry=entry, projects=projects, today=today)


@pytest.fixture
def live(network):
    return build_live(network)


def act(user, fn, **kwargs):
    """Run a service as ``user``'s membership inside its scope."""
    membership = _membership(user)
    with membership_scope(membership):
        return fn(membership=membership, **kwargs)


def create(network, live, project):
    return act(network.users.e1_coord, services.submission_create, campaign=live.campaign, project=project)


def take(user, submission, name, comment="", data=None):
    membership = _membership(user)
    with membership_scope(membership):
        return SUBMISSION_WORKFLOW.perform(
            submission, name, membership=membership, comment=comment, data=data
        )


def ready_to_submit(network, live, submission):
    with no_tenant():
        Submission.objects.filter(pk=submission.pk).update(
            domain=CampaignDomain.objects.filter(campaign=live.campaign).first(),
            result_report=SimpleUploadedFile("r.pdf", PDF).name and "results/2026/r.pdf",
        )
        return Submission.objects.get(pk=submission.pk)


def recommended(network, live, submission):
    """Take a draft through submit and the unit's recommendation."""
    submission = ready_to_submit(network, live, submission)
    take(network.users.e1_coord, submission, "submit")
    with no_tenant():
        Submission.objects.filter(pk=submission.pk).update(recommendation_form="recommendations/2026/f.pdf")
    return take(network.users.ru1_coord, submission, "unit_recommend", comment="同意推荐")


CHECKLIST = {
    name: "on"
    for name in (
        "form_complete",
        "report_present",
        "evidence_present",
        "sealed_recommendation",
        "procedure_followed",
        "no_fees",
    )
}


# --- submission and quota --------------------------------------------------------------------
def test_submission_prefills_annex1_from_sign_up_seed002_annex1(network, live):
    s = create(network, live, live.projects[0])
    assert s.status == S.DRAFT
    assert s.seal_name == "测试甲机械有限公司（以公章为准）"
    assert (s.recommending_unit_id, s.recommending_association_id) == (network.ru1.pk, network.pa.pk)
    assert (s.contact_person, s.postcode) == ("钱联系", "310001")


def test_quota_two_per_participating_unit_seed003_3_2(network, live):
    create(network, live, live.projects[0])
    create(network, live, live.projects[1])
    with pytest.raises(ValidationError) as exc:
        create(network, live, live.projects[2])
    assert "申报名额（2个）已用完" in str(exc.value)


def test_withdrawn_submission_frees_its_place_seed003_3_2(network, live):
    first = create(network, live, live.projects[0])
    create(network, live, live.projects[1])
    take(network.users.e1_coord, first, "withdraw")
    assert create(network, live, live.projects[2]).status == S.DRAFT


def test_co_building_unit_is_exempt_from_the_quota_seed003_3_2(network, live):
    with no_tenant():
        live.campaign.co_building_units.add(network.ru1)
    for project in live.projects[:3]:
        create(network, live, project)
    with no_tenant():
        assert Submission.objects.filter(campaign=live.campaign).count() == 3


def test_submission_needs_sign_up_seed003_2_1(network, live):
    with no_tenant():
        CampaignEntry.objects.filter(pk=live.entry.pk).delete()
    with pytest.raises(ValidationError, match="活动报名"):
        create(network, live, live.projects[0])


def test_only_accepted_projects_are_submitted_db43_7_5(network, live):
    with no_tenant():
        project = f.ProjectFactory(circle=network.circles[0], status=ProjectStatus.IN_PROGRESS)
    with pytest.raises(ValidationError, match="已验收"):
        create(network, live, project)


def test_submission_window_refusal_names_window_and_dates_and_extension_lets_act_seed003_2(network, live):
    today = live.today
    with no_tenant():
        CampaignStage.objects.filter(campaign=live.campaign, kind=StageKind.SUBMISSION).update(
            starts_on=today - dt.timedelta(days=30), ends_on=today - dt.timedelta(days=10)
        )
    with pytest.raises(ValidationError) as exc:
        create(network, live, live.projects[0])
    text = str(exc.value)
    assert "成果申报" in text and (today - dt.timedelta(days=10)).isoformat() in text
    with no_tenant():
        StageExtension.objects.create(
            campaign=live.campaign,
            organisation=network.e1,
            stage=StageKind.SUBMISSION,
            until=today + dt.timedelta(days=2),
            reason="因疫情延期",
            granted_by=network.users.pa_staff,
        )
    assert create(network, live, live.projects[0]).status == S.DRAFT


@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_submissions_for_two_places_leave_exactly_two_postgresql(committed_network):
    assert connection.vendor == "postgresql", "the quota's lock is checked on PostgreSQL"
    network = committed_network
    live = build_live(network)
    with no_tenant():
        projects = [
            f.ProjectFactory(
                circle=network.circles[0],
                status=ProjectStatus.ACCEPTED,
                accepted_on=live.today,
                title=f"并发课题{n}",
            )
            for n in range(50)
        ]
    barrier = threading.Barrier(50)
    outcomes = []

    def attempt(project):
        try:
            barrier.wait(timeout=30)
            create(network, live, project)
            outcomes.append("ok")
        except ValidationError as exc:
            outcomes.append(str(exc))
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=attempt, args=(p,)) for p in projects]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    with no_tenant():
        assert Submission.objects.filter(campaign=live.campaign).count() == 2
    assert outcomes.count("ok") == 2
    assert all("已用完" in o for o in outcomes if o != "ok")


# --- unit recommendation ----------------------------------------------------------------------
def test_submit_needs_result_report_and_domain_seed002_annex1_note1(network, live):
    s = create(network, live, live.projects[0])
    with pytest.raises(ValidationError) as exc:
        take(network.users.e1_coord, s, "submit")
    assert "成果报告" in str(exc.value) and "领域" in str(exc.value)


def test_unit_recommends_only_with_its_sealed_form_seed003_2_3_2(network, live):
    s = ready_to_submit(network, live, create(network, live, live.projects[0]))
    take(network.users.e1_coord, s, "submit")
    with pytest.raises(ValidationError, match="加盖公章"):
        take(network.users.ru1_coord, s, "unit_recommend")
    with no_tenant():
        Submission.objects.filter(pk=s.pk).update(recommendation_form="recommendations/2026/f.pdf")
    assert take(network.users.ru1_coord, s, "unit_recommend").status == S.UNIT_RECOMMENDED


def test_only_the_submissions_unit_recommends(network, live):
    s = ready_to_submit(network, live, create(network, live, live.projects[0]))
    take(network.users.e1_coord, s, "submit")
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        take(network.users.ru3_coord, s, "unit_recommend")


def test_fallback_unit_recommends_what_was_signed_up_through_it_seed003_2_3_2(network, live):
    with no_tenant():
        fallback = f.OrganisationFactory(
            code="PA-OTHER", name="其他-市质协会员现场部", kind="recommending_unit", parent=network.pa
        )
        coord = f.MembershipFactory(organisation=fallback, role="unit_coordinator").user
        live.campaign.fallback_unit = fallback
        live.campaign.save(update_fields=["fallback_unit"])
        CampaignEntry.objects.filter(pk=live.entry.pk).update(recommending_unit=fallback)
    s = ready_to_submit(network, live, create(network, live, live.projects[0]))
    assert s.recommending_unit_id == fallback.pk
    take(network.users.e1_coord, s, "submit")
    with no_tenant():
        Submission.objects.filter(pk=s.pk).update(recommendation_form="recommendations/2026/f.pdf")
    assert take(coord, s, "unit_recommend").status == S.UNIT_RECOMMENDED


# --- formal review -----------------------------------------------------------------------------
def test_formal_review_return_deadline_and_resubmission_seed003_2_4(network, live):
    s = recommended(network, live, create(network, live, live.projects[0]))
    due = live.today + dt.timedelta(days=7)
    with pytest.raises(ValidationError, match="退回原因"):
        take(network.users.pa_staff, s, "review_return", data={"correction_due": due.isoformat()})
    s = take(
        network.users.pa_staff,
        s,
        "review_return",
        comment="成果报告缺少效果检查数据",
        data={"correction_due": due.isoformat()},
    )
    assert (s.status, s.correction_due) == (S.RETURNED, due)
    # The enterprise is told why and by when, in its inbox.
    from qcportal.models import Notification

    with no_tenant():
        note = Notification.objects.filter(recipient=network.users.e1_coord, object_id=s.pk).latest("id")
    assert "成果报告缺少效果检查数据" in note.params["comment"] and due.isoformat() in note.params["comment"]
    s = take(network.users.e1_coord, s, "correct", comment="已补充效果检查数据")
    assert (s.status, s.correction_due) == (S.UNIT_RECOMMENDED, None)
    s = take(network.users.pa_staff, s, "review_pass", data=CHECKLIST)
    assert s.status == S.FORMALLY_REVIEWED


def test_correction_refused_after_its_deadline(network, live):
    s = recommended(network, live, create(network, live, live.projects[0]))
    take(
        network.users.pa_staff,
        s,
        "review_return",
        comment="补充材料",
        data={"correction_due": live.today.isoformat()},
    )
    with no_tenant():
        Submission.objects.filter(pk=s.pk).update(correction_due=live.today - dt.timedelta(days=1))
    with pytest.raises(ValidationError, match="已过修改截止日期"):
        take(network.users.e1_coord, s, "correct")


def test_formal_review_pass_needs_every_checklist_item(network, live):
    s = recommended(network, live, create(network, live, live.projects[0]))
    with pytest.raises(ValidationError, match="请逐项核对"):
        take(network.users.pa_staff, s, "review_pass", data={**CHECKLIST, "no_fees": ""})


def test_not_accepted_is_final_seed003_2_4(network, live):
    s = recommended(network, live, create(network, live, live.projects[0]))
    with pytest.raises(ValidationError, match="不予受理原因"):
        take(network.users.pa_staff, s, "review_reject")
    s = take(network.users.pa_staff, s, "review_reject", comment="非本年度成果")
    assert s.status == S.REJECTED
    for user in (network.users.e1_coord, network.users.ru1_coord, network.users.pa_staff):
        assert SUBMISSION_WORKFLOW.available(s, _membership(user)) == []


def test_formal_review_shows_similar_results_of_other_units_and_years(network, live):
    from evaluation.selectors import similar_results

    s = recommended(network, live, create(network, live, live.projects[0]))
    with no_tenant():
        other = f.ProjectFactory(
            circle=network.circles[1],
            status=ProjectStatus.ACCEPTED,
            accepted_on=live.today,
            title="降低焊接缺陷率0",
        )
        old = f.SubmissionFactory(
            campaign=network.campaign, project=other, recommending_association=network.pa
        )
    with membership_scope(_membership(network.users.pa_staff)):
        found = similar_results(submission=Submission.objects.get(pk=s.pk))
    assert old.pk in [r.pk for r in found]


# --- after judging: recommendation into the parent campaign ------------------------------------
def scored(network, live, project):
    s = recommended(network, live, create(network, live, project))
    s = take(network.users.pa_staff, s, "review_pass", data=CHECKLIST)
    with no_tenant():
        judge = network.judges[0]
        JudgeAssignment.objects.create(
            organisation=network.pa,
            round=submission_default_round(s),
            submission=s,
            judge=judge,
            is_panel_chair=True,
        )
        f.ScoreSheetFactory(organisation=network.pa, submission=s, judge=judge, total="91.5")
    return take(network.users.pa_staff, s, "release_scores")


def test_recommended_result_appears_in_parent_lists_and_annex4(network, live):
    from evaluation.selectors import submission_recommended_list

    s = scored(network, live, live.projects[0])
    assert s.status == S.SCORED and str(s.score) == "91.50"
    s = take(network.users.pa_staff, s, "nominate")
    assert s.status == S.RECOMMENDED
    with no_tenant():
        up = Submission.objects.get(source=s)
    assert (up.campaign_id, up.status, up.recommending_unit_id) == (
        live.parent.pk,
        S.UNIT_RECOMMENDED,
        network.pa.pk,
    )
    assert (up.recommended_by_id, str(up.recommended_score)) == (network.users.pa_staff.pk, "91.50")
    with membership_scope(_membership(network.users.caq_admin)):
        assert up.pk in set(Submission.objects.filter(campaign=live.parent).values_list("pk", flat=True))
    with membership_scope(_membership(network.users.pa_staff)):
        annex4 = submission_recommended_list(campaign=live.campaign, association=network.pa)
        assert s.pk in [row.pk for row in annex4]


def test_parent_campaign_quota_limits_recommendations_seed002_3(network, live):
    first = take(network.users.pa_staff, scored(network, live, live.projects[0]), "nominate")
    assert first.status == S.RECOMMENDED
    second = scored(network, live, live.projects[1])
    with pytest.raises(ValidationError, match="名额已用完"):
        take(network.users.pa_staff, second, "nominate")
    assert take(network.users.pa_staff, second, "decline").status == S.NOT_RECOMMENDED


# --- one label per state -------------------------------------------------------------------------
def test_every_state_label_is_the_same_on_page_and_api(network, live, client):
    s = create(network, live, live.projects[0])
    client.force_login(network.users.e1_coord)
    for state, label in S.choices:
        with no_tenant():
            Submission.objects.filter(pk=s.pk).update(status=state)
        page = client.get(reverse("evaluation:submission-detail", args=[s.pk])).content.decode()
        api = client.get(f"/api/v1/submissions/{s.pk}/").json()
        listing = client.get(reverse("evaluation:submission-list")).content.decode()
        assert api["status_display"] == label
        assert f">{label}</span>" in page and f">{label}</span>" in listing


def test_whole_chain_through_the_api(network, live, client):
    client.force_login(network.users.e1_coord)
    response = client.post(
        "/api/v1/submissions/",
        {"campaign": "PA-LIVE", "project": live.projects[0].pk, "domain": "制造类"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status_display"] == "草稿" and "submit" in body["blocked"]
    sid = body["id"]
    with no_tenant():
        Submission.objects.filter(pk=sid).update(result_report="results/2026/r.pdf")
    response = client.post(
        f"/api/v1/submissions/{sid}/transitions/", {"transition": "submit"}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["status"] == "submitted"
    client.force_login(network.users.ru1_coord)
    response = client.post(
        f"/api/v1/submissions/{sid}/transitions/",
        {"transition": "unit_recommend"},
        content_type="application/json",
    )
    assert response.status_code == 400 and "加盖公章" in response.json()["detail"]
    response = client.post(
        reverse("evaluation:recommendation-form-upload", args=[sid]),
        {"recommendation_form": SimpleUploadedFile("推荐表.pdf", PDF, content_type="application/pdf")},
    )
    assert response.status_code == 302
    response = client.post(
        f"/api/v1/submissions/{sid}/transitions/",
        {"transition": "unit_recommend"},
        content_type="application/json",
    )
    assert response.json()["status_display"] == "待形式审查"
    client.force_login(network.users.pa_staff)
    response = client.post(
        f"/api/v1/submissions/{sid}/transitions/",
        {"transition": "review_return", "comment": "补充活动记录", "correction_due": "2000-01-01"},
        content_type="application/json",
    )
    assert response.status_code == 400 and "不能早于今天" in response.json()["detail"]


@pytest.mark.parametrize(
    "payload",
    [
        {"campaign": "PA-LIVE\x00", "project": 1},
        {"campaign": "X" * 41, "project": 1},
        {"campaign": "PA-LIVE", "project": "abc"},
        {"campaign": "PA-LIVE", "project": 10**12},
        {"campaign": "NOPE", "project": 1},
    ],
)
def test_bad_submission_input_is_a_chinese_400(network, live, client, payload):
    client.force_login(network.users.e1_coord)
    response = client.post("/api/v1/submissions/", payload, content_type="application/json")
    assert response.status_code == 400
    assert set(response.json()) == {"detail", "errors"}


def test_enterprise_name_as_on_seal_reaches_annex1_and_annex4_seed002_annex1_note2(network, live):
    from qcportal.exporters import get_exporter
    from qcportal.tenancy import tenant_scope
    from tests.conftest import normalise, pdf_text, xlsx_text

    s = take(network.users.pa_staff, scored(network, live, live.projects[0]), "nominate")
    seal = "测试甲机械有限公司（以公章为准）"
    assert s.seal_name == seal
    with tenant_scope(network.pa):
        annex1 = get_exporter("annex1")(campaign=live.campaign, organisation=network.pa, submission=s).render(
            "pdf"
        )
        annex4 = get_exporter("annex4")(campaign=live.campaign, organisation=network.pa).render("xlsx")
    assert normalise(seal) in normalise(pdf_text(annex1.content))
    assert seal in xlsx_text(annex4.content)
