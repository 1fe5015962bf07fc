"""The audit trail: every write through the portal is recorded (who, acting for which
organisation, when, what changed, from where); association staff browse it for their
subtree; entries cannot be changed through any endpoint (issue: audit trail)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import Error as DatabaseError
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from evaluation.choices import ScoreSheetKind, ScoreSheetStatus, SubmissionStatus
from evaluation.judging import submission_default_round
from evaluation.models import JudgeAssignment, ScoreSheet, ScoringCriterion
from qcportal.models import AuditEntry, Invitation, Membership, Organisation, User
from qcportal.tenancy import no_tenant
from reports.models import ReportRun
from tests.factories import api_token

from .. import factories as f

pytestmark = pytest.mark.django_db

ADDR = "10.1.2.3"
CREATE, UPDATE = AuditEntry.Action.CREATE, AuditEntry.Action.UPDATE
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
STRONG_PASSWORD = "Zhiliang-Xiaozu-2024!"
ACCEPT_LINK = re.compile(r"https?://[^/\s]+(/accounts/invitations/[^/\s]+/)")


# --- helpers -------------------------------------------------------------------------------


def last_entry_id() -> int:
    with no_tenant():
        return AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0


def entries_since(before: int, *, model: str, object_pk, action: int) -> list[AuditEntry]:
    with no_tenant():
        return list(
            AuditEntry.objects.select_related("actor", "acting_organisation", "organisation", "content_type")
            .filter(pk__gt=before, content_type__model=model, object_pk=str(object_pk), action=action)
            .order_by("id")
        )


def post(client, url, data=None, **extra):
    """POST from the audited address; the write must have been accepted (a redirect or 200)."""
    response = client.post(url, data or {}, REMOTE_ADDR=ADDR, **extra)
    assert response.status_code in (200, 302), (url, response.status_code)
    return response


def accept_path_from_mail() -> str:
    match = ACCEPT_LINK.search(mail.outbox[-1].body)
    assert match, mail.outbox[-1].body
    return match.group(1)


@pytest.fixture
def judging(network):
    """A fresh PA submission of E1 whose panel chair is 赵组长 (pa_judge); scores not released."""
    with no_tenant():
        project = f.ProjectFactory(circle=network.circles[0])
        submission = f.SubmissionFactory(
            campaign=network.campaign,
            project=project,
            recommending_association=network.pa,
            status=SubmissionStatus.FORMALLY_REVIEWED,
        )
        JudgeAssignment.objects.create(
            organisation=network.pa,
            round=submission_default_round(submission),
            submission=submission,
            judge=network.judges[0],
            is_panel_chair=True,
        )
        criteria = list(
            ScoringCriterion.objects.filter(
                template__kind=ScoreSheetKind.PROBLEM_SOLVING_RESULT, template__organisation__isnull=True
            ).order_by("position")
        )
    assert criteria, "the standard's criteria are seeded by migration"
    return SimpleNamespace(submission=submission, criteria=criteria)


# --- every kind of write, through the portal's HTTP endpoints ------------------------------
#
# Each ``perform`` makes one write as ``actor`` from ADDR and returns the primary key of the
# audited row.


def organisation_create(ctx):
    post(
        ctx.login(ctx.network.users.pa_admin),
        reverse("organisation-create"),
        {"code": "RU9", "name": "新设区推荐单位", "kind": "recommending_unit", "parent": "PA"},
    )
    with no_tenant():
        return Organisation.objects.get(code="RU9").pk


def organisation_edit(ctx):
    post(
        ctx.login(ctx.network.users.pa_admin),
        reverse("organisation-edit", args=["RU1"]),
        {"name": "测试区推荐单位（更名）"},
    )
    return ctx.network.ru1.pk


def invitation_create(ctx):
    post(
        ctx.login(ctx.network.users.pa_admin),
        reverse("invitation-create"),
        {"full_name": "新同事", "email": "xin@example.cn", "organisation": "RU1", "role": "unit_coordinator"},
    )
    with no_tenant():
        return Invitation.objects.get(email="xin@example.cn").pk


def _invite_ru1_coord_to_e1(ctx) -> str:
    ctx.login(ctx.network.users.pa_admin).post(
        reverse("invitation-create"),
        {
            "full_name": "测试区联络人",
            "email": "ru1@example.cn",
            "organisation": "E1",
            "role": "enterprise_coordinator",
        },
    )
    return accept_path_from_mail()


def invitation_accept_membership(ctx):
    path = _invite_ru1_coord_to_e1(ctx)
    post(ctx.login(ctx.network.users.ru1_coord), path, {"attach": "1"})
    with no_tenant():
        return Membership.objects.get(user=ctx.network.users.ru1_coord, organisation__code="E1").pk


def invitation_accept_invitation(ctx):
    path = _invite_ru1_coord_to_e1(ctx)
    post(ctx.login(ctx.network.users.ru1_coord), path, {"attach": "1"})
    with no_tenant():
        return Invitation.objects.get(email="ru1@example.cn").pk


def invitation_revoke(ctx):
    invitation = ctx.network.invitations.pa
    post(ctx.login(ctx.network.users.pa_admin), reverse("invitation-revoke", args=[invitation.pk]))
    return invitation.pk


def membership_revoke(ctx):
    with no_tenant():
        target = Membership.objects.get(user=ctx.network.users.ru1_coord)
    post(ctx.login(ctx.network.users.pa_admin), reverse("membership-revoke", args=[target.pk]))
    return target.pk


def user_deactivate(ctx):
    target = ctx.network.users.e1_coord
    post(ctx.login(ctx.network.users.pa_admin), reverse("user-deactivate", args=[target.pk]))
    return target.pk


def report_run_start(ctx):
    with ctx.capture(execute=True):
        post(
            ctx.login(ctx.network.users.pa_staff),
            reverse("reports:campaign-forms", args=["CAQ-T"]),
            {"form": "annex3", "file_format": "xlsx", "organisation": "PA"},
        )
    with no_tenant():
        return ReportRun.objects.exclude(pk__in=[ctx.network.runs.pa.pk, ctx.network.runs.pb.pk]).get().pk


def judge_assign(ctx):
    submission = ctx.judging.submission
    post(
        ctx.login(ctx.network.users.pa_staff),
        reverse("evaluation:assign", args=[submission.pk]),
        {"judge": ctx.network.judges[1].pk},
    )
    with no_tenant():
        return JudgeAssignment.objects.get(submission=submission, judge=ctx.network.judges[1]).pk


def _points(ctx) -> dict:
    return {f"points_{c.code}": str(c.max_points) for c in ctx.judging.criteria}


def score_sheet_save(ctx):
    submission = ctx.judging.submission
    first = ctx.judging.criteria[0]
    post(
        ctx.login(ctx.network.users.pa_judge),
        reverse("evaluation:sheet-save", args=[submission.pk]),
        {f"points_{first.code}": str(first.max_points), "assessment": "草稿", "action": "save"},
    )
    with no_tenant():
        return ScoreSheet.objects.get(submission=submission, judge=ctx.network.judges[0]).pk


def score_sheet_submit(ctx):
    submission = ctx.judging.submission
    with no_tenant():
        sheet = ScoreSheet.objects.create(
            organisation=ctx.network.pa,
            round=submission_default_round(submission),
            template=ctx.judging.criteria[0].template,
            submission=submission,
            judge=ctx.network.judges[0],
            status=ScoreSheetStatus.DRAFT,
        )
    post(
        ctx.login(ctx.network.users.pa_judge),
        reverse("evaluation:sheet-save", args=[submission.pk]),
        {**_points(ctx), "assessment": "优势：数据翔实。不足：图表不规范。", "action": "submit"},
    )
    sheet.refresh_from_db()
    assert sheet.status == ScoreSheetStatus.SUBMITTED
    return sheet.pk


def recusal_declare(ctx):
    submission = ctx.judging.submission
    with no_tenant():
        assignment = JudgeAssignment.objects.create(
            organisation=ctx.network.pa,
            round=submission_default_round(submission),
            submission=submission,
            judge=ctx.network.judges[1],
        )
    post(
        ctx.login(ctx.network.users.pa_judge2),
        reverse("evaluation:recuse", args=[submission.pk]),
        {"reason": "与申报企业有业务往来"},
    )
    return assignment.pk


def scores_release(ctx):
    submission = ctx.judging.submission
    with no_tenant():
        f.ScoreSheetFactory(
            organisation=ctx.network.pa,
            submission=submission,
            judge=ctx.network.judges[0],
            total=Decimal("90"),
        )
    post(  # the chain's release_scores transition (the per-submission release page is gone, issue 8)
        ctx.login(ctx.network.users.pa_judge),
        reverse("evaluation:submission-detail", args=[submission.pk]),
        {"transition": "release_scores"},
    )
    return submission.pk


def result_report_upload(ctx):
    submission = ctx.judging.submission
    upload = SimpleUploadedFile("成果报告.pdf", PDF, content_type="application/pdf")
    post(
        ctx.login(ctx.network.users.e1_coord),
        reverse("evaluation:report-upload", args=[submission.pk]),
        {"result_report": upload},
    )
    return submission.pk


@dataclass(frozen=True)
class Write:
    name: str
    perform: Callable
    actor: str  # attribute of network.users
    acting: tuple[str, str]  # (organisation code, role) of the acting membership
    model: str
    action: int
    field: str | None = None  # a field the write changed (updates)
    after: object = None  # its new value, where predictable


WRITES = [
    Write("organisation created", organisation_create, "pa_admin", ("PA", "association_admin"), "organisation", CREATE, "name", "新设区推荐单位"),
    Write("organisation edited", organisation_edit, "pa_admin", ("PA", "association_admin"), "organisation", UPDATE, "name", "测试区推荐单位（更名）"),
    Write("invitation created", invitation_create, "pa_admin", ("PA", "association_admin"), "invitation", CREATE, "email", "xin@example.cn"),
    Write("invitation accepted: membership", invitation_accept_membership, "ru1_coord", ("RU1", "unit_coordinator"), "membership", CREATE, "role", "enterprise_coordinator"),
    Write("invitation accepted: invitation", invitation_accept_invitation, "ru1_coord", ("RU1", "unit_coordinator"), "invitation", UPDATE, "accepted_at"),
    Write("invitation revoked", invitation_revoke, "pa_admin", ("PA", "association_admin"), "invitation", UPDATE, "revoked_at"),
    Write("membership revoked", membership_revoke, "pa_admin", ("PA", "association_admin"), "membership", UPDATE, "is_active"),
    Write("user deactivated", user_deactivate, "pa_admin", ("PA", "association_admin"), "user", UPDATE, "is_active"),
    Write("report run started", report_run_start, "pa_staff", ("PA", "association_staff"), "reportrun", CREATE, "form", "annex3"),
    Write("judge assigned", judge_assign, "pa_staff", ("PA", "association_staff"), "judgeassignment", CREATE, "judge"),
    Write("score sheet saved", score_sheet_save, "pa_judge", ("PA", "judge"), "scoresheet", CREATE, "assessment", "草稿"),
    Write("score sheet submitted", score_sheet_submit, "pa_judge", ("PA", "judge"), "scoresheet", UPDATE, "status", "submitted"),
    Write("recusal declared", recusal_declare, "pa_judge2", ("PA", "judge"), "judgeassignment", UPDATE, "recused"),
    Write("scores released", scores_release, "pa_judge", ("PA", "judge"), "submission", UPDATE, "scores_released_at"),
    Write("result report uploaded", result_report_upload, "e1_coord", ("E1", "enterprise_coordinator"), "submission", UPDATE, "result_report"),
]  # fmt: skip


def _value(change):
    """auditlog stores values as strings in some versions and as JSON in others."""
    return change if isinstance(change, str) or change is None else str(change)


@pytest.mark.parametrize("write", WRITES, ids=lambda w: w.name)
def test_every_kind_of_write_is_audited(network, login, judging, django_capture_on_commit_callbacks, write):
    ctx = SimpleNamespace(
        network=network, login=login, judging=judging, capture=django_capture_on_commit_callbacks
    )
    before = last_entry_id()
    object_pk = write.perform(ctx)
    entries = entries_since(before, model=write.model, object_pk=object_pk, action=write.action)
    assert entries, f"no {write.model} entry for {write.name}"
    entry = entries[-1]
    user = getattr(network.users, write.actor)
    assert entry.actor == user
    assert entry.acting_organisation is not None
    assert (entry.acting_organisation.code, entry.acting_role) == write.acting
    assert entry.remote_addr == ADDR
    assert entry.timestamp is not None
    assert entry.organisation_id is not None  # who may read it
    if write.field:
        assert write.field in (entry.changes or {}), entry.changes
        before_value, after_value = entry.changes[write.field]
        assert before_value != after_value
        if write.after is not None:
            assert _value(after_value) == str(write.after)


def test_accepting_an_invitation_anonymously_is_audited(network, login):
    post(
        login(network.users.pa_admin),
        reverse("invitation-create"),
        {"full_name": "新同事", "email": "xin@example.cn", "organisation": "RU1", "role": "unit_coordinator"},
    )
    path = accept_path_from_mail()
    before = last_entry_id()
    guest = Client()
    post(guest, path, {"username": "xin_tongshi", "password1": STRONG_PASSWORD, "password2": STRONG_PASSWORD})
    with no_tenant():
        user = User.objects.get(username="xin_tongshi")
        membership = Membership.objects.get(user=user)
        invitation = Invitation.objects.get(email="xin@example.cn")
    for model, object_pk, action, field in (
        ("user", user.pk, CREATE, "username"),
        ("membership", membership.pk, CREATE, "role"),
        ("invitation", invitation.pk, UPDATE, "accepted_by"),
    ):
        entries = entries_since(before, model=model, object_pk=object_pk, action=action)
        assert entries, f"no {model} entry"
        entry = entries[-1]
        assert entry.remote_addr == ADDR, model
        assert entry.actor in (None, user), model  # nobody was logged in when the request began
        assert field in entry.changes, (model, entry.changes)
    assert "password" not in entries_since(before, model="user", object_pk=user.pk, action=CREATE)[-1].changes


# --- browsing ------------------------------------------------------------------------------


@pytest.fixture
def two_sides(network, login):
    """One organisation edit in each province, through the portal."""
    before = last_entry_id()
    post(
        login(network.users.pa_admin),
        reverse("organisation-edit", args=["RU1"]),
        {"name": "测试区推荐单位（更名）"},
    )
    post(
        login(network.users.pb_admin),
        reverse("organisation-edit", args=["RU3"]),
        {"name": "另一区推荐单位（更名）"},
    )
    (pa,) = entries_since(before, model="organisation", object_pk=network.ru1.pk, action=UPDATE)
    (pb,) = entries_since(before, model="organisation", object_pk=network.ru3.pk, action=UPDATE)
    return SimpleNamespace(pa=pa, pb=pb)


def subtree_codes(organisation) -> set[str]:
    with no_tenant():
        return set(
            Organisation.objects.filter(path__startswith=organisation.path).values_list("code", flat=True)
        )


def api_entries(client) -> list[dict]:
    """Every audit entry the API lists, following the pages."""
    url, rows = reverse("api:auditentry-list"), []
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content
        data = response.json()
        rows.extend(data["results"])
        url = data["next"]
    return rows


@pytest.mark.parametrize("username", ["pa_admin", "pa_staff"])
def test_association_browses_its_subtree_only(network, login, two_sides, username):
    client = login(getattr(network.users, username))
    own = subtree_codes(network.pa)

    page = client.get(reverse("audit-list"))
    assert page.status_code == 200
    entries = list(page.context["entries"])
    writes = [e for e in entries if e.action != AuditEntry.Action.ACCESS]  # logins are entries too
    assert writes[0].pk == two_sides.pa.pk  # newest first
    assert two_sides.pb.pk not in [e.pk for e in entries]
    assert all(e.organisation is not None and e.organisation.code in own for e in entries)
    body = page.content.decode()
    assert "测试省质协 · 协会管理员" in body and ADDR in body

    filtered = client.get(reverse("audit-list"), {"model": "organisation", "actor": "pb_admin"})
    assert list(filtered.context["entries"]) == []
    filtered = client.get(reverse("audit-list"), {"model": "organisation", "actor": "pa_admin"})
    assert [e.pk for e in filtered.context["entries"]] == [two_sides.pa.pk]

    detail = client.get(reverse("audit-detail", args=[two_sides.pa.pk]))
    assert detail.status_code == 200
    text = detail.content.decode()
    assert "测试区推荐单位（更名）" in text and str(network.users.pa_admin) in text and ADDR in text
    assert client.get(reverse("audit-detail", args=[two_sides.pb.pk])).status_code == 404

    rows = api_entries(client)
    ids = [r["id"] for r in rows]
    assert two_sides.pa.pk in ids and two_sides.pb.pk not in ids
    assert all(r["organisation"] in own for r in rows)
    row = next(r for r in rows if r["id"] == two_sides.pa.pk)
    assert row["actor"] == str(network.users.pa_admin)
    assert (row["acting_organisation"], row["acting_role"], row["remote_addr"]) == (
        "PA",
        "association_admin",
        ADDR,
    )
    assert row["model"] == "organisation" and row["action"] == UPDATE
    assert row["changes"]["name"][1] == "测试区推荐单位（更名）"
    assert client.get(reverse("api:auditentry-detail", args=[two_sides.pa.pk])).status_code == 200
    assert client.get(reverse("api:auditentry-detail", args=[two_sides.pb.pk])).status_code == 404


def test_user_deactivation_is_browsable_by_the_association(network, login):
    """Entries about users (which belong to no organisation themselves) must still reach the
    association that made the change."""
    target = network.users.e1_coord
    before = last_entry_id()
    client = login(network.users.pa_admin)
    post(client, reverse("user-deactivate", args=[target.pk]))
    (written,) = entries_since(before, model="user", object_pk=target.pk, action=UPDATE)
    page = client.get(reverse("audit-list"), {"model": "user"})
    assert written.pk in [e.pk for e in page.context["entries"]]
    assert client.get(reverse("audit-detail", args=[written.pk])).status_code == 200
    assert written.pk in [r["id"] for r in api_entries(client)]
    assert written.pk in [r["id"] for r in api_entries(login(network.users.pa_staff))]
    assert written.pk not in [r["id"] for r in api_entries(login(network.users.pb_admin))]


def test_other_province_and_nation_see_their_own_share(network, login, two_sides):
    client = login(network.users.pb_admin)
    ids = [r["id"] for r in api_entries(client)]
    assert two_sides.pb.pk in ids and two_sides.pa.pk not in ids
    assert client.get(reverse("audit-detail", args=[two_sides.pa.pk])).status_code == 404
    client = login(network.users.caq_admin)
    ids = [r["id"] for r in api_entries(client)]
    assert {two_sides.pa.pk, two_sides.pb.pk} <= set(ids)


@pytest.mark.parametrize("username", ["e1_coord", "pa_leader", "pa_judge", "ru1_coord"])
def test_roles_without_audit_view_get_403(network, login, two_sides, username):
    client = login(getattr(network.users, username))
    assert client.get(reverse("audit-list")).status_code == 403
    assert client.get(reverse("audit-detail", args=[two_sides.pa.pk])).status_code == 403
    assert client.get(reverse("api:auditentry-list")).status_code == 403
    assert client.get(reverse("api:auditentry-detail", args=[two_sides.pa.pk])).status_code == 403


def test_anonymous_goes_to_login_or_gets_401(network, two_sides):
    client = Client()
    for url in (reverse("audit-list"), reverse("audit-detail", args=[two_sides.pa.pk])):
        response = client.get(url)
        assert response.status_code == 302 and reverse("login") in response["Location"]
    assert client.get(reverse("api:auditentry-list")).status_code == 401
    assert client.get(reverse("api:auditentry-detail", args=[two_sides.pa.pk])).status_code == 401


# --- immutability --------------------------------------------------------------------------


@pytest.fixture
def entry(network, login):
    """An entry written through the portal (PA's administrator renames RU1)."""
    before = last_entry_id()
    post(
        login(network.users.pa_admin),
        reverse("organisation-edit", args=["RU1"]),
        {"name": "测试区推荐单位（更名）"},
    )
    (written,) = entries_since(before, model="organisation", object_pk=network.ru1.pk, action=UPDATE)
    return written


def snapshot(pk: int) -> dict:
    with no_tenant():
        return AuditEntry.objects.filter(pk=pk).values().get()


def entry_count() -> int:
    with no_tenant():
        return AuditEntry.objects.count()


TAMPERING = {
    "actor": None,
    "acting_role": "judge",
    "remote_addr": "6.6.6.6",
    "object_repr": "篡改",
    "changes": {"name": ["甲", "乙"]},
    "action": AuditEntry.Action.DELETE,
}

TAMPERING_FORM = {"acting_role": "judge", "remote_addr": "6.6.6.6", "object_repr": "篡改", "action": "2"}


@pytest.fixture(params=["session", "token"])
def api_client(request, network):
    """An API client of PA's administrator (audit:view), by session or by token."""
    client = APIClient()
    if request.param == "session":
        client.force_login(network.users.pa_admin)
    else:
        token = api_token(network.users.pa_admin)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


@pytest.mark.parametrize("method", ["put", "patch", "delete", "post"])
@pytest.mark.parametrize("route", ["list", "detail"])
def test_api_cannot_change_entries(network, entry, api_client, method, route):
    before, count = snapshot(entry.pk), entry_count()
    url = (
        reverse("api:auditentry-list")
        if route == "list"
        else reverse("api:auditentry-detail", args=[entry.pk])
    )
    payload = {**TAMPERING, "id": entry.pk}
    response = getattr(api_client, method)(url, payload, format="json", REMOTE_ADDR=ADDR)
    # The administrator may read entries, so it is the method itself that is refused.
    assert response.status_code == 405, (response.status_code, response.content)
    assert snapshot(entry.pk) == before
    assert entry_count() == count


@pytest.mark.parametrize("username", ["caq_admin", "pa_staff", "e1_coord"])
@pytest.mark.parametrize("method", ["put", "patch", "delete", "post"])
def test_api_refuses_writes_for_every_role(network, login, entry, username, method):
    client = login(getattr(network.users, username))
    before, count = snapshot(entry.pk), entry_count()
    for url in (reverse("api:auditentry-list"), reverse("api:auditentry-detail", args=[entry.pk])):
        response = getattr(client, method)(url, TAMPERING, content_type="application/json")
        assert response.status_code in (403, 404, 405), (url, response.status_code)
    assert snapshot(entry.pk) == before
    assert entry_count() == count


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_html_audit_pages_cannot_change_entries(network, login, entry, method):
    client = login(network.users.pa_admin)
    before, count = snapshot(entry.pk), entry_count()
    for url in (reverse("audit-list"), reverse("audit-detail", args=[entry.pk])):
        if method == "post":
            response = client.post(url, TAMPERING_FORM, REMOTE_ADDR=ADDR)
        else:
            response = getattr(client, method)(url, "object_repr=篡改", REMOTE_ADDR=ADDR)
        assert response.status_code == 405, (url, method, response.status_code)
    assert snapshot(entry.pk) == before
    assert entry_count() == count


def test_model_refuses_save_and_delete(network, entry):
    before, count = snapshot(entry.pk), entry_count()
    with no_tenant():
        stored = AuditEntry.objects.get(pk=entry.pk)
    stored.object_repr = "篡改"
    with pytest.raises(PermissionError):
        stored.save()
    with pytest.raises(PermissionError):
        stored.delete()
    assert snapshot(entry.pk) == before
    assert entry_count() == count


def test_database_refuses_updates(network, entry):
    before = snapshot(entry.pk)
    table = AuditEntry._meta.db_table
    assert table == "qcportal_auditentry"
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET object_repr = %s WHERE id = %s", ["篡改", entry.pk])  # noqa: S608
    with pytest.raises(DatabaseError), transaction.atomic(), no_tenant():
        AuditEntry.objects.filter(pk=entry.pk).update(remote_addr="6.6.6.6")  # bypasses save()
    assert snapshot(entry.pk) == before


def test_no_route_exposes_a_writable_audit_view(network, login, entry):
    """Besides the audit pages and the API, nothing else (no Django admin) serves audit entries."""
    client = login(network.users.caq_admin)
    for url in ("/admin/", "/admin/qcportal/auditentry/", f"/admin/qcportal/auditentry/{entry.pk}/change/"):
        assert client.get(url).status_code == 404, url
