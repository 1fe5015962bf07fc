"""Result presentation conferences (issue 11 item 2; seed 001 §7.5.2; seed 002 Annex 3): the
host association announces one, enterprises sign their results up while it is open
(R-CF-01), the host alone chooses the presenters (R-CF-02 before the day), and Annex 3's
发表会报名小组数 and 发表小组数 are counted from the sign-ups; pages and the API."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from circles.choices import ProjectStatus
from circles.models import Project
from evaluation.choices import ConferenceSignUpStatus
from evaluation.conferences import signup_create
from evaluation.models import ConferenceSignUp
from evaluation.workflow import SIGNUP_WORKFLOW
from promotion.conferences import conference_save
from promotion.models import PresentationConference
from qcportal.models import Membership
from qcportal.tenancy import membership_scope, no_tenant, tenant_scope
from reports.statistics import annex3_figures

pytestmark = pytest.mark.django_db


def membership(user) -> Membership:
    with no_tenant():
        return Membership.objects.select_related("organisation", "user").get(user=user)


def accepted(enterprise, n=0) -> Project:
    with no_tenant():
        return Project.objects.filter(organisation=enterprise, status=ProjectStatus.ACCEPTED).order_by("id")[
            n
        ]


@pytest.fixture
def open_conference(network):
    """PA's conference of the 2020 campaign, moved to 30 days from now, sign-ups open for 10."""
    staff = membership(network.users.pa_staff)
    today = timezone.localdate()
    with no_tenant():
        conference = PresentationConference.objects.get(organisation=network.pa, campaign=network.campaign)
    with membership_scope(staff):
        return conference_save(
            membership=staff,
            campaign=network.campaign,
            conference=conference,
            data={"held_on": today + dt.timedelta(days=30), "signup_deadline": today + dt.timedelta(days=10)},
        )


def annex3_conference(network):
    with tenant_scope(network.pa):
        return annex3_figures(campaign=network.campaign, association=network.pa).conference


def test_sign_ups_and_presenters_reach_annex3(network, open_conference):
    """The typed 12/10 of the old form give way to the sign-ups counted: one circle signed
    up (1/0), chosen to present (1/1), a second circle signed up (2/1), the first withdrawn
    (1/0)."""
    coord, staff = membership(network.users.e1_coord), membership(network.users.pa_staff)
    with membership_scope(coord):
        first = signup_create(
            membership=coord, conference=open_conference, project=accepted(network.e1), presenter="张工"
        )
    figures = annex3_conference(network)
    assert (figures.signed_up_circles, figures.presented_circles) == (1, 0)
    with membership_scope(staff):
        SIGNUP_WORKFLOW.perform(first, "select", membership=staff)
    first.refresh_from_db()
    assert first.status == ConferenceSignUpStatus.SELECTED and first.order == 1
    assert (annex3_conference(network).signed_up_circles, annex3_conference(network).presented_circles) == (
        1,
        1,
    )
    other = membership(network.users.e4_coord)
    with membership_scope(other):
        signup_create(
            membership=other, conference=open_conference, project=accepted(network.e4), presenter="李工"
        )
    assert annex3_conference(network).signed_up_circles == 2
    with membership_scope(coord):
        SIGNUP_WORKFLOW.perform(first, "withdraw", membership=coord)
    figures = annex3_conference(network)
    assert (figures.signed_up_circles, figures.presented_circles) == (1, 0)


def test_sign_ups_are_refused_in_chinese_when_they_break_a_rule(network, open_conference):
    coord = membership(network.users.e1_coord)
    project = accepted(network.e1)
    with membership_scope(coord):
        signup_create(membership=coord, conference=open_conference, project=project, presenter="张工")
        with pytest.raises(ValidationError, match="已报名"):
            signup_create(membership=coord, conference=open_conference, project=project, presenter="张工")
        with pytest.raises(ValidationError, match="发表人"):
            signup_create(
                membership=coord, conference=open_conference, project=accepted(network.e1, 1), presenter=""
            )
    with no_tenant():
        running = (
            Project.objects.filter(organisation=network.e1).exclude(status=ProjectStatus.ACCEPTED).first()
        )
    with membership_scope(coord), pytest.raises(ValidationError, match="已完成或已验收"):
        signup_create(membership=coord, conference=open_conference, project=running, presenter="张工")
    stranger = membership(network.users.e4_coord)
    with membership_scope(stranger), pytest.raises(PermissionDenied):
        signup_create(membership=stranger, conference=open_conference, project=project, presenter="王工")
    with no_tenant():
        PresentationConference.objects.filter(pk=open_conference.pk).update(
            signup_deadline=timezone.localdate() - dt.timedelta(days=1)
        )
        open_conference.refresh_from_db()
    with membership_scope(coord), pytest.raises(ValidationError, match="R-CF-01"):
        signup_create(
            membership=coord, conference=open_conference, project=accepted(network.e1, 1), presenter="张工"
        )


def test_only_the_host_chooses_and_not_on_the_day(network, open_conference):
    coord, staff = membership(network.users.e1_coord), membership(network.users.pa_staff)
    with membership_scope(coord):
        signup = signup_create(
            membership=coord, conference=open_conference, project=accepted(network.e1), presenter="张工"
        )
        with pytest.raises(PermissionDenied):
            SIGNUP_WORKFLOW.perform(signup, "select", membership=coord)
    with no_tenant():
        PresentationConference.objects.filter(pk=open_conference.pk).update(held_on=timezone.localdate())
        signup = ConferenceSignUp.objects.select_related("conference").get(pk=signup.pk)
    with membership_scope(staff), pytest.raises(ValidationError, match="R-CF-02"):
        SIGNUP_WORKFLOW.perform(signup, "select", membership=staff)


def test_the_host_announces_a_conference_once_per_campaign(network, live_campaign):
    staff = membership(network.users.pa_staff)
    with membership_scope(staff):
        conference_save(membership=staff, campaign=live_campaign, data={"title": "本年度成果发表会"})
        with pytest.raises(ValidationError):
            conference_save(membership=staff, campaign=live_campaign, data={"title": "第二个"})
        with pytest.raises(ValidationError):
            conference_save(membership=staff, campaign=network.campaign, data={"held": True, "held_on": None})
    other = membership(network.users.pb_staff)
    with membership_scope(other), pytest.raises(PermissionDenied):
        conference_save(membership=other, campaign=live_campaign, data={"title": "越权"})


def test_pages_announce_sign_up_choose_and_count(network, login, live_campaign):
    today = timezone.localdate()
    host = login(network.users.pa_staff)
    listing = host.get(reverse("evaluation:conference-list")).content.decode()
    assert 'data-testid="new-conference"' in listing and "PA-LIVE" in listing
    created = host.post(
        f"{reverse('evaluation:conference-create')}?campaign=PA-LIVE",
        {
            "title": "测试省成果发表会",
            "held": "on",
            "held_on": (today + dt.timedelta(days=20)).isoformat(),
            "place": "测试省会议中心",
            "signup_deadline": (today + dt.timedelta(days=5)).isoformat(),
            "attendance": "0",
        },
    )
    assert created.status_code == 302, created.content.decode()[:2000]
    url = created["Location"]
    enterprise = login(network.users.e1_coord)
    assert "测试省成果发表会" in enterprise.get(reverse("evaluation:conference-list")).content.decode()
    page = enterprise.get(url).content.decode()
    assert 'data-testid="signup-form"' in page
    signed = enterprise.post(url, {"project": accepted(network.e1).pk, "presenter": "张工"})
    assert signed.status_code == 302
    assert enterprise.post(url, {"project": accepted(network.e1).pk, "presenter": ""}).status_code == 400
    with no_tenant():
        signup = ConferenceSignUp.objects.get()
    host = login(network.users.pa_staff)
    signup_url = reverse("evaluation:conference-signup", args=[signup.pk])
    assert 'data-testid="do-select"' in host.get(signup_url).content.decode()
    assert host.post(signup_url, {"transition": "select"}).status_code == 302
    page = host.get(url).content.decode()
    assert 'data-testid="signed-up">1<' in page and 'data-testid="presented">1<' in page
    # another province sees neither the conference nor the sign-up
    stranger = login(network.users.pb_staff)
    assert stranger.get(url).status_code == 404 and stranger.get(signup_url).status_code == 404


def test_the_api_announces_signs_up_and_chooses(network, login, live_campaign):
    today = timezone.localdate()
    host = login(network.users.pa_staff)
    created = host.post(
        "/api/v1/conferences/",
        {"campaign": "PA-LIVE", "title": "接口发表会", "held_on": (today + dt.timedelta(days=9)).isoformat()},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    conference = created.json()
    assert conference["signed_up_circles"] == 0 and conference["campaign"] == "PA-LIVE"
    enterprise = login(network.users.e1_coord)
    assert [c["id"] for c in enterprise.get(f"/api/v1/conferences/?year={today.year}").json()["results"]] == [
        conference["id"]
    ]
    signed = enterprise.post(
        "/api/v1/conference-signups/",
        {"conference": conference["id"], "project": accepted(network.e1).pk, "presenter": "张工"},
        content_type="application/json",
    )
    assert signed.status_code == 201, signed.content
    host = login(network.users.pa_staff)
    chosen = host.post(
        f"/api/v1/conference-signups/{signed.json()['id']}/transitions/",
        {"transition": "select"},
        content_type="application/json",
    )
    assert chosen.status_code == 200 and chosen.json()["status"] == "selected"
    detail = host.get(f"/api/v1/conferences/{conference['id']}/").json()
    assert (
        detail["signed_up_circles"] == 1 and detail["presented_circles"] == 1 and len(detail["signups"]) == 1
    )
    patched = host.patch(
        f"/api/v1/conferences/{conference['id']}/", {"attendance": 180}, content_type="application/json"
    )
    assert patched.status_code == 200 and patched.json()["attendance"] == 180
    assert (
        login(network.users.e1_coord)
        .patch(f"/api/v1/conferences/{conference['id']}/", {"attendance": 1}, content_type="application/json")
        .status_code
        == 403
    )


@pytest.mark.parametrize(
    "body",
    [
        {"campaign": "PA-LIVE", "title": "题" * 201},
        {"campaign": "PA-LIVE", "held_on": "2026-02-30"},
        {"campaign": "PA-LIVE", "attendance": -1},
        {"campaign": "PA-LIVE", "place": "地\x00点"},
        {"campaign": "NOPE"},
        ["not", "an", "object"],
    ],
)
def test_the_api_refuses_bad_conferences_with_a_chinese_400(network, login, live_campaign, body):
    response = login(network.users.pa_staff).post(
        "/api/v1/conferences/", body, content_type="application/json"
    )
    assert response.status_code == 400, response.content
    assert "detail" in response.json()
    with no_tenant():
        assert not PresentationConference.objects.filter(campaign=live_campaign).exists()


def test_a_withdrawn_result_may_sign_up_again_and_an_edit_keeps_the_counts(network, open_conference):
    """A withdrawn sign-up no longer blocks its project; the host's later edit of a conference
    loaded before a sign-up does not write its old counts back."""
    coord, staff = membership(network.users.e1_coord), membership(network.users.pa_staff)
    stale = PresentationConference._base_manager.get(pk=open_conference.pk)  # loaded before
    with membership_scope(coord):
        first = signup_create(
            membership=coord, conference=open_conference, project=accepted(network.e1), presenter="张工"
        )
        SIGNUP_WORKFLOW.perform(first, "withdraw", membership=coord)
        again = signup_create(
            membership=coord, conference=open_conference, project=accepted(network.e1), presenter="张工"
        )
    assert again.pk != first.pk
    with membership_scope(staff):
        conference_save(
            membership=staff, campaign=network.campaign, conference=stale, data={"attendance": 99}
        )
    with no_tenant():
        saved = PresentationConference.objects.get(pk=open_conference.pk)
    assert (saved.signed_up_circles, saved.attendance) == (1, 99)


def test_a_closed_sign_up_shows_its_reason_and_drafts_get_no_conference(network, login, open_conference):
    from promotion.models import Campaign

    with no_tenant():
        PresentationConference.objects.filter(pk=open_conference.pk).update(
            signup_deadline=timezone.localdate() - dt.timedelta(days=1)
        )
    page = login(network.users.e1_coord).post(
        reverse("evaluation:conference-detail", args=[open_conference.pk]),
        {"project": accepted(network.e1).pk, "presenter": "张工"},
    )
    assert page.status_code == 400 and "R-CF-01" in page.content.decode()
    with no_tenant():
        draft = Campaign.objects.create(
            code="PA-DRAFT",
            organisation=network.pa,
            year=2030,
            title="草稿活动",
            status="draft",
            period_start=dt.date(2029, 6, 1),
            period_end=dt.date(2030, 8, 31),
        )
    staff = membership(network.users.pa_staff)
    with membership_scope(staff), pytest.raises(PermissionDenied):
        conference_save(membership=staff, campaign=draft, data={"title": "草稿活动发表会"})


@pytest.mark.parametrize("query", ["?year=²⁰²⁴", "?year=0000", "?year=abcd"])
def test_bad_year_parameters_answer_400_not_500(network, login, query):
    client = login(network.users.e1_coord)
    assert client.get(f"/api/v1/conferences/{query}").status_code == 400
    assert client.get(f"/api/v1/trainings/{query}").status_code == 400
    assert client.get("/api/v1/conference-signups/?conference=²").status_code == 400
    assert client.get(f"{reverse('promotion:training-list')}{query}").status_code == 200
