"""Bulk import of circles and members from the portal's Excel template.

The coordinator downloads the template (:func:`template_xlsx`), fills one row per circle
(name, department, registration year, leader and position, the other members as
``姓名/岗位`` separated by ``；``), uploads it, sees a dry run (what would be created and
every faulty row with its reason, in Chinese, also as a downloadable Excel report), then
confirms: the import runs in the background (Celery) with progress and is all or nothing —
a file with any faulty row creates nothing. Rows are checked by the same rules as the
registration page (:func:`circles.services.member_inputs` and the circle fields).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

import openpyxl
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl.styles import Font, PatternFill

from qcportal.models import AuditEntry, Membership
from qcportal.permissions import require_permission
from qcportal.uploads import validate_upload

from .choices import CircleStatus, ImportStatus, MemberRole
from .models import Circle, CircleImport, CircleMember
from .numbers import reserve_numbers
from .services import _circle_fields, member_count_warning, member_inputs
from .signals import rows_bulk_changed

XLSX = {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx"}
MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 10_000
PREVIEW_ROWS = 20
ERRORS_KEPT = 2_000
HEADERS = ("小组名称", "部门", "注册年度", "组长姓名", "组长岗位", "组员")
REQUIRED = ("小组名称", "组长姓名")
MEMBER_SEPARATORS = re.compile(r"[；;\n]+")


def template_xlsx() -> bytes:
    """The import template: a 导入 sheet with the headers and a 填写说明 sheet (Chinese)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "导入"
    ws.append(list(HEADERS))
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    for column, width in zip("ABCDEF", (24, 16, 10, 12, 14, 60), strict=True):
        ws.column_dimensions[column].width = width
    ws.freeze_panes = "A2"
    notes = wb.create_sheet("填写说明")
    for line in (
        "每行一个QC小组；第一行为表头，请勿修改。",
        "小组名称、组长姓名必填；小组名称不超过100字，本企业同一年度不能重名。",
        "注册年度填写四位数字（今年、去年或明年），留空为今年。",
        "组员一栏填写除组长以外的成员，格式：姓名/岗位，多人用“；”分隔，例如：张三/操作工；李四/技术员。",
        "QC小组通常为3–10人（T/CAQ 10201-2020 指引），超出时会提示但不拒绝。",
        "导入前会先校验全部数据：只要有一行有错，就不会导入任何数据，请按错误报告修改后重新上传。",
    ):
        notes.append([line])
    notes.column_dimensions["A"].width = 100
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


@dataclass
class ParsedRow:
    """One valid row: its number in the sheet, the circle fields and the members."""

    row: int
    name: str
    department: str
    year: int
    members: list
    warning: str | None


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _members(leader: str, leader_position: str, others: str) -> list[dict]:
    members = [{"name": leader, "role": MemberRole.LEADER, "position": leader_position}]
    for part in MEMBER_SEPARATORS.split(others or ""):
        part = part.strip()
        if not part:
            continue
        name, _sep, position = part.replace("／", "/").partition("/")
        members.append({"name": name.strip(), "role": MemberRole.MEMBER, "position": position.strip()})
    return members


def parse(content: bytes, *, enterprise_id: int, progress=None) -> tuple[list[ParsedRow], list[dict], int]:
    """Read and check every row of an uploaded template.

    Output: ``(valid rows, errors, number of data rows)``; ``errors`` holds
    ``{"row": sheet row number, "column": header, "message": Chinese reason}`` for every
    faulty row (a row appears once, with its first fault). Raises ``ValidationError`` when
    the file is not the template (unreadable, headers missing, more than 10,000 rows).
    """
    try:
        wb = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many types for a damaged file
        raise ValidationError(_("无法读取该Excel文件，请使用平台提供的导入模板。")) from None
    ws = wb["导入"] if "导入" in wb.sheetnames else wb.worksheets[0]
    rows = ws.iter_rows(values_only=True)
    header = [_cell(v) for v in next(rows, ())]
    positions = {name: header.index(name) for name in HEADERS if name in header}
    missing = [name for name in REQUIRED if name not in positions]
    if missing:
        raise ValidationError(
            _("导入文件缺少表头：%(names)s。请使用平台提供的导入模板。") % {"names": "、".join(missing)}
        )
    raw_rows = []
    for number, values in enumerate(rows, start=2):
        cells = {name: _cell(values[i]) if i < len(values) else "" for name, i in positions.items()}
        if not any(cells.values()):
            continue
        raw_rows.append((number, cells))
        if len(raw_rows) > MAX_ROWS:
            raise ValidationError(_("一次最多导入%(n)s行，请分批导入。") % {"n": MAX_ROWS})
    wb.close()
    valid, errors, seen = [], [], {}
    for index, (number, cells) in enumerate(raw_rows):
        try:
            name, department, year = _circle_fields(
                name=cells.get("小组名称"),
                department=cells.get("部门", ""),
                year=cells.get("注册年度") or timezone.localdate().year,
            )
            if not cells.get("组长姓名"):
                raise ValidationError({"leader": _("请填写组长姓名。")})
            members = member_inputs(
                _members(cells.get("组长姓名", ""), cells.get("组长岗位", ""), cells.get("组员", ""))
            )
        except ValidationError as exc:
            field, messages = (
                next(iter(exc.message_dict.items())) if hasattr(exc, "error_dict") else ("", exc.messages)
            )
            column = {
                "name": "小组名称",
                "department": "部门",
                "registration_year": "注册年度",
                "leader": "组长姓名",
            }.get(field, "组员")
            if column == "组员" and "组长" in messages[0]:
                column = "组长姓名"
            errors.append({"row": number, "column": column, "message": messages[0]})
            continue
        key = (name, year)
        if key in seen:
            errors.append(
                {
                    "row": number,
                    "column": "小组名称",
                    "message": _("与第%(n)s行的小组同名同年度。") % {"n": seen[key]},
                }
            )
            continue
        seen[key] = number
        valid.append(ParsedRow(number, name, department, year, members, member_count_warning(len(members))))
        if progress and index % 500 == 0:
            progress(int(index * 100 / max(1, len(raw_rows))))
    existing = set(
        Circle._base_manager.filter(
            organisation_id=enterprise_id,
            name__in={r.name for r in valid},
            registration_year__in={r.year for r in valid},
        )
        .exclude(status=CircleStatus.INACTIVE)
        .values_list("name", "registration_year")
    )
    kept = []
    for row in valid:
        if (row.name, row.year) in existing:
            errors.append(
                {
                    "row": row.row,
                    "column": "小组名称",
                    "message": _("本企业%(y)s年度已有同名小组。") % {"y": row.year},
                }
            )
        else:
            kept.append(row)
    errors.sort(key=lambda e: e["row"])
    return kept, errors, len(raw_rows)


def _check(job: CircleImport) -> list[ParsedRow]:
    with job.file.open("rb") as handle:
        content = handle.read()
    rows, errors, total = parse(content, enterprise_id=job.organisation_id)
    job.total_rows = total
    job.errors = errors[:ERRORS_KEPT]
    job.preview = [
        {
            "row": r.row,
            "name": r.name,
            "department": r.department,
            "year": r.year,
            "members": len(r.members),
            "warning": r.warning,
        }
        for r in rows[:PREVIEW_ROWS]
    ]
    job.circles_created = 0 if errors else len(rows)
    job.members_created = 0 if errors else sum(len(r.members) for r in rows)
    job.status = ImportStatus.INVALID if errors or not rows else ImportStatus.VALID
    if not rows and not errors:
        job.errors = [{"row": 1, "column": "", "message": _("文件中没有数据行。")}]
    job.progress = 100 if job.status == ImportStatus.INVALID else 0
    job.save()
    return rows


@transaction.atomic
def import_start(*, membership: Membership, upload, dry_run: bool = True) -> CircleImport:
    """Upload a filled template and check it (the dry run).

    Inputs: the acting membership (``circles:manage``; the enterprise imports its own
    circles), the uploaded ``.xlsx`` (≤5 MB, type checked from the bytes), ``dry_run``.
    Output: the :class:`CircleImport` with status ``valid`` (counts of what would be
    created, a preview) or ``invalid`` (every faulty row in ``errors``). Without
    ``dry_run`` a valid import is enqueued at once (:func:`import_confirm`).
    Raises ``PermissionDenied`` or ``ValidationError`` (not the template, too big).
    """
    require_permission(membership, "circles:manage")
    validate_upload(upload, allowed=XLSX, max_bytes=MAX_BYTES)
    job = CircleImport(
        organisation=membership.organisation,
        filename=(getattr(upload, "name", "") or "导入.xlsx")[-200:],
        requested_by=membership.user,
        status=ImportStatus.VALIDATING,
    )
    job.file.save(f"导入_{timezone.now():%Y%m%d%H%M%S%f}.xlsx", upload, save=False)
    job.save()
    _check(job)
    if not dry_run and job.status == ImportStatus.VALID:
        import_confirm(membership=membership, job=job)
    return job


@transaction.atomic
def import_confirm(*, membership: Membership, job: CircleImport) -> CircleImport:
    """Confirm a checked import: it runs in the background (``circle_import_task``).
    Refused unless the dry run passed and it was not imported yet."""
    require_permission(membership, "circles:manage", job)
    job = CircleImport.objects.select_for_update().get(pk=job.pk)
    if job.status != ImportStatus.VALID:
        raise ValidationError(_("只有校验通过且尚未导入的文件可以确认导入。"))
    job.status = ImportStatus.IMPORTING
    job.save(update_fields=["status"])
    from .tasks import circle_import_task

    transaction.on_commit(
        lambda: circle_import_task.apply_async(kwargs={"import_id": job.pk, "membership_id": membership.pk})
    )
    return job


def progress_key(job_id: int) -> str:
    """Cache key of a running import's progress (the import's own transaction hides it)."""
    return f"circles:import:{job_id}:progress"


def import_execute(*, import_id: int, membership: Membership) -> CircleImport:
    """Create the circles and members of a confirmed import, all or nothing (one
    transaction; bulk inserts; registration numbers reserved per year; one audit entry
    per circle named ``circles.circle.imported``). Re-checks the file first. Output: the
    import with status ``succeeded`` (counts) or ``failed``/``invalid`` (reason); nothing
    is written when it does not succeed. Idempotent: a finished import is left as it is.
    """
    job = CircleImport.objects.get(pk=import_id)
    if job.status != ImportStatus.IMPORTING:
        return job
    key = progress_key(job.pk)
    try:
        with transaction.atomic():
            job.status = ImportStatus.IMPORTING
            rows = _check(job)
            if job.status != ImportStatus.VALID:
                return job
            cache.set(key, 10, 3600)
            enterprise = job.organisation
            today = timezone.localdate()
            numbers: dict[int, list[str]] = {}
            for year in sorted({r.year for r in rows}):
                count = sum(1 for r in rows if r.year == year)
                numbers[year] = reserve_numbers(enterprise=enterprise, kind="circle", year=year, count=count)
            circles = []
            for row in rows:
                circles.append(
                    Circle(
                        organisation=enterprise,
                        name=row.name,
                        department=row.department,
                        registration_year=row.year,
                        registration_number=numbers[row.year].pop(0),
                        registered_on=today,
                        status=CircleStatus.REGISTERED,
                        created_by=membership.user,
                    )
                )
            created = Circle.objects.bulk_create(circles, batch_size=1000)
            cache.set(key, 50, 3600)
            members = [
                CircleMember(
                    organisation=enterprise,
                    circle=circle,
                    name=m.name,
                    role=m.role,
                    position=m.position,
                    position_order=order,
                )
                for circle, row in zip(created, rows, strict=True)
                for order, m in enumerate(row.members, start=1)
            ]
            CircleMember.objects.bulk_create(members, batch_size=2000)
            # bulk inserts send no model signals: keep the statistics summary current
            rows_bulk_changed.send(sender=Circle, organisation_ids=[enterprise.pk])
            cache.set(key, 80, 3600)
            content_type = ContentType.objects.get_for_model(Circle)
            AuditEntry.objects.bulk_create(
                [
                    AuditEntry(
                        content_type=content_type,
                        object_pk=str(c.pk),
                        object_id=c.pk,
                        object_repr=c.name[:200],
                        action=LogEntry.Action.CREATE,
                        changes={
                            "name": ["None", c.name],
                            "registration_number": ["None", c.registration_number],
                        },
                        actor=membership.user,
                        organisation_id=enterprise.pk,
                        acting_organisation_id=membership.organisation_id,
                        acting_role=membership.role,
                        additional_data={
                            "organisation_id": enterprise.pk,
                            "event": "circles.circle.imported",
                            "import_id": job.pk,
                        },
                    )
                    for c in created
                ],
                batch_size=2000,
            )
            job.status = ImportStatus.SUCCEEDED
            job.circles_created, job.members_created = len(created), len(members)
            job.progress, job.finished_at = 100, timezone.now()
            job.save()
    except Exception as exc:  # the transaction rolled back: record why, then re-raise for Celery
        CircleImport.objects.filter(pk=job.pk).update(
            status=ImportStatus.FAILED, error=str(exc)[:1000], finished_at=timezone.now()
        )
        raise
    finally:
        cache.delete(key)
    return job


def live_progress(job: CircleImport) -> int:
    """The import's progress in percent, live while it runs."""
    if job.status == ImportStatus.IMPORTING:
        return int(cache.get(progress_key(job.pk)) or 5)
    return job.progress


def error_report_xlsx(job: CircleImport) -> bytes:
    """The row report of a checked import: every faulty row's number, column and reason."""
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("错误报告")
    ws.append(["行号", "列", "错误原因"])
    for error in job.errors:
        ws.append([error["row"], error["column"], error["message"]])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
