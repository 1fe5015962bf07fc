"""Simultaneous identical requests leave one effect and clear answers (issue 9 item 4).

Twenty browsers (or API clients) send the same request at the same moment — a judge's
double click on 「提交」, two chairs releasing scores, two administrators creating the same
organisation code or sending the same invitation, an invitation link accepted twice. Each
thread has its own client and database connection (closed at the end); a barrier releases
them together. Afterwards the database holds exactly one effect, one answer is the
success, and every other answer is a 4xx or a redirect carrying a Chinese message that says
what happened — never a 5xx (the test client raises a view's exception, so a server error
fails the test too). Rules R-SC-30 … R-SC-33.

PostgreSQL only: row locks (``SELECT … FOR UPDATE``) and concurrent unique-index checks are
what is tested; SQLite serialises every write and would prove nothing.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse

from evaluation.choices import ScoreSheetStatus, SubmissionStatus
from evaluation.judging import submission_default_round
from evaluation.models import ScoreSheet, Submission
from qcportal import services as core_services
from qcportal.models import Invitation, Membership, Organisation, User, WorkflowLog
from qcportal.tenancy import membership_scope, no_tenant
from tests import factories as f

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="races need PostgreSQL: SQLite serialises writes, so nothing would race",
    ),
]

N = 20
STRONG_PASSWORD = "Qc-Portal-2024!x"
POINTS = {
    "topic": "13",
    "cause_analysis": "25",
    "countermeasures": "17",
    "effect": "18",
    "report": "4",
    "features": "8",
}


@dataclass
class Answer:
    """One thread's answer: status, where it redirects, and its messages (flashed or in the
    body's error text / JSON ``detail``)."""

    status: int
    location: str
    text: str

    @property
    def chinese(self) -> bool:
        return bool(re.search(r"[\u4e00-\u9fff]", self.text))


def _answer(response) -> Answer:
    flashed = " ".join(str(m) for m in get_messages(response.wsgi_request))
    body = ""
    if response.status_code >= 400:
        content = response.content.decode()
        if response.get("Content-Type", "").startswith("application/json"):
            data = json.loads(content)
            body = data.get("detail", "") + json.dumps(data.get("errors", {}), ensure_ascii=False)
        else:
            body = re.sub(r"\s+", " ", re.sub(r"(?s)<[^>]+>", " ", content))
    return Answer(response.status_code, response.get("Location", ""), f"{flashed} {body}".strip())


def race(login, send, n: int = N) -> list[Answer | str]:
    """Run ``send(client)`` in ``n`` threads at once, each with its own client logged in by
    ``login(client)`` and its own database connection; answers in completion order (an
    exception's text in place of an answer)."""
    barrier, answers, lock = threading.Barrier(n), [], threading.Lock()

    def run():
        from django.db import connection as thread_connection

        try:
            client = Client()
            login(client)
            barrier.wait()
            result = _answer(send(client))
        except Exception as exc:  # noqa: BLE001 - counted: a server error fails the assertions
            result = f"{type(exc).__name__}: {exc}"
        finally:
            thread_connection.close()
        with lock:
            answers.append(result)

    threads = [threading.Thread(target=run) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return answers


def assert_one_success(answers, *, success, refusal_words: tuple[str, ...]):
    """Exactly one answer satisfies ``success``; every other one is a 4xx or a redirect with
    a Chinese message containing one of ``refusal_words``; none is a server error."""
    errors = [a for a in answers if not isinstance(a, Answer) or a.status >= 500]
    assert not errors, errors
    winners = [a for a in answers if success(a)]
    assert len(winners) == 1, answers
    for a in answers:
        if a is winners[0]:
            continue
        assert 400 <= a.status < 500 or a.status in (301, 302, 303), a
        assert a.chinese and any(w in a.text for w in refusal_words), a


def _user(username) -> User:
    return User.objects.get(username=username)


def _as(username):
    def login(client):
        client.force_login(_user(username))

    return login


# --- score sheets and score release ------------------------------------------------------------
def test_twenty_simultaneous_sheet_submits_leave_one_submission(committed_network):
    """A judge's sheet submitted 20 times at once (HTML form, 「提交」): one sheet, one
    ``submit`` in its history; the other answers send the judge back to the sheet with
    「“提交评分表”已于…完成，无需重复操作」 (R-SC-31)."""
    network = committed_network
    s6 = network.submissions[5]
    with no_tenant():
        round_ = submission_default_round(Submission.objects.get(pk=s6.pk))
    url = reverse("evaluation:round-sheet", kwargs={"round_pk": round_.pk, "pk": s6.pk})
    data = {
        **{f"points_{code}": value for code, value in POINTS.items()},
        "assessment": "优势：数据翔实。不足：图表可改进。",
        "recommended_grade": "",
        "action": "submit",
    }

    answers = race(_as("pa_judge"), lambda client: client.post(url, data))

    assert_one_success(
        answers,
        success=lambda a: isinstance(a, Answer) and "评分表已提交并锁定" in a.text,
        refusal_words=("无需重复操作",),
    )
    with no_tenant():
        sheets = ScoreSheet.objects.filter(round=round_, submission_id=s6.pk, judge=network.judges[0])
        assert sheets.count() == 1 and sheets.get().status == ScoreSheetStatus.SUBMITTED
        log = WorkflowLog.objects.filter(entity="evaluation.scoresheet", object_id=sheets.get().pk)
        assert list(log.values_list("transition", flat=True)) == ["submit"]


def test_twenty_simultaneous_score_releases_release_once(committed_network):
    """The panel's scores of a submission released 20 times at once through the API
    (``POST /api/v1/submissions/{id}/transitions/``): one release (one history row, one
    release time); the others answer 409 ``{"detail": "…无需重复操作。", "errors": …}``."""
    network = committed_network
    s6 = network.submissions[5]
    with no_tenant():
        for judge in network.judges[:3]:
            f.ScoreSheetFactory(organisation=network.pa, submission=s6, judge=judge, total=80)
    url = reverse("api:submission-transitions", args=[s6.pk])

    answers = race(
        _as("pa_staff"),
        lambda client: client.post(url, {"transition": "release_scores"}, content_type="application/json"),
    )

    assert_one_success(
        answers, success=lambda a: isinstance(a, Answer) and a.status == 200, refusal_words=("无需重复操作",)
    )
    assert {a.status for a in answers if a.status != 200} == {409}
    with no_tenant():
        submission = Submission.objects.get(pk=s6.pk)
        assert submission.status == SubmissionStatus.SCORED and submission.scores_released_at is not None
        assert (
            WorkflowLog.objects.filter(
                entity="evaluation.submission", object_id=s6.pk, transition="release_scores"
            ).count()
            == 1
        )


# --- organisations -------------------------------------------------------------------------------
def test_twenty_simultaneous_organisation_creations_html(committed_network):
    """Two (twenty) administrators create organisation ``RACE-1`` at once on the page: one
    organisation; the others get the form again, 409, with 「代码“RACE-1”已被使用」 inline
    (R-SC-32)."""
    data = {"code": "RACE-1", "name": "并发推荐单位", "kind": "recommending_unit", "parent": "PA"}

    answers = race(_as("pa_admin"), lambda client: client.post(reverse("organisation-create"), data))

    assert_one_success(
        answers,
        success=lambda a: isinstance(a, Answer) and a.status == 302 and "RACE-1" in a.location,
        refusal_words=("已被使用",),
    )
    assert {a.status for a in answers if a.status != 302} == {409}
    with no_tenant():
        assert Organisation.objects.filter(code__iexact="RACE-1").count() == 1


def test_twenty_simultaneous_organisation_creations_api(committed_network):
    """The same through ``POST /api/v1/organisations/``: one 201, nineteen 409 with the
    stable error shape and the message on ``code``."""
    data = {"code": "RACE-2", "name": "并发推荐单位乙", "kind": "recommending_unit", "parent": "PA"}

    answers = race(
        _as("pa_admin"),
        lambda client: client.post(reverse("api:organisation-list"), data, content_type="application/json"),
    )

    assert_one_success(
        answers, success=lambda a: isinstance(a, Answer) and a.status == 201, refusal_words=("已被使用",)
    )
    assert {a.status for a in answers if a.status != 201} == {409}
    with no_tenant():
        assert Organisation.objects.filter(code__iexact="RACE-2").count() == 1


def test_organisation_api_refuses_a_foreign_parent_and_bad_input(committed_network, client):
    """The API's creation checks the parent against the actor's subtree (404-like 400, no
    row) and answers bad input with 400 in the stable shape."""
    client.force_login(_user("pa_admin"))
    url = reverse("api:organisation-list")
    foreign = client.post(
        url, {"code": "X-PB", "name": "越权", "kind": "recommending_unit", "parent": "PB"}, "application/json"
    )
    assert foreign.status_code == 400 and "parent" in foreign.json()["errors"]
    bad = client.post(
        url,
        {"code": "坏 代码", "name": "甲", "kind": "recommending_unit", "parent": "PA"},
        "application/json",
    )
    assert (
        bad.status_code == 400 and set(bad.json()) == {"detail", "errors"} and "code" in bad.json()["errors"]
    )
    staff = Client()
    staff.force_login(_user("pa_staff"))
    denied = staff.post(
        url, {"code": "X-ST", "name": "无权", "kind": "recommending_unit", "parent": "PA"}, "application/json"
    )
    assert denied.status_code == 403
    with no_tenant():
        assert not Organisation.objects.filter(code__in=["X-PB", "X-ST"]).exists()


# --- invitations ---------------------------------------------------------------------------------
def test_twenty_simultaneous_identical_invitations_leave_one(committed_network):
    """The same invitation (organisation, e-mail, role) sent 20 times at once: one open
    invitation, one e-mail; the others get the form again, 409, naming the invitation already
    sent (R-SC-33)."""
    mail.outbox = []
    data = {
        "full_name": "并发同事",
        "email": "Race@Example.cn",
        "organisation": "PA",
        "role": "association_staff",
    }

    answers = race(_as("pa_admin"), lambda client: client.post(reverse("invitation-create"), data))

    assert_one_success(
        answers, success=lambda a: isinstance(a, Answer) and a.status == 200, refusal_words=("未重复发送",)
    )
    assert {a.status for a in answers if a.status != 200} == {409}
    with no_tenant():
        assert Invitation.objects.filter(email__iexact="race@example.cn").count() == 1
    assert [m.to for m in mail.outbox] == [["Race@Example.cn"]]


def test_twenty_simultaneous_acceptances_of_one_invitation(committed_network):
    """One invitation link accepted 20 times at once (a double click on 「创建账户」): one
    account, one membership, the invitation accepted once; the others answer 409/410 with
    「该邀请链接已经使用过」."""
    network = committed_network
    with no_tenant():
        admin = Membership.objects.select_related("organisation", "user").get(user=network.users.pa_admin)
    with membership_scope(admin):
        _invitation, url = core_services.invitation_create(
            membership=admin,
            organisation=network.pa,
            role="association_staff",
            email="accept@example.cn",
            full_name="接受者",
        )
    data = {"username": "race_user", "password1": STRONG_PASSWORD, "password2": STRONG_PASSWORD}

    answers = race(lambda client: None, lambda client: client.post(url, data))

    assert_one_success(
        answers,
        success=lambda a: isinstance(a, Answer) and a.status == 302 and a.location == reverse("home"),
        refusal_words=("已经使用过",),
    )
    with no_tenant():
        user = User.objects.get(username="race_user")
        assert Membership.objects.filter(user=user).count() == 1
        invitation = Invitation.objects.get(email="accept@example.cn")
        assert invitation.accepted_by == user
