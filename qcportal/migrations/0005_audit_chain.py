"""The audit trail's hash chain, event kinds and retention (issue 9 item 5, rules R-SC-40 …
R-SC-48): ``event``, ``prev_hash`` and ``hash`` on audit entries, the checkpoint table, and
the append-only trigger that now lets pruning delete (PostgreSQL: only inside a transaction
that ran ``SET LOCAL qcportal.audit_prune = 'on'``); checkpoints are append-only too."""

from django.db import migrations, models

# "%%" because Django passes the statement through the driver's parameter formatting.
PG_UP = """
CREATE OR REPLACE FUNCTION qcportal_audit_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND coalesce(current_setting('qcportal.audit_prune', true), '') = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'audit entries are append-only (%%)', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE OR REPLACE FUNCTION qcportal_audit_checkpoint_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit checkpoints are append-only (%%)', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER qcportal_auditcheckpoint_no_update BEFORE UPDATE OR DELETE ON qcportal_auditcheckpoint
    FOR EACH ROW EXECUTE FUNCTION qcportal_audit_checkpoint_append_only();
"""
PG_DOWN = """
DROP TRIGGER IF EXISTS qcportal_auditcheckpoint_no_update ON qcportal_auditcheckpoint;
DROP FUNCTION IF EXISTS qcportal_audit_checkpoint_append_only();
CREATE OR REPLACE FUNCTION qcportal_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit entries are append-only (%%)', TG_OP;
END;
$$ LANGUAGE plpgsql;
"""
# SQLite (the demo database) refuses UPDATE of entries and checkpoints (DELETE stays
# possible there: Django's test flush empties tables with DELETE).
SQLITE_UP = [
    "CREATE TRIGGER IF NOT EXISTS qcportal_auditcheckpoint_no_update BEFORE UPDATE ON qcportal_auditcheckpoint "
    "BEGIN SELECT RAISE(ABORT, 'audit checkpoints are append-only (UPDATE)'); END;",
]
SQLITE_DOWN = ["DROP TRIGGER IF EXISTS qcportal_auditcheckpoint_no_update;"]


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

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('qcportal', '0004_reminders'),
    ]

    operations = [
        migrations.CreateModel(
            name='AuditCheckpoint',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('last_entry_id', models.BigIntegerField(unique=True, verbose_name='最后删除的记录编号')),
                ('last_hash', models.CharField(max_length=64, verbose_name='最后删除的记录哈希')),
                ('cutoff', models.DateTimeField(verbose_name='保留期截止时间')),
                ('deleted', models.PositiveIntegerField(default=0, verbose_name='删除条数')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='清理时间')),
            ],
            options={
                'verbose_name': '审计链检查点',
                'verbose_name_plural': '审计链检查点',
                'ordering': ['-last_entry_id'],
            },
        ),
        migrations.AddField(
            model_name='auditentry',
            name='event',
            field=models.CharField(blank=True, choices=[('login', '登录'), ('login_failed', '登录失败'), ('lockout', '账户锁定'), ('logout', '退出登录'), ('download', '下载文件'), ('export', '导出数据'), ('role_granted', '授予角色'), ('role_revoked', '撤销角色')], default='', max_length=32, verbose_name='事件类型'),
        ),
        migrations.AddField(
            model_name='auditentry',
            name='hash',
            field=models.CharField(blank=True, default='', editable=False, max_length=64, verbose_name='哈希'),
        ),
        migrations.AddField(
            model_name='auditentry',
            name='prev_hash',
            field=models.CharField(blank=True, default='', editable=False, max_length=64, verbose_name='前一条哈希'),
        ),
        migrations.AddIndex(
            model_name='auditentry',
            index=models.Index(fields=['event', '-timestamp'], name='qcportal_audit_event_ts_idx'),
        ),
        migrations.RunPython(up, down),
    ]
