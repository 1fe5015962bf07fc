"""Choices of the evaluation app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SubmissionStatus(models.TextChoices):
    """States of a result submitted to a campaign, declared in ``evaluation/workflow.py``
    (the recommendation chain: seed 003 §二.3–4, §三; seed 002 三). One label per state,
    the same on every page and in the API."""

    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待推荐单位推荐")
    UNIT_RETURNED = "unit_returned", _("推荐单位退回")
    UNIT_RECOMMENDED = "unit_recommended", _("待形式审查")
    RETURNED = "returned", _("形式审查退回修改")
    REJECTED = "rejected", _("不予受理")
    FORMALLY_REVIEWED = "formally_reviewed", _("形式审查通过（参评）")
    SCORED = "scored", _("已评审")
    RECOMMENDED = "recommended", _("已推荐上级")
    NOT_RECOMMENDED = "not_recommended", _("未推荐")
    WITHDRAWN = "withdrawn", _("已撤回")


#: States whose submission holds one of the enterprise's places (seed 003 §三.2).
QUOTA_STATES = tuple(
    s for s in SubmissionStatus.values if s not in (SubmissionStatus.REJECTED, SubmissionStatus.WITHDRAWN)
)


class ScoreSheetKind(models.TextChoices):
    """Score sheets of T/CAQ 10201-2020 附录B (standard.md §3)."""

    PROBLEM_SOLVING_RESULT = "problem_solving_result", _("问题解决型课题成果评价表")
    INNOVATION_RESULT = "innovation_result", _("创新型课题成果评价表")
    ONSITE = "onsite", _("质量管理小组活动现场评价表")
    PRESENTATION = "presentation", _("发表评审表")


class ScoreSheetStatus(models.TextChoices):
    """A sheet is editable as a draft and locked once submitted (standard.md §3)."""

    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交")
    RECUSED = "recused", _("回避作废")


class JudgeLevel(models.TextChoices):
    """Judge grades (domain.md §2; seed 002 Annex 4 note 2)."""

    PANEL_CHAIR = "panel_chair", _("评审组长")
    SENIOR = "senior", _("评委骨干")
    JUDGE = "judge", _("评委")


class QualificationKind(models.TextChoices):
    """Certificates an expert may hold besides the judge certificate (issue 8, item 1)."""

    PROMOTER = "promoter", _("QC小组活动推进者")
    DIAGNOSTICIAN = "diagnostician", _("QC小组活动诊断师")
    OTHER = "other", _("其他资格")


class RoundKind(models.TextChoices):
    """Judging rounds (domain.md glossary: 专家会审 / 发表评审 / 现场评审; standard.md §3)."""

    MATERIALS = "materials", _("成果评审")
    ONSITE = "onsite", _("现场评审")
    PRESENTATION = "presentation", _("发表评审")


class PresentationMode(models.TextChoices):
    """How a presentation round is held (issue 8, item 2)."""

    IN_PERSON = "in_person", _("现场发表")
    LIVE = "live", _("线上直播")
    VIDEO = "video", _("录制视频")


class RoundEntry(models.TextChoices):
    """Which submissions enter a round (issue 8, item 2)."""

    ALL = "all", _("全部参评成果")
    MIN_SCORE = "min_score", _("上一轮得分达到分数线")
    MIN_GRADE = "min_grade", _("上一轮推荐等级达到")


class RoundStatus(models.TextChoices):
    """A round is configured and assigned as a draft, opened by publishing its assignment
    (judges see their tasks and are notified), closed when every panel signed off."""

    DRAFT = "draft", _("筹备中")
    OPEN = "open", _("评审中")
    CLOSED = "closed", _("已结束")


class PanelStatus(models.TextChoices):
    """A panel scores, then its chair signs off (standard.md §3: 评审组长签字)."""

    OPEN = "open", _("评审中")
    SIGNED_OFF = "signed_off", _("组长已签字")


class JudgingStatus(models.TextChoices):
    """The judging of a campaign by one association: grading, leadership approval
    (awards:approve), publication (scores and grades frozen), audited reopening."""

    GRADING = "grading", _("评定中")
    PENDING_APPROVAL = "pending_approval", _("待领导审批")
    APPROVED = "approved", _("已审批")
    PUBLISHED = "published", _("已发布")


class GradeMethod(models.TextChoices):
    """How grades are decided (issue 8, item 7): by band of score (e.g. ICQCC gold/silver/
    bronze) or by selection with places per grade and domain (Shanghai 标杆级/优秀级/推进级)."""

    BAND = "band", _("按分数段")
    PLACES = "places", _("按名额遴选")


class ConferenceSignUpStatus(models.TextChoices):
    """A circle's sign-up for a result presentation conference (成果发表会报名; issue 11 item 2;
    seed 001 §7.5.2, §9.1.2.2), declared in ``evaluation/workflow.py``: signed up by its
    enterprise, chosen to present (安排发表) by the hosting association, or withdrawn."""

    SIGNED_UP = "signed_up", _("已报名")
    SELECTED = "selected", _("安排发表")
    WITHDRAWN = "withdrawn", _("已撤回")


class LibrarySharing(models.TextChoices):
    """With whom an enterprise shares a result of its knowledge base (成果知识库; issue 11 item
    3; seed 001 §7.6 成果推广应用; rule R-KB-02): its own organisation only (the default), the
    subtree of the association it belongs to, or everyone logged in to the portal."""

    OWN = "own", _("仅本企业")
    ASSOCIATION = "association", _("所属协会范围")
    EVERYONE = "everyone", _("全部登录用户")


class HonourKind(models.TextChoices):
    """What an honour recognises (表彰; issue 11 item 4; seed 001 §9.1.2; seed 002 §二(五)): a
    circle for its result (by campaign grade), an enterprise (优秀企业), a leader (卓越领导者) or
    a promoter (优秀推进者)."""

    CIRCLE = "circle", _("优秀QC小组")
    ENTERPRISE = "enterprise", _("优秀企业")
    LEADER = "leader", _("卓越领导者")
    PROMOTER = "promoter", _("优秀推进者")


class HonourStatus(models.TextChoices):
    """An honour's lifecycle, declared in ``evaluation/workflow.py``: nominated by the
    management layer, submitted, approved or returned by the decision layer, revoked."""

    NOMINATED = "nominated", _("已提名")
    SUBMITTED = "submitted", _("待审批")
    RETURNED = "returned", _("已退回")
    APPROVED = "approved", _("已批准")
    REVOKED = "revoked", _("已撤销")


class CertificateStatus(models.TextChoices):
    """A certificate (荣誉证书; issue 11 item 5) is valid until revoked (declared in
    ``evaluation/workflow.py``); a reissue revokes it and issues a successor."""

    VALID = "valid", _("有效")
    REVOKED = "revoked", _("已撤销")
