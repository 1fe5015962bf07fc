"""The audit trail covers access and is tamper-evident (issue 9 item 5): logins, failed logins,
lockouts, logouts, downloads, exports and role grants are entries, each with an owning
organisation; entries are chained by hash (``manage.py audit_verify`` finds an edited or a
deleted row); old entries are pruned after the retention period, leaving a verifiable chain."""

from __future__ import annotations

import datetime as dt
import importlib
import re

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import Error as DatabaseError
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from qcportal import audit_chain
from qcportal.audit_events import entry_owner, user_owner
from qcportal.choices import AuditEvent
from qcportal.models import AuditCheckpoint, AuditEntry, Membership, User
from qcportal.tenancy import no_tenant
from reports.choices import RunStatus

from .. import factories as f
from ..factories import PASSWORD

pytestmark = pytest.mark.django_db

ADDR = "10.9.8.7"
WRONG_PASSWORD = "Wrong-Secret-Pw-4711!"
ACCEPT_LINK = re.compile(r"https?://[^/\s]+(/accounts/invitations/[^/\s]+/)")


def last_id() -> int:
    with no_tenant():
        return AuditEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0


def events_since(before: int, event: str) -> list[AuditEntry]:
    with no_tenant():
        return list(
            AuditEntry.objects.select_related("organisation", "actor", "content_type")
            .filter(pk__gt=before, event=event)
            .order_by("id")
        )


def one_event(before: int, event: str) -> AuditEntry:
    entries = events_since(before, event)
    assert len(entries) == 1, [(e.pk, e.event, e.object_repr) for e in entries]
    return entries[0]


def row_text(entry: AuditEntry) -> str:
    with no_tenant():
        return repr(AuditEntry.objects.filter(pk=entry.pk).values().get())


def login_post(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ADDR)


# --- logins, failed logins, lockouts, logouts (R-SC-40) ------------------------------------


def test_login_is_audited_with_the_users_organisation(network):
    before = last_id()
    response = login_post(Client(), "e1_coord", PASSWORD)
    assert response.status_code == 302
    entry = one_event(before, AuditEvent.LOGIN)
    assert entry.action == AuditEntry.Action.ACCESS
    assert entry.actor == network.users.e1_coord
    assert entry.organisation == network.e1
    assert entry.remote_addr == ADDR
    assert (entry.content_type.model, entry.object_pk) == ("user", str(network.users.e1_coord.pk))
    assert entry.hash and len(entry.hash) == 64


def test_failed_login_is_audited_without_the_password(network):
    before = last_id()
    response = login_post(Client(), "pa_staff", WRONG_PASSWORD)
    assert response.status_code == 200
    entry = one_event(before, AuditEvent.LOGIN_FAILED)
    assert entry.actor is None and entry.remote_addr == ADDR
    assert entry.organisation == network.pa  # the named user's organisation
    assert entry.object_pk == str(network.users.pa_staff.pk)
    assert entry.additional_data["username"] == "pa_staff"
    with no_tenant():
        stored = " ".join(row_text(e) for e in AuditEntry.objects.filter(pk__gt=before))
    assert WRONG_PASSWORD not in stored


def test_failed_login_for_an_unknown_name_belongs_to_the_root(network):
    before = last_id()
    login_post(Client(), "nobody-here", WRONG_PASSWORD)
    entry = one_event(before, AuditEvent.LOGIN_FAILED)
    assert entry.organisation == network.caq
    assert entry.object_pk == "" and entry.object_repr == "nobody-here"
    assert WRONG_PASSWORD not in row_text(entry)


def test_lockout_is_audited(network):
    client = Client()
    before = last_id()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login_post(client, "pa_staff", WRONG_PASSWORD)
    lockouts = events_since(before, AuditEvent.LOCKOUT)
    assert lockouts, "no lockout entry"
    assert all(e.organisation == network.pa and e.remote_addr == ADDR for e in lockouts)
    assert len(events_since(before, AuditEvent.LOGIN_FAILED)) == settings.AXES_FAILURE_LIMIT


def test_logout_is_audited(network):
    client = Client()
    login_post(client, "pa_admin", PASSWORD)
    before = last_id()
    client.post(reverse("logout"), REMOTE_ADDR=ADDR)
    entry = one_event(before, AuditEvent.LOGOUT)
    assert entry.actor == network.users.pa_admin and entry.organisation == network.pa
    assert entry.remote_addr == ADDR


# --- downloads (R-SC-41) ------------------------------------------------------------------


@pytest.fixture
def finished_run(network):
    run = network.runs.pa
    with no_tenant():
        run.file.save("annex3.xlsx", ContentFile(b"PK fake xlsx"), save=False)
        run.filename, run.content_type = "annex3.xlsx", "application/octet-stream"
        run.status = RunStatus.SUCCEEDED
        run.save()
    return run


def test_report_file_download_is_audited(network, login, finished_run):
    before = last_id()
    response = login(network.users.pa_staff).get(
        reverse("reports:run-download", args=[finished_run.pk]), REMOTE_ADDR=ADDR
    )
    assert response.status_code == 200
    entry = one_event(before, AuditEvent.DOWNLOAD)
    assert entry.organisation == network.pa
    assert entry.actor == network.users.pa_staff
    assert (entry.acting_organisation, entry.acting_role) == (network.pa, "association_staff")
    assert (entry.content_type.model, entry.object_pk) == ("reportrun", str(finished_run.pk))
    assert entry.additional_data == {"filename": "annex3.xlsx", "kind": "report_run"}
    assert entry.remote_addr == ADDR


def test_api_download_by_token_is_audited_alike(network, finished_run):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {f.api_token(network.users.pa_staff)}")
    before = last_id()
    response = client.get(reverse("api:reportrun-download", args=[finished_run.pk]), REMOTE_ADDR=ADDR)
    assert response.status_code == 200
    entry = one_event(before, AuditEvent.DOWNLOAD)
    assert entry.actor == network.users.pa_staff and entry.organisation == network.pa
    assert entry.acting_organisation == network.pa and entry.remote_addr == ADDR


def test_result_report_download_is_audited(network, login):
    submission = network.submissions[0]
    with no_tenant():
        submission.result_report.save("report.pdf", ContentFile(b"%PDF-1.4 fake"), save=True)
    before = last_id()
    response = login(network.users.pa_staff).get(reverse("evaluation:report-download", args=[submission.pk]))
    assert response.status_code == 200
    entry = one_event(before, AuditEvent.DOWNLOAD)
    assert (entry.content_type.model, entry.object_pk) == ("submission", str(submission.pk))
    assert entry.organisation_id == submission.organisation_id
    assert entry.additional_data["kind"] == "result_report"


# --- exports (R-SC-42) --------------------------------------------------------------------


def test_list_export_is_audited_with_exporter_format_filters_and_rows(network, login):
    client = login(network.users.e1_coord)
    before = last_id()
    response = client.get(reverse("circles:circle-list"), {"export": "xlsx", "status": "", "page": "2"})
    assert response.status_code == 200
    entry = one_event(before, AuditEvent.EXPORT)
    with no_tenant():
        circles = network.e1.circles.count()
    assert entry.additional_data["exporter"] == "circles.circles"
    assert entry.additional_data["format"] == "xlsx"
    assert entry.additional_data["filters"] == {}  # paging and empty fields are not filters
    filtered = client.get(reverse("circles:circle-list"), {"export": "xlsx", "status": "registered"})
    assert filtered.status_code == 200
    assert events_since(entry.pk, AuditEvent.EXPORT)[0].additional_data["filters"] == {"status": "registered"}
    assert entry.additional_data["rows"] == circles
    assert entry.content_type.model == "circle"
    assert entry.organisation == network.e1 and entry.actor == network.users.e1_coord


def test_official_form_export_is_audited(network, login, django_capture_on_commit_callbacks):
    client = login(network.users.pa_staff)
    before = last_id()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("reports:campaign-forms", args=["CAQ-T"]),
            {"form": "annex3", "file_format": "xlsx", "organisation": "PA"},
        )
    entry = one_event(before, AuditEvent.EXPORT)
    assert entry.organisation == network.pa and entry.actor == network.users.pa_staff
    assert entry.additional_data["exporter"] == "annex3"
    assert entry.additional_data["format"] == "xlsx"
    assert entry.additional_data["filters"] == {"campaign": "CAQ-T", "organisation": "PA"}


# --- role grants and revocations (R-SC-43) ------------------------------------------------


def test_role_revocation_names_role_and_organisation(network, login):
    with no_tenant():
        target = Membership.objects.get(user=network.users.ru1_coord)
    before = last_id()
    login(network.users.pa_admin).post(reverse("membership-revoke", args=[target.pk]))
    entry = one_event(before, AuditEvent.ROLE_REVOKED)
    assert entry.action == AuditEntry.Action.UPDATE
    assert entry.organisation == network.ru1
    assert entry.additional_data["role"] == "unit_coordinator"
    assert entry.actor == network.users.pa_admin


def test_invitation_acceptance_grants_a_role(network, login, mailoutbox):
    login(network.users.pa_admin).post(
        reverse("invitation-create"),
        {
            "full_name": "测试区联络人",
            "email": "ru1@example.cn",
            "organisation": "E1",
            "role": "enterprise_coordinator",
        },
    )
    path = ACCEPT_LINK.search(mailoutbox[-1].body).group(1)
    before = last_id()
    login(network.users.ru1_coord).post(path, {"attach": "1"})
    entry = one_event(before, AuditEvent.ROLE_GRANTED)
    assert entry.action == AuditEntry.Action.CREATE
    assert entry.organisation == network.e1
    assert entry.additional_data["role"] == "enterprise_coordinator"
    page = login(network.users.pa_admin).get(reverse("audit-detail", args=[entry.pk])).content.decode()
    assert "授予角色" in page and "企业" in page


# --- owners of entries about users (R-SC-44) ----------------------------------------------


def test_entries_about_users_belong_to_their_organisation(network):
    user = network.users.e1_coord
    before = last_id()
    with no_tenant():
        user.full_name = "改名的联络员"
        user.save()  # no request: no acting organisation
        (entry,) = AuditEntry.objects.filter(pk__gt=before, content_type__model="user")
    assert entry.organisation == network.e1


def test_user_owner_rule(network):
    ru1_coord = network.users.ru1_coord
    with no_tenant():
        f.MembershipFactory(user=ru1_coord, organisation=network.e4, role="enterprise_coordinator")
        lonely = f.UserFactory(username="lonely")
    # Acting from PA: the membership below PA (RU1); acting from PB: the one below PB (E4).
    assert user_owner(ru1_coord.pk, network.pa.pk) == network.ru1.pk
    assert user_owner(ru1_coord.pk, network.pb.pk) == network.e4.pk
    # No acting organisation: the first active membership.
    assert user_owner(ru1_coord.pk) == network.ru1.pk
    with no_tenant():
        Membership.objects.filter(user=ru1_coord, organisation=network.ru1).update(is_active=False)
    assert user_owner(ru1_coord.pk) == network.e4.pk  # active before inactive
    # No memberships: the acting organisation, and without one the root.
    assert user_owner(lonely.pk, network.pa.pk) == network.pa.pk
    entry = AuditEntry(content_type_id=_user_type(), object_pk=str(lonely.pk), additional_data=None)
    assert entry_owner(entry) == network.caq.pk


def _user_type() -> int:
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(User).pk


def _set_trigger(enabled: bool) -> None:
    verb = "ENABLE" if enabled else "DISABLE"
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # ALTER TABLE refuses with checks pending
        cursor.execute(f"ALTER TABLE qcportal_auditentry {verb} TRIGGER qcportal_auditentry_no_update")


def _raw_update(pk: int, **values) -> None:
    """Change a stored entry behind the application's back (the trigger set aside)."""
    sets = ", ".join(f"{column} = %s" for column in values)
    if connection.vendor == "postgresql":
        _set_trigger(False)
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE qcportal_auditentry SET {sets} WHERE id = %s", [*values.values(), pk])  # noqa: S608
    finally:
        if connection.vendor == "postgresql":
            _set_trigger(True)


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_backfill_migration_gives_old_entries_an_owner_and_chains_them(network):
    from django.apps import apps

    user = network.users.e1_coord
    before = last_id()
    with no_tenant():
        user.mobile = "13800000000"
        user.save()
        (entry,) = AuditEntry.objects.filter(pk__gt=before, content_type__model="user")
    _raw_update(entry.pk, organisation_id=None, hash="", prev_hash="")  # as before the migration
    assert not audit_chain.verify().ok
    migration = importlib.import_module("qcportal.migrations.0006_audit_backfill")
    with connection.schema_editor(atomic=False) as editor:
        migration.backfill(apps, editor)
    with no_tenant():
        assert AuditEntry.objects.get(pk=entry.pk).organisation == network.e1
    assert audit_chain.verify().ok


# --- the audit pages (R-SC-40) ------------------------------------------------------------


def test_audit_list_filters_by_event_kind(network, login):
    login_post(Client(), "e1_coord", PASSWORD)
    login_post(Client(), "ru1_coord", WRONG_PASSWORD)
    client = login(network.users.pa_admin)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("audit-list"), {"event": "login"})
    assert page.status_code == 200
    entries = list(page.context["entries"])
    assert entries and all(e.event == AuditEvent.LOGIN for e in entries)
    assert network.users.e1_coord in [e.actor for e in entries]
    body = page.content.decode()
    for label in (
        "全部事件",
        "登录",
        "登录失败",
        "账户锁定",
        "退出登录",
        "下载文件",
        "导出数据",
        "授予角色",
        "撤销角色",
    ):
        assert label in body
    counts = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"] and "auditentry" in q["sql"]]
    assert all("LIMIT" in sql for sql in counts), counts  # the capped count, never the whole subtree
    failed = client.get(reverse("audit-list"), {"event": "login_failed"})
    assert [e.event for e in failed.context["entries"]][:1] == ["login_failed"]
    assert client.get(reverse("audit-list"), {"event": "nonsense", "action": "x"}).status_code == 200
    api = client.get(reverse("api:auditentry-list"), {"event": "login"}).json()["results"]
    assert api and {r["event"] for r in api} == {"login"} and api[0]["event_display"] == "登录"


# --- the hash chain (R-SC-45, R-SC-46) ----------------------------------------------------


def test_inserts_take_the_chain_lock_and_link_to_the_previous_entry(network):
    with CaptureQueriesContext(connection) as queries, no_tenant():
        network.ru1.name = "链测试一"
        network.ru1.save()
        network.ru1.name = "链测试二"
        network.ru1.save()
    first, second = AuditEntry._base_manager.order_by("-id")[:2][::-1]
    assert second.prev_hash == first.hash
    assert second.hash == audit_chain.entry_hash(second, first.hash)
    if connection.vendor == "postgresql":
        assert sum("pg_advisory_xact_lock" in q["sql"] for q in queries.captured_queries) == 2


def test_bulk_inserts_are_chained_too(network):
    """Bulk inserts (the circle import writes one entry per circle) are chained in order."""
    from django.contrib.contenttypes.models import ContentType

    from qcportal.models import Organisation

    content_type = ContentType.objects.get_for_model(Organisation)
    before = last_id()
    AuditEntry.objects.bulk_create(
        [
            AuditEntry(content_type=content_type, object_pk=str(org.pk), object_repr=org.name, action=0)
            for org in (network.e1, network.e2, network.e3)
        ]
    )
    created = list(AuditEntry._base_manager.filter(pk__gt=before).order_by("pk"))
    assert [e.object_pk for e in created] == [str(o.pk) for o in (network.e1, network.e2, network.e3)]
    assert created[1].prev_hash == created[0].hash and created[2].prev_hash == created[1].hash
    assert all(e.organisation_id for e in created)  # owner filled in (here: the root)
    assert audit_chain.verify().ok


def verify_output() -> str:
    from io import StringIO

    out = StringIO()
    call_command("audit_verify", stdout=out)
    return out.getvalue()


def test_audit_verify_passes_on_a_clean_chain(network, login):
    login_post(Client(), "pa_admin", PASSWORD)
    count = AuditEntry._base_manager.count()
    assert count > 10
    assert f"已校验 {count} 条" in verify_output()


def test_audit_verify_detects_an_edited_row(network):
    with no_tenant():
        victim = AuditEntry.objects.order_by("id")[5]
    _raw_update(victim.pk, object_repr="篡改")
    with pytest.raises(CommandError, match=rf"第 {victim.pk} 条记录的内容与其哈希不符"):
        call_command("audit_verify")


def test_audit_verify_detects_an_edited_row_even_with_its_hash_recomputed(network):
    with no_tenant():
        victim, following = AuditEntry.objects.order_by("id")[5:7]
    victim.remote_addr = "6.6.6.6"
    _raw_update(victim.pk, remote_addr="6.6.6.6", hash=audit_chain.entry_hash(victim, victim.prev_hash))
    with pytest.raises(CommandError, match=rf"第 {following.pk} 条记录的前一哈希"):
        call_command("audit_verify")


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_audit_verify_detects_a_deleted_row(network):
    with no_tenant():
        victim, following = AuditEntry.objects.order_by("id")[5:7]
    _set_trigger(False)
    try:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM qcportal_auditentry WHERE id = %s", [victim.pk])
    finally:
        _set_trigger(True)
    with pytest.raises(CommandError, match=rf"第 {following.pk} 条记录的前一哈希"):
        call_command("audit_verify")


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_database_refuses_delete_outside_pruning(network):
    with no_tenant():
        victim = AuditEntry.objects.order_by("id").first()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM qcportal_auditentry WHERE id = %s", [victim.pk])
    with pytest.raises(DatabaseError), transaction.atomic(), no_tenant():
        AuditEntry.objects.filter(pk=victim.pk).delete()
    assert AuditEntry._base_manager.filter(pk=victim.pk).exists()


# --- retention (R-SC-47) ------------------------------------------------------------------


def test_prune_deletes_old_entries_and_leaves_a_verifiable_chain(network, login):
    entries = list(AuditEntry._base_manager.order_by("id").values_list("id", "timestamp"))
    assert len(entries) > 20
    cut_id, cut_ts = entries[15]
    # A retention of 1 day, "now" one day after entry 16: the first entries (by id) older
    # than it go, in batches of 4.
    deleted = audit_chain.prune(days=1, batch_size=4, now=cut_ts + dt.timedelta(days=1))
    remaining = AuditEntry._base_manager.order_by("id").values_list("id", flat=True)
    assert deleted >= 1 and remaining[0] <= cut_id
    assert AuditEntry._base_manager.count() == len(entries) - deleted
    checkpoint = AuditCheckpoint.objects.order_by("-last_entry_id").first()
    assert checkpoint.last_entry_id < remaining[0]
    assert AuditCheckpoint.objects.count() >= 2  # several batches
    assert audit_chain.verify().ok
    # New entries chain on; the deleting door is closed again afterwards.
    login_post(Client(), "pa_admin", PASSWORD)
    assert "审计链完整" in verify_output()
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM qcportal_auditentry WHERE id = %s", [remaining[0]])
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM qcportal_auditcheckpoint")


def test_prune_everything_then_chain_from_the_checkpoint(network):
    future = dt.datetime.now(dt.UTC) + dt.timedelta(days=4000)
    call_command("audit_prune", "--days", "3650", "--batch-size", "500")  # nothing that old
    assert AuditCheckpoint.objects.count() == 0
    total = AuditEntry._base_manager.count()
    assert audit_chain.prune(days=1, now=future) == total
    assert not AuditEntry._base_manager.exists()
    with no_tenant():
        network.ru1.name = "清理后的第一条"
        network.ru1.save()
    entry = AuditEntry._base_manager.get()
    assert entry.prev_hash == AuditCheckpoint.objects.order_by("-last_entry_id").first().last_hash
    assert audit_chain.verify().ok


def test_retention_zero_keeps_everything(network, settings):
    settings.AUDIT_RETENTION_DAYS = 0
    count = AuditEntry._base_manager.count()
    call_command("audit_prune")
    assert audit_chain.prune(now=dt.datetime.now(dt.UTC) + dt.timedelta(days=99999)) == 0
    assert AuditEntry._base_manager.count() == count


def test_beat_schedules_the_prune_task():
    from qcportal.tasks import audit_prune_task

    entry = settings.CELERY_BEAT_SCHEDULE["audit-prune"]
    assert entry["task"] == audit_prune_task.name == "qcportal.tasks.audit_prune_task"


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_concurrent_inserts_form_one_chain(transactional_db):
    """Four connections insert entries at once, each holding its transaction open a moment
    after the insert: the advisory lock makes them queue, so the chain never forks."""
    import threading
    import time

    from django.contrib.contenttypes.models import ContentType

    from qcportal.models import Organisation

    content_type = ContentType.objects.get_for_model(Organisation)
    before = last_id()
    barrier, errors = threading.Barrier(4), []

    def worker(n: int) -> None:
        try:
            barrier.wait()
            for i in range(5):
                with transaction.atomic():
                    AuditEntry.objects.create(
                        content_type=content_type, object_pk=str(n), object_repr=f"并发{n}-{i}", action=1
                    )
                    time.sleep(0.01)
        except Exception as exc:  # noqa: BLE001  (reported below)
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    new = list(AuditEntry._base_manager.filter(pk__gt=before).values_list("prev_hash", flat=True))
    assert len(new) == 20 and len(set(new)) == 20  # no two entries chained to the same head
    assert audit_chain.verify().ok
