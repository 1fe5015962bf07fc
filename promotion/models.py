"""Campaigns and the yearly figures that feed the official statistics."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField

from qcportal.models import Organisation, OwnedByOrganisation
from qcportal.roles import Layer
from qcportal.tenancy import lineage_manager, tenant_manager

from .choices import (
    ActivityType,
    CampaignStatus,
    GoalMetric,
    GradeScheme,
    ImprovementStatus,
    PlanStatus,
    StageKind,
    TrainingDelivery,
    TrainingKind,
)

#: The five domains of seed 003, 一、3 (制造类、市场服务类、非营利性服务类、建造类、“专精特新”中小企业类),
#: a new campaign's default domains.
DEFAULT_DOMAINS = ("制造类", "市场服务类", "非营利性服务类", "建造类", "“专精特新”中小企业类")

#: Submissions a participating unit may enter per campaign (seed 003 §三.2: 不超过2个).
DEFAULT_SUBMISSION_QUOTA = 2

ZERO = Decimal("0")


class Campaign(ConcurrentTransitionMixin, OwnedByOrganisation, models.Model):
    """An association's annual QC circle campaign (年度质量管理小组活动; domain.md §4).

    Carries the notice's document number (e.g. 中国质协字〔2020〕21号), theme, the statistical
    period of Annex 3 (e.g. 2019-06-01 to 2020-08-31, seed 002 Annex 3), and the deadline for
    materials to the national association (seed 002, 三(二): 2020-09-15). A provincial
    campaign points at the national one it feeds through ``parent``. Visible along the
    lineage: the owning association, its subtree and, for child campaigns, nothing sideways.

    Configuration (issue 7): ``submission_quota`` — results a participating unit (企业) may
    enter (seed 003 §三.2: at most 2; ``co_building_units``' enterprises are exempt,
    “其推荐成果名额不受限制”); ``recommendation_quota`` — when this campaign is a parent, the
    places each child association may recommend into it (``None``: no limit);
    ``fallback_unit`` — the recommending unit for enterprises no unit recommends (seed 003
    §二.3(2): 其他-市质协会员现场部); ``grade_scheme`` — how results are graded. ``status`` is
    declared in ``promotion/workflow.py`` (draft → open → closed); the current stage follows
    the calendar (:meth:`current_stage`).
    """

    # No index of its own: promotion_campaign_org_year_title_uniq starts with it (issue 10 item 5).
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="campaigns",
        verbose_name=_("主办协会"),
        db_index=False,
    )
    code = models.CharField(_("活动代码"), max_length=40, unique=True)
    year = models.PositiveSmallIntegerField(_("年度"))
    title = models.CharField(_("活动名称"), max_length=200)
    document_number = models.CharField(_("文号"), max_length=60, blank=True)
    theme = models.CharField(_("活动主题"), max_length=200, blank=True)
    period_start = models.DateField(_("统计期起"))
    period_end = models.DateField(_("统计期止"))
    deadline = models.DateField(_("材料报送截止日期"), null=True, blank=True)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("上级活动"),
    )
    status = FSMField(
        _("状态"), max_length=16, choices=CampaignStatus.choices, default=CampaignStatus.OPEN, protected=True
    )
    grade_scheme = models.CharField(
        _("成果分级"), max_length=32, choices=GradeScheme.choices, default=GradeScheme.BENCHMARK_EXCELLENT
    )
    submission_quota = models.PositiveSmallIntegerField(
        _("每个参与单位申报名额"),
        default=DEFAULT_SUBMISSION_QUOTA,
        validators=[MinValueValidator(1)],
        help_text=_("沪质协[2022]8号 三、2：各活动参与单位活动成果申报数量不超过2个。"),
    )
    recommendation_quota = models.PositiveSmallIntegerField(
        _("下级协会推荐名额"),
        null=True,
        blank=True,
        help_text=_("作为上级活动时，每个下级协会可推荐的成果数；留空为不限。"),
    )
    co_building_units = models.ManyToManyField(
        Organisation,
        through="promotion.CampaignCoBuildingUnit",
        blank=True,
        related_name="co_building_campaigns",
        verbose_name=_("共建推荐单位"),
        help_text=_(
            "与协会共建QC小组活动推进机制的推荐单位，其推荐成果名额不受限制（沪质协[2022]8号 三、2）。"
        ),
    )
    fallback_unit = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("兜底推荐单位"),
        help_text=_(
            "确无有关单位推荐的会员单位可选择的推荐单位，如“其他-市质协会员现场部”（沪质协[2022]8号 二、3(2)）。"
        ),
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    score_trim_min_judges = models.PositiveSmallIntegerField(
        _("去掉最高最低分所需的最少评委数"),
        default=5,
        help_text=_("评委人数达到此数时，去掉一个最高分和一个最低分后取平均（standard.md §4）。"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = lineage_manager()

    class Meta:
        verbose_name = _("年度活动")
        verbose_name_plural = _("年度活动")
        ordering = ["-year", "code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_start__lte=F("period_end")), name="promotion_campaign_period_order"
            ),
            models.UniqueConstraint(
                fields=["organisation", "year", "title"], name="promotion_campaign_org_year_title_uniq"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def stage_for(self, kind: str):
        """The campaign's stage of ``kind`` (a :class:`StageKind` value) or ``None``; uses
        prefetched ``stages`` when present."""
        return next((s for s in self.stages.all() if s.kind == kind), None)

    def current_stage(self, today=None):
        """The stage whose window holds ``today`` (Asia/Shanghai; the latest-starting one when
        windows overlap, as seed 003's do), or ``None`` between or after the stages."""
        from django.utils import timezone

        today = today or timezone.localdate()
        open_stages = [s for s in self.stages.all() if s.starts_on <= today <= s.ends_on]
        return max(open_stages, key=lambda s: (s.starts_on, s.pk), default=None)

    def next_deadline(self, today=None):
        """``(stage, date)`` of the nearest stage end on or after ``today``, or ``None``."""
        from django.utils import timezone

        today = today or timezone.localdate()
        upcoming = [s for s in self.stages.all() if s.ends_on >= today]
        stage = min(upcoming, key=lambda s: (s.ends_on, s.pk), default=None)
        return (stage, stage.ends_on) if stage else None


class CampaignCoBuildingUnit(models.Model):
    """A recommending unit co-building the campaign's mechanism (the link of
    ``Campaign.co_building_units``).

    No index on ``campaign`` alone: the unique pair (campaign, organisation) starts with it (issue 10
    item 5). Table, columns and unique constraint are those of the implicit table it replaces.
    """

    campaign = models.ForeignKey(
        "promotion.Campaign", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")

    class Meta:
        db_table = "promotion_campaign_co_building_units"
        unique_together = [("campaign", "organisation")]

    def __str__(self) -> str:
        return f"{self.campaign_id} → {self.organisation_id}"


class CampaignDomain(models.Model):
    """A domain (领域) of a campaign, e.g. 制造类 (seed 003, 一、3: five domains)."""

    # No index of its own: promotion_campaigndomain_campaign_name_uniq starts with it (issue 10 item 5).
    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="domains", verbose_name=_("活动"), db_index=False
    )
    name = models.CharField(_("领域"), max_length=50)
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)

    objects = lineage_manager("campaign__organisation")

    class Meta:
        verbose_name = _("领域")
        verbose_name_plural = _("领域")
        ordering = ["campaign_id", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "name"], name="promotion_campaigndomain_campaign_name_uniq"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_additional_data(self) -> dict:
        """Audit trail: domains belong to the campaign's association."""
        return {"organisation_id": self.campaign.organisation_id}


class CampaignStage(models.Model):
    """A dated stage of a campaign (seed 003, 二、活动安排: 报名 … 推广)."""

    # No index of its own: promotion_campaignstage_campaign_kind_uniq starts with it (issue 10 item 5).
    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="stages", verbose_name=_("活动"), db_index=False
    )
    kind = models.CharField(_("阶段"), max_length=32, choices=StageKind.choices)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    responsible = models.CharField(_("责任单位"), max_length=100, blank=True)

    objects = lineage_manager("campaign__organisation")

    class Meta:
        verbose_name = _("活动阶段")
        verbose_name_plural = _("活动阶段")
        ordering = ["campaign_id", "starts_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "kind"], name="promotion_campaignstage_campaign_kind_uniq"
            ),
            models.CheckConstraint(
                condition=Q(starts_on__lte=F("ends_on")), name="promotion_campaignstage_dates_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign} · {self.get_kind_display()}"

    def get_additional_data(self) -> dict:
        """Audit trail: stages belong to the campaign's association."""
        return {"organisation_id": self.campaign.organisation_id}


class EnterpriseAnnualFigures(OwnedByOrganisation, models.Model):
    """An enterprise's yearly figures for the statistics (seed 002, Annex 3).

    ``total_employees`` (职工总数, persons; empty until the enterprise reports it) is the
    denominator of the participation rate. The two spending rows of Annex 3 are in 万元 and
    are totals kept by :meth:`save` (database constraint: equal to their parts):

    - ``qc_activity_spending`` (企业对QC小组活动经费投入：培训、交流、书籍等) =
      ``other_activity_spending`` (typed: exchanges, books…) + ``training_spending`` (the
      costs of the trainings recorded in the portal that year, kept by
      :func:`promotion.trainings.annual_spending_refresh`; issue 11 item 2);
    - ``reward_spending`` (奖励费用) = ``other_reward_spending`` (typed) +
      ``honour_reward_spending`` (material rewards of the honours recorded that year).

    So what is recorded once (a training, an honour) is never typed again.
    """

    # No index of its own: promotion_enterpriseannualfigures_org_year_uniq starts with it (issue 10 item 5).
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="annual_figures",
        verbose_name=_("企业"),
        db_index=False,
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    total_employees = models.PositiveIntegerField(_("职工总数（人）"), null=True, blank=True)
    other_activity_spending = models.DecimalField(
        _("其他QC小组活动经费投入（交流、书籍等，万元）"),
        max_digits=14,
        decimal_places=4,
        default=ZERO,
        validators=[MinValueValidator(ZERO)],
    )
    training_spending = models.DecimalField(
        _("已登记培训的费用（万元）"), max_digits=14, decimal_places=4, default=ZERO, editable=False
    )
    qc_activity_spending = models.DecimalField(
        _("QC小组活动经费投入（万元）"), max_digits=14, decimal_places=4, default=ZERO, editable=False
    )
    other_reward_spending = models.DecimalField(
        _("其他QC小组活动奖励费用（万元）"),
        max_digits=14,
        decimal_places=4,
        default=ZERO,
        validators=[MinValueValidator(ZERO)],
    )
    honour_reward_spending = models.DecimalField(
        _("已登记荣誉的物质奖励（万元）"), max_digits=14, decimal_places=4, default=ZERO, editable=False
    )
    reward_spending = models.DecimalField(
        _("QC小组活动奖励费用（万元）"), max_digits=14, decimal_places=4, default=ZERO, editable=False
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = tenant_manager()

    class Meta:
        verbose_name = _("企业年度数据")
        verbose_name_plural = _("企业年度数据")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "year"], name="promotion_enterpriseannualfigures_org_year_uniq"
            ),
            models.CheckConstraint(
                condition=Q(other_activity_spending__gte=0)
                & Q(training_spending__gte=0)
                & Q(other_reward_spending__gte=0)
                & Q(honour_reward_spending__gte=0),
                name="promotion_enterpriseannualfigures_spending_nonneg",
            ),
            models.CheckConstraint(
                condition=Q(qc_activity_spending=F("other_activity_spending") + F("training_spending"))
                & Q(reward_spending=F("other_reward_spending") + F("honour_reward_spending")),
                name="promotion_enterpriseannualfigures_totals",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.year}"

    def save(self, *args, **kwargs):
        """Keep the two Annex 3 totals equal to their parts (with ``update_fields``, the
        totals are written too)."""
        self.qc_activity_spending = (self.other_activity_spending or ZERO) + (self.training_spending or ZERO)
        self.reward_spending = (self.other_reward_spending or ZERO) + (self.honour_reward_spending or ZERO)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {
                *update_fields,
                "qc_activity_spending",
                "reward_spending",
                "updated_at",
            }
        super().save(*args, **kwargs)


class PresentationConference(OwnedByOrganisation, models.Model):
    """An association's result presentation conference (成果发表会) in a campaign.

    Fills the conference row of seed 002, Annex 3: 是否组织发表会, 发表会报名小组数, 发表小组数,
    发表会时间, 发表会地点, 参会人数. Organised in the portal (issue 11 item 2): the association
    announces it (``title``, date, place, ``signup_deadline``), enterprises sign their circles'
    results up (``evaluation.models.ConferenceSignUp``), the association chooses the presenters
    and records the attendance; ``signed_up_circles`` and ``presented_circles`` are then
    counted from the sign-ups (:func:`evaluation.conferences.conference_recount`). Visible along
    the lineage, so that the enterprises below the association find it.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="conferences", verbose_name=_("主办协会")
    )
    # No index of its own: promotion_presentationconference_campaign_org_uniq starts with it (issue 10 item 5).
    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="conferences", verbose_name=_("活动"), db_index=False
    )
    title = models.CharField(_("发表会名称"), max_length=200, blank=True)
    held = models.BooleanField(_("是否组织发表会"), default=False)
    held_on = models.DateField(_("发表会时间"), null=True, blank=True)
    place = models.CharField(_("发表会地点"), max_length=200, blank=True)
    signed_up_circles = models.PositiveIntegerField(_("发表会报名小组数"), default=0)
    presented_circles = models.PositiveIntegerField(_("发表小组数"), default=0)
    attendance = models.PositiveIntegerField(_("参会人数"), default=0)
    signup_deadline = models.DateField(_("报名截止日期"), null=True, blank=True)

    objects = lineage_manager()

    class Meta:
        verbose_name = _("成果发表会")
        verbose_name_plural = _("成果发表会")
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "organisation"], name="promotion_presentationconference_campaign_org_uniq"
            ),
            models.CheckConstraint(
                condition=Q(presented_circles__lte=F("signed_up_circles")),
                name="promotion_presentationconference_presented_lte_signed_up",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} · {self.campaign}"

    def clean(self) -> None:
        """A conference that was held needs a date and a place."""
        if self.held and (self.held_on is None or not self.place):
            raise ValidationError(_("已组织发表会时，请填写发表会时间和地点。"))


class QualityCommittee(OwnedByOrganisation, models.Model):
    """An organisation's quality management committee (质量管理委员会, seed 001 §5.1.1): the
    highest decision and leadership body of its mass quality activities (决策层: strategy,
    resources, rules, incentives, major awards, §5.2.1). One per organisation."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.PROTECT, related_name="quality_committee", verbose_name=_("组织")
    )
    name = models.CharField(_("名称"), max_length=100, default="质量管理委员会")
    chair = models.CharField(_("主任"), max_length=50, blank=True)
    established_on = models.DateField(_("成立日期"), null=True, blank=True)
    charter = models.TextField(_("职责与制度"), blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = tenant_manager()

    class Meta:
        verbose_name = _("质量管理委员会")
        verbose_name_plural = _("质量管理委员会")
        constraints = [
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("charter"), 2000),
                name="promotion_qualitycommittee_charter_max_2000",
            )
        ]

    def __str__(self) -> str:
        return self.name


class StructureMember(OwnedByOrganisation, models.Model):
    """A person of one layer of an organisation's promotion structure (seed 001 §5.1.2:
    决策层 / 管理层 / 执行层) with position and duties; ``on_committee`` marks members of the
    quality management committee; ``user`` links a portal login when the person has one."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="structure_members", verbose_name=_("组织")
    )
    layer = models.CharField(_("层级"), max_length=16, choices=Layer.choices)
    name = models.CharField(_("姓名"), max_length=50)
    position = models.CharField(_("职务"), max_length=50, blank=True)
    duties = models.CharField(_("分工职责"), max_length=200, blank=True)
    on_committee = models.BooleanField(_("质量管理委员会成员"), default=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("登录账户"),
    )
    position_order = models.PositiveSmallIntegerField(_("顺序"), default=0)

    objects = tenant_manager()

    class Meta:
        verbose_name = _("推进组织成员")
        verbose_name_plural = _("推进组织成员")
        ordering = ["organisation_id", "layer", "position_order", "id"]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_layer_display()}）"


class StageExtension(OwnedByOrganisation, models.Model):
    """An extension of one stage's window granted to one organisation (延期): until when and
    why, by whom. The campaign's association grants it; the organisation's actions of that
    stage are accepted until ``until`` (inclusive, Asia/Shanghai). One per campaign,
    organisation and stage; granting again replaces it (the audit trail keeps the history).
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="stage_extensions", verbose_name=_("组织")
    )
    # No index of its own: promotion_stageextension_uniq starts with it (issue 10 item 5).
    campaign = models.ForeignKey(
        Campaign, on_delete=models.CASCADE, related_name="extensions", verbose_name=_("活动"), db_index=False
    )
    stage = models.CharField(_("阶段"), max_length=32, choices=StageKind.choices)
    until = models.DateField(_("延期至"))
    reason = models.CharField(_("延期原因"), max_length=200)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("批准人")
    )
    granted_at = models.DateTimeField(_("批准时间"), auto_now=True)

    objects = tenant_manager()

    class Meta:
        verbose_name = _("阶段延期")
        verbose_name_plural = _("阶段延期")
        ordering = ["campaign_id", "stage", "organisation_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "organisation", "stage"], name="promotion_stageextension_uniq"
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="promotion_stageextension_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} · {self.get_stage_display()} → {self.until}"


class CampaignEntry(OwnedByOrganisation, models.Model):
    """An enterprise's sign-up for a campaign (活动报名, seed 003 §二.1 and 附件2 报名表).

    ``organisation`` is the enterprise; ``recommending_unit`` the unit it signs up through
    (its own unit or the campaign's fallback unit, seed 003 §二.3(2)); ``seal_name`` the
    enterprise's name exactly as on its seal (企业名称（以公章为准）, seed 002 Annex 1 note
    2), which Annex 1 prints; the contact fields fill the form. One per campaign and
    enterprise; it also serialises the enterprise's submissions (the quota lock).
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="campaign_entries", verbose_name=_("企业")
    )
    # No index of its own: promotion_campaignentry_uniq starts with it (issue 10 item 5).
    campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, related_name="entries", verbose_name=_("活动"), db_index=False
    )
    # No index of its own: promotion_entry_unit_idx starts with it (issue 10 item 5).
    recommending_unit = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("推荐单位"), db_index=False
    )
    seal_name = models.CharField(_("企业名称（以公章为准）"), max_length=200)
    contact_person = models.CharField(_("联系人"), max_length=50)
    contact_mobile = models.CharField(_("手机"), max_length=20)
    contact_email = models.EmailField(_("邮箱"), blank=True)
    address = models.CharField(_("详细通信地址"), max_length=200, blank=True)
    postcode = models.CharField(_("邮编"), max_length=6, blank=True)
    signed_up_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("报名人")
    )
    signed_up_at = models.DateTimeField(_("报名时间"), auto_now_add=True)

    objects = tenant_manager()

    class Meta:
        verbose_name = _("活动报名")
        verbose_name_plural = _("活动报名")
        ordering = ["campaign_id", "id"]
        indexes = [models.Index(fields=["recommending_unit", "campaign"], name="promotion_entry_unit_idx")]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "organisation"], name="promotion_campaignentry_uniq"),
            models.CheckConstraint(condition=~Q(seal_name=""), name="promotion_campaignentry_has_seal_name"),
        ]

    def __str__(self) -> str:
        return f"{self.seal_name} · {self.campaign}"


class Announcement(OwnedByOrganisation, models.Model):
    """An association's announcement (通知公告), e.g. a campaign notice such as 沪质协[2022]8号
    with its annexes. Visible to the association's subtree (lineage); optionally tied to a
    campaign; ``pinned`` ones come first; ``published_at`` ``None`` is a draft."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="announcements", verbose_name=_("发布协会")
    )
    campaign = models.ForeignKey(
        Campaign,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="announcements",
        verbose_name=_("活动"),
    )
    title = models.CharField(_("标题"), max_length=200)
    document_number = models.CharField(_("文号"), max_length=60, blank=True)
    body = models.TextField(_("正文"), blank=True)
    pinned = models.BooleanField(_("置顶"), default=False)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("发布人")
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = lineage_manager()

    class Meta:
        verbose_name = _("通知公告")
        verbose_name_plural = _("通知公告")
        ordering = ["-pinned", "-published_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=LessThanOrEqual(Length("body"), 20000), name="promotion_announcement_body_max"
            )
        ]

    def __str__(self) -> str:
        return self.title


class AnnouncementAttachment(models.Model):
    """A file attached to an announcement (附件: PDF, Word or Excel, ≤ 20 MB)."""

    announcement = models.ForeignKey(
        Announcement, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("通知公告")
    )
    title = models.CharField(_("附件名称"), max_length=200)
    file = models.FileField(_("文件"), upload_to="announcements/%Y/", max_length=300)
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)

    objects = lineage_manager("announcement__organisation")

    class Meta:
        verbose_name = _("公告附件")
        verbose_name_plural = _("公告附件")
        ordering = ["announcement_id", "position", "id"]

    def __str__(self) -> str:
        return self.title

    def get_additional_data(self) -> dict:
        """Audit trail: attachments belong to the announcement's association."""
        return {"organisation_id": self.announcement.organisation_id}


class PromotionPlan(ConcurrentTransitionMixin, OwnedByOrganisation, models.Model):
    """An organisation's annual promotion plan of mass quality activities (群众性质量活动年度
    推进计划; seed 001 §6, §7.1).

    One per organisation and year. It holds the quality diagnosis (:class:`PlanFinding`:
    weak points with their evidence, §6.1), the direction (§6.2) and its measurable goals
    (:class:`PlanGoal`), the chosen activity types with their purpose (:class:`PlanActivity`,
    §6.3), the key projects with budget in 万元 and schedule (:class:`PlanProject`, §6.4) and
    the activity plans (:class:`ActivityPlan`: theme, time, responsibilities, resources,
    expected results; §7.1). Drafted by the management layer, approved by the decision layer
    (seed 001 §5.2.1–5.2.2): ``status`` is declared in ``promotion/workflow.py``.
    """

    # No index of its own: promotion_plan_org_year_uniq starts with it.
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="plans",
        verbose_name=_("推进机构"),
        db_index=False,
    )
    year = models.PositiveSmallIntegerField(_("年度"), validators=[MinValueValidator(2000)])
    title = models.CharField(_("计划名称"), max_length=200)
    direction = models.TextField(_("推进方向"), max_length=2000, blank=True)
    status = FSMField(
        _("状态"), max_length=16, choices=PlanStatus.choices, default=PlanStatus.DRAFT, protected=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("编制人"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = tenant_manager()

    class Meta:
        verbose_name = _("年度推进计划")
        verbose_name_plural = _("年度推进计划")
        ordering = ["-year", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "year"], name="promotion_plan_org_year_uniq"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def editable(self) -> bool:
        """The plan's content may change: while drafted or after being returned."""
        return self.status in (PlanStatus.DRAFT, PlanStatus.RETURNED)


class PlanPart(models.Model):
    """A row of a plan (abstract): scoped by its plan's organisation, ordered by ``position``."""

    position = models.PositiveSmallIntegerField(_("顺序"), default=0)

    objects = tenant_manager("plan__organisation")

    class Meta:
        abstract = True
        ordering = ["position", "id"]


class PlanFinding(PlanPart):
    """A weak point found by the quality diagnosis, with its evidence (质量诊断, seed 001 §6.1)."""

    plan = models.ForeignKey(PromotionPlan, on_delete=models.CASCADE, related_name="findings")
    weak_point = models.CharField(_("薄弱环节"), max_length=200)
    evidence = models.CharField(_("依据（数据、事实）"), max_length=500)

    class Meta(PlanPart.Meta):
        verbose_name = _("质量诊断")
        verbose_name_plural = _("质量诊断")

    def __str__(self) -> str:
        return str(self.weak_point)


class PlanGoal(PlanPart):
    """A measurable goal of the plan (推进目标, seed 001 §6.2): a metric and its target; the
    actual value of a dashboard metric is read from the dashboard, that of ``other`` is
    typed here (``actual``)."""

    plan = models.ForeignKey(PromotionPlan, on_delete=models.CASCADE, related_name="goals")
    metric = models.CharField(_("指标"), max_length=32, choices=GoalMetric.choices)
    description = models.CharField(_("目标说明"), max_length=200, blank=True)
    target = models.DecimalField(
        _("目标值"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)]
    )
    actual = models.DecimalField(
        _("实际值（其他指标）"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )

    class Meta(PlanPart.Meta):
        verbose_name = _("推进目标")
        verbose_name_plural = _("推进目标")
        constraints = [
            models.CheckConstraint(condition=Q(target__gte=0), name="promotion_plangoal_target_gte_0"),
        ]

    def __str__(self) -> str:
        return str(self.get_metric_display())


class PlanActivity(PlanPart):
    """An activity type chosen for the year, with its purpose (活动选定, seed 001 §6.3)."""

    # No index of its own: promotion_planactivity_plan_kind_uniq starts with it.
    plan = models.ForeignKey(
        PromotionPlan, on_delete=models.CASCADE, related_name="activities", db_index=False
    )
    kind = models.CharField(_("活动类型"), max_length=16, choices=ActivityType.choices)
    purpose = models.CharField(_("定位与适用范围"), max_length=500)

    class Meta(PlanPart.Meta):
        verbose_name = _("选定的活动类型")
        verbose_name_plural = _("选定的活动类型")
        constraints = [
            models.UniqueConstraint(fields=["plan", "kind"], name="promotion_planactivity_plan_kind_uniq"),
        ]

    def __str__(self) -> str:
        return str(self.get_kind_display())


class PlanProject(PlanPart):
    """A key project of the annual plan with its budget (万元) and schedule (重点项目、预算
    安排与进度要求, seed 001 §6.4)."""

    plan = models.ForeignKey(PromotionPlan, on_delete=models.CASCADE, related_name="projects")
    name = models.CharField(_("重点项目"), max_length=200)
    budget = models.DecimalField(
        _("预算（万元）"), max_digits=12, decimal_places=2, default=ZERO, validators=[MinValueValidator(0)]
    )
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("完成日期"))
    responsible = models.CharField(_("责任部门/人"), max_length=100, blank=True)

    class Meta(PlanPart.Meta):
        verbose_name = _("重点项目")
        verbose_name_plural = _("重点项目")
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_on__lte=F("ends_on")), name="promotion_planproject_dates"
            ),
            models.CheckConstraint(condition=Q(budget__gte=0), name="promotion_planproject_budget_gte_0"),
        ]

    def __str__(self) -> str:
        return str(self.name)


class ActivityPlan(PlanPart):
    """The implementation plan of one activity (活动实施方案, seed 001 §7.1): theme, time,
    responsibilities, resources and expected results."""

    plan = models.ForeignKey(PromotionPlan, on_delete=models.CASCADE, related_name="activity_plans")
    kind = models.CharField(_("活动类型"), max_length=16, choices=ActivityType.choices)
    theme = models.CharField(_("活动主题"), max_length=200)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    responsibilities = models.CharField(_("责任分工"), max_length=500)
    resources = models.CharField(_("资源配置"), max_length=500, blank=True)
    expected_results = models.CharField(_("预期成效"), max_length=500)

    class Meta(PlanPart.Meta):
        verbose_name = _("活动实施方案")
        verbose_name_plural = _("活动实施方案")
        constraints = [
            models.CheckConstraint(
                condition=Q(starts_on__lte=F("ends_on")), name="promotion_activityplan_dates"
            ),
        ]

    def __str__(self) -> str:
        return str(self.theme)


class Training(OwnedByOrganisation, models.Model):
    """A publicity or training activity of an organisation (宣传培训, seed 001 §7.2; issue 11
    item 2): a training session or a publicity campaign, run internally or attended outside,
    with its date, topic, trainer, number of participants, hours per participant (学时) and
    cost in 万元.

    An enterprise's costs of a year are its Annex 3 training spending
    (``EnterpriseAnnualFigures.training_spending``, kept by
    :func:`promotion.trainings.annual_spending_refresh` in the same transaction), so they are
    never typed twice (seed 002 Annex 3: 经费投入含培训、交流、书籍等费用). An association's own
    trainings are recorded the same way and count in no enterprise's spending.
    """

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="trainings",
        verbose_name=_("组织"),
        db_index=False,
    )
    kind = models.CharField(
        _("类别"), max_length=16, choices=TrainingKind.choices, default=TrainingKind.TRAINING
    )
    delivery = models.CharField(
        _("形式"), max_length=16, choices=TrainingDelivery.choices, default=TrainingDelivery.INTERNAL
    )
    held_on = models.DateField(_("日期"))
    topic = models.CharField(_("主题"), max_length=200)
    trainer = models.CharField(_("授课人或承办方"), max_length=100, blank=True)
    participants = models.PositiveIntegerField(
        _("参加人数"), validators=[MinValueValidator(1), MaxValueValidator(1_000_000)]
    )
    hours = models.DecimalField(
        _("每人学时"),
        max_digits=5,
        decimal_places=1,
        default=ZERO,
        validators=[MinValueValidator(ZERO), MaxValueValidator(Decimal("1000"))],
    )
    cost = models.DecimalField(
        _("费用（万元）"), max_digits=12, decimal_places=4, default=ZERO, validators=[MinValueValidator(ZERO)]
    )
    notes = models.TextField(_("说明"), max_length=2000, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("登记人"),
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = tenant_manager()

    class Meta:
        verbose_name = _("宣传培训")
        verbose_name_plural = _("宣传培训")
        ordering = ["-held_on", "-id"]
        indexes = [models.Index(fields=["organisation", "held_on"], name="promotion_training_org_date")]
        constraints = [
            models.CheckConstraint(
                condition=Q(cost__gte=0) & Q(hours__gte=0) & Q(participants__gte=1),
                name="promotion_training_amounts_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.held_on:%Y-%m-%d} {self.topic}"

    @property
    def person_hours(self) -> Decimal:
        """参训人次×学时: participants × hours per participant."""
        return self.participants * self.hours


class YearlyReview(OwnedByOrganisation, models.Model):
    """An organisation's yearly evaluation of its promotion (年度评价; issue 11 item 6; seed 001
    §9.1.1 评价): what was achieved (``results``), the problems (``problems``) and the
    directions for next year (``directions``), each ≤ 5,000 characters, written by its
    management layer beside the year's plan goals and their actual values. For an
    association the same texts fill its Annex 2 (seed 002 附件2: 基本情况 / 存在问题 / 改进方向)
    where that summary is still empty (:func:`reports.worksummary.review_sections`). One per
    organisation and year; its improvement items (:class:`ImprovementItem`) follow from it."""

    # No index of its own: promotion_review_org_year_uniq starts with it.
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("组织"), db_index=False
    )
    year = models.PositiveSmallIntegerField(_("年度"), validators=[MinValueValidator(2000)])
    results = models.TextField(_("取得的成效"), max_length=5000, blank=True)
    problems = models.TextField(_("存在的问题"), max_length=5000, blank=True)
    directions = models.TextField(_("改进方向"), max_length=5000, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("最后修改人"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("最后修改时间"), auto_now=True)

    objects = tenant_manager()

    class Meta:
        verbose_name = _("年度评价")
        verbose_name_plural = _("年度评价")
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "year"], name="promotion_review_org_year_uniq"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.year}"


class ImprovementItem(ConcurrentTransitionMixin, OwnedByOrganisation, models.Model):
    """An item of the improvement list (改进清单; issue 11 item 6; seed 001 §9.2 改进): what is
    to be improved, who owns it (``owner``, a member of the organisation), by when
    (``deadline``), its state (declared in ``promotion/workflow.py``) and the evidence of its
    completion. An item past its deadline and not done is overdue: it stands on its owner's
    to-do list and its owner is reminded once (rule R-IM-02)."""

    # No index of its own: promotion_improve_org_status starts with it.
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("组织"), db_index=False
    )
    review = models.ForeignKey(
        YearlyReview,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="items",
        verbose_name=_("年度评价"),
    )
    year = models.PositiveSmallIntegerField(_("年度"), validators=[MinValueValidator(2000)])
    title = models.CharField(_("改进事项"), max_length=200)
    description = models.TextField(_("问题与措施"), max_length=2000, blank=True)
    # No index of its own: promotion_improve_owner starts with it.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("责任人"),
        db_index=False,
    )
    deadline = models.DateField(_("完成期限"))
    status = FSMField(
        _("状态"),
        max_length=16,
        choices=ImprovementStatus.choices,
        default=ImprovementStatus.OPEN,
        protected=True,
    )
    evidence = models.TextField(_("完成证据"), max_length=2000, blank=True)
    completed_on = models.DateField(_("完成日期"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("登记人"),
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    objects = tenant_manager()

    class Meta:
        verbose_name = _("改进事项")
        verbose_name_plural = _("改进清单")
        ordering = ["deadline", "id"]
        indexes = [
            models.Index(fields=["organisation", "status", "deadline"], name="promotion_improve_org_status"),
            models.Index(fields=["owner", "status", "deadline"], name="promotion_improve_owner"),
        ]

    def __str__(self) -> str:
        return self.title
