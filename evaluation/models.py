"""Submissions, judges and score sheets (domain.md §6; standard.md §3–4)."""

from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models, transaction
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField

from circles.choices import ProjectType
from circles.models import ActivityRecord, Circle, Project
from promotion.models import Campaign, CampaignDomain, CampaignEntry, PresentationConference
from qcportal.models import Organisation, OwnedByOrganisation
from qcportal.tenancy import shared_manager, tenant_manager

from .choices import (
    CertificateStatus,
    ConferenceSignUpStatus,
    GradeMethod,
    HonourKind,
    HonourStatus,
    JudgeLevel,
    JudgingStatus,
    LibrarySharing,
    PanelStatus,
    PresentationMode,
    QualificationKind,
    RoundEntry,
    RoundKind,
    RoundStatus,
    ScoreSheetKind,
    ScoreSheetStatus,
    SubmissionStatus,
)

ASSESSMENT_MAX_CHARS = 300  # seed 002, Annex 5: 成果评价（优势/不足之处，限 300 字）


class Judge(OwnedByOrganisation, models.Model):
    """A judge (评委) registered with an association, with certificate number.

    ``certificate_number`` is the national QC judge certificate (评委证书编号, seed 002 Annex 4
    note 2: 评审组长/评委骨干证书编号). ``employer`` is the organisation the judge works for,
    used for automatic recusal (standard.md §4); ``work_unit`` is printed on Annex 4.

    Issue 8 (专家库): ``domains`` lists the specialty domains by name (matched against a
    campaign's 领域 when panels are formed), ``topic_types`` the topic types the expert judges
    (``circles.choices.ProjectType`` values; empty means all); qualifications are
    :class:`JudgeQualification` rows. An expert may have no login (``user`` empty): staff then
    enter their paper sheets on their behalf.
    """

    # No index of its own: evaluation_judge_organisation_certificate_uniq starts with it (issue 10 item 5).
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="judges",
        verbose_name=_("所属协会"),
        db_index=False,
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
    email = models.EmailField(_("电子邮箱"), max_length=254, blank=True)
    level = models.CharField(
        _("评委级别"), max_length=16, choices=JudgeLevel.choices, default=JudgeLevel.JUDGE
    )
    domains = models.JSONField(_("专业领域"), default=list, blank=True)
    topic_types = models.JSONField(_("擅长课题类型"), default=list, blank=True)
    notes = models.CharField(_("备注"), max_length=200, blank=True)
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


class SheetTemplate(models.Model):
    """A versioned score sheet (评分表): its kind and items (T/CAQ 10201-2020 附录B; standard.md
    §3), issue 8 item 5.

    The standard's sheets are seeded by migration with ``organisation`` empty and version
    ``T/CAQ 10201-2020``; an association may derive its own variant (``based_on``), e.g. its
    presentation sheet. Items' maxima add up to 100 (each sheet is out of 100, standard.md §3).
    A template used by a sheet is never edited again: a change is a new version.
    """

    # No index of its own: evaluation_sheettemplate_org_kind_version_uniq starts with it (issue 10 item 5).
    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sheet_templates",
        verbose_name=_("所属协会"),
        db_index=False,
    )
    kind = models.CharField(_("评分表类别"), max_length=32, choices=ScoreSheetKind.choices)
    name = models.CharField(_("名称"), max_length=100)
    version = models.CharField(_("版本"), max_length=40)
    based_on = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("依据")
    )
    is_active = models.BooleanField(_("可用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("评分表模板")
        verbose_name_plural = _("评分表模板")
        ordering = ["kind", "organisation_id", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "kind", "version"],
                name="evaluation_sheettemplate_org_kind_version_uniq",
            ),
            models.UniqueConstraint(
                fields=["kind", "version"],
                condition=Q(organisation__isnull=True),
                name="evaluation_sheettemplate_standard_uniq",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.version}）"

    def get_additional_data(self) -> dict:
        """Audit trail: an association's variant belongs to it."""
        return {"organisation_id": self.organisation_id}


class ScoringCriterion(models.Model):
    """One item of a score sheet template with its maximum points (T/CAQ 10201-2020 附录B;
    standard.md §3). The standard's items are seeded by migration; presentation sheets vary
    by body and are configured as an association's template rather than hard-coded.
    """

    # No index of its own: evaluation_scoringcriterion_template_code_uniq starts with it (issue 10 item 5).
    template = models.ForeignKey(
        SheetTemplate,
        on_delete=models.CASCADE,
        related_name="criteria",
        verbose_name=_("评分表模板"),
        db_index=False,
    )
    code = models.CharField(_("代码"), max_length=40)
    label = models.CharField(_("评审项目"), max_length=100)
    description = models.CharField(_("评审内容"), max_length=300, blank=True)
    method = models.CharField(_("评审方法"), max_length=100, blank=True)
    max_points = models.PositiveSmallIntegerField(_("分值"))
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        verbose_name = _("评分项目")
        verbose_name_plural = _("评分项目")
        ordering = ["template_id", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["template", "code"], name="evaluation_scoringcriterion_template_code_uniq"
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
    # No index of its own: evaluation_sub_camp_assoc_idx starts with it (issue 10 item 5).
    campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, related_name="submissions", verbose_name=_("活动"), db_index=False
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
        ActivityRecord,
        through="evaluation.SubmissionEvidence",
        blank=True,
        related_name="submissions",
        verbose_name=_("活动记录（证实性材料）"),
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


class SubmissionEvidence(models.Model):
    """An activity record attached to a submission as evidence (the link of ``Submission.evidence``).

    No index on ``submission`` alone: the unique pair (submission, activityrecord) starts with it (issue 10
    item 5). Table, columns and unique constraint are those of the implicit table it replaces.
    """

    submission = models.ForeignKey(
        "evaluation.Submission", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    activityrecord = models.ForeignKey(ActivityRecord, on_delete=models.CASCADE, related_name="+")

    class Meta:
        db_table = "evaluation_submission_evidence"
        unique_together = [("submission", "activityrecord")]

    def __str__(self) -> str:
        return f"{self.submission_id} → {self.activityrecord_id}"


class ScoreSheet(ConcurrentTransitionMixin, OwnedByOrganisation, models.Model):
    """One judge's scores for one submission in one judging round (评分表; standard.md §3).

    ``organisation`` is the judging association (so enterprises never see judges' sheets).
    ``template`` is the versioned sheet the round uses for the submission (附录B or the
    association's variant). ``total`` is the sum of the item scores, out of 100.
    ``assessment`` is the judge's overall assessment (strengths and weaknesses), at most 300
    characters (seed 002, Annex 5); ``recommended_grade`` the grade the judge recommends.
    ``status`` is declared in ``evaluation/workflow.py`` (submit locks the sheet; withdrawing
    it to edit is a recorded transition; a recused judge's sheet is void and never counts).
    ``on_paper``/``entered_by``: a paper sheet entered by staff on behalf of a judge without
    a login (issue 8, item 4), recorded as such.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("评审协会")
    )
    # No index of its own: evaluation_scoresheet_round_submission_judge_uniq starts with it (issue 10 item 5).
    round = models.ForeignKey(
        "JudgingRound",
        on_delete=models.PROTECT,
        related_name="sheets",
        verbose_name=_("评审轮次"),
        db_index=False,
    )
    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="score_sheets", verbose_name=_("成果")
    )
    judge = models.ForeignKey(
        Judge, on_delete=models.PROTECT, related_name="score_sheets", verbose_name=_("评委")
    )
    template = models.ForeignKey(
        SheetTemplate, on_delete=models.PROTECT, related_name="sheets", verbose_name=_("评分表")
    )
    total = models.DecimalField(_("总分"), max_digits=5, decimal_places=2, default=Decimal("0"))
    assessment = models.TextField(_("总体评价"), blank=True)
    recommended_grade = models.ForeignKey(
        "GradeLevel",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("推荐等级"),
    )
    status = FSMField(
        _("状态"),
        max_length=16,
        choices=ScoreSheetStatus.choices,
        default=ScoreSheetStatus.DRAFT,
        protected=True,
    )
    on_paper = models.BooleanField(_("纸质评分表代录"), default=False)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("代录人"),
    )
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = tenant_manager(submission="submission", sheet="pk")

    class Meta:
        verbose_name = _("评分表")
        verbose_name_plural = _("评分表")
        ordering = ["round_id", "submission_id", "judge_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "submission", "judge"],
                name="evaluation_scoresheet_round_submission_judge_uniq",
            ),
            models.CheckConstraint(
                condition=Q(total__gte=0, total__lte=100), name="evaluation_scoresheet_total_range"
            ),
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("assessment"), ASSESSMENT_MAX_CHARS),
                name="evaluation_scoresheet_assessment_max_300",
            ),
            models.CheckConstraint(
                condition=Q(on_paper=False) | Q(entered_by__isnull=False),
                name="evaluation_scoresheet_paper_has_clerk",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.submission} · {self.judge}"


class ScoreItem(models.Model):
    """The points a sheet gives one criterion (0 to the criterion's maximum)."""

    # No index of its own: evaluation_scoreitem_sheet_criterion_uniq starts with it (issue 10 item 5).
    sheet = models.ForeignKey(
        ScoreSheet, on_delete=models.CASCADE, related_name="items", verbose_name=_("评分表"), db_index=False
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
    """A judge assigned to a submission in a judging round (评委分配), or recused (回避).

    Issue 8: ``round`` and ``panel`` place the assignment; ``pinned`` marks one staff fixed by
    hand, which automatic assignment keeps. Judges see their assignments only once the
    round's assignment is published (the round is open).

    ``organisation`` is the judging association. ``is_panel_chair`` marks the panel chair
    (评审组长) who releases the panel's scores. A recused assignment (``recused``) keeps the
    reason; automatic recusal (standard.md §4: own enterprise, its group, its recommending
    unit) refuses the assignment in the first place, manual recusal is declared by the judge.
    A recused judge never sees the submission and their sheet no longer counts.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("评审协会")
    )
    # No index of its own: evaluation_judgeassignment_round_submission_judge_uniq starts with it (issue 10 item 5).
    round = models.ForeignKey(
        "JudgingRound",
        on_delete=models.CASCADE,
        related_name="assignments",
        verbose_name=_("评审轮次"),
        db_index=False,
    )
    panel = models.ForeignKey(
        "Panel",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assignments",
        verbose_name=_("评审组"),
    )
    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("成果")
    )
    # No index of its own: evaluation_asg_judge_round_idx starts with it (issue 10 item 5).
    judge = models.ForeignKey(
        Judge, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("评委"), db_index=False
    )
    pinned = models.BooleanField(_("人工指定"), default=False)
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
        ordering = ["round_id", "submission_id", "-is_panel_chair", "judge__name"]
        indexes = [models.Index(fields=["judge", "round"], name="evaluation_asg_judge_round_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "submission", "judge"],
                name="evaluation_judgeassignment_round_submission_judge_uniq",
            ),
            models.UniqueConstraint(
                fields=["round", "submission"],
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


# --- issue 8: expert pool, judging, rounds, panels, conflicts, results ----------------------------
class JudgeQualification(models.Model):
    """A qualification an expert holds (e.g. QC小组活动推进者 or 诊断师 certificate), with its
    number and expiry (issue 8, item 1). An expired qualification stays on record and is shown
    as expired."""

    # No index of its own: evaluation_judgequalification_judge_kind_number_uniq starts with it (issue 10 item 5).
    judge = models.ForeignKey(
        Judge, on_delete=models.CASCADE, related_name="qualifications", verbose_name=_("评委"), db_index=False
    )
    kind = models.CharField(_("资格类别"), max_length=16, choices=QualificationKind.choices)
    title = models.CharField(_("证书名称"), max_length=100, blank=True)
    number = models.CharField(_("证书编号"), max_length=40)
    expires_on = models.DateField(_("有效期至"), null=True, blank=True)

    objects = tenant_manager("judge__organisation")

    class Meta:
        verbose_name = _("评委资格")
        verbose_name_plural = _("评委资格")
        ordering = ["judge_id", "kind", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["judge", "kind", "number"],
                name="evaluation_judgequalification_judge_kind_number_uniq",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}"

    def get_additional_data(self) -> dict:
        """Audit trail: a qualification belongs to the judge's association."""
        return {"organisation_id": self.judge.organisation_id}


class Judging(ConcurrentTransitionMixin, OwnedByOrganisation, models.Model):
    """The judging of one campaign's submissions by one association (评审工作), issue 8.

    ``organisation`` is the judging association: the submissions' 推荐省市、行业
    (``Submission.recommending_association``). It holds the aggregation settings (item 6):
    ``trim_min_judges`` (drop the highest and lowest total when at least this many judges
    scored, standard.md §4, default 5), ``score_places`` (decimal places, rounded half-up);
    the grade method (item 7); and the publication lifecycle ``status`` declared in
    ``evaluation/workflow.py`` (grading → leadership approval → published; reopening is an
    audited transition with a reason). Publication freezes scores and grades.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="judgings", verbose_name=_("评审协会")
    )
    # No index of its own: evaluation_judging_campaign_org_uniq starts with it (issue 10 item 5).
    campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, related_name="judgings", verbose_name=_("活动"), db_index=False
    )
    trim_min_judges = models.PositiveSmallIntegerField(
        _("去掉最高最低分所需的最少评委数"),
        default=5,
        help_text=_(
            "有效评委数达到此数时，去掉一个最高分和一个最低分后取平均，否则取平均（standard.md §4）。"
        ),
    )
    score_places = models.PositiveSmallIntegerField(
        _("分数保留小数位数"), default=2, help_text=_("四舍五入（standard.md §4）。")
    )
    grade_method = models.CharField(
        _("定级方式"), max_length=16, choices=GradeMethod.choices, default=GradeMethod.PLACES
    )
    status = FSMField(
        _("状态"), max_length=20, choices=JudgingStatus.choices, default=JudgingStatus.GRADING, protected=True
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("审批人"),
    )
    approved_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("发布人"),
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = tenant_manager()

    class Meta:
        verbose_name = _("评审工作")
        verbose_name_plural = _("评审工作")
        ordering = ["campaign_id", "organisation_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "organisation"], name="evaluation_judging_campaign_org_uniq"
            ),
            models.CheckConstraint(
                condition=Q(trim_min_judges__gte=3), name="evaluation_judging_trim_min_judges_min3"
            ),
            models.CheckConstraint(
                condition=Q(score_places__lte=3), name="evaluation_judging_score_places_max3"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign} · {self.organisation}"

    @property
    def is_frozen(self) -> bool:
        """Published: scores, sheets, assignments and grades may not change (issue 8, item 7)."""
        return self.status == JudgingStatus.PUBLISHED


class GradeLevel(models.Model):
    """One grade of a judging's scheme (等级; domain.md glossary, standard.md §5), highest first.

    ``min_score``: the lowest final score of the grade when grades go by band (e.g. ICQCC
    gold ≥ 90); ``places``: the number of places of the grade when grades go by selection
    (per domain in :class:`GradePlaces` when set there). ``position`` 1 is the highest grade.
    """

    # No index of its own: evaluation_gradelevel_judging_position_uniq starts with it (issue 10 item 5).
    judging = models.ForeignKey(
        Judging,
        on_delete=models.CASCADE,
        related_name="grade_levels",
        verbose_name=_("评审工作"),
        db_index=False,
    )
    name = models.CharField(_("等级"), max_length=40)
    position = models.PositiveSmallIntegerField(_("顺序"))
    min_score = models.DecimalField(_("最低分数"), max_digits=5, decimal_places=2, null=True, blank=True)
    places = models.PositiveIntegerField(_("名额"), null=True, blank=True)

    objects = tenant_manager("judging__organisation")

    class Meta:
        verbose_name = _("成果等级")
        verbose_name_plural = _("成果等级")
        ordering = ["judging_id", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["judging", "position"], name="evaluation_gradelevel_judging_position_uniq"
            ),
            models.UniqueConstraint(
                fields=["judging", "name"], name="evaluation_gradelevel_judging_name_uniq"
            ),
            models.CheckConstraint(
                condition=Q(min_score__isnull=True) | Q(min_score__gte=0, min_score__lte=100),
                name="evaluation_gradelevel_min_score_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_additional_data(self) -> dict:
        """Audit trail: grade levels belong to the judging association."""
        return {"organisation_id": self.judging.organisation_id}


class GradePlaces(models.Model):
    """Places of a grade in one domain (e.g. 标杆级 3 places in 制造业), issue 8 item 7."""

    # No index of its own: evaluation_gradeplaces_level_domain_uniq starts with it (issue 10 item 5).
    level = models.ForeignKey(
        GradeLevel,
        on_delete=models.CASCADE,
        related_name="domain_places",
        verbose_name=_("等级"),
        db_index=False,
    )
    domain = models.ForeignKey(
        CampaignDomain, on_delete=models.CASCADE, related_name="+", verbose_name=_("领域")
    )
    places = models.PositiveIntegerField(_("名额"))

    objects = tenant_manager("level__judging__organisation")

    class Meta:
        verbose_name = _("分领域名额")
        verbose_name_plural = _("分领域名额")
        constraints = [
            models.UniqueConstraint(
                fields=["level", "domain"], name="evaluation_gradeplaces_level_domain_uniq"
            )
        ]

    def __str__(self) -> str:
        return f"{self.level} · {self.domain}: {self.places}"

    def get_additional_data(self) -> dict:
        """Audit trail: places belong to the judging association."""
        return {"organisation_id": self.level.judging.organisation_id}


class JudgingRound(ConcurrentTransitionMixin, OwnedByOrganisation, models.Model):
    """A round of a judging (评审轮次), configured by staff (issue 8, item 2).

    ``kind``: 成果评审 (materials: the 附录B result sheet of the submission's topic type —
    ``template`` for 问题解决型, ``innovation_template`` for 创新型), 现场评审 (on-site,
    ``template``) or 发表评审 (presentation, ``template``; ``presentation_mode`` in person,
    live link or recorded video of at most ``video_minutes`` minutes). ``judges_per_submission``
    (N), ``judge_cap`` (most submissions per judge in this round, empty = no cap),
    ``weight`` (percent of the final score; the weights of a judging's rounds add up to 100),
    ``entry`` (which submissions enter: all, previous round's score ≥ ``entry_score``, or
    previous round's recommended grade at least ``entry_grade``), ``blind`` (judges see no
    enterprise, circle or member names). ``status`` is declared in ``evaluation/workflow.py``.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("评审协会")
    )
    # No index of its own: evaluation_round_judging_position_uniq starts with it (issue 10 item 5).
    judging = models.ForeignKey(
        Judging, on_delete=models.CASCADE, related_name="rounds", verbose_name=_("评审工作"), db_index=False
    )
    position = models.PositiveSmallIntegerField(_("轮次"))
    name = models.CharField(_("名称"), max_length=60)
    kind = models.CharField(
        _("评审方式"), max_length=16, choices=RoundKind.choices, default=RoundKind.MATERIALS
    )
    presentation_mode = models.CharField(
        _("发表方式"), max_length=16, choices=PresentationMode.choices, blank=True
    )
    video_minutes = models.PositiveSmallIntegerField(_("视频时长上限（分钟）"), null=True, blank=True)
    template = models.ForeignKey(
        SheetTemplate, on_delete=models.PROTECT, related_name="+", verbose_name=_("评分表")
    )
    innovation_template = models.ForeignKey(
        SheetTemplate,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("创新型课题评分表"),
    )
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    judges_per_submission = models.PositiveSmallIntegerField(_("每项成果评委数"), default=5)
    judge_cap = models.PositiveIntegerField(_("每位评委最多评审成果数"), null=True, blank=True)
    weight = models.DecimalField(_("权重（%）"), max_digits=5, decimal_places=2, default=Decimal("100"))
    entry = models.CharField(_("参评范围"), max_length=16, choices=RoundEntry.choices, default=RoundEntry.ALL)
    entry_score = models.DecimalField(_("分数线"), max_digits=5, decimal_places=2, null=True, blank=True)
    entry_grade = models.ForeignKey(
        GradeLevel,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("推荐等级线"),
    )
    blind = models.BooleanField(
        _("盲评"), default=False, help_text=_("评委在本轮看不到企业、小组和成员名称。")
    )
    status = FSMField(
        _("状态"), max_length=16, choices=RoundStatus.choices, default=RoundStatus.DRAFT, protected=True
    )
    assignment_published_at = models.DateTimeField(_("分配发布时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = tenant_manager()

    class Meta:
        verbose_name = _("评审轮次")
        verbose_name_plural = _("评审轮次")
        ordering = ["judging_id", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["judging", "position"], name="evaluation_round_judging_position_uniq"
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="evaluation_round_dates_order"
            ),
            models.CheckConstraint(
                condition=Q(weight__gte=0, weight__lte=100), name="evaluation_round_weight_range"
            ),
            models.CheckConstraint(
                condition=Q(judges_per_submission__gte=1, judges_per_submission__lte=15),
                name="evaluation_round_judges_range",
            ),
            models.CheckConstraint(
                condition=~Q(entry="min_score") | Q(entry_score__isnull=False),
                name="evaluation_round_min_score_has_score",
            ),
            models.CheckConstraint(
                condition=~Q(entry="min_grade") | Q(entry_grade__isnull=False),
                name="evaluation_round_min_grade_has_grade",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.judging.campaign} · {self.name}"

    def template_for(self, submission: Submission) -> SheetTemplate:
        """The sheet this round uses for ``submission``: in a materials round the innovation
        sheet for 创新型 topics (附录B), else ``template``."""
        from circles.choices import ProjectType

        if (
            self.kind == RoundKind.MATERIALS
            and self.innovation_template_id
            and submission.project.project_type == ProjectType.INNOVATION
        ):
            return self.innovation_template
        return self.template


class Panel(ConcurrentTransitionMixin, OwnedByOrganisation, models.Model):
    """A panel (评审组) of a round, usually one per domain, with its chair (评审组长) and judges.

    The chair sees the panel's sheets, discusses (:class:`PanelComment`) and signs off
    (``status`` declared in ``evaluation/workflow.py``; standard.md §3: 评审组长签字).
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("评审协会")
    )
    # No index of its own: evaluation_panel_round_name_uniq starts with it (issue 10 item 5).
    round = models.ForeignKey(
        JudgingRound,
        on_delete=models.CASCADE,
        related_name="panels",
        verbose_name=_("评审轮次"),
        db_index=False,
    )
    name = models.CharField(_("名称"), max_length=60)
    domain = models.ForeignKey(
        CampaignDomain,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("领域"),
    )
    chair = models.ForeignKey(
        Judge,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="chaired_panels",
        verbose_name=_("评审组长"),
    )
    judges = models.ManyToManyField(
        Judge, through="evaluation.PanelJudge", blank=True, related_name="panels", verbose_name=_("评委")
    )
    status = FSMField(
        _("状态"), max_length=16, choices=PanelStatus.choices, default=PanelStatus.OPEN, protected=True
    )
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("签字人"),
    )
    signed_off_at = models.DateTimeField(_("签字时间"), null=True, blank=True)

    objects = tenant_manager()

    class Meta:
        verbose_name = _("评审组")
        verbose_name_plural = _("评审组")
        ordering = ["round_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["round", "name"], name="evaluation_panel_round_name_uniq"),
        ]

    def __str__(self) -> str:
        return self.name


class PanelJudge(models.Model):
    """A judge sitting on a panel (the link of ``Panel.judges``).

    No index on ``panel`` alone: the unique pair (panel, judge) starts with it (issue 10
    item 5). Table, columns and unique constraint are those of the implicit table it replaces.
    """

    panel = models.ForeignKey("evaluation.Panel", on_delete=models.CASCADE, related_name="+", db_index=False)
    judge = models.ForeignKey(Judge, on_delete=models.CASCADE, related_name="+")

    class Meta:
        db_table = "evaluation_panel_judges"
        unique_together = [("panel", "judge")]

    def __str__(self) -> str:
        return f"{self.panel_id} → {self.judge_id}"


class PanelComment(OwnedByOrganisation, models.Model):
    """A remark in the panel's discussion before the chair signs off (issue 8, item 5)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("评审协会")
    )
    panel = models.ForeignKey(
        Panel, on_delete=models.CASCADE, related_name="comments", verbose_name=_("评审组")
    )
    submission = models.ForeignKey(
        Submission, null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("成果")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("发言人")
    )
    text = models.CharField(_("内容"), max_length=1000)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    objects = tenant_manager()

    class Meta:
        verbose_name = _("评审组讨论")
        verbose_name_plural = _("评审组讨论")
        ordering = ["panel_id", "created_at", "id"]

    def __str__(self) -> str:
        return self.text[:40]


class ConflictDeclaration(OwnedByOrganisation, models.Model):
    """A conflict of interest (回避) declared by a judge with a reason (standard.md §4, manual
    recusal; issue 8 item 3): with one submission, or with an organisation (every submission
    of that enterprise or recommended by that unit). ``organisation`` is the judge's
    association."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("评审协会")
    )
    judge = models.ForeignKey(
        Judge, on_delete=models.CASCADE, related_name="declarations", verbose_name=_("评委")
    )
    submission = models.ForeignKey(
        Submission, null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("成果")
    )
    party = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("相关单位"),
    )
    reason = models.CharField(_("回避原因"), max_length=200)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("申报人")
    )
    declared_at = models.DateTimeField(_("申报时间"), auto_now_add=True)

    objects = tenant_manager()

    class Meta:
        verbose_name = _("回避申报")
        verbose_name_plural = _("回避申报")
        ordering = ["judge_id", "-declared_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(submission__isnull=False) | Q(party__isnull=False),
                name="evaluation_conflictdeclaration_has_target",
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="evaluation_conflictdeclaration_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.judge} · {self.submission or self.party}"


class ConflictWaiver(OwnedByOrganisation, models.Model):
    """Staff waive a conflict of a judge with a submission, with a recorded reason (issue 8,
    item 3: waived only by staff). ``organisation`` is the judging association."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("评审协会")
    )
    # No index of its own: evaluation_conflictwaiver_judge_submission_uniq starts with it (issue 10 item 5).
    judge = models.ForeignKey(
        Judge, on_delete=models.CASCADE, related_name="waivers", verbose_name=_("评委"), db_index=False
    )
    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="+", verbose_name=_("成果")
    )
    reason = models.CharField(_("豁免理由"), max_length=200)
    waived_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("批准人")
    )
    waived_at = models.DateTimeField(_("批准时间"), auto_now_add=True)

    objects = tenant_manager()

    class Meta:
        verbose_name = _("回避豁免")
        verbose_name_plural = _("回避豁免")
        constraints = [
            models.UniqueConstraint(
                fields=["judge", "submission"], name="evaluation_conflictwaiver_judge_submission_uniq"
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="evaluation_conflictwaiver_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.judge} · {self.submission}"


class RoundScore(OwnedByOrganisation, models.Model):
    """A submission's score in one round (issue 8, item 6), computed from the submitted,
    non-recused sheets: ``score`` (points out of 100, trimmed mean when ``valid_judges`` ≥ the
    judging's ``trim_min_judges``, else the plain mean; rounded half-up to ``score_places``),
    ``valid_judges`` (sheets that count), ``normalised`` (mean of the judges' z-scores mapped
    back to points, advice only). ``organisation`` is the judging association."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("评审协会")
    )
    # No index of its own: evaluation_roundscore_round_submission_uniq starts with it (issue 10 item 5).
    round = models.ForeignKey(
        JudgingRound,
        on_delete=models.CASCADE,
        related_name="scores",
        verbose_name=_("评审轮次"),
        db_index=False,
    )
    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="round_scores", verbose_name=_("成果")
    )
    score = models.DecimalField(_("得分"), max_digits=6, decimal_places=3, null=True, blank=True)
    valid_judges = models.PositiveSmallIntegerField(_("有效评委数"), default=0)
    normalised = models.DecimalField(
        _("标准化得分（参考）"), max_digits=6, decimal_places=3, null=True, blank=True
    )
    computed_at = models.DateTimeField(_("计算时间"), auto_now=True)

    objects = tenant_manager(submission="submission")

    class Meta:
        verbose_name = _("轮次得分")
        verbose_name_plural = _("轮次得分")
        ordering = ["round_id", "submission_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "submission"], name="evaluation_roundscore_round_submission_uniq"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.round} · {self.submission}: {self.score}"


class Result(OwnedByOrganisation, models.Model):
    """A submission's outcome in a judging (评审结果), issue 8 item 7.

    ``final_score``: the weighted combination of its round scores (points out of 100, rounded
    half-up to the judging's places); ``rank``: its place in its domain (ties share a rank);
    ``grade``: the grade decided by staff on the selection board (undoable until publication;
    every decision is a :class:`GradeDecision`). ``organisation`` is the enterprise, so that
    the enterprise's page reads its published results in its own scope (selectors show
    unpublished ones to the judging association only).
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="results", verbose_name=_("企业")
    )
    # No index of its own: evaluation_res_judging_grade starts with it (issue 10 item 5).
    judging = models.ForeignKey(
        Judging, on_delete=models.CASCADE, related_name="results", verbose_name=_("评审工作"), db_index=False
    )
    submission = models.OneToOneField(
        Submission, on_delete=models.CASCADE, related_name="result", verbose_name=_("成果")
    )
    final_score = models.DecimalField(_("最终得分"), max_digits=5, decimal_places=2, null=True, blank=True)
    rank = models.PositiveIntegerField(_("领域排名"), null=True, blank=True)
    grade = models.ForeignKey(
        GradeLevel,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="results",
        verbose_name=_("等级"),
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = tenant_manager(submission="submission")

    class Meta:
        verbose_name = _("评审结果")
        verbose_name_plural = _("评审结果")
        ordering = ["judging_id", "rank", "submission_id"]
        indexes = [models.Index(fields=["judging", "grade"], name="evaluation_res_judging_grade")]
        constraints = [
            models.CheckConstraint(
                condition=Q(final_score__isnull=True) | Q(final_score__gte=0, final_score__lte=100),
                name="evaluation_result_score_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.submission}: {self.final_score} {self.grade or ''}"


class GradeDecision(OwnedByOrganisation, models.Model):
    """One grade decision on the selection board (issue 8, item 7), in a ``batch`` of bulk
    decisions: ``previous`` → ``grade`` for ``result``. Undoing a batch restores the previous
    grades and marks it ``undone``; possible until publication."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("评审协会")
    )
    result = models.ForeignKey(
        Result, on_delete=models.CASCADE, related_name="decisions", verbose_name=_("评审结果")
    )
    batch = models.UUIDField(_("批次"), db_index=True)
    previous = models.ForeignKey(
        GradeLevel,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("原等级"),
    )
    grade = models.ForeignKey(
        GradeLevel,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("新等级"),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("决定人")
    )
    decided_at = models.DateTimeField(_("决定时间"), auto_now_add=True)
    undone = models.BooleanField(_("已撤销"), default=False)

    objects = tenant_manager()

    class Meta:
        verbose_name = _("等级决定")
        verbose_name_plural = _("等级决定")
        ordering = ["-decided_at", "id"]

    def __str__(self) -> str:
        return f"{self.result}: {self.previous} → {self.grade}"


class ConferenceSignUp(ConcurrentTransitionMixin, OwnedByOrganisation, models.Model):
    """A circle's result signed up for an association's presentation conference (成果发表会报名;
    issue 11 item 2; seed 001 §7.5.2 成果发表交流, §9.1.2.2).

    The enterprise (``organisation``) signs one of its circle's completed or accepted projects
    up with the presenter's name; the hosting association chooses who presents (``status``
    ``selected``, with the ``order`` of presentation; declared in ``evaluation/workflow.py``).
    The conference's 发表会报名小组数 and 发表小组数 of seed 002 Annex 3 are counted from these
    rows (:func:`evaluation.conferences.conference_recount`), never typed.
    """

    # No index of its own: evaluation_signup_conf_status starts with it.
    conference = models.ForeignKey(
        PresentationConference,
        on_delete=models.CASCADE,
        related_name="signups",
        verbose_name=_("成果发表会"),
        db_index=False,
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="conference_signups", verbose_name=_("企业")
    )
    circle = models.ForeignKey(Circle, on_delete=models.PROTECT, related_name="+", verbose_name=_("QC小组"))
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="+", verbose_name=_("课题"))
    presenter = models.CharField(_("发表人"), max_length=50)
    status = FSMField(
        _("状态"),
        max_length=16,
        choices=ConferenceSignUpStatus.choices,
        default=ConferenceSignUpStatus.SIGNED_UP,
        protected=True,
    )
    order = models.PositiveSmallIntegerField(_("发表顺序"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("报名人"),
    )
    created_at = models.DateTimeField(_("报名时间"), auto_now_add=True)

    objects = tenant_manager()

    class Meta:
        verbose_name = _("发表会报名")
        verbose_name_plural = _("发表会报名")
        ordering = ["conference", "order", "id"]
        indexes = [models.Index(fields=["conference", "status"], name="evaluation_signup_conf_status")]
        constraints = [
            models.UniqueConstraint(
                fields=["conference", "project"],
                condition=~Q(status=ConferenceSignUpStatus.WITHDRAWN),
                name="evaluation_conferencesignup_project_uniq",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.circle} · {self.project}"

    def save(self, *args, **kwargs):
        """Save, then count the conference's sign-ups into its Annex 3 fields in the same
        transaction (:func:`evaluation.conferences.conference_recount`)."""
        from .conferences import conference_recount

        super().save(*args, **kwargs)
        conference_recount(self.conference)


class LibraryEntry(OwnedByOrganisation, models.Model):
    """A result in the knowledge base (成果知识库; issue 11 item 3; seed 001 §7.6 成果推广应用).

    One per project that was accepted (已验收) or took part in a published judging, written by
    :func:`evaluation.library.library_index` from the project, its circle, its latest
    submission (the report's text, the introduction, the domain) and its best published
    grade; never typed. ``organisation`` is the owning enterprise, which chooses
    ``sharing`` (rule R-KB-02); ``audience`` is the organisation whose subtree may see the
    entry (the enterprise itself, or the association it belongs to; empty: everyone logged
    in). ``economic_benefit`` is in 万元. ``search_text`` holds the words of the title,
    report and records segmented by jieba (search mode); ``search_vector`` is its PostgreSQL
    full-text vector (configuration ``simple``, GIN index ``evaluation_library_vector``; rule
    R-KB-01), stored so that ranking the matches reads it instead of parsing the text again;
    ``keywords`` are its top terms (TF-IDF), used for similar results. ``adoption_count``
    counts its :class:`Adoption` rows (rule R-KB-04).
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="library_entries", verbose_name=_("企业")
    )
    project = models.OneToOneField(
        Project, on_delete=models.CASCADE, related_name="library_entry", verbose_name=_("课题")
    )
    submission = models.ForeignKey(
        Submission,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("申报成果"),
    )
    sharing = models.CharField(
        _("共享范围"), max_length=16, choices=LibrarySharing.choices, default=LibrarySharing.OWN
    )
    # PROTECT: an audience cannot vanish (empty means everyone, so SET_NULL would publish).
    audience = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("可见范围"),
    )
    title = models.CharField(_("课题名称"), max_length=200)
    circle_name = models.CharField(_("QC小组名称"), max_length=100)
    enterprise_name = models.CharField(_("企业名称"), max_length=200)
    project_type = models.CharField(_("课题类型"), max_length=20, choices=ProjectType.choices)
    domain = models.CharField(_("专业领域"), max_length=100, blank=True)
    industry = models.CharField(_("行业"), max_length=50, blank=True)
    year = models.PositiveSmallIntegerField(_("年度"))
    economic_benefit = models.DecimalField(
        _("经济效益（万元）"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    grade = models.CharField(_("评审等级"), max_length=40, blank=True)
    honoured = models.BooleanField(_("获奖成果"), default=False)
    tools = models.CharField(_("使用的统计方法"), max_length=300, blank=True)
    summary = models.TextField(_("成果简介"), blank=True)
    keywords = models.CharField(_("关键词"), max_length=200, blank=True)
    search_text = models.TextField(_("检索文本"), blank=True, editable=False)
    # PostgreSQL: to_tsvector('simple', search_text), kept by library_index, GIN-indexed
    # (evaluation_library_vector); unused on SQLite.
    search_vector = SearchVectorField(null=True, editable=False)
    adoption_count = models.PositiveIntegerField(_("推广应用次数"), default=0)
    indexed_at = models.DateTimeField(_("入库时间"), auto_now=True)

    objects = shared_manager("audience")

    class Meta:
        verbose_name = _("知识库成果")
        verbose_name_plural = _("知识库成果")
        ordering = ["-year", "-id"]
        indexes = [
            models.Index(fields=["year", "project_type"], name="evaluation_library_year_type"),
            models.Index(fields=["-adoption_count", "-id"], name="evaluation_library_adopted"),
        ]

    def __str__(self) -> str:
        return self.title


class Adoption(OwnedByOrganisation, models.Model):
    """A record that a result of the knowledge base was adopted (推广应用; issue 11 item 3;
    seed 001 §7.6; rule R-KB-04): by which organisation (``organisation``, the one that
    records it), where (the department, line or site), when, and with what effect
    (``benefit`` in 万元 where calculable). One record per result, organisation and place;
    saving or deleting one recounts the entry's ``adoption_count`` in the same transaction.
    Visible to those who see the entry and to the adopting organisation."""

    # No index of its own: evaluation_adoption_place_uniq starts with it.
    entry = models.ForeignKey(
        LibraryEntry,
        on_delete=models.CASCADE,
        related_name="adoptions",
        verbose_name=_("成果"),
        db_index=False,
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("应用单位")
    )
    place = models.CharField(_("应用部门/场所"), max_length=100)
    adopted_on = models.DateField(_("应用日期"))
    effect = models.TextField(_("应用效果"), max_length=1000)
    benefit = models.DecimalField(
        _("经济效益（万元）"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("记录人"),
    )
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    objects = shared_manager("entry__audience")

    class Meta:
        verbose_name = _("推广应用")
        verbose_name_plural = _("推广应用")
        ordering = ["-adopted_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["entry", "organisation", "place"], name="evaluation_adoption_place_uniq"
            ),
            models.CheckConstraint(condition=Q(benefit__gte=0), name="evaluation_adoption_benefit_gte_0"),
        ]

    def __str__(self) -> str:
        return f"{self.entry} · {self.place}"


class Honour(ConcurrentTransitionMixin, OwnedByOrganisation, models.Model):
    """An honour granted (表彰; issue 11 item 4; seed 001 §9.1.2 激励; seed 002 §二(五)).

    ``organisation`` grants it: an association (its campaign's honours, 优秀企业, 卓越领导者,
    优秀推进者) or an enterprise (its own circles and promoters). It is nominated by the
    management layer and approved by the decision layer (``status``, declared in
    ``evaluation/workflow.py``). ``recipient`` is the organisation honoured or to which the
    circle or the person belongs (the honour is shown to it once approved); ``circle`` and
    ``result`` name a circle's honour by campaign grade (``grade``); ``person_name`` (and
    ``person`` when the person has an account) name a leader or promoter. Rewards:
    ``material_reward`` in 万元 (an enterprise's approved honours of a year are its Annex 3
    奖励费用 part ``honour_reward_spending``, rule R-HN-03) and ``other_rewards`` (非物质奖励:
    荣誉证书、通报表扬 …).
    """

    # No index of its own: evaluation_honour_org_year starts with it.
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="honours_granted",
        verbose_name=_("表彰单位"),
        db_index=False,
    )
    kind = models.CharField(_("表彰类别"), max_length=16, choices=HonourKind.choices)
    year = models.PositiveSmallIntegerField(_("年度"))
    campaign = models.ForeignKey(
        Campaign,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("年度活动"),
    )
    title = models.CharField(_("荣誉名称"), max_length=100)
    grade = models.CharField(_("等级"), max_length=40, blank=True)
    recipient = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="honours_received", verbose_name=_("受表彰单位")
    )
    circle = models.ForeignKey(
        Circle,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="honours",
        verbose_name=_("QC小组"),
    )
    result = models.ForeignKey(
        Result,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="honours",
        verbose_name=_("评审结果"),
    )
    person_name = models.CharField(_("姓名"), max_length=50, blank=True)
    person_position = models.CharField(_("职务"), max_length=50, blank=True)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="honours",
        verbose_name=_("人员账户"),
    )
    citation = models.TextField(_("主要事迹"), max_length=2000, blank=True)
    material_reward = models.DecimalField(
        _("物质奖励（万元）"), max_digits=14, decimal_places=4, default=Decimal("0")
    )
    other_rewards = models.CharField(_("非物质奖励"), max_length=200, blank=True)
    status = FSMField(
        _("状态"), max_length=16, choices=HonourStatus.choices, default=HonourStatus.NOMINATED, protected=True
    )
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("提名人"),
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("批准人"),
    )
    approved_at = models.DateTimeField(_("批准时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("提名时间"), auto_now_add=True)

    objects = shared_manager("recipient")

    class Meta:
        verbose_name = _("表彰")
        verbose_name_plural = _("表彰")
        ordering = ["-year", "-id"]
        indexes = [
            models.Index(fields=["organisation", "year", "status"], name="evaluation_honour_org_year"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(material_reward__gte=0), name="evaluation_honour_reward_gte_0"
            ),
            models.UniqueConstraint(
                fields=["organisation", "result"],
                condition=Q(result__isnull=False) & ~Q(status="revoked"),
                name="evaluation_honour_result_uniq",
            ),
        ]

    def __str__(self) -> str:
        who = self.person_name or (self.circle.name if self.circle_id else self.recipient.name)
        return f"{who} · {self.title}"

    def save(self, *args, **kwargs):
        """Save; when the honour is approved or revoked (the only states that change what
        counts: a reward is edited only before submission), set, in the same transaction, the
        granting enterprise's Annex 3 reward part of the honour's year to its approved honours'
        material rewards (:func:`evaluation.honours.honour_rewards_refresh`, rule R-HN-03)."""
        from .honours import honour_rewards_refresh

        with transaction.atomic():
            super().save(*args, **kwargs)
            if self.status in (HonourStatus.APPROVED, HonourStatus.REVOKED):
                honour_rewards_refresh(organisation_id=self.organisation_id, year=self.year)


class Certificate(ConcurrentTransitionMixin, OwnedByOrganisation, models.Model):
    """A numbered honour certificate (荣誉证书; issue 11 item 5; seed 002: Annex 1 and Annex 4
    data "是制作证书的依据") that anyone shown it can check at ``/verify/<number>``.

    Issued by ``organisation`` for an approved :class:`Honour` or a published grade
    (:class:`Result`); ``recipient`` is the organisation it names (it sees the certificate).
    What it states is frozen at issue: ``holder`` (the circle's name, the person's or the
    enterprise's), ``enterprise_name`` (as on its seal in Annex 1/4), ``project_title``,
    ``honour_text``, ``campaign_title``, ``issuer_name`` and ``issued_on``. ``number``
    (``<issuer>-<year>-<sequence>-<check>``, the check part random so that numbers cannot be
    guessed) is unique (rule R-CT-01). ``status`` is declared in ``evaluation/workflow.py``:
    revoked with a reason, or reissued (``replaces`` links the successor to it); one valid
    certificate per honour and per result at most.
    """

    # No index of its own: evaluation_cert_org_year starts with it.
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("颁发单位"), db_index=False
    )
    number = models.CharField(_("证书编号"), max_length=60, unique=True)
    honour = models.ForeignKey(
        Honour,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="certificates",
        verbose_name=_("表彰"),
    )
    result = models.ForeignKey(
        Result,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="certificates",
        verbose_name=_("评审结果"),
    )
    recipient = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="certificates", verbose_name=_("获证单位")
    )
    campaign = models.ForeignKey(
        Campaign,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("年度活动"),
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    holder = models.CharField(_("获证者"), max_length=200)
    enterprise_name = models.CharField(_("企业名称"), max_length=200)
    project_title = models.CharField(_("成果名称"), max_length=200, blank=True)
    honour_text = models.CharField(_("荣誉"), max_length=200)
    campaign_title = models.CharField(_("活动名称"), max_length=200, blank=True)
    issuer_name = models.CharField(_("颁发单位名称"), max_length=200)
    issued_on = models.DateField(_("颁发日期"))
    status = FSMField(
        _("状态"),
        max_length=16,
        choices=CertificateStatus.choices,
        default=CertificateStatus.VALID,
        protected=True,
    )
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    replaces = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replaced_by",
        verbose_name=_("换发自"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("颁发人"),
    )
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)

    objects = shared_manager("recipient")

    class Meta:
        verbose_name = _("荣誉证书")
        verbose_name_plural = _("荣誉证书")
        ordering = ["-year", "number"]
        indexes = [models.Index(fields=["organisation", "year", "campaign"], name="evaluation_cert_org_year")]
        constraints = [
            models.UniqueConstraint(
                fields=["honour"],
                condition=Q(honour__isnull=False, status="valid"),
                name="evaluation_cert_honour_valid_uniq",
            ),
            models.UniqueConstraint(
                fields=["result"],
                condition=Q(result__isnull=False, status="valid"),
                name="evaluation_cert_result_valid_uniq",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.holder}"
