"""``python manage.py seed_demo [--circles N] [--scale national]``: load the demo (idempotent)
and print logins; above 360 circles, or with ``--scale national`` (2,000,000 circles), the
national shape on top (PostgreSQL only; see ``reports.national``)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from reports.demo import DEFAULT_CIRCLES, DEMO_PASSWORD, seed_demo
from reports.national import NATIONAL_CIRCLES, NationalSeedError


class Command(BaseCommand):
    """Load the 2020 national campaign demo (seed 002), or the national shape at N circles."""

    help = (
        "加载2020年度全国质量管理小组活动演示数据（可重复执行）；--scale national 在其上生成全国规模数据"
        "（约60个协会、2,000个推荐单位、10万家企业、200万个QC小组，仅限PostgreSQL）；"
        "--circles N 按同样结构生成N个QC小组。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--circles",
            type=int,
            default=None,
            help=f"QC小组总数（默认{DEFAULT_CIRCLES}；大于{DEFAULT_CIRCLES}时生成全国规模结构）",
        )
        parser.add_argument(
            "--scale",
            choices=["demo", "national"],
            default="demo",
            help=f"national：全国规模（默认 {NATIONAL_CIRCLES:,} 个QC小组，可用 --circles 改变）",
        )

    def handle(self, *args, **options):
        circles = options["circles"]
        if circles is None:
            circles = NATIONAL_CIRCLES if options["scale"] == "national" else DEFAULT_CIRCLES
        if circles < 1:
            raise CommandError("--circles 必须是正整数。")
        if options["scale"] == "national" and circles <= DEFAULT_CIRCLES:
            raise CommandError(f"--scale national 的QC小组总数须大于 {DEFAULT_CIRCLES}。")

        def progress(done: int, target: int) -> None:
            if target >= 20000 and done % 20000 < 2000:
                self.stdout.write(f"  … {done:,}/{target:,} 个QC小组")

        def table(label: str, rows: int, seconds: float, done: bool) -> None:
            if done:
                rate = f"，{rows / seconds:,.0f} 行/秒" if seconds > 0 and rows else ""
                self.stdout.write(f"  {label}：{rows:,} 行，{seconds:.1f} 秒{rate}")
            else:
                self.stdout.write(f"  … {label}：已写入 {rows:,} 行（{seconds:.0f} 秒）")

        if circles > DEFAULT_CIRCLES:
            self.stdout.write(f"生成全国规模演示数据：{circles:,} 个QC小组（先加载演示数据）…")
        try:
            summary = seed_demo(circles=circles, progress=progress, national_progress=table)
        except NationalSeedError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"演示数据就绪：组织 {summary['organisations']:,} 个（企业 {summary['enterprises']:,} 家），"
                f"QC小组 {summary['circles']:,} 个（本次新增 {summary['circles_added']:,}），"
                f"小组成员 {summary['members']:,} 人，成果申报 {summary['submissions']} 项。"
            )
        )
        national = summary["national"]
        if national and national["skipped"]:
            self.stdout.write(
                f"全国规模数据已存在（{national['circles']:,} 个QC小组），本次未重复生成；"
                "如需重新生成，请先清空数据库（python manage.py flush）。"
            )
        elif national:
            self.stdout.write(
                self.style.SUCCESS(
                    f"全国规模数据就绪：协会 {national['associations']} 个（新增 {national['new_associations']}），"
                    f"推荐单位新增 {national['new_units']:,} 个，企业新增 {national['enterprises']:,} 家，"
                    f"用时 {national['seconds']:.0f} 秒。"
                )
            )
        self.stdout.write("活动代码：CAQ-2020（中国质协字〔2020〕21号）")
        self.stdout.write(f"演示账户（密码均为 {DEMO_PASSWORD}）：")
        for login in summary["logins"]:
            second = "（两步验证）" if login.role in settings.OTP_REQUIRED_ROLES else ""
            self.stdout.write(f"  {login.username:<12} {login.description}{second}")
        self.stdout.write(
            "协会管理员和工作人员登录后还需输入两步验证码：演示环境（DEMO_SHOW_OTP）在验证页面直接显示当前验证码。"
        )
