"""QC circles, their members, projects (课题) and activity records (domain.md §5)."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField

from qcportal.models import Organisation, OwnedByOrganisation
from qcportal.tenancy import tenant_manager

from .choices import (
    CircleStatus,
    CommentStatus,
    ImportStatus,
    MemberRole,
    ProcedureStep,
    ProjectStatus,
    ProjectType,
    TargetKind,
    procedure_for,
)


def _max_chars(field: str, n: int, name: str) -> models.CheckConstraint:
    return models.CheckConstraint(condition=LessThanOrEqual(Length(field), n), name=name)


class Circle(ConcurrentTransitionMixin, OwnedByOrganisation, models.Model):
    """A QC circle (质量管理小组) of an enterprise, registered for one year (DB43 §7.3).

    Circles register yearly: each registration is one row with its registration number and
    date, so "cumulative registered circles" and "registered this year" of seed 002 Annex 3
    are counts of rows by ``registered_on``. ``organisation`` is the enterprise. A circle
    applied for by its leader waits in ``pending`` for the coordinator's registration review
    (注册审核); the number and date are set when it is registered (database constraint).
    ``previous`` links a yearly re-registration to last year's row (members carried over).
    """

    # No index of its own: circles_circle_org_reg_idx starts with it (issue 10 item 5).
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="circles", verbose_name=_("企业"), db_index=False
    )
    department = models.CharField(_("部门"), max_length=100, blank=True)
    name = models.CharField(_("QC小组名称"), max_length=100)
    status = FSMField(
        _("注册状态"),
        max_length=16,
        choices=CircleStatus.choices,
        default=CircleStatus.PENDING,
        protected=True,
    )
    registration_number = models.CharField(_("注册号"), max_length=40, null=True, blank=True)
    registration_year = models.PositiveSmallIntegerField(_("注册年度"))
    registered_on = models.DateField(_("注册日期"), null=True, blank=True)
    deactivated_on = models.DateField(_("注销日期"), null=True, blank=True)
    previous = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="next_registration",
        verbose_name=_("上一年度注册"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("登记人"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = tenant_manager(circle="pk")

    class Meta:
        verbose_name = _("QC小组")
        verbose_name_plural = _("QC小组")
        ordering = ["-registered_on", "id"]
        indexes = [
            models.Index(fields=["organisation", "registered_on"], name="circles_circle_org_reg_idx"),
            models.Index(
                fields=["organisation", "status", "registration_year"], name="circles_circle_org_status_idx"
            ),
            models.Index(fields=["registered_on", "id"], name="circles_circle_reg_id_idx"),
        ]
        constraints = [
            # seed 001 §7.3 / DB43: a registration number is unique within the enterprise
            # (it carries the year, so also per enterprise and year).
            models.UniqueConstraint(
                fields=["organisation", "registration_number"], name="circles_circle_organisation_regno_uniq"
            ),
            models.CheckConstraint(
                condition=Q(status__in=[CircleStatus.PENDING, CircleStatus.RETURNED])
                | Q(registration_number__isnull=False, registered_on__isnull=False),
                name="circles_circle_registered_has_number",
            ),
            models.CheckConstraint(condition=~Q(name=""), name="circles_circle_name_not_empty"),
        ]

    def __str__(self) -> str:
        return self.name


class CircleMember(OwnedByOrganisation, models.Model):
    """A member of a circle: name, role (组长/组员) and position (岗位/职务).

    ``organisation`` repeats the circle's enterprise so that scoping and statistics filter
    without a join. At most one leader per circle (database constraint).
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("企业")
    )
    circle = models.ForeignKey(
        Circle, on_delete=models.CASCADE, related_name="members", verbose_name=_("QC小组")
    )
    name = models.CharField(_("姓名"), max_length=50)
    role = models.CharField(
        _("小组职务"), max_length=16, choices=MemberRole.choices, default=MemberRole.MEMBER
    )
    position = models.CharField(_("岗位/职务"), max_length=50, blank=True)
    position_order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="circle_memberships",
        verbose_name=_("登录账户"),
    )

    objects = tenant_manager(circle="circle")

    class Meta:
        verbose_name = _("小组成员")
        verbose_name_plural = _("小组成员")
        ordering = ["circle_id", "position_order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["circle"],
                condition=Q(role=MemberRole.LEADER),
                name="circles_circlemember_one_leader_uniq",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_additional_data(self) -> dict:
        """Audit trail: member changes belong to the enterprise and show in the circle's history."""
        return {**super().get_additional_data(), "circle_id": self.circle_id}


class Project(ConcurrentTransitionMixin, OwnedByOrganisation, models.Model):
    """A circle's improvement topic (课题; standard.md §1, seed 001 §7.3–7.5).

    ``project_type`` is 问题解决型 (with ``target_kind`` 自定目标/指令性目标) or 创新型 (no
    target kind; database constraint). ``economic_benefit`` is the calculable economic
    benefit in 万元; only benefit confirmed by the finance or relevant department
    (``benefit_confirmed``) counts in statistics (standard.md §6). ``accepted_on`` is the
    acceptance (验收) date: an accepted project is a result (成果).
    """

    # No index of its own: circles_project_org_acc_idx starts with it (issue 10 item 5).
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("企业"), db_index=False
    )
    circle = models.ForeignKey(
        Circle, on_delete=models.CASCADE, related_name="projects", verbose_name=_("QC小组")
    )
    title = models.CharField(_("课题名称"), max_length=200)
    project_type = models.CharField(_("课题类型"), max_length=20, choices=ProjectType.choices)
    target_kind = models.CharField(
        _("目标类型"), max_length=16, choices=TargetKind.choices, null=True, blank=True
    )
    status = FSMField(
        _("状态"), max_length=16, choices=ProjectStatus.choices, default=ProjectStatus.APPLIED, protected=True
    )
    registration_number = models.CharField(_("课题注册号"), max_length=40, null=True, blank=True)
    reasons = models.TextField(_("选题理由"), blank=True)
    indicator = models.CharField(_("课题指标"), max_length=100, blank=True)
    unit = models.CharField(_("单位"), max_length=20, blank=True)
    planned_start = models.DateField(_("计划开始日期"), null=True, blank=True)
    planned_end = models.DateField(_("计划完成日期"), null=True, blank=True)
    applied_on = models.DateField(_("立项申请日期"))
    registered_on = models.DateField(_("立项注册日期"), null=True, blank=True)
    completed_on = models.DateField(_("活动完成日期"), null=True, blank=True)
    accepted_on = models.DateField(_("验收日期"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("验收人"),
    )
    baseline_value = models.CharField(_("现状值"), max_length=100, blank=True)
    target_value = models.CharField(_("目标值"), max_length=100, blank=True)
    achieved_value = models.CharField(_("实际达成值"), max_length=100, blank=True)
    economic_benefit = models.DecimalField(
        _("可计算的经济效益（万元）"),
        max_digits=14,
        decimal_places=4,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    benefit_confirmed = models.BooleanField(_("经济效益经财务部门确认"), default=False)
    benefit_confirmed_by = models.CharField(
        _("确认部门及人员"), max_length=100, blank=True, help_text=_("如：财务部 张会计")
    )
    benefit_confirmed_on = models.DateField(_("确认日期"), null=True, blank=True)
    benefit_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("效益确认登记人"),
    )
    intangible_benefits = models.TextField(_("无形效益"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("申请人"),
    )

    objects = tenant_manager(circle="circle")

    class Meta:
        verbose_name = _("课题")
        verbose_name_plural = _("课题")
        ordering = ["-applied_on", "id"]
        indexes = [
            models.Index(fields=["organisation", "accepted_on"], name="circles_project_org_acc_idx"),
            models.Index(
                fields=["organisation", "status", "applied_on"], name="circles_project_org_status_idx"
            ),
            models.Index(fields=["applied_on", "id"], name="circles_project_applied_id_idx"),
            # An enterprise's project list in its order (newest application first): its own
            # rows only, never the country's by date filtered down (rule R-SC-71).
            models.Index(fields=["organisation", "applied_on", "id"], name="circles_project_org_appl_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "registration_number"], name="circles_project_organisation_regno_uniq"
            ),
            # DB43 §7.5.1 / standard.md §6: confirmed benefit records who confirmed it and when.
            models.CheckConstraint(
                condition=Q(benefit_confirmed=False)
                | (~Q(benefit_confirmed_by="") & Q(benefit_confirmed_on__isnull=False)),
                name="circles_project_benefit_confirmation_recorded",
            ),
            models.CheckConstraint(
                condition=Q(planned_start__isnull=True)
                | Q(planned_end__isnull=True)
                | Q(planned_start__lte=F("planned_end")),
                name="circles_project_planned_dates_order",
            ),
            _max_chars("reasons", 2000, "circles_project_reasons_max_2000"),
            models.CheckConstraint(
                condition=Q(project_type=ProjectType.INNOVATION, target_kind__isnull=True)
                | Q(project_type=ProjectType.PROBLEM_SOLVING, target_kind__isnull=False),
                name="circles_project_target_kind_by_type",
            ),
            models.CheckConstraint(
                condition=Q(economic_benefit__gte=0), name="circles_project_benefit_nonneg"
            ),
            models.CheckConstraint(
                condition=Q(status=ProjectStatus.ACCEPTED, accepted_on__isnull=False)
                | ~Q(status=ProjectStatus.ACCEPTED) & Q(accepted_on__isnull=True),
                name="circles_project_accepted_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def steps(self) -> tuple[str, ...]:
        """The procedure steps of this project's type (standard.md §2)."""
        return procedure_for(self.project_type, self.target_kind)

    @property
    def is_overdue(self) -> bool:
        """True when the planned completion date has passed and the activity is not finished."""
        import datetime as dt

        return (
            self.planned_end is not None
            and self.status in (ProjectStatus.REGISTERED, ProjectStatus.IN_PROGRESS)
            and self.planned_end < dt.date.today()
        )

    def clean(self) -> None:
        """Check the target kind against the type (standard.md §1)."""
        if self.project_type == ProjectType.INNOVATION and self.target_kind:
            raise ValidationError({"target_kind": _("创新型课题没有目标类型。")})
        if self.project_type == ProjectType.PROBLEM_SOLVING and not self.target_kind:
            raise ValidationError({"target_kind": _("问题解决型课题须选择自定目标或指令性目标。")})


class ActivityRecord(OwnedByOrganisation, models.Model):
    """A record of one procedure step of a project (活动记录; domain.md §5).

    ``circle`` and ``organisation`` repeat the project's so that "circles active this year"
    (本年度坚持活动的QC小组数: circles with records in the period, standard.md §6) is one
    indexed count. ``tools`` is a comma-separated list from ``STATISTICAL_TOOLS``.
    """

    # No index of its own: circles_activity_org_date_idx starts with it (issue 10 item 5).
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("企业"), db_index=False
    )
    circle = models.ForeignKey(
        Circle, on_delete=models.CASCADE, related_name="activity_records", verbose_name=_("QC小组")
    )
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="activity_records", verbose_name=_("课题")
    )
    step = models.CharField(_("活动步骤"), max_length=32, choices=ProcedureStep.choices)
    held_on = models.DateField(_("活动日期"))
    participant_count = models.PositiveSmallIntegerField(_("参加人数"), default=0)
    participants = models.ManyToManyField(
        CircleMember,
        through="circles.ActivityRecordParticipant",
        blank=True,
        related_name="activity_records",
        verbose_name=_("参加人员"),
    )
    content = models.TextField(_("活动内容"), blank=True)
    tools = models.CharField(_("使用的统计方法"), max_length=200, blank=True)
    data_before = models.CharField(_("改进前数据"), max_length=200, blank=True)
    data_after = models.CharField(_("改进后数据"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("记录人"),
    )
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True, null=True)

    objects = tenant_manager(circle="circle")

    class Meta:
        verbose_name = _("活动记录")
        verbose_name_plural = _("活动记录")
        ordering = ["project_id", "held_on", "id"]
        indexes = [
            models.Index(fields=["organisation", "held_on", "circle"], name="circles_activity_org_date_idx"),
            models.Index(fields=["held_on", "id"], name="circles_activity_date_id_idx"),
        ]
        constraints = [_max_chars("content", 5000, "circles_activityrecord_content_max_5000")]

    def __str__(self) -> str:
        return f"{self.project} · {self.get_step_display()}"


class ActivityRecordParticipant(models.Model):
    """A member who took part in an activity record (the link of ``ActivityRecord.participants``).

    No index on ``activityrecord`` alone: the unique pair (activityrecord, circlemember) starts with it (issue 10
    item 5). Table, columns and unique constraint are those of the implicit table it replaces.
    """

    activityrecord = models.ForeignKey(
        "circles.ActivityRecord", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    circlemember = models.ForeignKey("circles.CircleMember", on_delete=models.CASCADE, related_name="+")

    class Meta:
        db_table = "circles_activityrecord_participants"
        unique_together = [("activityrecord", "circlemember")]

    def __str__(self) -> str:
        return f"{self.activityrecord_id} → {self.circlemember_id}"


class RecordAttachment(OwnedByOrganisation, models.Model):
    """A file attached to an activity record (PDF, Word, Excel or an image; size-limited,
    type checked from the bytes, DB43 §7.4.1: records kept with their evidence)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("企业")
    )
    circle = models.ForeignKey(Circle, on_delete=models.CASCADE, related_name="+", verbose_name=_("QC小组"))
    record = models.ForeignKey(
        ActivityRecord, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("活动记录")
    )
    file = models.FileField(_("文件"), upload_to="records/%Y/", max_length=300)
    name = models.CharField(_("文件名"), max_length=200)
    size = models.PositiveIntegerField(_("大小（字节）"))
    content_type = models.CharField(_("类型"), max_length=100)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("上传人"),
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    objects = tenant_manager(circle="circle")

    class Meta:
        verbose_name = _("活动记录附件")
        verbose_name_plural = _("活动记录附件")
        ordering = ["record_id", "id"]

    def __str__(self) -> str:
        return self.name


class RecordComment(ConcurrentTransitionMixin, OwnedByOrganisation, models.Model):
    """A process-check comment (过程检查, DB43 §7.4.2) by the management layer on an activity
    record; the circle sees it and resolves it with an answer (lifecycle in workflow.py)."""

    # No index of its own: circles_comment_org_status_idx starts with it (issue 10 item 5).
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("企业"), db_index=False
    )
    circle = models.ForeignKey(Circle, on_delete=models.CASCADE, related_name="+", verbose_name=_("QC小组"))
    record = models.ForeignKey(
        ActivityRecord, on_delete=models.CASCADE, related_name="comments", verbose_name=_("活动记录")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("检查人")
    )
    text = models.TextField(_("检查意见"))
    status = FSMField(
        _("状态"), max_length=16, choices=CommentStatus.choices, default=CommentStatus.OPEN, protected=True
    )
    resolution = models.TextField(_("处理说明"), blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("处理人"),
    )
    resolved_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    objects = tenant_manager(circle="circle")

    class Meta:
        verbose_name = _("检查意见")
        verbose_name_plural = _("检查意见")
        ordering = ["record_id", "created_at", "id"]
        indexes = [models.Index(fields=["organisation", "status"], name="circles_comment_org_status_idx")]
        constraints = [
            _max_chars("text", 1000, "circles_recordcomment_text_max_1000"),
            _max_chars("resolution", 1000, "circles_recordcomment_resolution_max_1000"),
            models.CheckConstraint(condition=~Q(text=""), name="circles_recordcomment_text_not_empty"),
        ]

    def __str__(self) -> str:
        return self.text[:40]


class RegistrationSequence(models.Model):
    """The last number handed out per enterprise, kind (circle or project) and year, so that
    registration numbers are generated without gaps or duplicates under concurrency
    (row locked while a number is taken; unique per enterprise, kind and year)."""

    # No index of its own: circles_registrationsequence_org_kind_year_uniq starts with it (issue 10 item 5).
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+", db_index=False)
    kind = models.CharField(max_length=16)
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "kind", "year"],
                name="circles_registrationsequence_org_kind_year_uniq",
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.kind} {self.year}: {self.last}"


class CircleImport(OwnedByOrganisation, models.Model):
    """A bulk import of circles and members from the portal's Excel template: validated in
    a dry run first (``errors`` lists every faulty row with its Chinese reason), then
    imported all or nothing in the background with progress (0–100)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("企业")
    )
    file = models.FileField(_("导入文件"), upload_to="imports/%Y/", max_length=300)
    filename = models.CharField(_("文件名"), max_length=200)
    status = models.CharField(
        _("状态"), max_length=16, choices=ImportStatus.choices, default=ImportStatus.PENDING
    )
    progress = models.PositiveSmallIntegerField(_("进度"), default=0)
    total_rows = models.PositiveIntegerField(_("数据行数"), default=0)
    circles_created = models.PositiveIntegerField(_("新建小组数"), default=0)
    members_created = models.PositiveIntegerField(_("新建成员数"), default=0)
    preview = models.JSONField(_("预览"), default=list, blank=True)
    errors = models.JSONField(_("错误"), default=list, blank=True)
    error = models.TextField(_("失败原因"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("导入人")
    )
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    objects = tenant_manager()

    class Meta:
        verbose_name = _("小组批量导入")
        verbose_name_plural = _("小组批量导入")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(progress__lte=100), name="circles_circleimport_progress_range")
        ]

    def __str__(self) -> str:
        return self.filename
