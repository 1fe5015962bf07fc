"""``python manage.py seed_demo [--circles N]``: load the demo (idempotent) and print logins."""

from django.core.management.base import BaseCommand, CommandError

from reports.demo import DEFAULT_CIRCLES, DEMO_PASSWORD, seed_demo


class Command(BaseCommand):
    """Load the 2020 national campaign demo (seed 002) or grow it to N circles."""

    help = "加载2020年度全国质量管理小组活动演示数据（可重复执行）；--circles N 扩充到N个QC小组。"

    def add_arguments(self, parser):
        parser.add_argument("--circles", type=int, default=DEFAULT_CIRCLES, help="QC小组总数（默认360）")

    def handle(self, *args, **options):
        circles = options["circles"]
        if circles < 1:
            raise CommandError("--circles 必须是正整数。")

        def progress(done: int, target: int) -> None:
            if target >= 20000 and done % 20000 < 2000:
                self.stdout.write(f"  … {done:,}/{target:,} 个QC小组")

        summary = seed_demo(circles=circles, progress=progress)
        self.stdout.write(
            self.style.SUCCESS(
                f"演示数据就绪：组织 {summary['organisations']} 个（企业 {summary['enterprises']} 家），"
                f"QC小组 {summary['circles']:,} 个（本次新增 {summary['circles_added']:,}），"
                f"小组成员 {summary['members']:,} 人，成果申报 {summary['submissions']} 项。"
            )
        )
        self.stdout.write("活动代码：CAQ-2020（中国质协字〔2020〕21号）")
        self.stdout.write(f"演示账户（密码均为 {DEMO_PASSWORD}）：")
        for login in summary["logins"]:
            self.stdout.write(f"  {login.username:<12} {login.description}")
