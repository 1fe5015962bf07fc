"""``python manage.py orphan_files [--dry-run] [--grace-hours N]``: remove stored files that no
row references (issue 9 item 4, rule R-SC-36)."""

import datetime as dt

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.template.defaultfilters import filesizeformat

from qcportal.files import orphan_files_remove


class Command(BaseCommand):
    """Remove files under ``MEDIA_ROOT`` that no ``FileField`` references and that are older
    than the grace period (``ORPHAN_FILES_GRACE_HOURS``, default 24), printing each one;
    ``--dry-run`` only lists them. The same sweep runs daily from Celery beat."""

    help = "删除 MEDIA_ROOT 中没有任何记录引用、且超过宽限期的孤立文件（--dry-run 只列出不删除）。"

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="只列出将删除的文件，不删除")
        parser.add_argument(
            "--grace-hours",
            type=float,
            default=None,
            help="只删除修改时间早于此小时数的文件（默认 ORPHAN_FILES_GRACE_HOURS）",
        )

    def handle(self, *args, dry_run, grace_hours, **options):
        hours = settings.ORPHAN_FILES_GRACE_HOURS if grace_hours is None else grace_hours
        if hours < 0:
            raise CommandError("--grace-hours 不能为负数。")
        report = orphan_files_remove(grace=dt.timedelta(hours=hours), dry_run=dry_run)
        verb = "将删除" if dry_run else "已删除"
        for name, size in report.removed:
            self.stdout.write(f"{verb} {name} ({filesizeformat(size)})")
        self.stdout.write(
            f"{verb}{len(report.removed)}个孤立文件，共{filesizeformat(report.bytes_removed)}；"
            f"检查{report.scanned}个文件，被引用{report.referenced}个，"
            f"宽限期（{hours:g}小时）内未引用{report.kept_recent}个保留。"
        )
