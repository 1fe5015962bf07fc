"""``python manage.py restore ARCHIVE|--latest [--noinput]``: restore a backup made by
``manage.py backup`` after checking its checksum, then verify row counts and file checksums
against its manifest (issue 9, item 7; R-SC-51, R-SC-52)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.loader import MigrationLoader
from django.utils.translation import gettext as _

from qcportal.backup import BackupError, archive_verify, archives_in, backup_restore


def migration_notes(manifest: dict) -> list[str]:
    """What the operator must know about the restored database's migrations compared with this
    code: migrations to apply (``manage.py migrate``), or migrations the code does not know
    (the backup comes from a newer version)."""
    archived = {(app, name) for app, names in manifest.get("migrations", {}).items() for name in names}
    on_disk = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    notes = []
    if on_disk - archived:
        notes.append(
            _("本版本代码有 %(n)d 个迁移在备份中尚未应用：请运行 python manage.py migrate。")
            % {"n": len(on_disk - archived)}
        )
    if archived - on_disk:
        notes.append(
            _("备份含有 %(n)d 个当前代码没有的迁移（备份来自较新版本），请使用相应版本的代码。")
            % {"n": len(archived - on_disk)}
        )
    return notes


class Command(BaseCommand):
    """Restore the default database and MEDIA_ROOT from an archive: refuses a missing or
    mismatching checksum before touching anything, asks for confirmation unless --noinput,
    and exits non-zero when the restored data does not match the manifest."""

    help = _("从备份归档恢复数据库与上传文件（先校验 SHA-256，恢复后核对各表行数与文件校验和）。")

    def add_arguments(self, parser):
        parser.add_argument("archive", nargs="?", help=_("备份归档（.tar）的路径，或 BACKUP_DIR 中的文件名"))
        parser.add_argument("--latest", action="store_true", help=_("恢复 BACKUP_DIR 中最新的归档"))
        parser.add_argument(
            "--noinput", "--no-input", action="store_false", dest="interactive", help=_("不询问确认")
        )

    def archive_path(self, options) -> Path:
        """The archive named on the command line (a bare name is looked up in BACKUP_DIR), or
        with --latest the newest one in BACKUP_DIR."""
        backup_dir = Path(settings.BACKUP_DIR)
        if options["latest"]:
            if options["archive"]:
                raise CommandError(_("请只给出归档路径或 --latest 之一。"))
            found = archives_in(backup_dir)
            if not found:
                raise CommandError(_("备份目录 %(dir)s 中没有归档。") % {"dir": backup_dir})
            return found[0]
        if not options["archive"]:
            raise CommandError(_("请给出要恢复的归档路径，或使用 --latest。"))
        path = Path(options["archive"])
        if not path.exists() and not path.is_absolute() and (backup_dir / path).exists():
            path = backup_dir / path
        return path

    def handle(self, *args, **options):
        archive = self.archive_path(options)
        db = connections[DEFAULT_DB_ALIAS].settings_dict
        media_root = Path(settings.MEDIA_ROOT)
        try:
            manifest = archive_verify(archive)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            _(
                "归档 %(archive)s 校验通过：创建于 %(created)s，%(tables)d 张表共 %(rows)s 行，上传文件 %(files)d 个。"
            )
            % {
                "archive": archive,
                "created": manifest["created_at"],
                "tables": len(manifest["tables"]),
                "rows": f"{sum(manifest['tables'].values()):,}",
                "files": manifest["media"]["count"],
            }
        )
        if options["interactive"]:
            answer = input(
                _("这将覆盖数据库 %(db)s 和上传目录 %(media)s 中的全部内容。输入 yes 继续：")
                % {"db": db.get("NAME"), "media": media_root}
            )
            if answer.strip().lower() != "yes":
                raise CommandError(_("已取消，未做任何更改。"))
        connections.close_all()  # pg_restore drops and recreates the tables; hold no connection
        try:
            report = backup_restore(archive=archive, manifest=manifest, db=db, media_root=media_root)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        for note in migration_notes(manifest):
            self.stdout.write(self.style.WARNING(note))
        if not report.ok:
            for problem in report.problems:
                self.stderr.write(problem)
            raise CommandError(
                _("恢复后的数据与清单不一致（%(n)d 处），见上。") % {"n": len(report.problems)}
            )
        self.stdout.write(
            self.style.SUCCESS(
                _("恢复完成并已核对：%(tables)d 张表的行数与 %(files)d 个文件的校验和均与备份一致。")
                % {"tables": len(report.tables), "files": len(report.files)}
            )
        )
