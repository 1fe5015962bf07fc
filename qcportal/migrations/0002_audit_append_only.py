"""Make the audit trail append-only in the database: UPDATE and DELETE on audit entries fail
(PostgreSQL; SQLite refuses UPDATE)."""

from django.db import migrations

# "%%" because Django passes the statement through the driver's parameter formatting.
PG_UP = """
CREATE OR REPLACE FUNCTION qcportal_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit entries are append-only (%%)', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER qcportal_auditentry_no_update BEFORE UPDATE OR DELETE ON qcportal_auditentry
    FOR EACH ROW EXECUTE FUNCTION qcportal_audit_append_only();
"""
PG_DOWN = """
DROP TRIGGER IF EXISTS qcportal_auditentry_no_update ON qcportal_auditentry;
DROP FUNCTION IF EXISTS qcportal_audit_append_only();
"""
# SQLite (the demo database) only refuses UPDATE: Django's test flush empties tables with
# DELETE there, while PostgreSQL flushes with TRUNCATE, which the row trigger does not see.
SQLITE_UP = [
    "CREATE TRIGGER qcportal_auditentry_no_update BEFORE UPDATE ON qcportal_auditentry "
    "BEGIN SELECT RAISE(ABORT, 'audit entries are append-only (UPDATE)'); END;",
]
SQLITE_DOWN = ["DROP TRIGGER IF EXISTS qcportal_auditentry_no_update;"]


def up(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_UP)
    elif schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_UP:
            schema_editor.execute(statement)


def down(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_DOWN)
    elif schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_DOWN:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("qcportal", "0001_initial")]
    operations = [migrations.RunPython(up, down)]
