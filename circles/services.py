"""Writes of the circles app: circles and their members, re-registration, projects,
activity records with attachments, process-check comments, and workflow transitions.

Every service takes the acting membership, checks the one permission rule set
(``qcportal.permissions``), validates its input (Chinese ``ValidationError`` messages that
say what to fix) and runs in one transaction; audit entries are written by django-auditlog
on every save, named events by the workflow mechanism. States change only through
:func:`transition` (``circles/workflow.py``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qcportal.models import Membership
from qcportal.permissions import has_permission, require_permission
from qcportal.text import clean_text
from qcportal.uploads import validate_upload
from qcportal.workflow import WORKFLOWS, notify

from .choices import (
    MEMBERS_MAX,
    MEMBERS_MIN,
    RECORDING_STATES,
    STATISTICAL_TOOLS,
    STEP_DATA,
    CircleStatus,
    MemberRole,
    ProjectStatus,
    ProjectType,
    TargetKind,
    procedure_for,
)
from .models import ActivityRecord, Circle, CircleMember, Project, RecordAttachment, RecordComment
from .numbers import next_number
from .signals import rows_bulk_changed

MEMBERS_HARD_MAX = 50  # a sanity bound on one circle's roster, far above the 3–10 guidance
ATTACHMENT_TYPES = {
    "application/pdf": "pdf",
    "application/msword": "doc",  # OLE2: legacy .doc and .xls (see attachment_add)
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/gif": "gif",
    "image/webp": "webp",
}
ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
ATTACHMENTS_PER_RECORD = 10
EARLIEST_DATE = dt.date(2000, 1, 1)


@dataclass
class Result:
    """A service's output with the warnings the user should see (e.g. the member count)."""

    obj: object
    warnings: list[str] = field(default_factory=list)


# --- members ---------------------------------------------------------------------------
@dataclass(frozen=True)
class MemberInput:
    """One member as entered: name, role (``leader``/``member``), position, optional login."""

    name: str
    role: str
    position: str = ""
    username: str = ""


def member_inputs(raw, *, field_name: str = "members") -> list[MemberInput]:
    """Validate a list of member dicts (``{"name", "role", "position", "username"?}``).

    Output: cleaned :class:`MemberInput` rows. Raises ``ValidationError({field_name: …})``
    (Chinese) for a non-list, an empty name, an unknown role, over-long text, control
    characters, more than one leader or none, or more than 50 members.
    """
    if not isinstance(raw, list | tuple) or not raw:
        raise ValidationError({field_name: _("请至少填写一名小组成员（组长）。")})
    if len(raw) > MEMBERS_HARD_MAX:
        raise ValidationError({field_name: _("小组成员不能超过%(n)s人。") % {"n": MEMBERS_HARD_MAX}})
    rows = []
    for index, item in enumerate(raw, start=1):
        if not isinstance(item, dict):
            raise ValidationError({field_name: _("第%(n)s名成员的格式不正确。") % {"n": index}})
        label = _("第%(n)s名成员") % {"n": index}
        try:
            name = clean_text(item.get("name"), field=field_name, max_length=50, label=label, multiline=False)
            position = clean_text(
                item.get("position"), field=field_name, max_length=50, label=_("岗位/职务"), multiline=False
            )
            username = clean_text(
                item.get("username"), field=field_name, max_length=150, label=_("登录账户"), multiline=False
            )
        except ValidationError as exc:
            raise ValidationError({field_name: [f"{label}：{m}" for m in exc.messages]}) from None
        role = item.get("role") or MemberRole.MEMBER
        if not name:
            raise ValidationError({field_name: _("%(label)s的姓名不能为空。") % {"label": label}})
        if role not in MemberRole.values:
            raise ValidationError(
                {field_name: _("%(label)s的小组职务只能是“组长”或“组员”。") % {"label": label}}
            )
        rows.append(MemberInput(name=name, role=role, position=position, username=username))
    leaders = sum(1 for row in rows if row.role == MemberRole.LEADER)
    if leaders != 1:
        raise ValidationError({field_name: _("每个小组须有且只有一名组长（现为%(n)s名）。") % {"n": leaders}})
    return rows


def member_count_warning(count: int) -> str | None:
    """The guidance warning for a circle of ``count`` members (standard.md §1: usually 3–10
    members; a warning, never a refusal), or ``None``."""
    if MEMBERS_MIN <= count <= MEMBERS_MAX:
        return None
    return _("小组现有%(n)s名成员；QC小组通常为%(min)s–%(max)s人（T/CAQ 10201-2020 指引），请确认。") % {
        "n": count,
        "min": MEMBERS_MIN,
        "max": MEMBERS_MAX,
    }


def _users_by_username(enterprise_id: int, usernames: set[str]) -> dict[str, int]:
    if not usernames:
        return {}
    found = dict(
        Membership._base_manager.filter(
            organisation_id=enterprise_id, user__username__in=usernames, is_active=True
        ).values_list("user__username", "user_id")
    )
    missing = sorted(usernames - set(found))
    if missing:
        raise ValidationError(
            {"members": _("登录账户不属于本企业：%(names)s。") % {"names": "、".join(missing)}}
        )
    return found


def _write_members(circle: Circle, rows: list[MemberInput], *, keep_user: int | None = None) -> None:
    """Replace the circle's roster with ``rows`` (logins kept where the name matches)."""
    existing = {m.name: m for m in circle.members.all()}
    users = _users_by_username(circle.organisation_id, {r.username for r in rows if r.username})
    # Clear the leader first so the one-leader constraint holds while rows are rewritten.
    circle.members.filter(role=MemberRole.LEADER).update(role=MemberRole.MEMBER)
    kept = []
    for order, row in enumerate(rows, start=1):
        member = existing.pop(row.name, None) or CircleMember(organisation=circle.organisation, circle=circle)
        member.name, member.position, member.position_order = row.name, row.position, order
        member.role = MemberRole.MEMBER
        if row.username:
            member.user_id = users[row.username]
        member.save()
        kept.append((member, row.role))
    for member in existing.values():
        if member.user_id is not None and member.user_id == keep_user:
            raise ValidationError({"members": _("不能把自己从小组中移除。")})
        member.delete()
    for member, role in kept:
        if role == MemberRole.LEADER:
            member.role = MemberRole.LEADER
            member.save(update_fields=["role"])


# --- circles -----------------------------------------------------------------------------
def _circle_fields(*, name, department, year) -> tuple[str, str, int]:
    name = clean_text(name, field="name", max_length=100, label=_("QC小组名称"), multiline=False)
    if not name:
        raise ValidationError({"name": _("请填写QC小组名称。")})
    department = clean_text(department, field="department", max_length=100, label=_("部门"), multiline=False)
    this_year = timezone.localdate().year
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise ValidationError(
            {"registration_year": _("注册年度须为数字，如%(y)s。") % {"y": this_year}}
        ) from None
    if not this_year - 1 <= year <= this_year + 1:
        raise ValidationError(
            {
                "registration_year": _("注册年度须在%(a)s–%(b)s之间。")
                % {"a": this_year - 1, "b": this_year + 1}
            }
        )
    return name, department, year


@transaction.atomic
def circle_register(
    *, membership: Membership, name: str, department: str = "", year=None, members: list
) -> Result:
    """Register a circle of the acting enterprise (DB43 §7.3 组建与注册).

    A company coordinator (``circles:manage``) registers it directly: it gets its
    registration number (pattern per association, unique per enterprise and year) and date.
    A circle leader (``circles:lead``) applies: the circle waits in 待注册审核 for the
    coordinator, and the applicant becomes its leader's login. Inputs: name (≤100),
    department (≤100), registration year (this year ±1, default this year), members as for
    :func:`member_inputs`. Output: :class:`Result` with the circle and the member-count
    warning if any. Raises ``PermissionDenied`` or ``ValidationError``.
    """
    manages = has_permission(membership, "circles:manage")
    if not manages and not has_permission(membership, "circles:lead"):
        require_permission(membership, "circles:manage")
    name, department, year = _circle_fields(
        name=name, department=department, year=year or timezone.localdate().year
    )
    rows = member_inputs(members)
    if not manages:
        rows = [
            MemberInput(
                r.name,
                r.role,
                r.position,
                membership.user.username if r.role == MemberRole.LEADER else r.username,
            )
            for r in rows
        ]
    enterprise = membership.organisation
    circle = Circle(
        organisation=enterprise,
        name=name,
        department=department,
        registration_year=year,
        created_by=membership.user,
        status=CircleStatus.REGISTERED if manages else CircleStatus.PENDING,
    )
    if manages:
        circle.registration_number = next_number(enterprise=enterprise, kind="circle", year=year)
        circle.registered_on = timezone.localdate()
        circle._audit_event = "circles.circle.registered"
    else:
        circle._audit_event = "circles.circle.applied"
    circle.save()
    _write_members(circle, rows)
    warning = member_count_warning(len(rows))
    if not manages:
        from .workflow import coordinators

        notify(
            entity="circles.circle",
            verb="applied",
            obj=circle,
            recipients=coordinators(circle),
            membership=membership,
        )
    return Result(circle, [warning] if warning else [])


def _may_edit_circle(membership: Membership, circle: Circle) -> None:
    if has_permission(membership, "circles:manage", circle):
        return
    require_permission(membership, "circles:lead", circle)


@transaction.atomic
def circle_update(
    *, membership: Membership, circle: Circle, name=None, department=None, members=None
) -> Result:
    """Edit a circle's name, department and/or members (``None`` leaves a field as is).

    The company coordinator edits any circle of the enterprise; a circle leader edits their
    own circle's members (DB43 §7.3). An inactive circle cannot be edited. Members are
    replaced by the given list (logins kept for unchanged names). Output: :class:`Result`
    with the member-count warning. Raises ``PermissionDenied`` or ``ValidationError``.
    """
    _may_edit_circle(membership, circle)
    circle = Circle.objects.select_for_update().get(pk=circle.pk)
    if circle.status == CircleStatus.INACTIVE:
        raise ValidationError(_("已注销的小组不能修改，请先恢复活动。"))
    if name is not None or department is not None:
        new_name, new_department, _year = _circle_fields(
            name=circle.name if name is None else name,
            department=circle.department if department is None else department,
            year=circle.registration_year,
        )
        circle.name, circle.department = new_name, new_department
        circle.save(update_fields=["name", "department"])
    warnings = []
    if members is not None:
        rows = member_inputs(members)
        _write_members(
            circle,
            rows,
            keep_user=None if has_permission(membership, "circles:manage") else membership.user_id,
        )
        warning = member_count_warning(len(rows))
        warnings = [warning] if warning else []
    return Result(circle, warnings)


@transaction.atomic
def circle_reregister(*, membership: Membership, circle: Circle, year: int | None = None) -> Result:
    """Register ``circle`` again for a new year (年度注册), carrying the members over with
    their logins (DB43 §7.3; circles register yearly, seed 002 Annex 3 counts per year).

    The coordinator's re-registration is registered at once with a new number; a leader's
    waits for review. Refused when the circle is not registered, the year is not after the
    circle's, or the circle was already re-registered (one successor per registration;
    database constraint). Output: :class:`Result` with the new circle.
    """
    manages = has_permission(membership, "circles:manage", circle)
    if not manages:
        require_permission(membership, "circles:lead", circle)
    year = int(year or circle.registration_year + 1)
    if circle.status != CircleStatus.REGISTERED:
        raise ValidationError(_("只有已注册的小组可以办理年度注册。"))
    if year <= circle.registration_year or year > timezone.localdate().year + 1:
        raise ValidationError(
            {
                "registration_year": _("年度注册的年度须晚于%(y)s年且不晚于明年。")
                % {"y": circle.registration_year}
            }
        )
    if Circle._base_manager.filter(previous=circle).exists():
        raise ValidationError(_("该小组已办理过下一年度的注册。"))
    new = Circle(
        organisation=circle.organisation,
        name=circle.name,
        department=circle.department,
        registration_year=year,
        previous=circle,
        created_by=membership.user,
        status=CircleStatus.REGISTERED if manages else CircleStatus.PENDING,
    )
    if manages:
        new.registration_number = next_number(enterprise=circle.organisation, kind="circle", year=year)
        new.registered_on = timezone.localdate()
    new._audit_event = "circles.circle.reregistered"
    new.save()
    CircleMember.objects.bulk_create(
        CircleMember(
            organisation=circle.organisation,
            circle=new,
            name=m.name,
            role=m.role,
            position=m.position,
            position_order=m.position_order,
            user_id=m.user_id,
        )
        for m in circle.members.order_by("position_order", "id")
    )
    # bulk inserts send no model signals (the new circle's save already marked the
    # enterprise; said explicitly so that the summary does not depend on that)
    rows_bulk_changed.send(sender=Circle, organisation_ids=[circle.organisation_id])
    return Result(new)


# --- projects ------------------------------------------------------------------------------
PROJECT_TEXT_FIELDS = {
    "title": (200, _("课题名称")),
    "indicator": (100, _("课题指标")),
    "unit": (20, _("单位")),
    "baseline_value": (100, _("现状值")),
    "target_value": (100, _("目标值")),
}


def _parse_date(value, *, field: str, label: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        parsed = value
    else:
        try:
            parsed = dt.date.fromisoformat(str(value).strip())
        except ValueError:
            raise ValidationError(
                {field: _("“%(label)s”须为日期，格式如2026-03-01。") % {"label": label}}
            ) from None
    if not EARLIEST_DATE <= parsed <= dt.date(2100, 12, 31):
        raise ValidationError({field: _("“%(label)s”的日期不合理。") % {"label": label}})
    return parsed


def _project_fields(data: dict, *, partial: bool, project: Project | None = None) -> dict:
    values = {}
    for name, (max_length, label) in PROJECT_TEXT_FIELDS.items():
        if name in data or not partial:
            values[name] = clean_text(
                data.get(name), field=name, max_length=max_length, label=label, multiline=False
            )
    if "reasons" in data or not partial:
        values["reasons"] = clean_text(
            data.get("reasons"), field="reasons", max_length=2000, label=_("选题理由")
        )
    for name, label in (("planned_start", _("计划开始日期")), ("planned_end", _("计划完成日期"))):
        if name in data or not partial:
            values[name] = _parse_date(data.get(name), field=name, label=label)
    if "project_type" in data or not partial:
        project_type = data.get("project_type")
        if project_type not in ProjectType.values:
            raise ValidationError({"project_type": _("请选择课题类型：问题解决型或创新型。")})
        values["project_type"] = project_type
    project_type = values.get("project_type", project.project_type if project else None)
    if "target_kind" in data or "project_type" in values:
        target_kind = data.get("target_kind") or None
        if project_type == ProjectType.INNOVATION:
            target_kind = None
        elif target_kind not in TargetKind.values:
            raise ValidationError({"target_kind": _("问题解决型课题须选择自定目标或指令性目标。")})
        values["target_kind"] = target_kind
    if not partial and not values["title"]:
        raise ValidationError({"title": _("请填写课题名称。")})
    start = values.get("planned_start", project.planned_start if project else None)
    end = values.get("planned_end", project.planned_end if project else None)
    if start and end and start > end:
        raise ValidationError({"planned_end": _("计划完成日期不能早于计划开始日期。")})
    return values


@transaction.atomic
def project_apply(*, membership: Membership, circle: Circle, data: dict) -> Project:
    """The circle's leader applies to register a project (立项申请, DB43 §7.3).

    Inputs: ``data`` with title (≤200), project_type (``problem_solving``/``innovation``),
    target_kind (``self_set``/``assigned`` for problem solving), reasons (选题理由, ≤2000),
    indicator, unit, baseline_value, target_value, planned_start, planned_end (ISO dates).
    Refused unless the circle is registered (rule R-S1-08). Output: the project in
    待立项评审; the enterprise's coordinators are notified.
    """
    require_permission(membership, "circles:lead", circle)
    circle = Circle.objects.select_for_update().get(pk=circle.pk)
    if circle.status != CircleStatus.REGISTERED:
        raise ValidationError(_("小组注册审核通过后才能申请立项（DB43 §7.3 组建与注册）。"))
    values = _project_fields(data, partial=False)
    project = Project(
        organisation=circle.organisation,
        circle=circle,
        applied_on=timezone.localdate(),
        created_by=membership.user,
        status=ProjectStatus.APPLIED,
        **values,
    )
    project._audit_event = "circles.project.applied"
    project.save()
    from .workflow import coordinators

    notify(
        entity="circles.project",
        verb="applied",
        obj=project,
        recipients=coordinators(project),
        membership=membership,
    )
    return project


@transaction.atomic
def project_update(*, membership: Membership, project: Project, data: dict) -> Project:
    """Edit a project's application while it is 待立项评审 or 已退回修改 (the leader, e.g.
    to answer a return), or its plan fields later (dates, target) — never its type once
    records exist (a record's step must stay in the project's procedure, R-ST-13).
    Raises ``PermissionDenied`` or ``ValidationError``.
    """
    if not has_permission(membership, "projects:review", project):
        require_permission(membership, "circles:lead", project)
    project = Project.objects.select_for_update().get(pk=project.pk)
    if project.status not in (ProjectStatus.APPLIED, ProjectStatus.RETURNED, *RECORDING_STATES):
        raise ValidationError(_("课题当前状态为“%(s)s”，不能再修改。") % {"s": project.get_status_display()})
    values = _project_fields(data, partial=True, project=project)
    changes_type = (
        values.get("project_type", project.project_type) != project.project_type
        or values.get("target_kind", project.target_kind) != project.target_kind
    )
    if changes_type and project.activity_records.exists():
        raise ValidationError(
            {"project_type": _("已有活动记录的课题不能更改课题类型或目标类型（T/CAQ 10201-2020 活动程序）。")}
        )
    for key, value in values.items():
        setattr(project, key, value)
    if not project.title:
        raise ValidationError({"title": _("请填写课题名称。")})
    project.save()
    return project


def transition(*, membership: Membership, obj, name: str, comment: str = "", data: dict | None = None):
    """Take the workflow transition ``name`` on a circle, project or comment (the one way a
    state changes; see ``qcportal.workflow.Workflow.perform`` for errors and effects)."""
    workflow = WORKFLOWS[f"circles.{type(obj).__name__.lower()}"]
    return workflow.perform(obj, name, membership=membership, comment=comment, data=data)


# --- activity records -----------------------------------------------------------------
def _record_fields(
    project: Project, data: dict, *, partial: bool, record: ActivityRecord | None = None
) -> dict:
    values = {}
    if "step" in data or not partial:
        step = data.get("step")
        if step not in procedure_for(project.project_type, project.target_kind):
            raise ValidationError(
                {
                    "step": _(
                        "“%(step)s”不是该课题（%(type)s）活动程序中的步骤（T/CAQ 10201-2020 活动程序）。"
                    )
                    % {"step": str(step)[:40], "type": project.get_project_type_display()}
                }
            )
        values["step"] = step
    if "held_on" in data or not partial:
        held_on = _parse_date(data.get("held_on"), field="held_on", label=_("活动日期"))
        if held_on is None:
            raise ValidationError({"held_on": _("请填写活动日期。")})
        if held_on > timezone.localdate():
            raise ValidationError({"held_on": _("活动日期不能晚于今天。")})
        if project.applied_on and held_on < project.applied_on - dt.timedelta(days=366):
            raise ValidationError({"held_on": _("活动日期早于课题申请日期一年以上，请核对。")})
        values["held_on"] = held_on
    if "content" in data or not partial:
        values["content"] = clean_text(
            data.get("content"), field="content", max_length=5000, label=_("活动内容")
        )
        if not values["content"]:
            raise ValidationError({"content": _("请填写活动内容。")})
    if "tools" in data or not partial:
        tools = data.get("tools") or []
        if isinstance(tools, str):
            tools = [t for t in tools.replace(",", "、").split("、") if t.strip()]
        if not isinstance(tools, list | tuple):
            raise ValidationError({"tools": _("统计方法格式不正确。")})
        unknown = [str(t)[:20] for t in tools if t not in STATISTICAL_TOOLS]
        if unknown:
            raise ValidationError(
                {
                    "tools": _("不在统计方法清单中：%(tools)s（T/CAQ 10201-2020）。")
                    % {"tools": "、".join(unknown)}
                }
            )
        values["tools"] = "、".join(dict.fromkeys(tools))
    step = values.get("step", record.step if record else None)
    allowed = STEP_DATA.get(step, ())
    for key, label in (("data_before", _("改进前数据")), ("data_after", _("改进后数据"))):
        if key in data or not partial:
            value = clean_text(data.get(key), field=key, max_length=200, label=label, multiline=False)
            if value and key.removeprefix("data_") not in allowed:
                raise ValidationError({key: _("该步骤不需要填写“%(label)s”。") % {"label": label}})
            values[key] = value
    return values


def _participants(project: Project, raw) -> list[CircleMember]:
    if raw is None:
        return []
    if not isinstance(raw, list | tuple):
        raise ValidationError({"participants": _("参加人员格式不正确。")})
    try:
        ids = {int(x) for x in raw}
    except (TypeError, ValueError):
        raise ValidationError({"participants": _("参加人员须为本小组成员。")}) from None
    members = list(CircleMember._base_manager.filter(circle_id=project.circle_id, pk__in=ids))
    if len(members) != len(ids):
        raise ValidationError({"participants": _("参加人员须为本小组成员。")})
    return members


@transaction.atomic
def record_create(*, membership: Membership, project: Project, data: dict) -> ActivityRecord:
    """Keep an activity record of one procedure step (活动记录, DB43 §7.4.1).

    Inputs: ``data`` with step (a step of the project's procedure for its type and target
    kind, R-ST-13 — so a project never has both 现状调查 and 目标可行性论证, R-ST-14),
    held_on (not in the future), content (≤5000), tools (from the standard's list),
    data_before/data_after (only for steps that have them, ``STEP_DATA``), participants
    (ids of the circle's members). Refused unless the project has passed registration
    review (R-S1-09: 立项评审通过后才能填写活动记录). The first record starts the activity
    (workflow transition ``start``). Output: the record.
    """
    require_permission(membership, "circles:record", project)
    project = Project.objects.select_for_update().get(pk=project.pk)
    if project.status not in RECORDING_STATES:
        raise ValidationError(_("立项评审通过后才能填写活动记录（DB43 §7.3）。"))
    values = _record_fields(project, data, partial=False)
    members = _participants(project, data.get("participants"))
    record = ActivityRecord(
        organisation=project.organisation,
        circle_id=project.circle_id,
        project=project,
        participant_count=len(members),
        created_by=membership.user,
        **values,
    )
    record._audit_event = "circles.activityrecord.created"
    record.save()
    record.participants.set(members)
    if project.status == ProjectStatus.REGISTERED:
        transition(membership=membership, obj=project, name="start")
    return record


@transaction.atomic
def record_update(*, membership: Membership, record: ActivityRecord, data: dict) -> ActivityRecord:
    """Edit an activity record while its project is in activity (same rules as
    :func:`record_create`)."""
    require_permission(membership, "circles:record", record)
    project = Project.objects.select_for_update().get(pk=record.project_id)
    if project.status not in RECORDING_STATES:
        raise ValidationError(
            _("课题当前状态为“%(s)s”，活动记录不能再修改。") % {"s": project.get_status_display()}
        )
    values = _record_fields(project, data, partial=True, record=record)
    for key, value in values.items():
        setattr(record, key, value)
    if "participants" in data:
        members = _participants(project, data.get("participants"))
        record.participant_count = len(members)
        record.participants.set(members)
    record.save()
    return record


@transaction.atomic
def attachment_add(*, membership: Membership, record: ActivityRecord, upload) -> RecordAttachment:
    """Attach a file to an activity record: PDF, Word, Excel or an image, at most 10 MB,
    type checked from the file's bytes (not its name), at most 10 files per record.
    Raises ``PermissionDenied`` or ``ValidationError`` (Chinese)."""
    require_permission(membership, "circles:record", record)
    if record.attachments.count() >= ATTACHMENTS_PER_RECORD:
        raise ValidationError(_("每条活动记录最多%(n)s个附件。") % {"n": ATTACHMENTS_PER_RECORD})
    extension = validate_upload(upload, allowed=ATTACHMENT_TYPES, max_bytes=ATTACHMENT_MAX_BYTES)
    original = clean_text(
        getattr(upload, "name", "") or "", field="file", max_length=200, label=_("文件名"), multiline=False
    )
    original = original.rsplit("/", 1)[-1].rsplit("\\", 1)[-1] or f"附件.{extension}"
    if extension == "doc" and original.lower().endswith(".xls"):
        extension = "xls"  # OLE2 holds both legacy Word and Excel files
    attachment = RecordAttachment(
        organisation=record.organisation,
        circle_id=record.circle_id,
        record=record,
        name=original,
        size=upload.size,
        content_type=upload.content_type if extension in ("xls",) else _mime_for(extension),
        uploaded_by=membership.user,
    )
    attachment.file.save(f"记录{record.pk}_{timezone.now():%Y%m%d%H%M%S%f}.{extension}", upload, save=False)
    attachment.save()
    return attachment


def _mime_for(extension: str) -> str:
    return next(
        (mime for mime, ext in ATTACHMENT_TYPES.items() if ext == extension), "application/octet-stream"
    )


@transaction.atomic
def attachment_delete(*, membership: Membership, attachment: RecordAttachment) -> None:
    """Remove an attachment (the circle's members, while the project is in activity); its
    file leaves storage once the deletion commits (``qcportal.files``, R-SC-35)."""
    require_permission(membership, "circles:record", attachment)
    if attachment.record.project.status not in RECORDING_STATES:
        raise ValidationError(_("课题已结束活动，附件不能再删除。"))
    attachment.delete()


@transaction.atomic
def comment_add(*, membership: Membership, record: ActivityRecord, text: str) -> RecordComment:
    """The management layer comments on an activity record (过程检查, DB43 §7.4.2): text
    ≤1000 characters; the circle's members are notified and resolve it. Refused once the
    project was accepted."""
    require_permission(membership, "projects:review", record)
    text = clean_text(text, field="text", max_length=1000, label=_("检查意见"))
    if not text:
        raise ValidationError({"text": _("请填写检查意见。")})
    if record.project.status in (ProjectStatus.ACCEPTED, ProjectStatus.WITHDRAWN):
        raise ValidationError(_("课题已结束，不能再提出检查意见。"))
    comment = RecordComment(
        organisation=record.organisation,
        circle_id=record.circle_id,
        record=record,
        author=membership.user,
        text=text,
    )
    comment._audit_event = "circles.recordcomment.created"
    comment.save()
    from .workflow import circle_team

    notify(
        entity="circles.recordcomment",
        verb="created",
        obj=comment,
        recipients=circle_team(comment),
        membership=membership,
    )
    return comment
