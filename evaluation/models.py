"""Submissions, judges and score sheets (domain.md §6; standard.md §3–4)."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField

from circles.models import ActivityRecord, Circle, Project
from promotion.models import Campaign, CampaignDomain, CampaignEntry
from qcportal.models import Organisation, OwnedByOrganisation
from qcportal.tenancy import tenant_manager

from .choices import JudgeLevel, ScoreSheetKind, ScoreSheetStatus, SubmissionStatus

ASSESSMENT_MAX_CHARS = 300  # seed 002, Annex 5: 成果评价（优势/不足之处，限 300 字）


class Judge(OwnedByOrganisation, models.Model):
    """A judge (评委) registered with an association, with certificate number.

    ``certificate_number`` is the national QC judge certificate (评委证书编号, seed 002 Annex 4
    note 2: 评审组长/评委骨干证书编号). ``employer`` is the organisation the judge works for,
    used for automatic recusal (standard.md §4); ``work_unit`` is printed on Annex 4.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="judges", verbose_name=_("所属协会")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="judge_profiles",
        verbose_name=_("登录账户"),
    )
    name = models.CharField(_("姓名"), max_length=50)
    work_unit = models.CharField(_("工作单位"), max_length=200)
    employer = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="employed_judges",
        verbose_name=_("工作单位（系统内组织）"),
    )
    certificate_number = models.CharField(_("评委证书编号"), max_length=40)
    mobile = models.CharField(_("手机"), max_length=20, blank=True)
    level = models.CharField(
        _("评委级别"), max_length=16, choices=JudgeLevel.choices, default=JudgeLevel.JUDGE
    )
    is_active = models.BooleanField(_("有效"), default=True)

    objects = tenant_manager()

    class Meta:
        verbose_name = _("评委")
        verbose_name_plural = _("评委")
        ordering = ["organisation_id", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "certificate_number"],
                name="evaluation_judge_organisation_certificate_uniq",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.certificate_number}）"


class ScoringCriterion(models.Model):
    """One item of a score sheet with its maximum points (T/CAQ 10201-2020 附录B; standard.md §3).

    Seeded by migration with the standard's sheets; presentation sheets vary by body and are
    configured here rather than hard-coded.
    """

    sheet_kind = models.CharField(_("评分表"), max_length=32, choices=ScoreSheetKind.choices)
    code = models.CharField(_("代码"), max_length=40)
    label = models.CharField(_("评审项目"), max_length=100)
    description = models.CharField(_("评审内容"), max_length=300, blank=True)
    method = models.CharField(_("评审方法"), max_length=100, blank=True)
    max_points = models.PositiveSmallIntegerField(_("分值"))
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        verbose_name = _("评分项目")
        verbose_name_plural = _("评分项目")
        ordering = ["sheet_kind", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["sheet_kind", "code"], name="evaluation_scoringcriterion_kind_code_uniq"
            )
        ]

    def __str__(self) -> str:
        return f"{self.label}（{self.max_points}分）"


class Submission(ConcurrentTransitionMixin, OwnedByOrganisation, models.Model):
    """A result (成果) entered into a campaign (成果申报).

    ``organisation`` is the enterprise; ``recommending_unit`` the unit that recommends it and
    ``recommending_association`` the provincial or industry association that evaluates it and
    recommends it to the national association (seed 002: 推荐省市、行业). The contact and
    introduction fields fill Annex 1 (申报表). ``panel_assessment`` (≤300 characters) and
    ``score`` (points out of 100, the aggregate of the judges' sheets, 2 decimals) fill
    Annex 5.

    Issue 7: ``status`` is declared in ``evaluation/workflow.py`` (the recommendation chain);
    ``entry`` is the enterprise's sign-up it counts against (quota lock); ``seal_name`` the
    enterprise's name as on its seal (seed 002 Annex 1 note 2), copied from the sign-up and
    printed on Annex 1; ``recommendation_form`` the unit's sealed recommendation form (seed
    003 附件4); ``correction_due`` the deadline of a formal-review return; ``evidence`` the
    circle's activity records (活动记录等证实性材料, seed 002 Annex 1 note 1);
    ``presentation_video`` the benchmark candidates' video (seed 003 §二.4); ``source`` the
    submission of a child campaign this one was recommended from (推荐全国), with who
    recommended it, when and with which score.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="submissions", verbose_name=_("企业")
    )
    entry = models.ForeignKey(
        CampaignEntry,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="submissions",
        verbose_name=_("活动报名"),
    )
    seal_name = models.CharField(_("企业名称（以公章为准）"), max_length=200, blank=True)
    campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, related_name="submissions", verbose_name=_("活动")
    )
    project = models.ForeignKey(
        Project, on_delete=models.PROTECT, related_name="submissions", verbose_name=_("课题")
    )
    circle = models.ForeignKey(
        Circle, on_delete=models.PROTECT, related_name="submissions", verbose_name=_("QC小组")
    )
    recommending_unit = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("推荐单位")
    )
    recommending_association = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("推荐省市、行业")
    )
    domain = models.ForeignKey(
        CampaignDomain,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="submissions",
        verbose_name=_("领域"),
    )
    status = FSMField(
        _("状态"),
        max_length=20,
        choices=SubmissionStatus.choices,
        default=SubmissionStatus.DRAFT,
        protected=True,
    )
    evidence = models.ManyToManyField(
        ActivityRecord, blank=True, related_name="submissions", verbose_name=_("活动记录（证实性材料）")
    )
    recommendation_form = models.FileField(
        _("推荐表（加盖公章）"),
        upload_to="recommendations/%Y/",
        blank=True,
        max_length=300,
        help_text=_("推荐单位加盖公章的成果推荐表，PDF或图片，不超过20MB（沪质协[2022]8号 附件4）。"),
    )
    presentation_video = models.FileField(
        _("发表视频"),
        upload_to="videos/%Y/",
        blank=True,
        max_length=300,
        help_text=_("入围标杆级活动成果遴选的小组需递交发表视频（沪质协[2022]8号 二、4）。"),
    )
    benchmark_candidate = models.BooleanField(_("标杆级成果候选"), default=False)
    correction_due = models.DateField(_("修改截止日期"), null=True, blank=True)
    source = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="recommended_as",
        verbose_name=_("下级活动中的成果"),
    )
    recommended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("推荐人"),
    )
    recommended_score = models.DecimalField(
        _("推荐时分数"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    address = models.CharField(_("详细通信地址"), max_length=200, blank=True)
    postcode = models.CharField(_("邮编"), max_length=6, blank=True)
    contact_department = models.CharField(_("小组联系部门"), max_length=100, blank=True)
    contact_person = models.CharField(_("直接联系人"), max_length=50, blank=True)
    contact_mobile = models.CharField(_("手机"), max_length=20, blank=True)
    introduction = models.TextField(_("QC小组简介和主要活动过程及效果"), blank=True)
    panel_assessment = models.TextField(_("成果评价（优势/不足之处）"), blank=True)
    score = models.DecimalField(_("分数"), max_digits=5, decimal_places=2, null=True, blank=True)
    submitted_at = models.DateTimeField(_("申报时间"), null=True, blank=True)
    recommended_at = models.DateTimeField(_("推荐时间"), null=True, blank=True)
    result_report = models.FileField(
        _("成果报告"),
        upload_to="results/%Y/",
        blank=True,
        max_length=300,
        help_text=_("PDF或Word文件，不超过20MB（附件1注1：小组成果报告电子版）。"),
    )
    scores_released_at = models.DateTimeField(_("评分公开时间"), null=True, blank=True)
    scores_released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("评分公开人"),
    )

    objects = tenant_manager(circle="circle", submission="pk")

    class Meta:
        verbose_name = _("成果申报")
        verbose_name_plural = _("成果申报")
        ordering = ["campaign_id", "id"]
        indexes = [
            models.Index(
                fields=["campaign", "recommending_association", "status"],
                name="evaluation_sub_camp_assoc_idx",
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "project"], name="evaluation_submission_campaign_project_uniq"
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("panel_assessment"), ASSESSMENT_MAX_CHARS),
                name="evaluation_submission_assessment_max_300",
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=0, score__lte=100),
                name="evaluation_submission_score_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.circle} · {self.project}"


class ScoreSheet(OwnedByOrganisation, models.Model):
    """One judge's scores for one submission on one sheet (评分表; standard.md §3).

    ``organisation`` is the judging association (so enterprises never see judges' sheets).
    ``total`` is the sum of the item scores, out of 100. ``assessment`` is the judge's
    overall assessment, at most 300 characters (seed 002, Annex 5). A submitted sheet is
    locked; changing it needs it withdrawn first (standard.md §3).
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("评审协会")
    )
    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="score_sheets", verbose_name=_("成果")
    )
    judge = models.ForeignKey(
        Judge, on_delete=models.PROTECT, related_name="score_sheets", verbose_name=_("评委")
    )
    kind = models.CharField(_("评分表"), max_length=32, choices=ScoreSheetKind.choices)
    total = models.DecimalField(_("总分"), max_digits=5, decimal_places=2, default=Decimal("0"))
    assessment = models.TextField(_("总体评价"), blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=ScoreSheetStatus.choices, default=ScoreSheetStatus.DRAFT
    )
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)

    objects = tenant_manager(submission="submission", sheet="pk")

    class Meta:
        verbose_name = _("评分表")
        verbose_name_plural = _("评分表")
        ordering = ["submission_id", "judge_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "judge", "kind"],
                name="evaluation_scoresheet_submission_judge_kind_uniq",
            ),
            models.CheckConstraint(
                condition=Q(total__gte=0, total__lte=100), name="evaluation_scoresheet_total_range"
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("assessment"), ASSESSMENT_MAX_CHARS),
                name="evaluation_scoresheet_assessment_max_300",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.submission} · {self.judge}"


class ScoreItem(models.Model):
    """The points a sheet gives one criterion (0 to the criterion's maximum)."""

    sheet = models.ForeignKey(
        ScoreSheet, on_delete=models.CASCADE, related_name="items", verbose_name=_("评分表")
    )
    criterion = models.ForeignKey(
        ScoringCriterion, on_delete=models.PROTECT, related_name="+", verbose_name=_("评审项目")
    )
    points = models.DecimalField(_("得分"), max_digits=5, decimal_places=2)

    objects = tenant_manager("sheet__organisation", sheet="sheet")

    class Meta:
        verbose_name = _("评分")
        verbose_name_plural = _("评分")
        ordering = ["sheet_id", "criterion__position"]
        constraints = [
            models.UniqueConstraint(
                fields=["sheet", "criterion"], name="evaluation_scoreitem_sheet_criterion_uniq"
            ),
            models.CheckConstraint(condition=Q(points__gte=0), name="evaluation_scoreitem_points_nonneg"),
        ]

    def __str__(self) -> str:
        return f"{self.criterion.label}: {self.points}"

    def get_additional_data(self) -> dict:
        """Audit trail: item scores belong to the judging association."""
        return {"organisation_id": self.sheet.organisation_id}


class JudgeAssignment(OwnedByOrganisation, models.Model):
    """A judge assigned to a submission by the judging association (评委分配), or recused (回避).

    ``organisation`` is the judging association. ``is_panel_chair`` marks the panel chair
    (评审组长) who releases the panel's scores. A recused assignment (``recused``) keeps the
    reason; automatic recusal (standard.md §4: own enterprise, its group, its recommending
    unit) refuses the assignment in the first place, manual recusal is declared by the judge.
    A recused judge never sees the submission and their sheet no longer counts.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("评审协会")
    )
    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("成果")
    )
    judge = models.ForeignKey(
        Judge, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("评委")
    )
    is_panel_chair = models.BooleanField(_("评审组长"), default=False)
    recused = models.BooleanField(_("已回避"), default=False)
    recusal_reason = models.CharField(_("回避原因"), max_length=200, blank=True)
    assigned_at = models.DateTimeField(_("分配时间"), auto_now_add=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("分配人"),
    )

    objects = tenant_manager(submission="submission")

    class Meta:
        verbose_name = _("评委分配")
        verbose_name_plural = _("评委分配")
        ordering = ["submission_id", "-is_panel_chair", "judge__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "judge"], name="evaluation_judgeassignment_submission_judge_uniq"
            ),
            models.UniqueConstraint(
                fields=["submission"],
                condition=Q(is_panel_chair=True, recused=False),
                name="evaluation_judgeassignment_one_chair_uniq",
            ),
            models.CheckConstraint(
                condition=Q(recused=False) | ~Q(recusal_reason=""),
                name="evaluation_judgeassignment_recusal_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.judge} → {self.submission}"
