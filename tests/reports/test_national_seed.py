"""The national-shape generator (issue 10 item 1): ``seed_demo --scale national`` / ``--circles N``.

The fast tests load the demo's organisations and logins (no circles) and the national shape
at 2,000 circles on top (``reports.national.seed_national``, a few seconds), then check the
shape with SQL aggregates: enterprises ≈ N/20, 3–10 members per circle, every row's owner,
paths, skew, 行业直属 enterprises, consistent dates, history with judged results, the
sequences past the new ids, and the demo logins' scopes. Running it again with the same N
loads nothing; with another N it is refused. The command itself (the demo, then the national
shape) is exercised in ``tests/reports/test_commands.py``.
"""

import datetime as dt
import re

import pytest
from django.db import connection
from django.db.models import Count, F, Max, Min, Q
from django.utils import timezone

from circles.models import ActivityRecord, Circle, CircleMember, Project
from evaluation.models import Result, Submission
from promotion.models import Campaign, EnterpriseAnnualFigures
from qcportal.models import Membership, Organisation, User
from qcportal.tenancy import membership_scope, no_tenant
from reports import national
from reports.demo import DEFAULT_CIRCLES, DEMO_PASSWORD, LOGINS, seed_organisations, seed_users
from reports.national import NationalSeedError, national_plan, seed_national

N = 2_000
BULK = N - DEFAULT_CIRCLES


def _load(circles: int = N) -> tuple[dict, dict]:
    with no_tenant():
        orgs = seed_organisations()
        seed_users(orgs)
        summary = seed_national(orgs, circles=circles)
    return orgs, summary


def _bulk_enterprises(orgs):
    demo = [o.pk for o in orgs.values()]
    return Organisation.objects.filter(kind="enterprise").exclude(pk__in=demo)


@pytest.mark.django_db
def test_national_shape(empty_database):
    orgs, summary = _load()
    assert not summary["skipped"]
    with no_tenant():
        enterprises = _bulk_enterprises(orgs)
        # ≈ N/20 enterprises (the new circles / 20), each holding its circles.
        assert enterprises.count() == round(BULK / 20) == summary["enterprises"]
        circles = Circle.objects.filter(organisation__in=enterprises)
        assert circles.count() == BULK
        assert not Circle.objects.exclude(organisation__kind="enterprise").exists()
        # 3–10 members per circle, exactly one leader, owner = the circle's enterprise.
        sizes = circles.annotate(
            n=Count("members"), leaders=Count("members", filter=Q(members__role="leader"))
        ).aggregate(low=Min("n"), high=Max("n"), lead_low=Min("leaders"), lead_high=Max("leaders"))
        assert (sizes["low"], sizes["lead_low"], sizes["lead_high"]) == (3, 1, 1) and sizes["high"] == 10
        members = CircleMember.objects.filter(circle__in=circles)
        assert 6.5 < members.count() / BULK < 8.0  # ≈ 15 million at 2 million circles
        for model in (CircleMember, Project, ActivityRecord):
            assert not model.objects.exclude(organisation=F("circle__organisation")).exists(), model
        assert not ActivityRecord.objects.exclude(circle=F("project__circle")).exists()
        # Materialised paths, depths, unique codes (the constraint) and the hierarchy's kinds.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM qcportal_organisation o JOIN qcportal_organisation p ON p.id = o.parent_id "
                "WHERE o.path <> p.path || o.code || '/' OR o.depth <> p.depth + 1"
            )
            assert cursor.fetchone()[0] == 0
        assert set(enterprises.values_list("parent__kind", flat=True)) == {"recommending_unit"}
        # Skew: a few large groups, many small firms.
        counts = sorted(circles.values("organisation").annotate(n=Count("id")).values_list("n", flat=True))
        assert counts[-1] >= 5 * counts[len(counts) // 2]
        assert sum(1 for n in counts if n <= 5) >= len(counts) // 5
        # 行业直属: provincial enterprises directly affiliated to an industry association.
        affiliated = enterprises.filter(industry_association__isnull=False)
        assert affiliated.exists()
        assert set(affiliated.values_list("industry_association__kind", flat=True)) == {
            "industry_association"
        }
        assert set(affiliated.values_list("parent__parent__kind", flat=True)) == {"regional_association"}
        # Dates and numbers: the registration year is the date's, numbers per enterprise and year.
        today = timezone.localdate()
        assert not circles.exclude(registered_on__year=F("registration_year")).exists()
        assert circles.aggregate(m=Min("registration_year"))["m"] == national.FIRST_YEAR
        assert circles.aggregate(m=Max("registered_on"))["m"] <= today
        assert (
            len(set(circles.values_list("registration_year", flat=True)))
            == today.year - national.FIRST_YEAR + 1
        )
        for number, code, year in circles.values_list(
            "registration_number", "organisation__code", "registration_year"
        )[:200]:
            assert re.fullmatch(rf"{re.escape(code)}-{year}-\d{{3,}}", number), number
        # Projects: accepted ones carry the date, type and benefit (万元); records in their period.
        projects = Project.objects.filter(organisation__in=enterprises)
        accepted = projects.filter(status="accepted")
        assert accepted.count() > 0.5 * BULK
        assert not accepted.filter(accepted_on__isnull=True).exists()
        assert set(accepted.values_list("project_type", flat=True)) == {"problem_solving", "innovation"}
        assert accepted.filter(benefit_confirmed=True, economic_benefit__gt=0).exists()
        assert not projects.exclude(status="accepted").filter(economic_benefit__gt=0).exists()
        records = ActivityRecord.objects.filter(organisation__in=enterprises)
        assert records.count() > BULK
        assert not records.filter(held_on__lt=F("project__registered_on")).exists()
        assert not records.filter(
            project__accepted_on__isnull=False, held_on__gt=F("project__accepted_on")
        ).exists()
        assert not records.filter(held_on__gt=today).exists()
        # Yearly figures per enterprise and year; members are a few per cent of the employees.
        years = today.year - national.FIRST_YEAR + 1
        figures = EnterpriseAnnualFigures.objects.filter(organisation__in=enterprises)
        assert figures.count() == enterprises.count() * years
        last = today.year - 1
        rate = members.filter(circle__registration_year=last).count() / sum(
            figures.filter(year=last).values_list("total_employees", flat=True)
        )
        assert 0.01 < rate < 0.2, rate
        # History: campaigns per completed year but 2020, submissions and judged results with grades.
        assert set(Campaign.objects.filter(code__startswith="CAQ-").values_list("year", flat=True)) >= set(
            national.history_years(today)
        )
        submissions = Submission.objects.filter(organisation__in=enterprises)
        assert submissions.filter(campaign__parent__isnull=False).count() > 0
        national_subs = submissions.filter(campaign__parent__isnull=True, source__isnull=False)
        assert national_subs.exists()
        assert not national_subs.exclude(recommending_association=orgs["CAQ"]).exists()
        assert not national_subs.exclude(source__status="recommended").exists()
        # Affiliated enterprises' results go through their industry association (seed 002 Annex 3 note 2).
        assert (
            not submissions.filter(
                organisation__industry_association__isnull=False, campaign__parent__isnull=False
            )
            .exclude(recommending_association=F("organisation__industry_association"))
            .exists()
        )
        results = Result.objects.filter(submission__in=submissions)
        assert results.count() == submissions.filter(score__isnull=False).count()
        assert {"标杆级", "优秀级", "推进级", "全国优秀质量管理小组"} <= set(
            results.exclude(grade=None).values_list("grade__name", flat=True)
        )
        # The sequences are past the loaded ids: the ORM can add rows.
        circle = circles.first()
        member = CircleMember.objects.create(organisation=circle.organisation, circle=circle, name="新成员")
        assert member.pk > members.exclude(pk=member.pk).aggregate(m=Max("id"))["m"]
        assert Organisation.objects.create(
            code="NEW-ORG", name="新企业", kind="enterprise", parent=orgs["SAQ-PD"]
        ).pk
    # The demo logins still work and see the new data within their scope.
    for login in LOGINS:
        assert User.objects.get(username=login.username).check_password(DEMO_PASSWORD)
    with no_tenant():
        saq_new = circles.filter(organisation__path__startswith=orgs["SAQ"].path).count()
        pd_new = circles.filter(organisation__parent=orgs["SAQ-PD"]).count()
    assert saq_new and pd_new
    for username, code, expected in (
        ("saq_staff", "SAQ", saq_new),
        ("unit", "SAQ-PD", pd_new),
        ("company", None, 0),
    ):
        with no_tenant():
            membership = Membership.objects.select_related("organisation", "user").filter(
                user__username=username
            )[0]
        with membership_scope(membership):
            seen = Circle.objects.exclude(organisation__code__in=[o.code for o in orgs.values()]).count()
        assert seen == expected, (username, code, seen)


@pytest.mark.django_db
def test_national_load_twice(empty_database):
    orgs, _summary = _load()
    with no_tenant():
        before = (Organisation.objects.count(), Circle.objects.count(), CircleMember.objects.count())
        again = seed_national(orgs, circles=N)
        assert again["skipped"]
        assert (Organisation.objects.count(), Circle.objects.count(), CircleMember.objects.count()) == before
        with pytest.raises(NationalSeedError, match="已有按 2,000 个QC小组生成"):
            seed_national(orgs, circles=N + 1000)
        assert Circle.objects.count() == before[1]


@pytest.mark.django_db
def test_refused_on_sqlite(empty_database, monkeypatch):
    monkeypatch.setattr(connection, "vendor", "sqlite")
    with pytest.raises(NationalSeedError, match="PostgreSQL"):
        national.national_precheck(N)


@pytest.mark.django_db
def test_plan_scales_in_proportion(empty_database):
    """The plan alone (no load): associations, units and enterprises in proportion to N, at
    least the demo's, identical for the same N; the national scale has the real shape."""
    with no_tenant():
        orgs = seed_organisations()
    small = national_plan(circles=N, demo=orgs, first_id=10_000)
    assert small.new_associations == 0 and small.new_units == 0 and small.circles == BULK

    def rows(plan):
        return [{k: v for k, v in row.items() if k != "created_at"} for row in plan.organisations]

    assert rows(national_plan(circles=N, demo=orgs, first_id=10_000)) == rows(small)
    big = national_plan(circles=national.NATIONAL_CIRCLES, demo=orgs, first_id=10_000)
    assert len(big.associations) == national.NATIONAL_ASSOCIATIONS
    assert big.new_units + 17 == national.NATIONAL_UNITS
    assert len(big.enterprises) == round((national.NATIONAL_CIRCLES - DEFAULT_CIRCLES) / 20)
    assert big.circles == national.NATIONAL_CIRCLES - DEFAULT_CIRCLES
    counts = sorted(e.circles for e in big.enterprises)
    assert counts[0] >= 1 and counts[-1] <= national.MAX_CIRCLES_PER_ENTERPRISE
    assert sum(1 for n in counts if n >= 200) >= 100  # large groups with hundreds of circles
    assert sum(1 for n in counts if n <= 5) >= len(counts) // 5  # many small firms
    codes = [row["code"] for row in big.organisations]
    assert len(codes) == len(set(codes)) and not set(codes) & set(orgs)
    paths = {row["id"]: row["path"] for row in big.organisations} | {o.pk: o.path for o in orgs.values()}
    for row in big.organisations:
        assert row["path"] == paths[row["parent_id"]] + row["code"] + "/"
    assert dt.date.today().year - 1 in national.history_years()
