"""QC circles, their members, projects (课题) and activity records (domain.md §5)."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from qcportal.models import Organisation, OwnedByOrganisation
from qcportal.tenancy import tenant_manager

from .choices import MemberRole, ProcedureStep, ProjectStatus, ProjectType, TargetKind, procedure_for


class Circle(OwnedByOrganisation, models.Model):
    """A QC circle (质量管理小组) of an enterprise, registered for one year.

    Circles register yearly: each registration is one row with its registration number and
    date, so "cumulative registered circles" and "registered this year" of seed 002 Annex 3
    are counts of rows by ``registered_on``. ``organisation`` is the enterprise.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="circles", verbose_name=_("企业")
    )
    department = models.CharField(_("部门"), max_length=100, blank=True)
    name = models.CharField(_("QC小组名称"), max_length=100)
    registration_number = models.CharField(_("注册号"), max_length=40)
    registration_year = models.PositiveSmallIntegerField(_("注册年度"))
    registered_on = models.DateField(_("注册日期"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = tenant_manager(circle="pk")

    class Meta:
        verbose_name = _("QC小组")
        verbose_name_plural = _("QC小组")
        ordering = ["-registered_on", "id"]
        indexes = [models.Index(fields=["organisation", "registered_on"], name="circles_circle_org_reg_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "registration_number"], name="circles_circle_organisation_regno_uniq"
            )
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


class Project(OwnedByOrganisation, models.Model):
    """A circle's improvement topic (课题; standard.md §1, seed 001 §7.3–7.5).

    ``project_type`` is 问题解决型 (with ``target_kind`` 自定目标/指令性目标) or 创新型 (no
    target kind; database constraint). ``economic_benefit`` is the calculable economic
    benefit in 万元; only benefit confirmed by the finance or relevant department
    (``benefit_confirmed``) counts in statistics (standard.md §6). ``accepted_on`` is the
    acceptance (验收) date: an accepted project is a result (成果).
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("企业")
    )
    circle = models.ForeignKey(
        Circle, on_delete=models.CASCADE, related_name="projects", verbose_name=_("QC小组")
    )
    title = models.CharField(_("课题名称"), max_length=200)
    project_type = models.CharField(_("课题类型"), max_length=20, choices=ProjectType.choices)
    target_kind = models.CharField(
        _("目标类型"), max_length=16, choices=TargetKind.choices, null=True, blank=True
    )
    status = models.CharField(
        _("状态"), max_length=16, choices=ProjectStatus.choices, default=ProjectStatus.APPLIED
    )
    applied_on = models.DateField(_("立项申请日期"))
    registered_on = models.DateField(_("立项注册日期"), null=True, blank=True)
    accepted_on = models.DateField(_("验收日期"), null=True, blank=True)
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
    intangible_benefits = models.TextField(_("无形效益"), blank=True)

    objects = tenant_manager(circle="circle")

    class Meta:
        verbose_name = _("课题")
        verbose_name_plural = _("课题")
        ordering = ["-applied_on", "id"]
        indexes = [models.Index(fields=["organisation", "accepted_on"], name="circles_project_org_acc_idx")]
        constraints = [
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

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("企业")
    )
    circle = models.ForeignKey(
        Circle, on_delete=models.CASCADE, related_name="activity_records", verbose_name=_("QC小组")
    )
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="activity_records", verbose_name=_("课题")
    )
    step = models.CharField(_("活动步骤"), max_length=32, choices=ProcedureStep.choices)
    held_on = models.DateField(_("活动日期"))
    participants = models.PositiveSmallIntegerField(_("参加人数"), default=0)
    content = models.TextField(_("活动内容"), blank=True)
    tools = models.CharField(_("使用的统计方法"), max_length=200, blank=True)

    objects = tenant_manager(circle="circle")

    class Meta:
        verbose_name = _("活动记录")
        verbose_name_plural = _("活动记录")
        ordering = ["project_id", "held_on", "id"]
        indexes = [
            models.Index(fields=["organisation", "held_on", "circle"], name="circles_activity_org_date_idx")
        ]

    def __str__(self) -> str:
        return f"{self.project} · {self.get_step_display()}"
