"""``python manage.py stats_verify [--association CODE] [--sample N]``."""

from django.core.management.base import BaseCommand, CommandError

from reports.summaries import verify_statistics


class Command(BaseCommand):
    """Compare the statistics summary with the live aggregate; exit 1 on any difference."""

    help = (
        "核对统计汇总表与实时统计是否一致（逐企业逐统计期，以及各协会附件3，含行业直属企业扣除）；"
        "有差异时逐条列出并以非零状态退出。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--association", help="只核对该协会（代码，如 SAQ）及其数据范围内的企业")
        parser.add_argument(
            "--sample",
            type=int,
            default=100,
            help="逐期核对的企业数（在企业中均匀抽取；0 表示全部，默认100）",
        )

    def handle(self, *args, association=None, sample=100, **options):
        if sample < 0:
            raise CommandError("--sample 不能为负数。")
        try:
            differences, notes = verify_statistics(association_code=association, sample=sample)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        for note in notes:
            self.stdout.write(note)
        for line in differences:
            self.stderr.write(line)
        if differences:
            raise CommandError(
                f"统计汇总表与实时统计不一致：共 {len(differences)} 处差异（见上）。请运行 stats_rebuild 重建。"
            )
        self.stdout.write(self.style.SUCCESS("统计汇总表与实时统计一致。"))
