"""``python manage.py render_form FORM --campaign CODE --organisation CODE --format FMT --output PATH``."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from evaluation.models import Submission
from promotion.models import Campaign
from qcportal.models import Organisation
from qcportal.tenancy import tenant_scope
from reports.choices import FileFormat, FormKind, RunStatus
from reports.services import report_run_start
from reports.tasks import form_render_task


class Command(BaseCommand):
    """Run the form task to completion in this process and write the file (for scripts)."""

    help = "生成官方报表（附件1/3/4/5）并写入文件：与网页和API使用同一个Celery任务。"

    def add_arguments(self, parser):
        parser.add_argument("form", choices=FormKind.values)
        parser.add_argument("--campaign", required=True, help="活动代码，如 CAQ-2020")
        parser.add_argument("--organisation", required=True, help="填报协会代码，如 SAQ")
        parser.add_argument("--submission", type=int, help="成果申报编号（附件1）")
        parser.add_argument("--format", required=True, choices=FileFormat.values, dest="file_format")
        parser.add_argument("--output", required=True, help="输出文件路径")

    def handle(self, *args, form, campaign, organisation, submission, file_format, output, **options):
        org = Organisation._base_manager.filter(code=organisation).first()
        if org is None:
            raise CommandError(f"找不到组织代码 {organisation}。")
        with tenant_scope(org):
            try:
                campaign_obj = Campaign.objects.get(code=campaign)
            except Campaign.DoesNotExist:
                raise CommandError(f"组织 {organisation} 看不到活动 {campaign}。") from None
            submission_obj = None
            if submission is not None:
                submission_obj = Submission.objects.filter(pk=submission).first()
                if submission_obj is None:
                    raise CommandError(f"组织 {organisation} 看不到成果申报 {submission}。")
            try:
                run = report_run_start(
                    membership=None,
                    user=None,
                    campaign=campaign_obj,
                    form=form,
                    file_format=file_format,
                    organisation=org,
                    submission=submission_obj,
                    enqueue=False,
                )
            except ValidationError as exc:
                raise CommandError("；".join(exc.messages)) from None
        form_render_task.apply(kwargs={"run_id": run.pk, "organisation_id": org.pk}, throw=True)
        with tenant_scope(org):
            run.refresh_from_db()
            if run.status != RunStatus.SUCCEEDED:
                raise CommandError(f"生成失败：{run.error}")
            Path(output).write_bytes(run.file.read())
        self.stdout.write(self.style.SUCCESS(f"已生成 {output}（{run.filename}，报表记录 #{run.pk}）"))
