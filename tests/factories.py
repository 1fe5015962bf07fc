"""factory_boy factories for tests. They build rows without a tenant scope (callers wrap
them in ``no_tenant()``; the ``network`` fixture does)."""

import datetime as dt
from decimal import Decimal

import factory
from django.utils import timezone

from circles.choices import CircleStatus, MemberRole, ProjectStatus, ProjectType, TargetKind
from circles.models import ActivityRecord, Circle, CircleMember, Project
from evaluation.choices import JudgeLevel, ScoreSheetKind, ScoreSheetStatus, SubmissionStatus
from evaluation.models import Judge, ScoreSheet, Submission
from promotion.models import Campaign, EnterpriseAnnualFigures, PresentationConference
from qcportal.choices import OrganisationKind
from qcportal.models import Membership, Organisation, User

PASSWORD = "Test-pass-2020!"


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"ORG{n}")
    name = factory.LazyAttribute(lambda o: f"{o.code}测试单位")
    kind = OrganisationKind.ENTERPRISE


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"测试用户{n}")
    mobile = "13900000000"
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(self, create, extracted, **kwargs):
        if create:
            self.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = "association_staff"


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"C-{n}")
    year = 2020
    title = factory.LazyAttribute(lambda o: f"{o.code} 年度质量管理小组活动")
    document_number = "中国质协字〔2020〕21号"
    theme = "扎根基层 落实标准 创新赋能"
    period_start = dt.date(2019, 6, 1)
    period_end = dt.date(2020, 8, 31)
    deadline = dt.date(2020, 9, 15)


class CircleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Circle
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"攻关{n}QC小组")
    department = "质量管理部"
    status = CircleStatus.REGISTERED
    registration_number = factory.Sequence(lambda n: f"REG-{n:05d}")
    registered_on = dt.date(2019, 7, 1)
    registration_year = factory.LazyAttribute(lambda o: o.registered_on.year)

    @factory.post_generation
    def members(self, create, extracted, **kwargs):
        """``members=N`` creates N members, the first the leader."""
        if create and extracted:
            CircleMember.objects.bulk_create(
                CircleMember(
                    organisation=self.organisation,
                    circle=self,
                    name=f"{self.name}成员{i + 1}",
                    role=MemberRole.LEADER if i == 0 else MemberRole.MEMBER,
                    position="工程师",
                    position_order=i + 1,
                )
                for i in range(extracted)
            )


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    circle = factory.SubFactory(CircleFactory)
    organisation = factory.SelfAttribute("circle.organisation")
    title = factory.Sequence(lambda n: f"降低产品不良率{n}")
    project_type = ProjectType.PROBLEM_SOLVING
    target_kind = TargetKind.SELF_SET
    status = ProjectStatus.IN_PROGRESS
    applied_on = factory.SelfAttribute("circle.registered_on")
    economic_benefit = Decimal("0")
    benefit_confirmed = False
    benefit_confirmed_by = factory.LazyAttribute(lambda o: "财务部" if o.benefit_confirmed else "")
    benefit_confirmed_on = factory.LazyAttribute(
        lambda o: (o.accepted_on or o.applied_on) if o.benefit_confirmed else None
    )


class ActivityRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActivityRecord

    project = factory.SubFactory(ProjectFactory)
    circle = factory.SelfAttribute("project.circle")
    organisation = factory.SelfAttribute("project.organisation")
    step = "select_topic"
    held_on = dt.date(2019, 8, 1)
    participant_count = 3


class FiguresFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EnterpriseAnnualFigures

    year = 2020
    total_employees = 100


class ConferenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PresentationConference

    held = True
    held_on = dt.date(2020, 7, 15)
    place = "测试会议中心"
    signed_up_circles = 20
    presented_circles = 18
    attendance = 300


class JudgeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Judge

    name = factory.Sequence(lambda n: f"评委{n}")
    work_unit = "测试大学质量学院"
    certificate_number = factory.Sequence(lambda n: f"QCPS{n:06d}")
    mobile = "13700000000"
    level = JudgeLevel.JUDGE


class SubmissionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Submission

    project = factory.SubFactory(ProjectFactory)
    circle = factory.SelfAttribute("project.circle")
    organisation = factory.SelfAttribute("project.organisation")
    recommending_unit = factory.SelfAttribute("organisation.parent")
    status = SubmissionStatus.RECOMMENDED
    address = "测试市测试路1号"
    postcode = "100000"
    contact_department = "质量管理部"
    contact_person = "联系人"
    contact_mobile = "13500000000"
    introduction = "小组简介和主要活动过程及效果。"
    panel_assessment = "优势：数据翔实。不足：图表不规范。"


def _default_round(sheet):
    from evaluation.judging import submission_default_round

    return submission_default_round(sheet.submission)


class ScoreSheetFactory(factory.django.DjangoModelFactory):
    """A submitted sheet in the submission's first round (created as a materials round when
    the judging has none); ``kind`` picks the standard template (附录B)."""

    class Meta:
        model = ScoreSheet
        exclude = ("kind",)

    kind = ScoreSheetKind.PROBLEM_SOLVING_RESULT
    round = factory.LazyAttribute(_default_round)
    template = factory.LazyAttribute(
        lambda o: __import__("evaluation.judging", fromlist=["standard_template"]).standard_template(o.kind)
    )
    status = ScoreSheetStatus.SUBMITTED
    assessment = "评价"


class CampaignStageFactory(factory.django.DjangoModelFactory):
    """A dated stage of a campaign (seed 003 二); pass ``campaign``, ``kind`` and the dates."""

    class Meta:
        model = "promotion.CampaignStage"

    kind = "registration"
    starts_on = dt.date(2020, 4, 1)
    ends_on = dt.date(2020, 4, 30)


class AnnouncementFactory(factory.django.DjangoModelFactory):
    """An announcement (通知公告); pass ``organisation`` and ``created_by``; published now
    unless ``published_at=None`` (a draft)."""

    class Meta:
        model = "promotion.Announcement"

    title = factory.Sequence(lambda n: f"关于开展质量管理小组活动的通知（{n}）")
    document_number = factory.Sequence(lambda n: f"测质协〔2026〕{n}号")
    body = "各有关单位：现将有关事项通知如下。"
    published_at = factory.LazyFunction(timezone.now)


def stages_around(campaign, today: dt.date, *, current: str = "submission", days_left: int = 10) -> list:
    """The seven stages of seed 003 二 for ``campaign``, dated so that ``current`` (a
    ``StageKind`` value) holds ``today`` and ends ``days_left`` days later; the earlier stages
    have ended and the later ones start after it. Returns the stages in order."""
    from promotion.choices import STAGE_ORDER

    position = STAGE_ORDER.index(current)
    stages = []
    for index, kind in enumerate(STAGE_ORDER):
        offset = (index - position) * 20
        if index == position:
            starts, ends = today - dt.timedelta(days=5), today + dt.timedelta(days=days_left)
        elif index < position:
            starts, ends = today + dt.timedelta(days=offset - 10), today + dt.timedelta(days=offset)
        else:
            starts = today + dt.timedelta(days=days_left + offset - 19)
            ends = starts + dt.timedelta(days=15)
        stages.append(CampaignStageFactory(campaign=campaign, kind=kind, starts_on=starts, ends_on=ends))
    return stages


def api_token(user, *, name: str = "测试") -> str:
    """A new API token of ``user`` and its key, for ``Authorization: Token <key>`` in tests
    (issue 9, item 2: tokens are hashed, so each call creates another one; the key is only
    known at creation)."""
    from qcportal.tokens import token_create

    return token_create(user=user, name=name)[1]
