"""Demo data: the 2020 national campaign of seed 002 with a realistic national network.

``seed_demo(circles=N)`` is idempotent: organisations, users, the campaign, judges and
submissions are created once under fixed codes (``CAQ``, ``SAQ``, ``CAQ-2020`` …); circles
are added deterministically until N exist, in bulk inserts, so the same command grows the
same shape to 200,000 circles for the benchmarks. Every name is fictional.
"""

from __future__ import annotations

import datetime as dt
import random
import zlib
from dataclasses import dataclass
from decimal import Decimal

from auditlog.context import disable_auditlog
from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from circles.choices import CircleStatus, MemberRole, ProjectStatus, ProjectType, TargetKind, procedure_for
from circles.models import ActivityRecord, Circle, CircleMember, Project
from evaluation.choices import JudgeLevel, ScoreSheetKind, ScoreSheetStatus, SubmissionStatus
from evaluation.judging import standard_template, submission_default_round
from evaluation.models import Judge, JudgeAssignment, ScoreItem, ScoreSheet, ScoringCriterion, Submission
from evaluation.services import recusal_reason_for, submission_scores_aggregate
from promotion.choices import CampaignStatus, StageKind
from promotion.models import (
    Campaign,
    CampaignDomain,
    CampaignStage,
    EnterpriseAnnualFigures,
    PresentationConference,
)
from promotion.selectors import CAMPAIGNS_GENERATION
from qcportal.cache import generation_bump
from qcportal.choices import OrganisationKind
from qcportal.models import Membership, Organisation, User
from qcportal.otp import totp_device_ensure
from qcportal.roles import Role
from qcportal.tenancy import ORGANISATIONS_GENERATION, no_tenant

from . import demo_names as N
from .demo_history import HISTORY_MARK, seed_dashboard_history
from .summaries import STATISTICS_GENERATION, rebuild_statistics

DEMO_PASSWORD = "QcDemo-2020!"  # noqa: S105  (public demo password, printed and in the README)
CAMPAIGN_CODE = "CAQ-2020"
PERIOD_START = dt.date(2019, 6, 1)
PERIOD_END = dt.date(2020, 8, 31)
FIRST_REGISTRATION = dt.date(2016, 1, 1)
DEFAULT_CIRCLES = 360

K = OrganisationKind

#: (code, name, kind, parent code, region, address, postcode, contact person, mobile)
ASSOCIATIONS = [
    (
        "SAQ",
        "上海市质量协会",
        K.REGIONAL_ASSOCIATION,
        "上海",
        "上海市长宁区泰安路74号",
        "200052",
        "杨文静",
        "13917180961",
    ),
    (
        "JSAQ",
        "江苏省质量协会",
        K.REGIONAL_ASSOCIATION,
        "江苏",
        "南京市鼓楼区北京西路68号",
        "210008",
        "陈立新",
        "13805161234",
    ),
    (
        "ZJAQ",
        "浙江省质量协会",
        K.REGIONAL_ASSOCIATION,
        "浙江",
        "杭州市西湖区文三路199号",
        "310012",
        "周晓东",
        "13906512345",
    ),
    (
        "GDAQ",
        "广东省质量协会",
        K.REGIONAL_ASSOCIATION,
        "广东",
        "广州市天河区体育东路122号",
        "510620",
        "梁嘉怡",
        "13926012345",
    ),
    (
        "MIQA",
        "中国机械工业质量管理协会",
        K.INDUSTRY_ASSOCIATION,
        "",
        "北京市西城区三里河路46号",
        "100823",
        "赵振华",
        "13701012345",
    ),
    (
        "EPQA",
        "中国电力行业质量管理协会",
        K.INDUSTRY_ASSOCIATION,
        "",
        "北京市西城区白广路二条1号",
        "100761",
        "孙卫东",
        "13601012345",
    ),
]

#: recommending units: (code, name, parent association code)
UNITS = [
    ("SAQ-PD", "上海市浦东新区质量技术协会", "SAQ"),
    ("SAQ-JD", "上海市嘉定区质量协会", "SAQ"),
    ("SAQ-SJ", "申江控股集团有限公司", "SAQ"),
    ("SAQ-OTHER", "其他-市质协会员现场部", "SAQ"),
    ("JSAQ-NJ", "南京市质量协会", "JSAQ"),
    ("JSAQ-SZ", "苏州市质量协会", "JSAQ"),
    ("JSAQ-XG", "苏港交通集团有限公司", "JSAQ"),
    ("ZJAQ-HZ", "杭州市质量协会", "ZJAQ"),
    ("ZJAQ-NB", "宁波市质量技术协会", "ZJAQ"),
    ("ZJAQ-YJ", "浙运能源集团有限公司", "ZJAQ"),
    ("GDAQ-GZ", "广州市质量协会", "GDAQ"),
    ("GDAQ-SZ", "深圳市质量协会", "GDAQ"),
    ("GDAQ-NY", "南粤建设集团有限公司", "GDAQ"),
    ("MIQA-ZJ", "中机重工集团有限公司", "MIQA"),
    ("MIQA-HX", "华信汽车工业集团有限公司", "MIQA"),
    ("EPQA-GY", "国源电力集团有限公司", "EPQA"),
    ("EPQA-NR", "南方瑞能电网有限公司", "EPQA"),
]

SHORT_NAMES = {
    "SAQ": "上海市质协",
    "JSAQ": "江苏省质协",
    "ZJAQ": "浙江省质协",
    "GDAQ": "广东省质协",
    "MIQA": "机械工业质协",
    "EPQA": "电力行业质协",
}
CITY_OF = {"SAQ": "上海", "JSAQ": "江苏", "ZJAQ": "浙江", "GDAQ": "广东", "MIQA": "", "EPQA": ""}
CITIES = {
    "SAQ": ["上海"],
    "JSAQ": ["南京", "苏州", "无锡", "常州"],
    "ZJAQ": ["杭州", "宁波", "温州", "嘉兴"],
    "GDAQ": ["广州", "深圳", "佛山", "东莞"],
    "MIQA": ["洛阳", "沈阳", "长春", "株洲"],
    "EPQA": ["武汉", "成都", "昆明", "郑州"],
}
BRANDS = [
    "申联",
    "华茂",
    "恒达",
    "瑞丰",
    "东方",
    "天成",
    "新宇",
    "金桥",
    "宏远",
    "诚信",
    "博远",
    "振兴",
    "中科",
    "明德",
    "宝瑞",
    "海川",
    "鼎盛",
    "卓越",
    "永安",
    "汇通",
    "长风",
    "同济",
    "开元",
    "锦程",
]
TRADES = [
    ("精密机械", "有限公司"),
    ("电气", "股份有限公司"),
    ("汽车零部件", "有限公司"),
    ("建设工程", "有限公司"),
    ("电力设备", "有限公司"),
    ("化工", "有限公司"),
    ("医药", "股份有限公司"),
    ("电子科技", "有限公司"),
    ("钢铁", "有限公司"),
    ("物流", "有限公司"),
    ("供水", "有限公司"),
    ("轨道交通装备", "有限公司"),
]
ENTERPRISES_PER_UNIT = 4
#: enterprises in provincial subtrees that are directly affiliated (行业直属) to an industry association
AFFILIATED = {
    "SAQ-SJ-E2": "MIQA",
    "SAQ-JD-E3": "EPQA",
    "JSAQ-NJ-E1": "MIQA",
    "ZJAQ-YJ-E2": "EPQA",
    "GDAQ-GZ-E4": "MIQA",
}

DOMAINS = ["制造类", "市场服务类", "非营利性服务类", "建造类", "“专精特新”中小企业类"]

STAGES = [
    (StageKind.REGISTRATION, dt.date(2020, 4, 1), dt.date(2020, 4, 30), "各自愿申报单位"),
    (StageKind.COACHING, dt.date(2020, 3, 1), dt.date(2020, 4, 30), "各省市、行业质协"),
    (StageKind.SUBMISSION, dt.date(2020, 4, 20), dt.date(2020, 5, 10), "各自愿申报单位"),
    (StageKind.RECOMMENDATION, dt.date(2020, 5, 1), dt.date(2020, 5, 31), "各推荐单位"),
    (StageKind.EVALUATION, dt.date(2020, 6, 1), dt.date(2020, 7, 31), "各省市、行业质协"),
    (StageKind.NATIONAL_RECOMMENDATION, dt.date(2020, 8, 1), dt.date(2020, 9, 15), "各省市、行业质协"),
    (StageKind.PROMOTION, dt.date(2020, 9, 1), dt.date(2020, 12, 31), "中国质协"),
]


@dataclass(frozen=True)
class DemoLogin:
    """One demo login: username, what it is, and the membership it holds."""

    username: str
    full_name: str
    description: str
    organisation_code: str
    role: str


LOGINS = [
    DemoLogin("caq_admin", "吴国庆", "中国质协 协会管理员", "CAQ", Role.ASSOCIATION_ADMIN),
    DemoLogin("caq_staff", "刘建华", "中国质协 工作人员（全国协会）", "CAQ", Role.ASSOCIATION_STAFF),
    DemoLogin("caq_leader", "郑德明", "中国质协 领导（决策层）", "CAQ", Role.ASSOCIATION_LEADERSHIP),
    DemoLogin("saq_admin", "何丽娟", "上海市质协 协会管理员", "SAQ", Role.ASSOCIATION_ADMIN),
    DemoLogin("saq_staff", "杨文静", "上海市质协 工作人员（省市协会）", "SAQ", Role.ASSOCIATION_STAFF),
    DemoLogin("saq_leader", "沈振华", "上海市质协 领导（决策层）", "SAQ", Role.ASSOCIATION_LEADERSHIP),
    DemoLogin("jsaq_staff", "陈立新", "江苏省质协 工作人员", "JSAQ", Role.ASSOCIATION_STAFF),
    DemoLogin("unit", "徐海燕", "推荐单位联络人（浦东新区质量技术协会）", "SAQ-PD", Role.UNIT_COORDINATOR),
    DemoLogin("company", "王晓明", "企业推进负责人（管理层）", "SAQ-PD-E1", Role.ENTERPRISE_COORDINATOR),
    DemoLogin("executive", "张永刚", "企业领导（决策层）", "SAQ-PD-E1", Role.ENTERPRISE_EXECUTIVE),
    DemoLogin("leader", "李俊杰", "QC小组组长（执行层）", "SAQ-PD-E1", Role.CIRCLE_LEADER),
    DemoLogin("member", "赵雅琴", "QC小组组员（执行层）", "SAQ-PD-E1", Role.CIRCLE_MEMBER),
    DemoLogin("judge", "黄志强", "评委（上海市质协评审组长）", "SAQ", Role.JUDGE),
    DemoLogin("judge2", "邱明远", "评委（上海市质协评委骨干）", "SAQ", Role.JUDGE),
    DemoLogin(
        "judge",
        "黄志强",
        "同一账户的第二身份：企业推进负责人（嘉定区企业）",
        "SAQ-JD-E1",
        Role.ENTERPRISE_COORDINATOR,
    ),
]


def _person(rng: random.Random) -> str:
    given = rng.choice(N.GIVEN) + (rng.choice(N.GIVEN) if rng.random() < 0.7 else "")
    return rng.choice(N.SURNAMES) + given


def _date_between(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randint(0, max(0, (end - start).days)))


def _org(code: str, name: str, kind: str, parent: Organisation | None, **fields) -> Organisation:
    org = Organisation.objects.filter(code=code).first()
    if org is None:
        org = Organisation(code=code)
    org.name, org.kind, org.parent = name, kind, parent
    for key, value in fields.items():
        setattr(org, key, value)
    org.full_clean()
    org.save()
    return org


def seed_organisations() -> dict[str, Organisation]:
    """Create the national network: CAQ, 4 provincial and 2 industry associations, 17
    recommending units (including Shanghai's fallback unit 其他-市质协会员现场部, seed 003) and
    68 enterprises, 5 of them directly affiliated (行业直属) to an industry association.
    Output: organisations by code."""
    orgs: dict[str, Organisation] = {}
    orgs["CAQ"] = _org(
        "CAQ",
        "中国质量协会",
        K.NATIONAL_ASSOCIATION,
        None,
        short_name="中国质协",
        address="北京市海淀区三虎桥百胜村路6号中国质量大厦",
        postcode="100048",
        qc_department="质量活动推进部",
        qc_department_head="段海燕",
        contact_person="周伟",
        contact_phone="(010) 66073178；68416388",
        contact_mobile="13801012345",
        contact_email="66073178@163.com",
    )
    for code, name, kind, region, address, postcode, person, mobile in ASSOCIATIONS:
        orgs[code] = _org(
            code,
            name,
            kind,
            orgs["CAQ"],
            short_name=SHORT_NAMES[code],
            region=region,
            address=address,
            postcode=postcode,
            qc_department="会员与质量推进部" if kind == K.REGIONAL_ASSOCIATION else "质量活动推进部",
            qc_department_head=person,
            contact_person=person,
            contact_mobile=mobile,
            contact_phone="021-52588838" if code == "SAQ" else "",
            contact_email=f"qc@{code.lower()}.org.cn",
        )
    rng = random.Random(2020)
    brand_index = 0
    for code, name, parent_code in UNITS:
        orgs[code] = _org(
            code,
            name,
            K.RECOMMENDING_UNIT,
            orgs[parent_code],
            region=CITY_OF[parent_code],
            contact_person=_person(rng),
            contact_mobile=f"139{rng.randint(10000000, 99999999)}",
        )
        for n in range(1, ENTERPRISES_PER_UNIT + 1):
            ecode = f"{code}-E{n}"
            city = rng.choice(CITIES[parent_code])
            brand = BRANDS[brand_index % len(BRANDS)]
            trade, suffix = TRADES[(brand_index * 5 + n) % len(TRADES)]
            brand_index += 1
            affiliated = orgs.get(AFFILIATED.get(ecode, ""))
            orgs[ecode] = _org(
                ecode,
                f"{city}{brand}{trade}{suffix}",
                K.ENTERPRISE,
                orgs[code],
                industry_association=affiliated,
                region=city,
                industry=trade,
                address=f"{city}市{rng.choice(['经济技术开发区', '高新区', '工业园区'])}{rng.choice(BRANDS)}路{rng.randint(1, 999)}号",
                postcode=f"{rng.randint(100000, 899999)}",
                qc_department="质量管理部",
                contact_person=_person(rng),
                contact_mobile=f"138{rng.randint(10000000, 99999999)}",
            )
    return orgs


def seed_campaign(orgs: dict[str, Organisation]) -> Campaign:
    """Create (or refresh) the 2020 national campaign of seed 002 with stages and domains;
    it ended long ago, so it is closed (已结束)."""
    fields = dict(
        organisation=orgs["CAQ"],
        year=2020,
        title="2020年度全国质量管理小组活动",
        document_number="中国质协字〔2020〕21号",
        theme="扎根基层 落实标准 创新赋能",
        period_start=PERIOD_START,
        period_end=PERIOD_END,
        deadline=dt.date(2020, 9, 15),
    )
    # The state is protected (promotion/workflow.py): set once at creation, never assigned.
    campaign, created = Campaign.objects.get_or_create(
        code=CAMPAIGN_CODE, defaults={**fields, "status": CampaignStatus.CLOSED}
    )
    if not created:
        Campaign.objects.filter(pk=campaign.pk).update(**fields)
    for position, name in enumerate(DOMAINS, start=1):
        CampaignDomain.objects.update_or_create(campaign=campaign, name=name, defaults={"position": position})
    for kind, starts, ends, responsible in STAGES:
        CampaignStage.objects.update_or_create(
            campaign=campaign,
            kind=kind,
            defaults={"starts_on": starts, "ends_on": ends, "responsible": responsible},
        )
    return campaign


def seed_users(orgs: dict[str, Organisation]) -> list[DemoLogin]:
    """Create one login per kind of user (password ``DEMO_PASSWORD``); output: the logins.
    Logins whose role requires two-factor authentication (``OTP_REQUIRED_ROLES``: the
    association administrators and staff) are enrolled with an authenticator; the demo's
    verify page shows its current code (``DEMO_SHOW_OTP``, issue 9 item 1)."""
    for login in LOGINS:
        user, created = User.objects.get_or_create(
            username=login.username, defaults={"full_name": login.full_name}
        )
        if created or not user.check_password(DEMO_PASSWORD):
            user.full_name = login.full_name
            user.mobile = f"139{zlib.crc32(login.username.encode()) % 10**8:08d}"
            user.email = f"{login.username}@demo.qcportal.cn"
            user.set_password(DEMO_PASSWORD)
            user.save()
        membership = Membership(user=user, organisation=orgs[login.organisation_code], role=login.role)
        membership.clean()
        Membership.objects.get_or_create(
            user=user, organisation=orgs[login.organisation_code], role=login.role
        )
        if login.role in settings.OTP_REQUIRED_ROLES:
            totp_device_ensure(user=user)
    return LOGINS


def _enterprises(orgs: dict[str, Organisation]) -> list[Organisation]:
    return sorted((o for o in orgs.values() if o.kind == K.ENTERPRISE), key=lambda o: o.code)


def _circle_rows(index: int, enterprise: Organisation):
    """Deterministic rows for circle number ``index``: (circle, members, project, records)."""
    rng = random.Random(index * 7919 + 17)
    in_period = rng.random() < 0.62
    registered_on = (
        _date_between(rng, PERIOD_START, PERIOD_END - dt.timedelta(days=60))
        if in_period
        else _date_between(rng, FIRST_REGISTRATION, PERIOD_START - dt.timedelta(days=1))
    )
    circle = Circle(
        organisation=enterprise,
        department=rng.choice(N.DEPARTMENTS),
        name=f"{rng.choice(N.DEPARTMENTS)[:-1]}{rng.choice(N.CIRCLE_PREFIXES)}QC小组",
        registration_number=f"{enterprise.code}-{registered_on.year}-{index:07d}",
        registration_year=registered_on.year,
        registered_on=registered_on,
        status=CircleStatus.REGISTERED,
    )
    size = rng.choices(range(3, 11), weights=(4, 8, 12, 12, 10, 6, 4, 2))[0]
    members = [
        CircleMember(
            organisation=enterprise,
            name=_person(rng),
            role=MemberRole.LEADER if n == 0 else MemberRole.MEMBER,
            position=rng.choice(N.POSITIONS),
            position_order=n + 1,
        )
        for n in range(size)
    ]
    innovation = rng.random() < 0.3
    project_type = ProjectType.INNOVATION if innovation else ProjectType.PROBLEM_SOLVING
    target_kind = (
        None if innovation else (TargetKind.SELF_SET if rng.random() < 0.75 else TargetKind.ASSIGNED)
    )
    template = rng.choice(N.INNOVATION_TOPICS if innovation else N.PS_TOPICS)
    horizon = PERIOD_END if in_period else PERIOD_START - dt.timedelta(days=1)
    accepted = rng.random() < (0.55 if in_period else 0.85)
    accepted_on = (
        _date_between(rng, min(registered_on + dt.timedelta(days=60), horizon), horizon) if accepted else None
    )
    baseline = rng.randint(5, 30)
    confirmed = accepted and rng.random() < 0.85
    project = Project(
        organisation=enterprise,
        title=template.format(p=rng.choice(N.PRODUCTS)),
        project_type=project_type,
        target_kind=target_kind,
        status=ProjectStatus.ACCEPTED if accepted else ProjectStatus.IN_PROGRESS,
        applied_on=registered_on,
        registered_on=registered_on + dt.timedelta(days=rng.randint(3, 20)),
        accepted_on=accepted_on,
        baseline_value=f"{baseline}%",
        target_value=f"{baseline // 2}%",
        achieved_value=f"{max(1, baseline // 2 - rng.randint(0, 3))}%" if accepted else "",
        economic_benefit=Decimal(rng.randint(50, 15000)) / 100 if accepted else Decimal("0"),
        benefit_confirmed=confirmed,
        benefit_confirmed_by="财务部" if confirmed else "",
        benefit_confirmed_on=accepted_on if confirmed else None,
        intangible_benefits=rng.choice(N.BENEFIT_TEXTS) if accepted else "",
    )
    steps = procedure_for(project_type, target_kind)
    record_count = 0 if rng.random() < 0.08 else rng.randint(2, 4)
    end = accepted_on or horizon
    dates = sorted(_date_between(rng, registered_on, end) for _ in range(record_count))
    records = [
        ActivityRecord(
            organisation=enterprise,
            step=steps[min(n * 3, len(steps) - 1)],
            held_on=held_on,
            participant_count=rng.randint(3, size),
            content="按计划开展本阶段活动，记录原始数据并讨论下一步安排。",
            tools="、".join(
                rng.sample(("调查表", "排列图", "因果图", "直方图", "头脑风暴法", "流程图", "系统图"), 2)
            ),
        )
        for n, held_on in enumerate(dates)
    ]
    return circle, members, project, records


def seed_circles(orgs: dict[str, Organisation], target: int, *, batch: int = 2000, progress=None) -> int:
    """Grow the demo to ``target`` circles with bulk inserts (circles, members, projects,
    activity records), deterministically by circle number. Output: circles added."""
    enterprises = _enterprises(orgs)
    # Circles registered through the portal (the demo enterprise's current work) are extra.
    # The dashboards' history circles (reports/demo_history.py) are extra too.
    existing = (
        Circle.objects.filter(organisation__in=enterprises, created_by__isnull=True)
        .exclude(registration_number__contains=HISTORY_MARK)
        .count()
    )
    added = 0
    for start in range(existing, target, batch):
        stop = min(start + batch, target)
        rows = [_circle_rows(i, enterprises[i % len(enterprises)]) for i in range(start, stop)]
        with transaction.atomic():
            circles = Circle.objects.bulk_create([r[0] for r in rows], batch_size=batch)
            members, projects = [], []
            for circle, (_, circle_members, project, _) in zip(circles, rows, strict=True):
                for member in circle_members:
                    member.circle = circle
                members.extend(circle_members)
                project.circle = circle
                projects.append(project)
            CircleMember.objects.bulk_create(members, batch_size=5000)
            projects = Project.objects.bulk_create(projects, batch_size=batch)
            records = []
            for project, (circle, _, _, project_records) in zip(projects, rows, strict=True):
                for record in project_records:
                    record.project, record.circle = project, circle
                records.extend(project_records)
            ActivityRecord.objects.bulk_create(records, batch_size=5000)
        added += stop - start
        if progress:
            progress(stop, target)
    return added


def seed_figures(orgs: dict[str, Organisation], campaign: Campaign, circles: int) -> None:
    """Enterprise yearly figures (2019, 2020) scaled to the circle count, and one
    presentation conference per association (seed 002 Annex 3)."""
    scale = max(1, circles // DEFAULT_CIRCLES)
    for enterprise in _enterprises(orgs):
        rng = random.Random(enterprise.code)
        base = rng.randint(100, 400)
        for year in (2019, 2020):
            EnterpriseAnnualFigures.objects.update_or_create(
                organisation=enterprise,
                year=year,
                defaults=dict(
                    total_employees=base * scale + rng.randint(0, 200),
                    other_activity_spending=Decimal(rng.randint(200, 8000)) / 100 * scale,
                    other_reward_spending=Decimal(rng.randint(100, 3000)) / 100 * scale,
                ),
            )
    for code in ["CAQ", *[a[0] for a in ASSOCIATIONS]]:
        rng = random.Random(f"conf-{code}")
        signed_up = rng.randint(60, 240)
        PresentationConference.objects.update_or_create(
            organisation=orgs[code],
            campaign=campaign,
            defaults=dict(
                held=True,
                held_on=dt.date(2020, 7, rng.randint(6, 28)),
                place=f"{orgs[code].region or '北京'}国际会议中心",
                signed_up_circles=signed_up,
                presented_circles=signed_up - rng.randint(5, 40),
                attendance=rng.randint(300, 1200),
            ),
        )


#: Work units of the judges who do not work in an enterprise of the subtree.
INSTITUTES = [
    "质量技术研究院",
    "理工大学管理学院",
    "标准化研究院",
    "计量测试研究所",
    "大学质量研究中心",
    "工业技术研究院",
    "检验检测认证中心",
    "职业技术学院",
    "科技大学经济管理学院",
    "质量发展研究中心",
    "机电设计研究院",
    "交通大学工业工程系",
    "卓越绩效研究中心",
    "设备监理协会",
    "电子信息研究所",
]

#: Judges per association in the expert pool (专家库); Shanghai's is larger (two panels).
JUDGES_PER_ASSOCIATION = {"SAQ": 18}


def seed_judges(orgs: dict[str, Organisation]) -> dict[str, list[Judge]]:
    """The expert pool (专家库, issue 8 item 1) of each provincial/industry association: seven
    judges (1 panel chair, 2 senior judges, 4 judges; Shanghai eighteen in two panels) with certificate
    numbers, specialty domains and topic types, and QC小组活动推进者/诊断师 qualifications
    (one expired); the demo ``judge`` login is SAQ's first panel chair, ``judge2`` a senior
    judge; the others have no login (their paper sheets are entered by staff)."""
    from circles.choices import ProjectType
    from evaluation.choices import QualificationKind
    from evaluation.models import JudgeQualification

    judges: dict[str, list[Judge]] = {}
    logins = {1: User.objects.get(username="judge"), 2: User.objects.get(username="judge2")}
    for a_index, (code, *_rest) in enumerate(ASSOCIATIONS, start=1):
        rng = random.Random(f"judges-{code}")
        employers = [
            o for o in orgs.values() if o.kind == K.ENTERPRISE and o.path.startswith(orgs[code].path)
        ]
        judges[code] = []
        for n in range(1, JUDGES_PER_ASSOCIATION.get(code, 7) + 1):
            level = (
                JudgeLevel.PANEL_CHAIR
                if n in (1, 10)
                else JudgeLevel.SENIOR
                if n in (2, 3, 11, 12)
                else JudgeLevel.JUDGE
            )
            # A few judges work in enterprises of the subtree (automatic recusal, standard.md
            # §4); the others in institutes and universities, each a different work unit.
            employer = employers[(n * 3) % len(employers)] if n % 3 == 2 else None
            work_unit = (
                employer.name
                if employer
                else f"{CITY_OF.get(code) or orgs[code].name[:4]}{INSTITUTES[(n + a_index) % len(INSTITUTES)]}"
            )
            login = logins.get(n) if code == "SAQ" else None
            if n % 4 == 0:
                domains = []  # any domain
            elif code == "SAQ":  # Shanghai's two panels: 制造类 (1–9) and 市场服务类 (10–18)
                domains = [DOMAINS[0], DOMAINS[3]] if n <= 9 else [DOMAINS[1], DOMAINS[2]]
            else:
                domains = [DOMAINS[n % len(DOMAINS)], DOMAINS[(n + 2) % len(DOMAINS)]]
            judge, _ = Judge.objects.update_or_create(
                organisation=orgs[code],
                certificate_number=f"QCPS{2015 + n % 5}{a_index:02d}{n:03d}",
                defaults=dict(
                    name=login.full_name if login else _person(rng),
                    work_unit=work_unit,
                    employer=employer,
                    mobile=f"137{rng.randint(10000000, 99999999)}",
                    email=f"judge{a_index:02d}{n:02d}@example.cn",
                    level=level,
                    user=login,
                    domains=domains,
                    topic_types=[ProjectType.PROBLEM_SOLVING] if n in (6, 15) else [],
                ),
            )
            JudgeQualification.objects.update_or_create(
                judge=judge,
                kind=QualificationKind.PROMOTER if n % 2 else QualificationKind.DIAGNOSTICIAN,
                number=f"TJ{a_index:02d}{n:04d}",
                defaults={
                    "title": "QC小组活动推进者证书" if n % 2 else "QC小组活动诊断师证书",
                    "expires_on": dt.date(2019 + n, 12, 31),
                },
            )
            judges[code].append(judge)
    return judges


def _assessment(rng: random.Random) -> str:
    strengths = "；".join(rng.sample(N.ASSESSMENT_STRENGTHS, 3))
    weaknesses = "；".join(rng.sample(N.ASSESSMENT_WEAKNESSES, 2))
    return f"优势：{strengths}。不足：{weaknesses}。"


def _judge_panel(submission, judges, criteria, rng, *, quality: float, chair_scores: bool, now) -> None:
    """Assign ``judges`` to ``submission`` (the first as panel chair; automatically recused
    ones skipped, standard.md §4) and give each a submitted sheet with points around
    ``quality`` (0–1 of each criterion's maximum, half points); without ``chair_scores`` the
    chair's sheet stays to be scored (the demo judge's work)."""
    kind = (
        ScoreSheetKind.INNOVATION_RESULT
        if submission.project.project_type == ProjectType.INNOVATION
        else ScoreSheetKind.PROBLEM_SOLVING_RESULT
    )
    association = submission.recommending_association
    round_ = submission_default_round(submission)
    for position, judge in enumerate(judges):
        if recusal_reason_for(judge, submission):
            continue  # automatic recusal (standard.md §4)
        JudgeAssignment.objects.create(
            organisation=association,
            round=round_,
            submission=submission,
            judge=judge,
            is_panel_chair=position == 0,
        )
        if position == 0 and not chair_scores:
            continue
        points = [
            (
                c,
                Decimal(
                    min(
                        c.max_points,
                        round(c.max_points * rng.uniform(quality - 0.08, quality + 0.05) * 2) / 2,
                    )
                ),
            )
            for c in criteria[kind]
        ]
        sheet = ScoreSheet.objects.create(
            organisation=association,
            round=round_,
            submission=submission,
            judge=judge,
            template=standard_template(kind),
            total=sum((p for _, p in points), Decimal("0")),
            assessment=_assessment(rng),
            status=ScoreSheetStatus.SUBMITTED,
            submitted_at=now,
        )
        ScoreItem.objects.bulk_create([ScoreItem(sheet=sheet, criterion=c, points=p) for c, p in points])


def seed_submissions(
    orgs: dict[str, Organisation], campaign: Campaign, judges: dict[str, list[Judge]]
) -> int:
    """Eight submissions per provincial/industry association from accepted projects of its
    enterprises (directly affiliated ones go through their industry association, seed 002
    Annex 3 note 2), each scored by the association's seven judges; six are recommended to
    the national association. Output: submissions created (0 when they already exist)."""
    if Submission.objects.filter(campaign=campaign).exists():
        return 0
    criteria = {
        kind: list(ScoringCriterion.objects.filter(template=standard_template(kind)).order_by("position"))
        for kind in ScoreSheetKind.values
    }
    domains = list(campaign.domains.all())
    created = 0
    now = timezone.now()
    for code, *_rest in ASSOCIATIONS:
        association = orgs[code]
        rng = random.Random(f"subs-{code}")
        enterprise_filter = {
            "organisation__path__startswith": association.path,
            "organisation__industry_association__isnull": True,
        }
        affiliated = (
            Project.objects.filter(organisation__industry_association=association)
            if association.kind == K.INDUSTRY_ASSOCIATION
            else Project.objects.none()
        )
        candidates = list(
            (
                Project.objects.filter(
                    status=ProjectStatus.ACCEPTED, accepted_on__gte=PERIOD_START, **enterprise_filter
                )
                | affiliated.filter(status=ProjectStatus.ACCEPTED, accepted_on__gte=PERIOD_START)
            )
            .select_related("circle", "organisation", "organisation__parent")
            .order_by("id")[:200]
        )
        chosen, seen_circles = [], set()
        for project in rng.sample(candidates, len(candidates)):
            if project.circle_id not in seen_circles:
                chosen.append(project)
                seen_circles.add(project.circle_id)
            if len(chosen) == 8:
                break
        for n, project in enumerate(chosen):
            enterprise = project.organisation
            members = list(project.circle.members.order_by("position_order")[:1])
            submission = Submission.objects.create(
                organisation=enterprise,
                campaign=campaign,
                project=project,
                circle=project.circle,
                recommending_unit=enterprise.parent,
                recommending_association=association,
                domain=domains[n % len(domains)],
                # Six recommended to the national association; Shanghai's last two are still
                # being judged (passed formal review), the others' last two not recommended.
                status=SubmissionStatus.RECOMMENDED
                if n < 6
                else SubmissionStatus.FORMALLY_REVIEWED
                if code == "SAQ"
                else SubmissionStatus.NOT_RECOMMENDED,
                seal_name=enterprise.name,
                address=enterprise.address,
                postcode=enterprise.postcode,
                contact_department=project.circle.department,
                contact_person=members[0].name if members else "",
                contact_mobile=f"135{rng.randint(10000000, 99999999)}",
                introduction=(
                    f"{project.circle.name}成立于{project.circle.registered_on:%Y年%m月}，"
                    f"由{project.circle.department}一线员工组成。小组围绕“{project.title}”课题，"
                    "严格按照《质量管理小组活动准则》(T/CAQ 10201-2020)的活动程序开展活动，运用调查表、排列图、"
                    "因果图等统计方法查找问题症结并制定对策。经过对策实施，课题目标全面实现，"
                    f"取得可计算的经济效益{project.economic_benefit:.2f}万元，相关措施已纳入企业标准并推广应用。"
                ),
                panel_assessment=_assessment(rng),
                submitted_at=now,
                recommended_at=now if n < 6 else None,
            )
            # Shanghai's last two results stay open for the demo judge (panel chair) to score.
            open_for_demo = code == "SAQ" and n >= 6
            _judge_panel(
                submission,
                judges[code][:7],
                criteria,
                rng,
                quality=rng.uniform(0.72, 0.95),
                chair_scores=not open_for_demo,
                now=now,
            )
            if not open_for_demo:
                Submission.objects.filter(pk=submission.pk).update(scores_released_at=now)
            created += 1
    submission_scores_aggregate(campaign=campaign)
    return created


def link_circle_leader(orgs: dict[str, Organisation]) -> None:
    """Make the demo ``leader`` login the leader of the newest circle of ``SAQ-PD-E1``."""
    user = User.objects.get(username="leader")
    if CircleMember.objects.filter(user=user).exists():
        return
    circle = Circle.objects.filter(organisation=orgs["SAQ-PD-E1"]).order_by("-registered_on", "id").first()
    if circle is not None:
        leader = circle.members.filter(role=MemberRole.LEADER).first()
        CircleMember.objects.filter(pk=leader.pk).update(user=user, name=user.full_name)


WORK_CIRCLE = "总装车间精益QC小组"
WORK_CIRCLES = 4  # circles of the demo enterprise's current work (seed_enterprise_work)
PDF_BYTES = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def _login_membership(username: str) -> Membership:
    """The demo login's membership (its first: ``judge`` has two)."""
    return (
        Membership.objects.select_related("organisation", "user")
        .filter(user__username=username)
        .order_by("id")
        .first()
    )


def _records(
    leader: Membership, project: Project, steps, *, start_days_ago: int, attach: bool = False
) -> None:
    from django.core.files.base import ContentFile

    from circles import services as circle_services

    members = [m.pk for m in project.circle.members.order_by("position_order")[:4]]
    today = timezone.localdate()
    for n, step in enumerate(steps):
        data = {
            "step": step,
            "held_on": (today - dt.timedelta(days=start_days_ago - 7 * n)).isoformat(),
            "content": RECORD_TEXTS.get(step, "按活动计划开展本步骤，记录原始数据并讨论下一步安排。"),
            "tools": ["调查表", "排列图"] if n % 2 == 0 else ["因果图", "头脑风暴法"],
            "participants": members,
        }
        if step in ("survey", "set_target"):
            data["data_before"] = "返工率 4.8%"
        if step == "effect_check":
            data["data_before"], data["data_after"] = "返工率 4.8%", "返工率 1.6%"
        record = circle_services.record_create(membership=leader, project=project, data=data)
        if attach and n < 2:
            upload = ContentFile(PDF_BYTES, name=f"{step}-原始数据.pdf")
            upload.content_type = "application/pdf"
            circle_services.attachment_add(membership=leader, record=record, upload=upload)


RECORD_TEXTS = {
    "select_topic": "小组讨论总装线返工数据，按返工率最高的工序确定课题，并说明选题理由。",
    "survey": "收集近三个月返工记录1,260条，按缺陷类型分层，绘制排列图，找出症结为线束插接不到位。",
    "set_target": "根据现状调查与同行业水平，设定返工率由4.8%降至2.0%的目标。",
    "cause_analysis": "用因果图从人、机、料、法、环、测六个方面分析症结原因，共找出末端因素12条。",
    "main_causes": "对12条末端因素逐条现场验证，确定3条主要原因。",
    "countermeasures": "按5W1H制定对策表，明确责任人和完成时间。",
    "implementation": "逐项实施对策：改进插接工装、增加防错检测、修订作业指导书。",
    "effect_check": "对策实施后连续统计一个月，返工率降至1.6%，目标实现。",
    "consolidation": "将有效措施纳入作业指导书和检验规范，巩固期效果稳定。",
    "summary": "总结活动经验与不足，提出下一步课题方向。",
}


def seed_enterprise_work(orgs: dict[str, Organisation]) -> bool:
    """The demo enterprise's current work (SAQ-PD-E1), created through the portal's own
    services and workflow so that history, to-do items and notifications are real: circles
    at every registration state, projects at every state of their lifecycle with records,
    attachments and an open process-check comment, and the enterprise's promotion structure
    (seed 001 §5). ``leader`` leads the circle with a project in activity; ``company`` finds
    a registration, an application and an acceptance waiting. Idempotent (output: created?)."""
    from circles import services as circle_services
    from circles.workflow import COMMENT_WORKFLOW, PROJECT_WORKFLOW
    from promotion import structure as structure_services
    from qcportal.tenancy import membership_scope

    enterprise = orgs["SAQ-PD-E1"]
    if Circle.objects.filter(organisation=enterprise, name=WORK_CIRCLE).exists():
        return False
    company, leader, member = (_login_membership(u) for u in ("company", "leader", "member"))
    executive = _login_membership("executive")
    roster = [
        {"name": "李俊杰", "role": "leader", "position": "总装班长", "username": "leader"},
        {"name": "赵雅琴", "role": "member", "position": "质检员", "username": "member"},
        {"name": "陈国栋", "role": "member", "position": "装配工"},
        {"name": "周晓峰", "role": "member", "position": "工艺员"},
        {"name": "吴丽萍", "role": "member", "position": "装配工"},
    ]

    def transition(m, obj, name, comment="", data=None):
        return circle_services.transition(membership=m, obj=obj, name=name, comment=comment, data=data)

    with membership_scope(company):
        main = circle_services.circle_register(
            membership=company, name=WORK_CIRCLE, department="总装车间", members=roster
        ).obj
        old = circle_services.circle_register(
            membership=company,
            name="老厂区搬迁QC小组",
            department="设备部",
            members=[
                {"name": "孙建平", "role": "leader", "position": "设备主管"},
                {"name": "刘伟", "role": "member"},
            ],
        ).obj
        transition(company, old, "deactivate", "老厂区已整体搬迁，小组活动结束。")
        structure_services.committee_save(
            membership=company,
            name="质量管理委员会",
            chair="张永刚",
            established_on=dt.date(2021, 3, 15),
            charter="审定年度质量活动推进计划和激励办法，协调资源，表彰优秀成果。",
        )
        for layer, name, position, duties, committee in (
            ("decision", "张永刚", "总经理", "主持质量管理委员会", True),
            ("management", "王晓明", "质量部经理", "QC小组注册审核、立项评审与验收", True),
            ("management", "钱芳", "财务部主管", "经济效益核算与确认", True),
            ("execution", "李俊杰", "总装班长", "QC小组组长", False),
        ):
            structure_services.structure_member_add(
                membership=company,
                layer=layer,
                name=name,
                position=position,
                duties=duties,
                on_committee=committee,
            )
    with membership_scope(leader):
        pending = circle_services.circle_register(
            membership=leader,
            name="焊接工艺创新QC小组",
            department="焊装车间",
            members=[
                {"name": "李俊杰", "role": "leader", "position": "班长"},
                {"name": "马超", "role": "member", "position": "焊工"},
                {"name": "黄磊", "role": "member", "position": "焊工"},
            ],
        ).obj
        returned = circle_services.circle_register(
            membership=leader,
            name="仓储物流QC小组",
            department="物流部",
            members=[{"name": "李俊杰", "role": "leader"}, {"name": "韩冰", "role": "member"}],
        ).obj
    with membership_scope(company):
        transition(company, returned, "return", "成员只有2人，请补充成员及岗位后重新提交。")

    def apply(title, project_type, target_kind=None, **extra):
        with membership_scope(leader):
            return circle_services.project_apply(
                membership=leader,
                circle=main,
                data={
                    "title": title,
                    "project_type": project_type,
                    "target_kind": target_kind,
                    "reasons": extra.pop("reasons", "该问题影响交付质量和成本，小组有能力解决。"),
                    "indicator": extra.pop("indicator", "返工率"),
                    "unit": "%",
                    "baseline_value": "4.8",
                    "target_value": "2.0",
                    "planned_start": timezone.localdate() - dt.timedelta(days=120),
                    "planned_end": extra.pop("planned_end", timezone.localdate() + dt.timedelta(days=60)),
                },
            )

    self_set = procedure_for(ProjectType.PROBLEM_SOLVING, TargetKind.SELF_SET)
    innovation = procedure_for(ProjectType.INNOVATION, None)
    # Waiting for the company's registration review (立项评审).
    apply("降低总装线线束返工率", ProjectType.PROBLEM_SOLVING, TargetKind.SELF_SET)
    # Returned to the circle with a reason to answer.
    p_returned = apply("提高扭矩拧紧一次合格率", ProjectType.PROBLEM_SOLVING, TargetKind.ASSIGNED)
    with membership_scope(company):
        transition(company, p_returned, "return", "目标值缺少依据，请补充公司下达的指令性目标文件。")
    # Refused and withdrawn applications.
    p_rejected = apply("车间绿化美化", ProjectType.INNOVATION)
    with membership_scope(company):
        transition(company, p_rejected, "reject", "不属于质量改进课题，建议纳入5S活动。")
    p_withdrawn = apply("降低包装材料损耗", ProjectType.PROBLEM_SOLVING, TargetKind.SELF_SET)
    with membership_scope(leader):
        transition(leader, p_withdrawn, "withdraw", "与物流部课题重复，合并到物流部小组。")
    # Registered, waiting for its first record.
    p_registered = apply("研制线束插接防错工装", ProjectType.INNOVATION)
    with membership_scope(company):
        transition(company, p_registered, "approve", "同意立项。")
    # In activity, half the steps recorded, an open comment for the leader (leader's project).
    p_active = apply("缩短总装线换型时间", ProjectType.PROBLEM_SOLVING, TargetKind.SELF_SET)
    with membership_scope(company):
        transition(company, p_active, "approve", "同意立项，注意现状数据的代表性。")
    with membership_scope(leader):
        _records(leader, p_active, self_set[:5], start_days_ago=50, attach=True)
    with membership_scope(company):
        record = p_active.activity_records.order_by("held_on").first()
        circle_services.comment_add(
            membership=company, record=record, text="选题理由中请补充近三个月的换型时间原始数据表。"
        )
        resolved = circle_services.comment_add(
            membership=company,
            record=p_active.activity_records.order_by("held_on")[1],
            text="排列图的累计百分比计算有误，请核对。",
        )
    with membership_scope(leader):
        COMMENT_WORKFLOW.perform(resolved, "resolve", membership=leader, comment="已重新计算并更新附件。")
    # Completed: waiting for the company's acceptance (验收).
    p_completed = apply(
        "降低电控柜接线差错率",
        ProjectType.PROBLEM_SOLVING,
        TargetKind.SELF_SET,
        planned_end=timezone.localdate(),
    )
    with membership_scope(company):
        transition(company, p_completed, "approve")
    with membership_scope(leader):
        _records(leader, p_completed, self_set, start_days_ago=90)
        transition(
            leader,
            p_completed,
            "complete",
            "课题目标实现，申请验收。",
            {
                "achieved_value": "1.6",
                "economic_benefit": "18.6",
                "intangible_benefits": "员工质量意识和解决问题能力提升。",
            },
        )
    # Accepted with the benefit confirmed by finance: a result (成果).
    p_accepted = apply("研制总装线快速换型台车", ProjectType.INNOVATION)
    with membership_scope(company):
        transition(company, p_accepted, "approve")
    with membership_scope(leader):
        _records(leader, p_accepted, innovation, start_days_ago=100)
        transition(
            leader, p_accepted, "complete", "", {"achieved_value": "换型8分钟", "economic_benefit": "26.4"}
        )
    with membership_scope(company):
        PROJECT_WORKFLOW.perform(
            p_accepted,
            "accept",
            membership=company,
            comment="活动真实有效，效益经财务部确认。",
            data={
                "achieved_value": "换型8分钟",
                "economic_benefit": "26.4",
                "benefit_confirmed": True,
                "benefit_confirmed_by": "财务部 钱芳",
                "benefit_confirmed_on": timezone.localdate().isoformat(),
            },
        )
    del member, executive, pending  # created for their memberships' own pages
    return True


LIVE_NATIONAL = "CAQ-{year}"
LIVE_CAMPAIGN = "SAQ-{year}"


def _live_stages(today: dt.date) -> list[tuple[str, dt.date, dt.date, str]]:
    """The live campaign's calendar around ``today``: 活动报名 and 辅导培育 behind, today in
    成果申报, and — as seed 003's own calendar overlaps (辅导培育 3–4月, 活动报名 4月) — the
    recommendation, formal review and national recommendation windows already open, so that
    a newcomer walks the whole chain on the day they try the demo."""
    d = dt.timedelta
    return [
        (StageKind.REGISTRATION, today - d(days=40), today + d(days=3), "各自愿申报单位"),
        (StageKind.COACHING, today - d(days=50), today - d(days=10), "上海市质协"),
        (StageKind.SUBMISSION, today - d(days=10), today + d(days=14), "各自愿申报单位"),
        (StageKind.RECOMMENDATION, today - d(days=5), today + d(days=21), "各推荐单位"),
        (StageKind.EVALUATION, today - d(days=3), today + d(days=45), "上海市质协"),
        (StageKind.NATIONAL_RECOMMENDATION, today - d(days=1), today + d(days=55), "各有关单位"),
        (StageKind.PROMOTION, today + d(days=60), today + d(days=120), "上海市质协"),
    ]


def _campaign(code: str, fields: dict, stages) -> Campaign:
    campaign, created = Campaign.objects.get_or_create(
        code=code, defaults={**fields, "status": CampaignStatus.OPEN}
    )
    for position, name in enumerate(DOMAINS, start=1):
        CampaignDomain.objects.update_or_create(campaign=campaign, name=name, defaults={"position": position})
    for kind, starts, ends, responsible in stages:
        CampaignStage.objects.update_or_create(
            campaign=campaign,
            kind=kind,
            defaults={"starts_on": starts, "ends_on": ends, "responsible": responsible},
        )
    return campaign


def seed_live_campaign(orgs: dict[str, Organisation], judges: dict[str, list[Judge]]) -> Campaign | None:
    """The live campaign of the current year (issue 7, item 12): ``CAQ-<year>`` (national) and
    its child ``SAQ-<year>`` (上海市质协, seed 003's configuration: five domains, quota 2 per
    participating unit, the co-building unit 申江控股集团 unlimited, fallback unit
    其他-市质协会员现场部), whose calendar puts today in 成果申报. Shanghai's enterprises signed
    up and submitted results that stand at every state of the recommendation chain; the
    demo enterprise's own go through the portal's services (history, notifications), so
    ``company`` finds a correction to make and a draft to submit, ``unit`` results to
    recommend, ``saq_staff`` materials to review and a scored result to recommend to the
    national campaign, ``judge`` a result to score and ``caq_staff`` a recommended result
    to review. Idempotent; output: the live campaign (``None`` when it already existed)."""
    from django.core.files.base import ContentFile

    from evaluation import services as evaluation_services
    from evaluation.workflow import SUBMISSION_WORKFLOW
    from promotion.models import CampaignEntry
    from qcportal.tenancy import membership_scope

    today = timezone.localdate()
    year = today.year
    code = LIVE_CAMPAIGN.format(year=year)
    if Campaign.objects.filter(code=code).exists():
        return None
    national = _campaign(
        LIVE_NATIONAL.format(year=year),
        dict(
            organisation=orgs["CAQ"],
            year=year,
            title=f"{year}年度全国质量管理小组活动",
            document_number=f"中国质协字〔{year}〕21号",
            theme="扎根基层 落实标准 创新赋能",
            period_start=dt.date(year - 1, 9, 1),
            period_end=dt.date(year, 8, 31),
            deadline=today + dt.timedelta(days=60),
            recommendation_quota=10,
        ),
        [
            (kind, today - dt.timedelta(days=60), today + dt.timedelta(days=90), "中国质协")
            for kind, *_ in STAGES
        ],
    )
    live = _campaign(
        code,
        dict(
            organisation=orgs["SAQ"],
            year=year,
            title=f"{year}年上海市质量管理小组活动",
            document_number=f"沪质协[{year}]8号",
            theme="扎根基层 落实标准 创新赋能",
            period_start=dt.date(year - 1, 9, 1),
            period_end=dt.date(year, 8, 31),
            deadline=today + dt.timedelta(days=55),
            parent=national,
            fallback_unit=orgs["SAQ-OTHER"],
        ),
        _live_stages(today),
    )
    live.co_building_units.add(orgs["SAQ-SJ"])
    domains = list(live.domains.all())
    staff = _login_membership("saq_staff")
    company = _login_membership("company")
    unit = _login_membership("unit")

    def entry(enterprise: Organisation) -> CampaignEntry:
        return CampaignEntry.objects.get_or_create(
            campaign=live,
            organisation=enterprise,
            defaults=dict(
                recommending_unit=enterprise.parent,
                seal_name=enterprise.name,
                contact_person=enterprise.contact_person or "联系人",
                contact_mobile=enterprise.contact_mobile or "13800000000",
                address=enterprise.address,
                postcode=enterprise.postcode,
                signed_up_by=company.user,
            ),
        )[0]

    def accepted(enterprise: Organisation, n: int) -> list[Project]:
        return list(
            Project.objects.filter(organisation=enterprise, status=ProjectStatus.ACCEPTED)
            .exclude(submissions__campaign=live)
            .select_related("circle")
            .order_by("-accepted_on", "id")[:n]
        )

    now = timezone.now()

    def direct(enterprise: Organisation, project: Project, status: str, n: int, **extra) -> Submission:
        """A result of an enterprise without a demo login, created at its state."""
        return Submission.objects.create(
            organisation=enterprise,
            campaign=live,
            project=project,
            circle=project.circle,
            entry=entry(enterprise),
            recommending_unit=enterprise.parent,
            recommending_association=orgs["SAQ"],
            domain=domains[n % len(domains)],
            status=status,
            seal_name=enterprise.name,
            address=enterprise.address,
            postcode=enterprise.postcode,
            contact_department=project.circle.department,
            contact_person=enterprise.contact_person or "联系人",
            contact_mobile=enterprise.contact_mobile or "13800000000",
            introduction=f"{project.circle.name}围绕“{project.title}”课题，按T/CAQ 10201-2020活动程序开展活动，课题目标全面实现。",
            result_report=f"results/{year}/demo_{project.pk}.pdf",
            submitted_at=now if status != SubmissionStatus.DRAFT else None,
            **extra,
        )

    # The demo enterprise (company): one result returned for correction, one draft to submit.
    e1 = orgs["SAQ-PD-E1"]
    entry(e1)
    mine = accepted(e1, 2)
    with membership_scope(company):
        for n, project in enumerate(mine):
            s = evaluation_services.submission_create(
                membership=company, campaign=live, project=project, domain=domains[0]
            )
            s.result_report.save(f"成果报告_{s.pk}.pdf", ContentFile(PDF_BYTES), save=True)
            if n == 0:
                SUBMISSION_WORKFLOW.perform(s, "submit", membership=company)
    if mine:
        first = Submission.objects.get(campaign=live, project=mine[0])
        first.recommendation_form.save(f"推荐表_{first.pk}.pdf", ContentFile(PDF_BYTES), save=True)
        with membership_scope(unit):
            SUBMISSION_WORKFLOW.perform(
                first, "unit_recommend", membership=unit, comment="材料齐全，同意推荐。"
            )
        with membership_scope(staff):
            SUBMISSION_WORKFLOW.perform(
                first,
                "review_return",
                membership=staff,
                comment="成果报告缺少效果检查阶段的对比数据和巩固期数据，请补充后重新提交。",
                data={"correction_due": (today + dt.timedelta(days=5)).isoformat()},
            )
    # Shanghai's other enterprises: results at every other state of the chain.
    plan = [
        ("SAQ-PD-E2", (SubmissionStatus.SUBMITTED, SubmissionStatus.UNIT_RETURNED)),
        ("SAQ-PD-E3", (SubmissionStatus.UNIT_RECOMMENDED, SubmissionStatus.REJECTED)),
        ("SAQ-JD-E2", (SubmissionStatus.WITHDRAWN, SubmissionStatus.UNIT_RECOMMENDED)),
    ]
    #: Results that passed formal review and are being judged (issue 8): two domains, two
    #: panels; 嘉定区's SAQ-JD-E1 is coordinated by the demo judge's second identity.
    judged = ["SAQ-PD-E4", "SAQ-JD-E1", "SAQ-JD-E3", "SAQ-JD-E4", "SAQ-SJ-E1", "SAQ-SJ-E2", "SAQ-SJ-E3"]
    for n, (enterprise_code, statuses) in enumerate(plan):
        enterprise = orgs[enterprise_code]
        for status, project in zip(statuses, accepted(enterprise, len(statuses)), strict=False):
            extra = {}
            if status not in (
                SubmissionStatus.SUBMITTED,
                SubmissionStatus.UNIT_RETURNED,
                SubmissionStatus.WITHDRAWN,
            ):
                extra = {
                    "recommendation_form": f"recommendations/{year}/demo_{project.pk}.pdf",
                    "recommended_at": now,
                }
            direct(enterprise, project, status, n, **extra)
    n = 0
    for enterprise_code in judged:
        enterprise = orgs[enterprise_code]
        for project in accepted(enterprise, 2):
            s = direct(
                enterprise,
                project,
                SubmissionStatus.FORMALLY_REVIEWED,
                n,
                recommendation_form=f"recommendations/{year}/demo_{project.pk}.pdf",
                recommended_at=now,
            )
            Submission.objects.filter(pk=s.pk).update(domain=domains[n % 2])
            n += 1
    seed_live_judging(orgs, live)
    # 浙江省质协 recommended a result straight into the national campaign: waiting for the
    # national formal review (caq_staff's work).
    zj = (
        orgs["ZJAQ-HZ-E1"]
        if "ZJAQ-HZ-E1" in orgs
        else _enterprises({k: v for k, v in orgs.items() if k.startswith("ZJAQ")})[0]
    )
    project = (
        Project.objects.filter(organisation=zj, status=ProjectStatus.ACCEPTED)
        .exclude(submissions__campaign=national)
        .select_related("circle")
        .first()
    )
    if project is not None:
        Submission.objects.create(
            organisation=zj,
            campaign=national,
            project=project,
            circle=project.circle,
            recommending_unit=orgs["ZJAQ"],
            recommending_association=orgs["CAQ"],
            domain=national.domains.order_by("position").first(),
            status=SubmissionStatus.UNIT_RECOMMENDED,
            seal_name=zj.name,
            address=zj.address,
            postcode=zj.postcode,
            contact_department=project.circle.department,
            contact_person=zj.contact_person or "联系人",
            contact_mobile=zj.contact_mobile or "13800000000",
            introduction=f"{project.circle.name}围绕“{project.title}”开展活动，经浙江省质协评审推荐。",
            recommendation_form=f"recommendations/{year}/demo_{project.pk}.pdf",
            submitted_at=now,
            recommended_at=now,
            recommended_score=Decimal("91.20"),
        )
    return live


def seed_demo(*, circles: int = DEFAULT_CIRCLES, progress=None, national_progress=None) -> dict:
    """Load the demo, and above :data:`DEFAULT_CIRCLES` circles the national shape on top.

    Input: the target circle count — at most 360 gives the documented demo (fewer circles
    in its enterprises when lower); more loads the national shape for that total with
    ``reports.national.seed_national`` (PostgreSQL only; ``national_progress(label, rows,
    seconds, done)`` reports its tables). Output: a summary dict (organisations, circles,
    submissions, logins, and ``national``: the national load's summary or ``None``). Ends
    with the statistics summary rebuilt (:func:`reports.summaries.rebuild_statistics`).
    Raises ``reports.national.NationalSeedError`` (Chinese) before loading anything when the
    national shape cannot be loaded (SQLite, or a national load of another size exists).
    """
    from .national import national_precheck, seed_national

    if circles > DEFAULT_CIRCLES:
        national_precheck(circles)
    with no_tenant(), disable_auditlog():
        with transaction.atomic():
            orgs = seed_organisations()
            campaign = seed_campaign(orgs)
            logins = seed_users(orgs)
        added = seed_circles(orgs, min(circles, DEFAULT_CIRCLES), progress=progress)
        # The demo's own circles (not a national load's) size the demo enterprises' figures.
        total = Circle.objects.filter(organisation__in=_enterprises(orgs)).count()
        with transaction.atomic():
            seed_figures(orgs, campaign, total)
            judges = seed_judges(orgs)
            submissions = seed_submissions(orgs, campaign, judges)
            link_circle_leader(orgs)
        with transaction.atomic():
            seed_enterprise_work(orgs)
        with transaction.atomic():
            seed_promotion_plans()
        with transaction.atomic():
            seed_live_campaign(orgs, seed_judges(orgs))
        if circles <= DEFAULT_CIRCLES:
            # Issue 10 item 3: years of history for the dashboards. A national load brings its
            # own (a national campaign per completed year, reports.national).
            seed_dashboard_history(orgs)
            # The circles above were bulk-inserted (no model signals): build the statistics
            # summary once, so that the dashboards and Annex 3 read it (issue 10 item 2). A
            # national load rebuilds it after its own rows.
            rebuild_statistics()
        national = (
            seed_national(orgs, circles=circles, progress=national_progress)
            if circles > DEFAULT_CIRCLES
            else None
        )
        with transaction.atomic():  # after the history: this year's figures exist to add to
            seed_trainings_and_conference()
        # The demo's enterprises only: a national load's bulk rows stay out of the knowledge base.
        seed_library([o.pk for o in _enterprises(orgs)])
        with transaction.atomic():  # a national load's judgings are left as they are
            seed_honours(with_association=circles <= DEFAULT_CIRCLES)
        with transaction.atomic():
            seed_reviews()
        # rows written in bulk send no signals: whatever the cache holds from before is stale
        generation_bump(CAMPAIGNS_GENERATION, ORGANISATIONS_GENERATION, STATISTICS_GENERATION)
        return {
            "organisations": Organisation.objects.count(),
            "enterprises": Organisation.objects.filter(kind=K.ENTERPRISE).count(),
            "circles": Circle.objects.count(),
            "circles_added": added
            + (national["circles"] - DEFAULT_CIRCLES if national and not national["skipped"] else 0),
            "members": CircleMember.objects.count(),
            "submissions": Submission.objects.filter(campaign=campaign).count(),
            "submissions_added": submissions,
            "last_circle_id": Circle.objects.aggregate(m=Max("id"))["m"],
            "logins": logins,
            "national": national,
        }


def seed_trainings_and_conference() -> bool:
    """This year's publicity and training and the Shanghai presentation conference (issue 11
    item 2; seed 001 §7.2, §7.5.2), made through the portal's services: ``company`` recorded
    two trainings and a publicity campaign (their costs are SAQ-PD-E1's Annex 3 spending of
    the year), ``saq_staff`` a training for the province's coordinators and announced the
    conference of ``SAQ-<year>`` (sign-ups open for 20 days), for which two other Shanghai
    enterprises signed results up: ``saq_staff`` finds them to choose presenters from, and
    ``company`` may sign one of its accepted results up. Idempotent (output: created?)."""
    from circles.choices import ProjectStatus as PS
    from evaluation.models import ConferenceSignUp
    from promotion.choices import TrainingDelivery, TrainingKind
    from promotion.conferences import conference_save
    from promotion.models import Training
    from promotion.trainings import training_save
    from qcportal.tenancy import membership_scope

    today = timezone.localdate()
    company, staff = _login_membership("company"), _login_membership("saq_staff")
    if Training._base_manager.filter(organisation=company.organisation).exists():
        return False
    day = max(dt.date(today.year, 1, 10), today - dt.timedelta(days=200))
    with membership_scope(company):
        for offset, kind, delivery, topic, trainer, people, hours, cost in (
            (
                0,
                TrainingKind.TRAINING,
                TrainingDelivery.INTERNAL,
                "QC小组活动准则宣贯",
                "质量部 陈工",
                86,
                "4",
                "0.6",
            ),
            (
                30,
                TrainingKind.TRAINING,
                TrainingDelivery.EXTERNAL,
                "QC小组诊断师培训",
                "上海市质协",
                6,
                "24",
                "1.8",
            ),
            (
                60,
                TrainingKind.PUBLICITY,
                TrainingDelivery.INTERNAL,
                "质量月优秀成果展",
                "工会",
                320,
                "1",
                "0.25",
            ),
        ):
            held_on = min(day + dt.timedelta(days=offset), today)
            training_save(
                membership=company,
                data={
                    "kind": kind,
                    "delivery": delivery,
                    "held_on": held_on,
                    "topic": topic,
                    "trainer": trainer,
                    "participants": people,
                    "hours": Decimal(hours),
                    "cost": Decimal(cost),
                },
            )
    with membership_scope(staff):
        training_save(
            membership=staff,
            data={
                "kind": TrainingKind.TRAINING,
                "delivery": TrainingDelivery.INTERNAL,
                "held_on": min(day + dt.timedelta(days=15), today),
                "topic": "全市QC小组推进者培训班",
                "trainer": "上海市质协专家组",
                "participants": 140,
                "hours": Decimal("12"),
                "cost": Decimal("3.5"),
            },
        )
        campaign = Campaign.objects.filter(code=LIVE_CAMPAIGN.format(year=today.year)).first()
        if campaign is None:
            return True
        conference = conference_save(
            membership=staff,
            campaign=campaign,
            data={
                "title": f"{today.year}年上海市质量管理小组成果发表交流会",
                "held": True,
                "held_on": today + dt.timedelta(days=40),
                "place": "上海国际会议中心",
                "signup_deadline": today + dt.timedelta(days=20),
                "attendance": 0,
            },
        )
    others = (
        Project._base_manager.filter(
            organisation__path__startswith=staff.organisation.path, status__in=(PS.ACCEPTED, PS.COMPLETED)
        )
        .exclude(organisation=company.organisation)
        .order_by("organisation_id", "id")
    )
    seen: set[int] = set()
    for project in others.iterator():
        if project.organisation_id in seen:
            continue
        seen.add(project.organisation_id)
        ConferenceSignUp.objects.create(  # as the enterprises signed up (the recount follows)
            conference=conference,
            organisation_id=project.organisation_id,
            circle_id=project.circle_id,
            project=project,
            presenter=f"{project.circle_id % 7 + 1}号发表人",
        )
        if len(seen) == 2:
            break
    return True


def seed_library(organisation_ids: list[int] | None = None) -> bool:
    """The results knowledge base of the demo (issue 11 item 3; seed 001 §7.6): every accepted
    result and every result of a published judging indexed (the history was bulk-inserted,
    without the signals that index one at a time); the other Shanghai enterprises share their
    results with the association (so ``company`` finds them by a Chinese word), one of them
    with everyone; ``company`` keeps its own private until it chooses (its page offers it)
    and has recorded one adoption of a neighbour's result. Input: the enterprises to index
    (``None``: all). Idempotent (output: created?)."""
    from evaluation.choices import LibrarySharing
    from evaluation.library import adoption_save, entry_share, library_rebuild
    from evaluation.models import Adoption, LibraryEntry
    from qcportal.tenancy import membership_scope

    company, staff = _login_membership("company"), _login_membership("saq_staff")
    if Adoption._base_manager.filter(organisation=company.organisation).exists():
        return False
    with no_tenant():
        library_rebuild(organisation_ids)
        shanghai = LibraryEntry._base_manager.filter(
            organisation__path__startswith=staff.organisation.path
        ).exclude(organisation=company.organisation)
        everyone = list(shanghai.order_by("-year", "id").values_list("pk", flat=True)[:3])
        shanghai.update(sharing=LibrarySharing.ASSOCIATION, audience=staff.organisation)
        LibraryEntry._base_manager.filter(pk__in=everyone).update(
            sharing=LibrarySharing.EVERYONE, audience=None
        )
        own = (
            LibraryEntry._base_manager.filter(organisation=company.organisation)
            .order_by("-year", "id")
            .first()
        )
    if own is not None:
        with membership_scope(company):
            entry_share(membership=company, entry=own, sharing=LibrarySharing.ASSOCIATION)
    with membership_scope(company):
        adopted = LibraryEntry.objects.filter(pk__in=everyone).first()
        if adopted is not None:
            adoption_save(
                membership=company,
                entry=adopted,
                data={
                    "place": "二车间焊装线",
                    "adopted_on": timezone.localdate() - dt.timedelta(days=30),
                    "effect": "借鉴其因果图分析和工装改进，焊接返修率由2.1%降至0.9%。",
                    "benefit": Decimal("12.5"),
                },
            )
    return True


def seed_honours(*, with_association: bool = True) -> bool:
    """Honours and certificates of the demo (issue 11 items 4 and 5), made through the
    portal's services and workflow: 中国质协 turned its published grades of the newest
    national campaign into nominations (``caq_staff``), its leadership approved all but three
    (``caq_leader`` finds those waiting) and it issued the campaign's certificates (verifiable
    at ``/verify/<number>``); the demo enterprise approved a circle's honour with its
    certificate last year, and ``company`` nominated this year's promoter, waiting for
    ``executive``'s approval. ``with_association``: whether 中国质协's part is made too.
    Idempotent (output: created?)."""
    from evaluation.certificates import certificate_issue_for_honour, certificates_issue
    from evaluation.choices import HonourKind, HonourStatus, JudgingStatus
    from evaluation.honours import honour_save, honours_from_grades
    from evaluation.models import Honour, Judging
    from evaluation.workflow import HONOUR_WORKFLOW
    from qcportal.tenancy import membership_scope

    company, executive = _login_membership("company"), _login_membership("executive")
    staff, leader = _login_membership("caq_staff"), _login_membership("caq_leader")
    if Honour._base_manager.filter(organisation=company.organisation).exists():
        return False
    judging = (
        Judging._base_manager.filter(
            organisation=staff.organisation, status=JudgingStatus.PUBLISHED, results__grade__isnull=False
        )
        .distinct()
        .select_related("campaign")
        .order_by("-campaign__year")
        .first()
    )
    if judging is not None and with_association:
        with membership_scope(staff):
            honours_from_grades(membership=staff, campaign=judging.campaign)
            nominated = list(
                Honour.objects.filter(
                    organisation=staff.organisation, status=HonourStatus.NOMINATED
                ).order_by("id")
            )
            for honour in nominated:
                HONOUR_WORKFLOW.perform(honour, "submit", membership=staff)
        with membership_scope(leader):
            for honour in nominated[3:]:
                HONOUR_WORKFLOW.perform(honour, "approve", membership=leader)
        with membership_scope(staff):
            certificates_issue(membership=staff, campaign=judging.campaign)
    year = timezone.localdate().year
    circle = Circle._base_manager.filter(organisation=company.organisation).order_by("id").first()
    with membership_scope(company):
        last_year = honour_save(
            membership=company,
            data={
                "kind": HonourKind.CIRCLE,
                "year": year - 1,
                "title": f"{year - 1}年度厂级优秀QC小组",
                "circle": circle,
                "citation": "全年完成两项课题，经济效益经财务部确认。",
                "material_reward": Decimal("0.6"),
                "other_rewards": "荣誉证书、通报表扬",
            },
        )
        HONOUR_WORKFLOW.perform(last_year, "submit", membership=company)
    with membership_scope(executive):
        last_year = HONOUR_WORKFLOW.perform(last_year, "approve", membership=executive)
    with membership_scope(company):
        certificate_issue_for_honour(membership=company, honour=last_year)
        promoter = honour_save(
            membership=company,
            data={
                "kind": HonourKind.PROMOTER,
                "year": year,
                "title": f"{year}年度优秀推进者",
                "recipient": company.organisation,
                "person_name": "王晓明",
                "person_position": "质量部 QC推进负责人",
                "citation": "组织全厂QC小组注册和课题立项，全年开展培训三次。",
                "material_reward": Decimal("0.5"),
                "other_rewards": "荣誉证书",
            },
        )
        HONOUR_WORKFLOW.perform(promoter, "submit", membership=company)
    return True


def seed_reviews() -> bool:
    """Yearly evaluations and the improvement list of the demo (issue 11 item 6), through
    the portal's services: ``company`` evaluated last year and listed three improvement
    items — one done with its evidence, one owned by ``leader`` past its deadline (on the
    leader's to-do list), one of its own due next month; ``saq_staff`` began this year's
    evaluation of 上海市质协, which its Annex 2 editor takes up. Idempotent (output: created?)."""
    from promotion.models import YearlyReview
    from promotion.reviews import improvement_save, review_save
    from promotion.workflow import IMPROVEMENT_WORKFLOW
    from qcportal.tenancy import membership_scope

    company, leader, staff = (_login_membership(u) for u in ("company", "leader", "saq_staff"))
    if YearlyReview._base_manager.filter(organisation=company.organisation).exists():
        return False
    today = timezone.localdate()
    with membership_scope(company):
        review = review_save(
            membership=company,
            year=today.year - 1,
            data={
                "results": "全年注册QC小组较上年增加，课题按期完成率达到计划目标；两项成果获市级表彰。",
                "problems": "部分小组活动记录不及时；课题选题偏小，经济效益确认流程较慢。",
                "directions": "每月检查活动记录；推行选题评审会；与财务部约定效益确认时限。",
            },
        )
        done = improvement_save(
            membership=company,
            data={
                "title": "与财务部约定经济效益确认时限",
                "owner": company.user,
                "deadline": today - dt.timedelta(days=40),
                "review": review,
            },
        )
        IMPROVEMENT_WORKFLOW.perform(
            done,
            "complete",
            membership=company,
            data={"evidence": "已发布《QC成果经济效益确认办法》，确认时限10个工作日。"},
        )
        improvement_save(
            membership=company,
            data={
                "title": "补齐本小组近三个月的活动记录",
                "description": "检查发现活动记录不及时，部分步骤缺少数据。",
                "owner": leader.user,
                "deadline": today - dt.timedelta(days=3),
                "review": review,
            },
        )
        improvement_save(
            membership=company,
            data={
                "title": "组织一次选题评审会",
                "owner": company.user,
                "deadline": today + dt.timedelta(days=30),
                "review": review,
            },
        )
    with membership_scope(staff):
        review_save(
            membership=staff,
            year=today.year,
            data={
                "results": "全市注册QC小组数量稳步增长，成果发表交流覆盖各区和重点行业。",
                "problems": "中小企业参与度仍然偏低，部分区推进力量薄弱。",
                "directions": "开展“专精特新”企业QC小组辅导；加强推进者培训。",
            },
        )
    return True


def seed_promotion_plans() -> bool:
    """The demo's annual promotion plans of this year (issue 11 item 1; seed 001 §6), made
    through the portal's services and workflow: the demo enterprise's plan (SAQ-PD-E1),
    drafted and submitted by ``company`` and waiting for ``executive`` (决策层) to approve;
    the Shanghai association's plan, drafted by ``saq_staff`` and waiting to be completed
    and submitted. Idempotent (output: created?)."""
    from promotion.choices import ActivityType, GoalMetric
    from promotion.models import PromotionPlan
    from promotion.plans import plan_create, plan_save
    from promotion.workflow import PLAN_WORKFLOW
    from qcportal.tenancy import membership_scope

    year = timezone.localdate().year
    company, staff = _login_membership("company"), _login_membership("saq_staff")
    if PromotionPlan._base_manager.filter(organisation=company.organisation, year=year).exists():
        return False
    d = dt.date
    with membership_scope(company):
        plan = plan_create(
            membership=company,
            year=year,
            title=f"{year}年度群众性质量活动推进计划",
            direction="围绕“降本增效、提质保安全”，以总装和机加工车间为重点，扩大一线员工参与面，"
            "提高课题完成率和成果转化率。",
        )
        plan_save(
            membership=company,
            plan=plan,
            title=plan.title,
            direction=plan.direction,
            parts={
                "findings": [
                    {
                        "weak_point": "一线员工参与率偏低",
                        "evidence": f"{year - 1}年参与率约18%，低于本集团平均水平",
                    },
                    {"weak_point": "课题完成率不高", "evidence": f"{year - 1}年注册课题中约三成未按期完成"},
                ],
                "goals": [
                    {
                        "metric": GoalMetric.CIRCLES_REGISTERED,
                        "description": "新注册QC小组",
                        "target": Decimal("12"),
                    },
                    {
                        "metric": GoalMetric.PARTICIPATION_RATE,
                        "description": "职工参与率",
                        "target": Decimal("25"),
                    },
                    {"metric": GoalMetric.RESULTS, "description": "取得成果", "target": Decimal("8")},
                    {
                        "metric": GoalMetric.OTHER,
                        "description": "成果发表交流（项）",
                        "target": Decimal("3"),
                        "actual": Decimal("1"),
                    },
                ],
                "activities": [
                    {
                        "kind": ActivityType.QC_CIRCLE,
                        "purpose": "解决现场质量、成本和安全问题，覆盖全部生产车间",
                    },
                    {"kind": ActivityType.TRAINING, "purpose": "普及QC工具和问题解决型课题程序"},
                    {"kind": ActivityType.LEAN_SITE, "purpose": "总装车间5S与目视化改善"},
                ],
                "projects": [
                    {
                        "name": "QC小组骨干培训（两期）",
                        "budget": Decimal("6.00"),
                        "starts_on": d(year, 3, 1),
                        "ends_on": d(year, 6, 30),
                        "responsible": "质量部",
                    },
                    {
                        "name": "年度成果发表会",
                        "budget": Decimal("3.50"),
                        "starts_on": d(year, 10, 1),
                        "ends_on": d(year, 10, 31),
                        "responsible": "质量部、工会",
                    },
                    {
                        "name": "优秀小组和推进者奖励",
                        "budget": Decimal("8.00"),
                        "starts_on": d(year, 11, 1),
                        "ends_on": d(year, 12, 31),
                        "responsible": "人力资源部",
                    },
                ],
                "activity_plans": [
                    {
                        "kind": ActivityType.QC_CIRCLE,
                        "theme": "降低总装返工率",
                        "starts_on": d(year, 3, 1),
                        "ends_on": d(year, 11, 30),
                        "responsibilities": "质量部组织，各车间主任负责",
                        "resources": "专项经费10万元，外部辅导老师2名",
                        "expected_results": "完成课题不少于8个",
                    },
                ],
            },
        )
        PLAN_WORKFLOW.perform(PromotionPlan.objects.get(pk=plan.pk), "submit", membership=company)
    with membership_scope(staff):
        draft = plan_create(
            membership=staff,
            year=year,
            title=f"{year}年度上海市群众性质量活动推进计划",
            direction="扩大中小企业参与面。",
        )
        plan_save(
            membership=staff,
            plan=draft,
            title=draft.title,
            direction=draft.direction,
            parts={
                "findings": [{"weak_point": "中小企业参与不足", "evidence": "注册小组集中在大型国企"}],
                "goals": [
                    {
                        "metric": GoalMetric.CIRCLES_REGISTERED,
                        "description": "全市注册小组",
                        "target": Decimal("3000"),
                    }
                ],
            },
        )
    return True


def _points_for(template, rng: random.Random, quality: float) -> dict:
    """Item points around ``quality`` (0–1 of each item's maximum) in half points."""
    return {
        c.code: str(
            min(c.max_points, round(c.max_points * rng.uniform(quality - 0.08, quality + 0.05) * 2) / 2)
        )
        for c in template.criteria.order_by("position")
    }


def seed_live_judging(orgs: dict[str, Organisation], live: Campaign) -> None:
    """The judging of the live campaign by 上海市质协 (issue 8), built through the portal's
    own services as staff would: settings (trim at 5 judges, 2 places, grades by places),
    round 1 成果评审 (materials, 70 %, 5 judges per result, two panels — 制造类 chaired by the
    demo ``judge``, 市场服务类 — assigned automatically under every constraint and published),
    round 2 发表评审 (presentation in person, 30 %, 3 judges, for results scoring at least 80
    in round 1; still a draft for staff to assign). In round 1 ``judge2`` has submitted every
    sheet, staff entered the paper sheets of the judges without a login except one (left for
    ``saq_staff`` to enter), and the demo ``judge`` still has their sheets to score and their
    panel to sign off. Idempotent through the caller (runs once with the live campaign)."""
    from evaluation import rounds as round_services
    from evaluation import sheets as sheet_services
    from evaluation.assignment import assignment_apply
    from evaluation.choices import RoundKind
    from evaluation.judging import judging_get_or_create
    from evaluation.workflow import ROUND_WORKFLOW
    from qcportal.tenancy import membership_scope

    staff = _login_membership("saq_staff")
    judge2 = _login_membership("judge2")
    today = timezone.localdate()
    rng = random.Random("live-judging")
    with membership_scope(staff):
        judging = judging_get_or_create(campaign=live, association=orgs["SAQ"])
        round_services.judging_settings_update(
            membership=staff, judging=judging, trim_min_judges=5, score_places=2, grade_method="places"
        )
        from evaluation import grading
        from promotion.choices import GradeScheme

        # 标杆级/优秀级/推进级 with places in the proportions of Shanghai 2025 (19/148/178 of 345).
        for level, places in zip(
            grading.grade_levels_preset(
                membership=staff, judging=judging, preset=GradeScheme.BENCHMARK_EXCELLENT
            ),
            (1, 5, 8),
            strict=True,
        ):
            grading.grade_level_save(
                membership=staff,
                judging=judging,
                level=level,
                name=level.name,
                position=level.position,
                min_score=None,
                places=places,
            )
        ps = standard_template(ScoreSheetKind.PROBLEM_SOLVING_RESULT)
        first = round_services.round_create(
            membership=staff,
            judging=judging,
            data={
                "name": "成果评审",
                "kind": RoundKind.MATERIALS,
                "template": ps.pk,
                "innovation_template": standard_template(ScoreSheetKind.INNOVATION_RESULT).pk,
                "starts_on": (today - dt.timedelta(days=3)).isoformat(),
                "ends_on": (today + dt.timedelta(days=10)).isoformat(),
                "judges_per_submission": 5,
                "weight": "70",
                "entry": "all",
            },
        )
        pool = list(Judge.objects.filter(organisation=orgs["SAQ"]).order_by("certificate_number"))
        by_number = {int(j.certificate_number[-3:]): j for j in pool}
        domains = {d.name: d for d in live.domains.all()}
        for name, domain, members in (
            ("第一评审组（制造类）", "制造类", range(1, 10)),
            ("第二评审组（市场服务类）", "市场服务类", range(10, 19)),
        ):
            judges = [by_number[n] for n in members]
            round_services.panel_save(
                membership=staff,
                round_=first,
                name=name,
                domain=domains[domain],
                chair=judges[0],
                judges=judges,
            )
        assignment_apply(membership=staff, round_=first)
        if not JudgeAssignment.objects.filter(round=first).exists():
            # A small demo (``seed_demo --circles N``) may have no result in the live judging
            # yet: the round stays a draft for staff, as it would in life.
            return
        first = ROUND_WORKFLOW.perform(first, "publish_assignment", membership=staff)
        left_for_staff, judge2_left = None, False
        for assignment in (
            JudgeAssignment.objects.filter(round=first, recused=False)
            .select_related("judge", "submission__project")
            .order_by("submission_id", "judge__certificate_number")
        ):
            judge = assignment.judge
            template = first.template_for(assignment.submission)
            quality = 0.7 + (assignment.submission_id % 7) * 0.035
            if judge.user_id is None:
                if left_for_staff is None:
                    left_for_staff = assignment  # one paper sheet for saq_staff to enter
                    continue
                sheet_services.paper_sheet_save(
                    membership=staff,
                    assignment=assignment,
                    points=_points_for(template, rng, quality),
                    assessment=_assessment(rng),
                    submit=True,
                )
            elif judge.user_id == judge2.user_id:
                if not judge2_left:
                    judge2_left = True  # one result left for judge2 to score today
                    continue
                with membership_scope(judge2):
                    sheet_services.score_sheet_save(
                        membership=judge2,
                        submission=Submission.objects.get(pk=assignment.submission_id),
                        points=_points_for(template, rng, quality),
                        assessment=_assessment(rng),
                        submit=True,
                        round=first,
                    )
        round_services.round_create(
            membership=staff,
            judging=judging,
            data={
                "name": "发表评审",
                "kind": RoundKind.PRESENTATION,
                "presentation_mode": "in_person",
                "template": standard_template(ScoreSheetKind.PRESENTATION).pk,
                "starts_on": (today + dt.timedelta(days=12)).isoformat(),
                "ends_on": (today + dt.timedelta(days=20)).isoformat(),
                "judges_per_submission": 3,
                "weight": "30",
                "entry": "min_score",
                "entry_score": "80",
            },
        )
