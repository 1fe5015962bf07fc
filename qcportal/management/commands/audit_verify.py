"""``python manage.py audit_verify``: check the audit trail's hash chain (issue 9 item 5, rule
R-SC-46)."""

from django.core.management.base import BaseCommand, CommandError

from qcportal.audit_chain import verify


class Command(BaseCommand):
    """Walk every audit entry in id order (bounded memory) from the newest retention
    checkpoint; print how many entries were verified and the chain's head, or fail (exit
    status 1) naming the first broken link: an edited entry (its hash does not match its
    content) or a deleted one (the next entry's ``prev_hash`` does not match)."""

    help = "校验审计日志的哈希链：逐条核对，发现被修改或删除的记录时报告第一处断点并以非零状态退出。"

    def add_arguments(self, parser):
        parser.add_argument("--chunk-size", type=int, default=2000, help="每次从数据库读取的条数")

    def handle(self, *args, chunk_size, **options):
        result = verify(chunk_size=max(1, chunk_size))
        if not result.ok:
            if result.problem == "hash":
                detail = f"第 {result.broken_id} 条记录的内容与其哈希不符（记录被修改）。"
            else:
                after = f"第 {result.last_id} 条" if result.last_id else "链的起点"
                detail = f"第 {result.broken_id} 条记录的前一哈希与{after}不符（其前的记录被删除或修改）。"
            raise CommandError(f"审计链断裂：{detail}此前已校验 {result.checked} 条。")
        if result.checked:
            self.stdout.write(
                f"审计链完整：已校验 {result.checked} 条记录（#{result.first_id} – #{result.last_id}），"
                f"链头哈希 {result.head}。"
            )
        else:
            self.stdout.write(f"审计链完整：已校验 0 条记录，链头哈希 {result.head or '（空）'}。")
