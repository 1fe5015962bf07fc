"""``python manage.py audit_prune [--days N]``: delete audit entries past the retention
period (issue 9 item 5, rule R-SC-47)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from qcportal.audit_chain import prune


class Command(BaseCommand):
    """Delete the audit entries older than ``--days`` (default
    ``settings.AUDIT_RETENTION_DAYS``; 0 keeps everything) in batches, each recorded as a
    checkpoint so ``audit_verify`` still proves the rest of the chain. The nightly Celery
    beat task ``qcportal.tasks.audit_prune_task`` does the same."""

    help = "按保留期（AUDIT_RETENTION_DAYS，天）分批删除过期的审计记录，并记录检查点以便继续校验哈希链。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--days", type=int, default=None, help="保留天数，默认取 AUDIT_RETENTION_DAYS；0 表示永久保留"
        )
        parser.add_argument("--batch-size", type=int, default=1000, help="每批删除的条数")

    def handle(self, *args, days, batch_size, **options):
        days = settings.AUDIT_RETENTION_DAYS if days is None else days
        if days < 0 or batch_size < 1:
            raise CommandError("保留天数不能为负数，批大小至少为 1。")
        if days == 0:
            self.stdout.write("保留期为 0：审计记录永久保留，未删除任何记录。")
            return
        deleted = prune(days=days, batch_size=batch_size)
        self.stdout.write(f"已删除 {deleted} 条超过 {days} 天的审计记录。")
