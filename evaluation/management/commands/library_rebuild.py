"""``python manage.py library_rebuild [--enterprise CODE …]``."""

import time

from django.core.management.base import BaseCommand, CommandError

from evaluation.library import library_rebuild
from qcportal.models import Organisation


class Command(BaseCommand):
    """Index every accepted result and every result of a published judging into the results
    knowledge base (issue 11 item 3, rule R-KB-01): all enterprises, or some. Run once after
    the upgrade that brings the knowledge base, and after bulk loads that bypass the signals;
    an entry's sharing choice is kept."""

    help = "重建成果知识库：为全部（或 --enterprise 指定企业的）已验收和已发布评审结果建立检索条目；保留企业的共享设置。"

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
        entries = library_rebuild(ids)
        self.stdout.write(
            self.style.SUCCESS(
                f"成果知识库已重建：{entries:,} 条，用时 {time.perf_counter() - started:.1f} 秒。"
            )
        )
