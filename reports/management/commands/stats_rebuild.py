"""``python manage.py stats_rebuild [--enterprise CODE …]``."""

import time

from django.core.management.base import BaseCommand, CommandError

from qcportal.models import Organisation
from reports.summaries import rebuild_statistics


class Command(BaseCommand):
    """Rebuild the statistics summary from the live rows (all enterprises, or some)."""

    help = "从实时数据重建统计汇总表（全部企业，或 --enterprise 指定的企业）；部署或数据修复后运行。"

    def add_arguments(self, parser):
        parser.add_argument("--enterprise", action="append", default=[], help="企业代码，可重复")

    def handle(self, *args, enterprise=(), **options):
        ids = None
        if enterprise:
            found = dict(Organisation._base_manager.filter(code__in=enterprise).values_list("code", "pk"))
            missing = sorted(set(enterprise) - set(found))
            if missing:
                raise CommandError(f"找不到组织代码：{'、'.join(missing)}。")
            ids = list(found.values())
        started = time.perf_counter()
        rows = rebuild_statistics(enterprise_ids=ids)
        seconds = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"统计汇总表已重建：写入 {rows:,} 行，用时 {seconds:.1f} 秒（{rows / max(seconds, 1e-6):,.0f} 行/秒）。"
            )
        )
