"""Years of history for the demo's dashboards (issue 10 item 3), kept apart from the rest of
the demo (``reports/demo.py``) so that the demo's own data stays as it is.

The demo's circles are registered from 2016 to the 2020 campaign, and its enterprises report
yearly figures for 2019 and 2020 only, so the dashboards of the demo's leadership and
executive logins (``caq_leader``, ``saq_leader``, ``executive``) would show an empty current
year. :func:`seed_dashboard_history` adds, deterministically and once:

- yearly figures (职工总数, 活动经费投入, 奖励费用) of every enterprise for every year from 2016 to
  this year that has none;
- for each year from 2021 to this year, two circles per enterprise registered that year (a
  growing share, so that the trend rises), with 3–10 members, one project (most accepted,
  with confirmed benefit) and activity records; their registration numbers carry
  :data:`HISTORY_MARK`, so that ``seed_circles`` does not count them;
- for each past year from 2021, a closed national campaign ``CAQ-<year>`` whose results,
  recommended by the provincial and industry associations, were judged and graded
  (一等奖/二等奖/三等奖) in a published national judging — the dashboards' grades.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from circles.choices import CircleStatus, MemberRole, ProjectStatus, ProjectType, TargetKind, procedure_for
from circles.models import ActivityRecord, Circle, CircleMember, Project
from evaluation.choices import JudgingStatus, SubmissionStatus
from evaluation.models import GradeLevel, Judging, Result, Submission
from promotion.choices import CampaignStatus
from promotion.models import Campaign, CampaignDomain, EnterpriseAnnualFigures
from qcportal.choices import OrganisationKind
from qcportal.models import Organisation

from . import demo_names as N

#: Part of the registration number of every history circle (``E1-2023-HIST01``).
HISTORY_MARK = "-HIST"
FIRST_FIGURES_YEAR = 2016
FIRST_HISTORY_YEAR = 2021
CIRCLES_PER_YEAR = 2
GRADES = ("一等奖", "二等奖", "三等奖")
DOMAINS = ["制造类", "市场服务类", "非营利性服务类", "建造类", "“专精特新”中小企业类"]


def _enterprises(orgs: dict[str, Organisation]) -> list[Organisation]:
    """The demo's own enterprises (not a national load's), by code, with their parents."""
    codes = [o.code for o in orgs.values() if o.kind == OrganisationKind.ENTERPRISE]
    return list(Organisation.objects.filter(code__in=codes).select_related("parent").order_by("code"))


def _date(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randint(0, max(0, (end - start).days)))


def seed_history_figures(enterprises: list[Organisation], today: dt.date) -> int:
    """Yearly figures of every enterprise for 2016 … this year where missing (growing
    slowly year on year). Output: rows added."""
    have = set(EnterpriseAnnualFigures.objects.values_list("organisation_id", "year"))
    rows = []
    for enterprise in enterprises:
        rng = random.Random(f"history-figures-{enterprise.code}")
        base = rng.randint(150, 600)
        for year in range(FIRST_FIGURES_YEAR, today.year + 1):
            if (enterprise.pk, year) in have:
                continue
            growth = 1 + (year - FIRST_FIGURES_YEAR) * 0.03
            spending = (Decimal(rng.randint(300, 6000)) / 100 * Decimal(str(growth))).quantize(
                Decimal("0.0001")
            )
            rewards = (Decimal(rng.randint(100, 2500)) / 100 * Decimal(str(growth))).quantize(
                Decimal("0.0001")
            )
            rows.append(  # bulk_create calls no save(): the totals are set with their parts
                EnterpriseAnnualFigures(
                    organisation=enterprise,
                    year=year,
                    total_employees=int(base * growth) + rng.randint(0, 80),
                    other_activity_spending=spending,
                    qc_activity_spending=spending,
                    other_reward_spending=rewards,
                    reward_spending=rewards,
                )
            )
    EnterpriseAnnualFigures.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def _history_rows(enterprise: Organisation, year: int, n: int, today: dt.date):
    rng = random.Random(f"history-{enterprise.code}-{year}-{n}")
    last = min(dt.date(year, 12, 31), today - dt.timedelta(days=20))
    registered_on = _date(rng, dt.date(year, 1, 5), min(dt.date(year, 6, 30), last))
    circle = Circle(
        organisation=enterprise,
        department=rng.choice(N.DEPARTMENTS),
        name=f"{rng.choice(N.DEPARTMENTS)[:-1]}{rng.choice(N.CIRCLE_PREFIXES)}QC小组",
        registration_number=f"{enterprise.code}-{year}{HISTORY_MARK}{n:02d}",
        registration_year=year,
        registered_on=registered_on,
        status=CircleStatus.REGISTERED,
    )
    size = rng.randint(3, 10)
    members = [
        CircleMember(
            organisation=enterprise,
            name=rng.choice(N.SURNAMES) + rng.choice(N.GIVEN) + rng.choice(N.GIVEN),
            role=MemberRole.LEADER if i == 0 else MemberRole.MEMBER,
            position=rng.choice(N.POSITIONS),
            position_order=i + 1,
        )
        for i in range(size)
    ]
    innovation = rng.random() < 0.3
    project_type = ProjectType.INNOVATION if innovation else ProjectType.PROBLEM_SOLVING
    target_kind = None if innovation else TargetKind.SELF_SET
    horizon = min(dt.date(year, 12, 20), today - dt.timedelta(days=1))
    accepted = rng.random() < 0.7 and horizon > registered_on + dt.timedelta(days=60)
    accepted_on = _date(rng, registered_on + dt.timedelta(days=60), horizon) if accepted else None
    confirmed = accepted and rng.random() < 0.85
    template = rng.choice(N.INNOVATION_TOPICS if innovation else N.PS_TOPICS)
    project = Project(
        organisation=enterprise,
        title=template.format(p=rng.choice(N.PRODUCTS)),
        project_type=project_type,
        target_kind=target_kind,
        status=ProjectStatus.ACCEPTED if accepted else ProjectStatus.IN_PROGRESS,
        applied_on=registered_on,
        registered_on=registered_on + dt.timedelta(days=7),
        accepted_on=accepted_on,
        economic_benefit=Decimal(rng.randint(80, 18000)) / 100 if accepted else Decimal("0"),
        benefit_confirmed=confirmed,
        benefit_confirmed_by="财务部" if confirmed else "",
        benefit_confirmed_on=accepted_on if confirmed else None,
        intangible_benefits=rng.choice(N.BENEFIT_TEXTS) if accepted else "",
    )
    steps = procedure_for(project_type, target_kind)
    end = accepted_on or horizon
    records = [
        ActivityRecord(
            organisation=enterprise,
            step=steps[min(i * 3, len(steps) - 1)],
            held_on=held_on,
            participant_count=rng.randint(3, size),
            content="按计划开展本阶段活动，记录原始数据并讨论下一步安排。",
            tools="调查表、排列图",
        )
        for i, held_on in enumerate(sorted(_date(rng, registered_on, end) for _ in range(rng.randint(1, 3))))
    ]
    return circle, members, project, records


def seed_history_circles(enterprises: list[Organisation], today: dt.date) -> int:
    """Two circles per enterprise per year from 2021 to this year (with members, a project
    and records), unless already there. Output: circles added."""
    if Circle.objects.filter(registration_number__contains=HISTORY_MARK).exists():
        return 0
    rows = [
        _history_rows(enterprise, year, n, today)
        for year in range(FIRST_HISTORY_YEAR, today.year + 1)
        for enterprise in enterprises
        for n in range(1, CIRCLES_PER_YEAR + 1)
    ]
    circles = Circle.objects.bulk_create([r[0] for r in rows], batch_size=2000)
    members, projects = [], []
    for circle, (_c, circle_members, project, _r) in zip(circles, rows, strict=True):
        for member in circle_members:
            member.circle = circle
        members.extend(circle_members)
        project.circle = circle
        projects.append(project)
    CircleMember.objects.bulk_create(members, batch_size=5000)
    projects = Project.objects.bulk_create(projects, batch_size=2000)
    records = []
    for project, (circle, _m, _p, project_records) in zip(projects, rows, strict=True):
        for record in project_records:
            record.project, record.circle = project, circle
        records.extend(project_records)
    ActivityRecord.objects.bulk_create(records, batch_size=5000)
    return len(circles)


def seed_history_grades(
    orgs: dict[str, Organisation], enterprises: list[Organisation], today: dt.date
) -> int:
    """For each past year from 2021: the closed national campaign ``CAQ-<year>`` with, per
    provincial/industry association, its three best results of the year recommended to the
    national association, judged and graded (一等奖/二等奖/三等奖) in a published national
    judging. Output: results added."""
    caq = orgs["CAQ"]
    now = timezone.now()
    added = 0
    for year in range(FIRST_HISTORY_YEAR, today.year):
        campaign, _created = Campaign.objects.get_or_create(
            code=f"CAQ-{year}",
            defaults=dict(
                organisation=caq,
                year=year,
                title=f"{year}年度全国质量管理小组活动",
                document_number=f"中国质协字〔{year}〕21号",
                theme="扎根基层 落实标准 创新赋能",
                period_start=dt.date(year - 1, 9, 1),
                period_end=dt.date(year, 8, 31),
                deadline=dt.date(year, 9, 15),
                status=CampaignStatus.CLOSED,
            ),
        )
        if Judging._base_manager.filter(campaign=campaign, organisation=caq).exists():
            continue
        domains = [
            CampaignDomain.objects.get_or_create(
                campaign=campaign, name=name, defaults={"position": position}
            )[0]
            for position, name in enumerate(DOMAINS, start=1)
        ]
        judging = Judging._base_manager.create(
            campaign=campaign, organisation=caq, status=JudgingStatus.PUBLISHED, published_at=now
        )
        levels = [
            GradeLevel.objects.create(judging=judging, name=name, position=position)
            for position, name in enumerate(GRADES, start=1)
        ]
        rng = random.Random(f"history-grades-{year}")
        for association in Organisation.objects.filter(parent=caq).order_by("code"):
            reporting = [
                e
                for e in enterprises
                if (e.industry_association_id == association.pk)
                or (e.path.startswith(association.path) and e.industry_association_id is None)
            ]
            projects = list(
                Project.objects.filter(
                    organisation__in=reporting,
                    status=ProjectStatus.ACCEPTED,
                    accepted_on__year=year,
                    circle__registration_number__contains=HISTORY_MARK,
                )
                .select_related("circle", "organisation")
                .order_by("-economic_benefit", "id")[:3]
            )
            for rank, project in enumerate(projects, start=1):
                enterprise = project.organisation
                score = Decimal(rng.randint(7800, 9600)) / 100
                submission = Submission.objects.create(
                    organisation=enterprise,
                    campaign=campaign,
                    project=project,
                    circle=project.circle,
                    recommending_unit=association,
                    recommending_association=caq,
                    domain=domains[(rank + added) % len(domains)],
                    status=SubmissionStatus.SCORED,
                    seal_name=enterprise.name,
                    address=enterprise.address,
                    postcode=enterprise.postcode,
                    contact_department=project.circle.department,
                    contact_person=enterprise.contact_person or "联系人",
                    contact_mobile=enterprise.contact_mobile or "13800000000",
                    introduction=f"{project.circle.name}围绕“{project.title}”开展活动，课题目标全面实现。",
                    score=score,
                    submitted_at=now,
                    recommended_at=now,
                    recommended_score=score,
                    scores_released_at=now,
                )
                Result.objects.create(
                    organisation=enterprise,
                    judging=judging,
                    submission=submission,
                    final_score=score,
                    rank=rank,
                    grade=levels[rank - 1],
                )
                added += 1
    return added


def seed_dashboard_history(orgs: dict[str, Organisation], *, today: dt.date | None = None) -> dict:
    """Add the dashboards' years of history to the demo (see the module docstring); run
    without a tenant scope, after the rest of the demo. Idempotent. Output: rows added per
    kind (``figures``, ``circles``, ``results``)."""
    today = today or timezone.localdate()
    enterprises = _enterprises(orgs)
    with transaction.atomic():
        figures = seed_history_figures(enterprises, today)
        circles = seed_history_circles(enterprises, today)
        results = seed_history_grades(orgs, enterprises, today)
    return {"figures": figures, "circles": circles, "results": results}
