"""``python manage.py backup [--dir DIR] [--keep N]``: one dated archive of the database and the
media files, with a manifest and a ``.sha256`` file (issue 9, item 7; R-SC-50, R-SC-53)."""

import logging
from importlib import metadata
from pathlib import Path

import django
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from django.utils.translation import gettext as _

from qcportal.backup import BackupError, backup_create

logger = logging.getLogger("qcportal.backup")


def applied_migrations(alias: str = DEFAULT_DB_ALIAS) -> dict[str, list[str]]:
    """The applied migrations of the database ``alias``, per app, sorted (for the manifest)."""
    applied: dict[str, list[str]] = {}
    for app, name in sorted(MigrationRecorder(connections[alias]).applied_migrations()):
        applied.setdefault(app, []).append(name)
    return applied


def portal_versions() -> dict[str, str]:
    """The portal's and Django's versions (for the manifest)."""
    try:
        portal = metadata.version("qcportal")
    except metadata.PackageNotFoundError:
        portal = "unknown"
    return {"qcportal": portal, "django": django.get_version()}


class Command(BaseCommand):
    """Back up the default database and MEDIA_ROOT into BACKUP_DIR, then keep the newest
    BACKUP_KEEP archives. Exits non-zero with the reason when the dump fails."""

    help = _(
        "备份数据库与上传文件：生成一个带日期的归档（含清单与 SHA-256 校验文件），并只保留最新的 BACKUP_KEEP 个。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--dir", default=None, help=_("备份目录（默认 BACKUP_DIR）"))
        parser.add_argument("--keep", type=int, default=None, help=_("保留的归档个数（默认 BACKUP_KEEP）"))

    def handle(self, *args, **options):
        backup_dir = Path(options["dir"] or settings.BACKUP_DIR)
        keep = options["keep"] if options["keep"] is not None else settings.BACKUP_KEEP
        if keep < 1:
            raise CommandError(_("--keep 必须是正整数。"))
        try:
            archive, manifest = backup_create(
                db=connections[DEFAULT_DB_ALIAS].settings_dict,
                media_root=Path(settings.MEDIA_ROOT),
                backup_dir=backup_dir,
                now=timezone.localtime(),
                versions=portal_versions(),
                migrations=applied_migrations(),
                keep=keep,
            )
        except BackupError as exc:
            logger.error("backup failed: %s", exc)
            raise CommandError(str(exc)) from exc
        rows = sum(manifest["tables"].values())
        media = manifest["media"]
        logger.info(
            "backup written: %s (%d bytes, %d tables, %d rows, %d media files)",
            archive,
            archive.stat().st_size,
            len(manifest["tables"]),
            rows,
            media["count"],
        )
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "备份完成：%(archive)s（%(size).1f MB；%(tables)d 张表共 %(rows)s 行；上传文件 %(files)d 个）"
                )
                % {
                    "archive": archive,
                    "size": archive.stat().st_size / 1_000_000,
                    "tables": len(manifest["tables"]),
                    "rows": f"{rows:,}",
                    "files": media["count"],
                }
            )
        )
