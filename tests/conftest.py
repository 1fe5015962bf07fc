"""Shared fixtures: a small hand-computable network, logins, PDF/XLSX text helpers.

Fixtures build data without a tenant scope (``no_tenant``); tests then act through a
client logged in as a membership, or inside ``tenant_scope`` explicitly.

The network is built once per test session (per xdist worker: each has its own test
database) right after the database is created, and committed. Every test of the ``db``
fixture then runs in a transaction that is rolled back, and the ``network`` fixture hands it
its own deep copy of the Python objects, so a test may change both freely. Transactional
tests (``transactional_db``, ``live_server``) flush the database at teardown; pytest-django
sorts them after the others, and xdist's ``--dist load`` (``make test``) hands each worker its
tests in that order (``loadfile``/``loadscope`` would not: they sort files by size). They take
:func:`committed_network`, which flushes what is left and builds their own network. A ``db``
test that needs a database without the network takes :func:`empty_database`.
"""

import copy
import datetime as dt
import io
import re
import shutil
import subprocess
import warnings
from decimal import Decimal
from types import SimpleNamespace

import openpyxl
import pytest
from django.apps import apps as django_apps
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils import timezone, translation

from circles.choices import ProjectStatus, ProjectType, TargetKind
from evaluation.choices import JudgeLevel, ScoreSheetKind, SubmissionStatus
from evaluation.judging import submission_default_round
from evaluation.models import JudgeAssignment, Submission
from evaluation.services import submission_scores_aggregate
from qcportal.choices import OrganisationKind as K
from qcportal.models import Invitation, Organisation
from qcportal.roles import Role
from qcportal.tenancy import no_tenant
from reports.models import ReportRun

from . import factories as f

D = dt.date


def _org(code, name, kind, parent=None, **extra):
    return f.OrganisationFactory(code=code, name=name, kind=kind, parent=parent, **extra)


def build_network():
    """The small network the hand computations in tests/reports refer to.

    CAQ ─┬─ PA (测试省质量协会) ── RU1 ─┬─ E1
         │                          └─ E2 (行业直属 → IA)
         ├─ PB (另一省质量协会) ── RU3 ── E4
         └─ IA (测试行业质量协会) ── RU2 ── E3
    Campaign period 2019-06-01 … 2020-08-31, year 2020 (see tests/reports/test_annex3.py).
    """
    with no_tenant():
        # Transactional tests (browser, worker) flush the database, data migrations included.
        seed_standard_criteria()
        caq = _org(
            "CAQ",
            "中国质量协会",
            K.NATIONAL_ASSOCIATION,
            short_name="中国质协",
            qc_department="质量活动推进部",
            contact_phone="(010) 66073178；68416388",
            contact_email="66073178@163.com",
            address="北京市海淀区三虎桥百胜村路6号中国质量大厦",
            postcode="100048",
        )
        pa = _org(
            "PA",
            "测试省质量协会",
            K.REGIONAL_ASSOCIATION,
            caq,
            short_name="测试省质协",
            qc_department="推进部",
            qc_department_head="甲部长",
            contact_person="乙联系人",
            contact_mobile="13800000001",
            contact_email="pa@example.cn",
            address="测试省测试路1号",
            postcode="310000",
        )
        pb = _org("PB", "另一省质量协会", K.REGIONAL_ASSOCIATION, caq)
        ia = _org("IA", "测试行业质量协会", K.INDUSTRY_ASSOCIATION, caq)
        ru1 = _org("RU1", "测试区推荐单位", K.RECOMMENDING_UNIT, pa)
        ru2 = _org("RU2", "测试集团有限公司", K.RECOMMENDING_UNIT, ia)
        ru3 = _org("RU3", "另一区推荐单位", K.RECOMMENDING_UNIT, pb)
        e1 = _org("E1", "测试甲机械有限公司", K.ENTERPRISE, ru1)
        e2 = _org("E2", "测试乙电气有限公司", K.ENTERPRISE, ru1, industry_association=ia)
        e3 = _org("E3", "测试丙重工有限公司", K.ENTERPRISE, ru2)
        e4 = _org("E4", "另一丁化工有限公司", K.ENTERPRISE, ru3)
        campaign = f.CampaignFactory(code="CAQ-T", organisation=caq)
        campaign_pb = f.CampaignFactory(code="PB-T", organisation=pb, title="另一省年度活动")

        def circle(
            enterprise,
            registered_on,
            members,
            *,
            accepted_on=None,
            benefit="0",
            confirmed=True,
            activity=None,
            project_type=ProjectType.PROBLEM_SOLVING,
            name=None,
        ):
            c = f.CircleFactory(
                organisation=enterprise,
                registered_on=registered_on,
                members=members,
                **({"name": name} if name else {}),
            )
            p = f.ProjectFactory(
                circle=c,
                project_type=project_type,
                target_kind=None if project_type == ProjectType.INNOVATION else TargetKind.SELF_SET,
                status=ProjectStatus.ACCEPTED if accepted_on else ProjectStatus.IN_PROGRESS,
                accepted_on=accepted_on,
                economic_benefit=Decimal(benefit),
                benefit_confirmed=confirmed,
            )
            if activity:
                f.ActivityRecordFactory(project=p, held_on=activity)
            return c, p

        c1, p1 = circle(
            e1,
            D(2019, 7, 1),
            5,
            accepted_on=D(2020, 3, 1),
            benefit="10.5",
            activity=D(2019, 8, 1),
            name="甲攻关QC小组",
        )
        c2, p2 = circle(
            e1, D(2018, 5, 1), 4, accepted_on=D(2018, 12, 1), benefit="20", activity=D(2018, 6, 1)
        )
        c3, p3 = circle(e1, D(2020, 1, 10), 3, activity=D(2020, 2, 1))
        c4, p4 = circle(
            e1,
            D(2019, 9, 1),
            6,
            accepted_on=D(2020, 5, 1),
            benefit="7.25",
            confirmed=False,
            project_type=ProjectType.INNOVATION,
            name="甲创新QC小组",
        )
        c5, p5 = circle(
            e2, D(2019, 10, 1), 4, accepted_on=D(2020, 4, 1), benefit="100", activity=D(2020, 1, 1)
        )
        c6, p6 = circle(
            e3, D(2020, 2, 1), 5, accepted_on=D(2020, 6, 30), benefit="3.333", activity=D(2020, 3, 3)
        )
        c7, p7 = circle(
            e1, D(2020, 9, 10), 3, accepted_on=D(2020, 10, 1), benefit="50", activity=D(2020, 9, 20)
        )
        c8, p8 = circle(e4, D(2019, 8, 1), 7, accepted_on=D(2020, 1, 1), benefit="9", activity=D(2019, 9, 1))
        for enterprise, employees, spend, reward in (
            (e1, 100, "5.5", "2.25"),
            (e2, 50, "10", "1"),
            (e3, 200, "1.111", "0.5"),
            (e4, 80, "2", "1"),
        ):
            f.FiguresFactory(
                organisation=enterprise,
                year=2020,
                total_employees=employees,
                other_activity_spending=Decimal(spend),
                other_reward_spending=Decimal(reward),
            )
            f.FiguresFactory(
                organisation=enterprise,
                year=2019,
                total_employees=99999,
                other_activity_spending=Decimal("999"),
                other_reward_spending=Decimal("999"),
            )
        f.ConferenceFactory(
            organisation=pa,
            campaign=campaign,
            signed_up_circles=12,
            presented_circles=10,
            attendance=150,
            held_on=D(2020, 7, 15),
            place="测试省会议中心",
        )

        judges = [
            f.JudgeFactory(organisation=pa, name=name, certificate_number=cert, level=level, work_unit=unit)
            for name, cert, level, unit in (
                ("赵组长", "QCPS-A-001", JudgeLevel.PANEL_CHAIR, "测试大学"),
                ("钱骨干", "QCPS-A-002", JudgeLevel.SENIOR, "测试研究院"),
                ("孙评委", "QCPS-A-003", JudgeLevel.JUDGE, "测试甲机械有限公司"),
                ("李评委", "QCPS-A-004", JudgeLevel.JUDGE, "测试检测中心"),
                ("周评委", "QCPS-A-005", JudgeLevel.JUDGE, "测试设计院"),
                ("吴评委", "QCPS-A-006", JudgeLevel.JUDGE, "测试仅评未推荐"),
            )
        ]
        s1 = f.SubmissionFactory(
            campaign=campaign,
            project=p1,
            recommending_association=pa,
            panel_assessment="优势：选题理由充分。不足：图表标注不规范。",
        )
        s2 = f.SubmissionFactory(
            campaign=campaign,
            project=p4,
            recommending_association=pa,
            panel_assessment="优势：方案比选充分。不足：效果维持期数据偏少。",
        )
        s3 = f.SubmissionFactory(
            campaign=campaign,
            project=p3,
            recommending_association=pa,
            status=SubmissionStatus.NOT_RECOMMENDED,
        )
        s4 = f.SubmissionFactory(campaign=campaign, project=p6, recommending_association=ia)
        s5 = f.SubmissionFactory(campaign=campaign, project=p8, recommending_association=pb)
        for judge, total in zip(judges[:5], ("80", "85", "90", "70", "95"), strict=True):
            f.ScoreSheetFactory(organisation=pa, submission=s1, judge=judge, total=Decimal(total))
        f.ScoreSheetFactory(
            organisation=pa, submission=s1, judge=judges[5], total=Decimal("88"), status="draft"
        )  # a draft never counts
        for judge, total in zip(judges[:3], ("81", "82.5", "84"), strict=True):
            f.ScoreSheetFactory(
                organisation=pa,
                submission=s2,
                judge=judge,
                total=Decimal(total),
                kind=ScoreSheetKind.INNOVATION_RESULT,
            )
        f.ScoreSheetFactory(organisation=pa, submission=s3, judge=judges[5], total=Decimal("60"))
        for submission, panel in ((s1, judges[:6]), (s2, judges[:3]), (s3, judges[5:])):
            for position, judge in enumerate(panel):
                JudgeAssignment.objects.create(
                    organisation=pa,
                    round=submission_default_round(submission),
                    submission=submission,
                    judge=judge,
                    is_panel_chair=position == 0,
                )
        Submission.objects.filter(pk__in=[s1.pk, s2.pk]).update(scores_released_at=timezone.now())
        # s6: passed formal review, not yet scored; the panel 赵组长 (chair), 钱骨干, 孙评委 is assigned.
        s6 = f.SubmissionFactory(
            campaign=campaign,
            project=p2,
            recommending_association=pa,
            status=SubmissionStatus.FORMALLY_REVIEWED,
            panel_assessment="",
        )
        for position, judge in enumerate(judges[:3]):
            JudgeAssignment.objects.create(
                organisation=pa,
                round=submission_default_round(s6),
                submission=s6,
                judge=judge,
                is_panel_chair=position == 0,
            )
        submission_scores_aggregate(campaign=campaign)

        def member(username, org, role):
            m = f.MembershipFactory(user=f.UserFactory(username=username), organisation=org, role=role)
            return m.user

        users = SimpleNamespace(
            caq_staff=member("caq_staff", caq, Role.ASSOCIATION_STAFF),
            pa_staff=member("pa_staff", pa, Role.ASSOCIATION_STAFF),
            pa_admin=member("pa_admin", pa, Role.ASSOCIATION_ADMIN),
            pb_staff=member("pb_staff", pb, Role.ASSOCIATION_STAFF),
            pb_admin=member("pb_admin", pb, Role.ASSOCIATION_ADMIN),
            ia_staff=member("ia_staff", ia, Role.ASSOCIATION_STAFF),
            pa_leader=member("pa_leader", pa, Role.ASSOCIATION_LEADERSHIP),
            ru1_coord=member("ru1_coord", ru1, Role.UNIT_COORDINATOR),
            e1_coord=member("e1_coord", e1, Role.ENTERPRISE_COORDINATOR),
            e1_exec=member("e1_exec", e1, Role.ENTERPRISE_EXECUTIVE),
            e1_leader=member("e1_leader", e1, Role.CIRCLE_LEADER),
            pa_judge=member("pa_judge", pa, Role.JUDGE),
            pa_judge2=member("pa_judge2", pa, Role.JUDGE),
            pb_judge=member("pb_judge", pb, Role.JUDGE),
            e4_coord=member("e4_coord", e4, Role.ENTERPRISE_COORDINATOR),
            ru3_coord=member("ru3_coord", ru3, Role.UNIT_COORDINATOR),
            caq_admin=member("caq_admin", caq, Role.ASSOCIATION_ADMIN),
        )
        judges[0].user = users.pa_judge
        judges[0].save()
        judges[1].user = users.pa_judge2  # 钱骨干: scored s1 (85) and s2 (82.5)
        judges[1].save()
        c1.members.filter(role="leader").update(user=users.e1_leader)
        # The other province's side, so that every route has a foreign object to ask for.
        pb_judge = f.JudgeFactory(
            organisation=pb,
            name="郑评委",
            certificate_number="QCPS-B-001",
            level=JudgeLevel.PANEL_CHAIR,
            user=users.pb_judge,
        )
        JudgeAssignment.objects.create(
            organisation=pb,
            round=submission_default_round(s5),
            submission=s5,
            judge=pb_judge,
            is_panel_chair=True,
        )
        pb_sheet = f.ScoreSheetFactory(organisation=pb, submission=s5, judge=pb_judge, total=Decimal("90"))
        run_pa = ReportRun.objects.create(
            organisation=pa, campaign=campaign, form="annex3", file_format="xlsx", requested_by=users.pa_staff
        )
        run_pb = ReportRun.objects.create(
            organisation=pb, campaign=campaign, form="annex3", file_format="xlsx", requested_by=users.pb_staff
        )

        def invitation(org, email, full_name, digest, inviter):
            return Invitation.objects.create(
                organisation=org,
                email=email,
                full_name=full_name,
                role=Role.ASSOCIATION_STAFF,
                token_digest=digest * 64,
                invited_by=inviter,
                expires_at=timezone.now() + dt.timedelta(days=7),
            )

        invitation_pa = invitation(pa, "new@pa.example.cn", "待邀请甲", "a", users.pa_admin)
        invitation_pb = invitation(pb, "new@pb.example.cn", "待邀请乙", "b", users.pb_admin)
        # The statistics sweep, as Celery beat runs it within STATISTICS_SWEEP_SECONDS: the
        # organisations' rollups (reports.rollups) catch up with the network's last writes.
        from reports.summaries import sweep

        sweep()
    return SimpleNamespace(
        pb_judge=pb_judge,
        pb_sheet=pb_sheet,
        runs=SimpleNamespace(pa=run_pa, pb=run_pb),
        invitations=SimpleNamespace(pa=invitation_pa, pb=invitation_pb),
        caq=caq,
        pa=pa,
        pb=pb,
        ia=ia,
        ru1=ru1,
        ru2=ru2,
        ru3=ru3,
        e1=e1,
        e2=e2,
        e3=e3,
        e4=e4,
        campaign=campaign,
        campaign_pb=campaign_pb,
        circles=(c1, c2, c3, c4, c5, c6, c7, c8),
        submissions=(s1, s2, s3, s4, s5, s6),
        judges=judges,
        users=users,
    )


def seed_standard_criteria() -> None:
    """Seed the score sheets of T/CAQ 10201-2020 (migration ``evaluation.0003``) again, for a
    database that was flushed or truncated after migrating."""
    from evaluation.standard_sheets import seed_standard_templates

    seed_standard_templates()


#: The apps whose tables :func:`truncate_app_tables` empties (contenttypes, auth permissions
#: and sessions stay, so that cached content type ids remain valid).
PROJECT_APPS = ("qcportal", "promotion", "circles", "evaluation", "reports")


def truncate_app_tables() -> None:
    """Empty every table of the project's apps (and, by cascade, the rows that point at them:
    tokens, lockout records), inside the current transaction. In a ``db`` test it is rolled
    back with the test, so the session's network is back for the next test."""
    tables = [
        model._meta.db_table
        for app in PROJECT_APPS
        for model in django_apps.get_app_config(app).get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    ]
    statements = connection.ops.sql_flush(no_style(), tables, reset_sequences=False, allow_cascade=True)
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
    seed_standard_criteria()


@pytest.fixture
def empty_database(db):
    """A ``db`` test that needs a database without the session's network (e.g. ``seed_demo``
    on a fresh installation): the project's tables are truncated inside the test's
    transaction and come back when it is rolled back."""
    truncate_app_tables()


def flush_database() -> None:
    """Flush the whole database as a transactional test's teardown does (``flush`` command),
    then seed the standard's score sheets again. For transactional tests, which may start
    while the session's network is still committed."""
    call_command("flush", verbosity=0, interactive=False, reset_sequences=False)
    seed_standard_criteria()


@pytest.fixture
def committed_network(transactional_db):
    """The small network, committed, for transactional tests (browser tests against the live
    server, the Celery worker): whatever the database holds (the session's network, a previous
    test's leftovers) is flushed first; the test's teardown flushes again."""
    with no_tenant():
        leftovers = Organisation.objects.exists()
    if leftovers:
        flush_database()
    return build_network()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database (one per xdist worker, pytest-django adds the ``_gwN`` suffix),
    migrated, with the small network of :func:`build_network` built once and committed.

    Yields the network's Python objects; tests get them through :func:`network`. A database
    kept from an earlier run (``--reuse-db``) is flushed first.
    """
    with django_db_blocker.unblock():
        with no_tenant():
            leftovers = Organisation.objects.exists()
        if leftovers:
            flush_database()
        with transaction.atomic():
            built = build_network()
    yield built


@pytest.fixture
def network(db, django_db_setup):
    """The small network of :func:`build_network` (see its docstring), built once per session:
    the test gets its own deep copy of the objects, and its database changes are rolled back.

    Should a transactional test have flushed the database before this test (not with the
    ordering above), the network is built again inside the test's transaction, with a warning.
    """
    with no_tenant():
        present = Organisation.objects.filter(pk=django_db_setup.caq.pk, code="CAQ").exists()
    if not present:
        warnings.warn("the session's network was flushed: building it again for this test", stacklevel=1)
        return build_network()
    return copy.deepcopy(django_db_setup)


@pytest.fixture(scope="session", autouse=True)
def _otp_verified_client_logins():
    """Two-factor enforcement stays on; the test client's logins (``force_login``, ``login``)
    are verified with the user's device, created for users whose roles require one
    (tests/accounts.py). ``otp_unverified`` leaves them unverified."""
    from . import accounts

    accounts.connect()


@pytest.fixture
def otp_unverified():
    """The test client's logins in this test stay unverified (only the password step done)."""
    from .accounts import unverified_logins

    with unverified_logins():
        yield


@pytest.fixture(autouse=True)
def _no_network_for_breached_passwords(monkeypatch):
    """The suite never calls the Pwned Passwords API: a test that switches the check on gets
    an unreachable API (the validator then falls back to the common-password list) unless it
    mocks the answer itself (tests/qcportal/test_passwords_breached.py)."""
    from pwned_passwords_django import api

    def unreachable(prefix):
        raise api.httpx.ConnectError("the test suite does not use the network")

    monkeypatch.setattr(api.default_client, "_request", unreachable)


@pytest.fixture
def login(client):
    """``login(user)`` logs the test client in and returns it (verified with the user's
    two-factor device when the user needs one, see ``_otp_verified_client_logins``)."""

    def _login(user):
        client.force_login(user)
        return client

    return _login


def normalise(text: str) -> str:
    """Text for order-insensitive-to-layout comparisons: no whitespace or underscores,
    full-width punctuation folded to ASCII."""
    table = str.maketrans({"：": ":", "（": "(", "）": ")", "；": ";", "，": ",", "_": None})
    return re.sub(r"\s+", "", text).translate(table)


def assert_in_order(text: str, labels: list[str]) -> None:
    """Assert every label occurs in ``text`` after the previous one (both normalised)."""
    haystack = normalise(text)
    position = 0
    for label in labels:
        needle = normalise(label)
        found = haystack.find(needle, position)
        assert found >= 0, (
            f"label {label!r} missing after position {position} in: {haystack[position : position + 200]!r}"
        )
        position = found + len(needle)


def pdf_text(content: bytes) -> str:
    """The text of a PDF in content order (``pdftotext -raw``, poppler-utils)."""
    assert shutil.which("pdftotext"), "pdftotext (poppler-utils) is needed: scripts/system-deps.sh all"
    result = subprocess.run(
        ["pdftotext", "-raw", "-enc", "UTF-8", "-", "-"], input=content, capture_output=True, check=True
    )
    return result.stdout.decode("utf-8")


def xlsx_text(content: bytes) -> str:
    """All cell values of all sheets, row by row, as one string (opened with openpyxl)."""
    wb = openpyxl.load_workbook(io.BytesIO(content))
    parts = []
    for ws in wb.worksheets:
        for row in ws.iter_rows(values_only=True):
            parts.extend(str(v) for v in row if v is not None)
    return "\n".join(parts)


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts and ends in the default language: a request through the test client
    leaves the language it activated (e.g. English after the language switch) in the thread,
    and the next test would otherwise render labels in English."""
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Every test starts with an empty cache (dashboards, rate limits, throttles use it)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def live_campaign(network):
    """An open campaign of the province PA (测试省质协) for this year, with the seven stages of
    seed 003 二 dated around today (Asia/Shanghai): 成果申报 is the current stage and ends in
    10 days (:func:`tests.factories.stages_around`). The network's CAQ-T (2020) stays open
    and older, so PA's subtree sees this one on its homes."""
    today = timezone.localdate()
    with no_tenant():
        campaign = f.CampaignFactory(
            code="PA-LIVE",
            organisation=network.pa,
            year=today.year,
            title="测试省本年度质量管理小组活动",
            document_number=f"测质协〔{today.year}〕8号",
            parent=network.campaign,
        )
        f.stages_around(campaign, today, current="submission", days_left=10)
    return campaign
