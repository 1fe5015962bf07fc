"""Give every existing audit entry an owning organisation, mark the existing role grants and
revocations, and chain them all by hash (issue 9 item 5, rules R-SC-43 … R-SC-45).

Owner of an entry written without one: for an entry about a user, the organisation of the
user's first membership at or below the acting organisation (active before inactive), else
of their first membership anywhere (active before inactive); otherwise the acting
organisation; otherwise the national association (the root) — the rule of
:func:`qcportal.audit_events.entry_owner`. Then every entry gets ``prev_hash`` and ``hash``
in id order (:func:`qcportal.audit_chain.entry_hash`). The append-only trigger is set aside
for this one transaction (PostgreSQL: ``DISABLE TRIGGER``; SQLite: dropped and recreated).
"""

from django.db import migrations

BATCH = 1000
SQLITE_TRIGGER = (
    "CREATE TRIGGER qcportal_auditentry_no_update BEFORE UPDATE ON qcportal_auditentry "
    "BEGIN SELECT RAISE(ABORT, 'audit entries are append-only (UPDATE)'); END;"
)


def _set_trigger(schema_editor, enabled: bool) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        verb = "ENABLE" if enabled else "DISABLE"
        # ALTER TABLE refuses while deferred constraint checks are pending in the transaction.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        schema_editor.execute(f"ALTER TABLE qcportal_auditentry {verb} TRIGGER qcportal_auditentry_no_update")
    elif vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS qcportal_auditentry_no_update")
        if enabled:
            schema_editor.execute(SQLITE_TRIGGER)


def user_owner(Membership, Organisation, user_pk, acting_organisation_id):
    """The historical-model twin of :func:`qcportal.audit_events.user_owner`."""
    try:
        user_id = int(user_pk)
    except (TypeError, ValueError):
        return acting_organisation_id
    rows = list(
        Membership._base_manager.filter(user_id=user_id)
        .order_by("pk")
        .values_list("organisation_id", "organisation__path", "is_active")
    )
    if not rows:
        return acting_organisation_id
    acting_path = None
    if acting_organisation_id:
        acting_path = Organisation._base_manager.filter(pk=acting_organisation_id).values_list("path", flat=True).first()
    return min(rows, key=lambda r: (not (bool(acting_path) and r[1].startswith(acting_path)), not r[2]))[0]


def role_event(entry) -> str:
    """The historical twin of :func:`qcportal.audit_events.role_event` for a membership entry."""
    if entry.action == 0:
        return "role_granted"
    if entry.action == 2:
        return "role_revoked"
    changes = entry.changes if isinstance(entry.changes, dict) else {}
    if "is_active" in changes:
        change = changes["is_active"]
        new = change[-1] if isinstance(change, list) and change else change
        return "role_granted" if new is True or str(new).lower() in ("true", "1") else "role_revoked"
    return "role_granted" if "role" in changes else ""


def backfill(apps, schema_editor):
    """Owners for entries without one, event kinds of membership entries, then the hash
    chain over every entry."""
    from qcportal.audit_chain import entry_hash

    AuditEntry = apps.get_model("qcportal", "AuditEntry")
    Membership = apps.get_model("qcportal", "Membership")
    Organisation = apps.get_model("qcportal", "Organisation")
    ContentType = apps.get_model("contenttypes", "ContentType")
    entries = AuditEntry._base_manager.all()
    if not entries.exists():
        _set_trigger(schema_editor, True)  # SQLite: the table may have been rebuilt
        return
    user_type = ContentType.objects.filter(app_label="qcportal", model="user").values_list("pk", flat=True).first()
    root = Organisation._base_manager.filter(parent__isnull=True).order_by("pk").values_list("pk", flat=True).first()
    _set_trigger(schema_editor, False)
    try:
        changed = []
        for entry in entries.filter(organisation_id__isnull=True).order_by("pk").iterator(chunk_size=BATCH):
            owner = (entry.additional_data or {}).get("organisation_id") if isinstance(entry.additional_data, dict) else None
            if owner is None and user_type is not None and entry.content_type_id == user_type:
                owner = user_owner(Membership, Organisation, entry.object_pk, entry.acting_organisation_id)
            entry.organisation_id = owner or entry.acting_organisation_id or root
            changed.append(entry)
            if len(changed) >= BATCH:
                AuditEntry._base_manager.bulk_update(changed, ["organisation_id"])
                changed = []
        if changed:
            AuditEntry._base_manager.bulk_update(changed, ["organisation_id"])

        membership_type = (
            ContentType.objects.filter(app_label="qcportal", model="membership").values_list("pk", flat=True).first()
        )
        changed = []
        for entry in entries.filter(content_type_id=membership_type, event="").iterator(chunk_size=BATCH):
            entry.event = role_event(entry)
            if entry.event:
                changed.append(entry)
        AuditEntry._base_manager.bulk_update(changed, ["event"], batch_size=BATCH)

        previous, changed = "", []
        for entry in entries.order_by("pk").iterator(chunk_size=BATCH):
            entry.prev_hash = previous
            entry.hash = previous = entry_hash(entry, previous)
            changed.append(entry)
            if len(changed) >= BATCH:
                AuditEntry._base_manager.bulk_update(changed, ["prev_hash", "hash"])
                changed = []
        if changed:
            AuditEntry._base_manager.bulk_update(changed, ["prev_hash", "hash"])
    finally:
        _set_trigger(schema_editor, True)


class Migration(migrations.Migration):
    dependencies = [("qcportal", "0005_audit_chain")]
    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
