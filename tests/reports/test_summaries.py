"""The statistics summary (reports.summaries, issue 10 item 2): kept current by every kind of
change, swept after a crash, verified by ``stats_verify``, and read by Annex 3 with the same
figures as the live computation (seed 002 Annex 3, note 2 deduction included).

The session's network (tests/conftest.py) is committed, so its summary rows and its campaign
period are built when a test starts. Changes made in a test's transaction reach the summary
through the on-commit callback: ``django_capture_on_commit_callbacks(execute=True)`` runs it.
"""

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from circles import imports, services
from circles.choices import ProjectStatus, ProjectType
from circles.models import ActivityRecord, Circle, CircleImport, Project
from circles.selectors import circle_statistics
from promotion import services as promotion_services
from qcportal.models import Membership
from qcportal.tenancy import membership_scope, no_tenant, tenant_scope
from reports import summaries
from reports.choices import StatisticsPeriodKind as Kind
from reports.models import EnterpriseStatistics, StatisticsPeriod, StatisticsQueue
from reports.statistics import annex3_figures, money, reporting_enterprises
from reports.tasks import statistics_sweep_task

from .. import factories as f

pytestmark = pytest.mark.django_db

PERIOD = (dt.date(2019, 6, 1), dt.date(2020, 8, 31))


def _membership(user):
    with no_tenant():
        return Membership.objects.select_related("organisation", "user").get(user=user)


def _members(n):
    return [
        {"name": f"成员{i}", "role": "leader" if i == 0 else "member", "position": "工"} for i in range(n)
    ]


def _current(*enterprises):
    """The summary rows of ``enterprises`` equal the live aggregate, nothing is left queued."""
    differences = summaries.verify_enterprises([e.pk for e in enterprises])
    assert differences == []
    with no_tenant():
        assert not StatisticsQueue.objects.filter(organisation__in=enterprises).exists()


def _rows(enterprise, kind=Kind.CAMPAIGN):
    with no_tenant():
        return list(
            EnterpriseStatistics.objects.filter(organisation=enterprise, period_kind=kind)
            .order_by("period_start")
            .values("period_start", "circles_registered", "members", "results", "benefit")
        )


# --- the model ------------------------------------------------------------------------------
def test_every_project_type_has_a_result_column():
    """One count column per ProjectType (circles.choices), each a field of the model."""
    assert set(summaries.RESULT_TYPE_COLUMNS) == set(ProjectType.values)
    fields = {field.name for field in EnterpriseStatistics._meta.get_fields()}
    assert set(summaries.VALUE_COLUMNS) <= fields


def test_the_network_summary_is_built_and_equal_to_the_live_aggregate(network):
    """After the committed network: the campaign period is built, every enterprise's month,
    year and campaign rows equal circle_statistics, E1's campaign row is the hand count of
    tests/reports/test_annex3.py."""
    with no_tenant():
        assert StatisticsPeriod.objects.get(period_start=PERIOD[0], period_end=PERIOD[1]).built_at
    _current(network.e1, network.e2, network.e3, network.e4)
    with no_tenant():
        row = EnterpriseStatistics.objects.get(
            organisation=network.e1, period_kind=Kind.CAMPAIGN, period_start=PERIOD[0], period_end=PERIOD[1]
        )
    assert (row.circles_cumulative, row.circles_registered, row.members) == (4, 3, 14)
    assert (row.circles_active, row.circles_with_results, row.results) == (2, 2, 2)
    assert (row.results_problem_solving, row.results_innovation) == (1, 1)
    assert (row.benefit, row.benefit_cumulative) == (Decimal("10.5"), Decimal("30.5"))


def test_a_stale_summary_is_detected(network):
    """The check can fail: a change whose on-commit refresh has not run shows as differences
    naming the enterprise, the period and both values."""
    with no_tenant():
        f.CircleFactory(organisation=network.e4, registered_on=dt.date(2020, 3, 3), members=4)
        differences = summaries.verify_enterprises([network.e4.pk])
        assert StatisticsQueue.objects.filter(organisation=network.e4).count() == 1
    assert (
        "企业“另一丁化工有限公司”（E4）2020年3月 本期登记注册QC小组数：汇总表为 0，实时统计为 1"
        in differences
    )
    assert any(
        "统计期2019-06-01至2020-08-31 本期注册小组成员人数：汇总表为 7，实时统计为 11" in d
        for d in differences
    )


# --- each kind of change keeps the summary current ----------------------------------------------
def test_circle_registration_application_and_review(network, django_capture_on_commit_callbacks):
    """Registering (coordinator), applying (leader) and approving, re-registering and
    deactivating circles (services and workflow transitions)."""
    coord = _membership(network.users.e1_coord)
    leader = _membership(network.users.e1_leader)
    with django_capture_on_commit_callbacks(execute=True), membership_scope(coord):
        registered = services.circle_register(membership=coord, name="新注册QC小组", members=_members(4)).obj
    _current(network.e1)
    today = timezone.localdate()
    month = summaries.period_bounds(Kind.MONTH, today)
    with no_tenant():
        row = EnterpriseStatistics.objects.get(
            organisation=network.e1, period_kind=Kind.MONTH, period_start=month[0], period_end=month[1]
        )
    assert (row.circles_registered, row.members) == (1, 4)
    with django_capture_on_commit_callbacks(execute=True), membership_scope(leader):
        applied = services.circle_register(membership=leader, name="申请QC小组", members=_members(3)).obj
    with django_capture_on_commit_callbacks(execute=True), membership_scope(coord):
        services.transition(membership=coord, obj=applied, name="approve")
        services.circle_reregister(membership=coord, circle=registered, year=today.year + 1)
        services.transition(membership=coord, obj=registered, name="deactivate", comment="撤销")
    _current(network.e1)
    with no_tenant():  # a refresh replaces the rows (new ids)
        row = EnterpriseStatistics.objects.get(
            organisation=network.e1, period_kind=Kind.MONTH, period_start=month[0], period_end=month[1]
        )
    assert (row.circles_registered, row.members) == (3, 4 + 3 + 4)


def test_members_added_and_removed(network, django_capture_on_commit_callbacks):
    """A roster rewritten by circle_update: the campaign row's members follow (c1: 5 → 7 → 2)."""
    coord = _membership(network.users.e1_coord)
    c1 = network.circles[0]
    with django_capture_on_commit_callbacks(execute=True), membership_scope(coord):
        services.circle_update(membership=coord, circle=c1, members=_members(7))
    _current(network.e1)
    assert _rows(network.e1)[0]["members"] == 14 - 5 + 7
    with django_capture_on_commit_callbacks(execute=True), membership_scope(coord):
        services.circle_update(membership=coord, circle=c1, members=_members(2))
    _current(network.e1)
    assert _rows(network.e1)[0]["members"] == 14 - 5 + 2


def test_circle_deleted_with_its_members_projects_and_records(network, django_capture_on_commit_callbacks):
    """Deleting c5 (E2: 4 members, 100 万元 accepted in the period) cascades; E2's rows follow."""
    c5 = network.circles[4]
    with django_capture_on_commit_callbacks(execute=True), no_tenant():
        Circle.objects.get(pk=c5.pk).delete()
    _current(network.e2)
    assert _rows(network.e2, Kind.CAMPAIGN) == []
    assert _rows(network.e2, Kind.MONTH) == []


def test_circle_import(network, django_capture_on_commit_callbacks):
    """A bulk import (bulk inserts, no model signals) marks its enterprise explicitly."""
    coord = _membership(network.users.e1_coord)
    year = timezone.localdate().year
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(list(imports.HEADERS))
    for i in range(5):
        ws.append([f"导入{i}QC小组", "一车间", year, f"组长{i}", "班长", f"甲{i}/操作工；乙{i}/技术员"])
    buffer = io.BytesIO()
    wb.save(buffer)
    upload = SimpleUploadedFile(
        "小组.xlsx",
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    with django_capture_on_commit_callbacks(execute=True), membership_scope(coord):
        job = imports.import_start(membership=coord, upload=upload, dry_run=True)
        imports.import_confirm(membership=coord, job=job)
        assert imports.import_execute(import_id=job.pk, membership=coord).status == "succeeded"
    _current(network.e1)
    with no_tenant():
        assert CircleImport.objects.get(pk=job.pk).circles_created == 5
        this_year = EnterpriseStatistics.objects.get(
            organisation=network.e1, period_kind=Kind.YEAR, period_start=dt.date(year, 1, 1)
        )
    assert (this_year.circles_registered, this_year.members) == (5, 15)


def test_project_acceptance_with_confirmed_benefit(network, django_capture_on_commit_callbacks):
    """The acceptance transition (验收 with the benefit confirmed) adds a result and its benefit."""
    coord = _membership(network.users.e1_coord)
    with no_tenant():
        p3 = Project.objects.get(circle=network.circles[2])
        Project.objects.filter(pk=p3.pk).update(
            status=ProjectStatus.COMPLETED, completed_on=timezone.localdate()
        )
        p3.refresh_from_db()
    today = timezone.localdate()
    data = {
        "achieved_value": "12%",
        "economic_benefit": "8.5",
        "benefit_confirmed": True,
        "benefit_confirmed_by": "财务部 张会计",
        "benefit_confirmed_on": today.isoformat(),
    }
    with django_capture_on_commit_callbacks(execute=True), membership_scope(coord):
        services.transition(membership=coord, obj=p3, name="accept", data=data)
    _current(network.e1)
    with no_tenant():
        year = EnterpriseStatistics.objects.get(
            organisation=network.e1, period_kind=Kind.YEAR, period_start=dt.date(today.year, 1, 1)
        )
    assert (year.results, year.results_problem_solving, year.benefit) == (1, 1, Decimal("8.5"))


def test_benefit_confirmation_and_type_change(network, django_capture_on_commit_callbacks):
    """c4's benefit (7.25 万元, unconfirmed) confirmed later, then its type corrected: the
    benefit and the per-type counts follow."""
    with django_capture_on_commit_callbacks(execute=True), no_tenant():
        p4 = Project.objects.get(circle=network.circles[3])
        p4.benefit_confirmed, p4.benefit_confirmed_by = True, "财务部"
        p4.benefit_confirmed_on = dt.date(2020, 5, 2)
        p4.save()
    _current(network.e1)
    row = _rows(network.e1)[0]
    assert row["benefit"] == Decimal("17.75")
    with django_capture_on_commit_callbacks(execute=True), no_tenant():
        p4.project_type, p4.target_kind = ProjectType.PROBLEM_SOLVING, "self_set"
        p4.save(update_fields=["project_type", "target_kind"])
    _current(network.e1)
    with no_tenant():
        row = EnterpriseStatistics.objects.get(
            organisation=network.e1, period_kind=Kind.CAMPAIGN, period_start=PERIOD[0], period_end=PERIOD[1]
        )
    assert (row.results_problem_solving, row.results_innovation) == (2, 0)


def test_activity_records_kept_edited_and_deleted(network, django_capture_on_commit_callbacks):
    """A record kept by c1's leader (today), moved into the campaign period, then deleted."""
    leader = _membership(network.users.e1_leader)
    with no_tenant():
        p1 = Project.objects.get(circle=network.circles[0])
        Project.objects.filter(pk=p1.pk).update(status=ProjectStatus.IN_PROGRESS, accepted_on=None)
        p1.refresh_from_db()
    step = p1.steps[0]
    with django_capture_on_commit_callbacks(execute=True), membership_scope(leader):
        record = services.record_create(
            membership=leader,
            project=p1,
            data={"step": step, "held_on": timezone.localdate().isoformat(), "content": "现场调查"},
        )
    _current(network.e1)
    with django_capture_on_commit_callbacks(execute=True), membership_scope(leader):
        services.record_update(membership=leader, record=record, data={"held_on": "2020-02-15"})
    _current(network.e1)
    with django_capture_on_commit_callbacks(execute=True), no_tenant():
        ActivityRecord.objects.get(pk=record.pk).delete()
    _current(network.e1)


def test_campaign_period_change_and_new_campaign(network, django_capture_on_commit_callbacks):
    """A campaign saved with a new statistical period registers it; until its rows are built
    Annex 3 is live, then it reads the summary with the same figures."""
    admin = _membership(network.users.caq_staff)
    new = (dt.date(2020, 1, 1), dt.date(2020, 12, 31))
    with django_capture_on_commit_callbacks(execute=True), membership_scope(admin):
        campaign = promotion_services.campaign_create(
            membership=admin,
            data={
                "code": "CAQ-2021T",
                "year": 2021,
                "title": "新年度活动",
                "period_start": new[0].isoformat(),
                "period_end": new[1].isoformat(),
            },
        )
        live = annex3_figures(campaign=campaign, association=network.caq)
        with no_tenant():
            assert not StatisticsPeriod.objects.get(period_start=new[0], period_end=new[1]).built_at
    assert live.source == "live"  # before the build enqueued after the campaign's commit ran
    with membership_scope(admin):
        summary = annex3_figures(campaign=campaign, association=network.caq)
    assert summary.source == "summary" and summary.as_of is not None
    assert (summary.circles_this_year_count, summary.circles_cumulative_count) == (
        live.circles_this_year_count,
        live.circles_cumulative_count,
    )
    assert summary == _with(live, source="summary", as_of=summary.as_of)
    moved = (dt.date(2020, 2, 1), dt.date(2021, 1, 31))
    with django_capture_on_commit_callbacks(execute=True), membership_scope(admin):
        promotion_services.campaign_update(
            membership=admin,
            campaign=campaign,
            data={"period_start": moved[0].isoformat(), "period_end": moved[1].isoformat()},
        )
    with membership_scope(admin):
        campaign.refresh_from_db()
        moved_figures = annex3_figures(campaign=campaign, association=network.caq)
    assert moved_figures.source == "summary"
    with no_tenant():  # the period no campaign uses any more is dropped by the next sweep
        assert StatisticsPeriod.objects.filter(period_start=new[0]).exists()
        summaries.sweep()
        assert not StatisticsPeriod.objects.filter(period_start=new[0]).exists()
        assert not EnterpriseStatistics.objects.filter(
            period_start=new[0], period_kind=Kind.CAMPAIGN
        ).exists()
    _current(network.e1, network.e2, network.e3, network.e4)
    assert summaries.verify_annex3([network.caq, network.pa, network.ia])[0] == []


def _with(figures, **changes):
    from dataclasses import replace

    return replace(figures, **changes)


# --- the one mechanism: queue rows, per transaction, crash recovery ----------------------------------
def test_a_transaction_marks_each_enterprise_once(network):
    """Several writes to one enterprise in one transaction: one queue INSERT; a write that
    does not touch the figures (a name) marks nothing."""
    with no_tenant(), CaptureQueriesContext(connection) as queries, transaction.atomic():
        circle = Circle.objects.get(pk=network.circles[0].pk)
        circle.save()
        circle.save()
        f.CircleFactory(organisation=network.e1, registered_on=dt.date(2020, 1, 2), members=3)
        Circle.objects.get(pk=network.circles[4].pk).save()  # E2
    inserts = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith('INSERT INTO "reports_statisticsqueue"')
    ]
    assert len(inserts) == 2
    with no_tenant():
        assert set(StatisticsQueue.objects.values_list("organisation_id", flat=True)) == {
            network.e1.pk,
            network.e2.pk,
        }
    with no_tenant(), CaptureQueriesContext(connection) as queries, transaction.atomic():
        circle = Circle.objects.get(pk=network.circles[1].pk)
        circle.name = "改名QC小组"
        circle.save(update_fields=["name"])
    assert not any("reports_statisticsqueue" in q["sql"] for q in queries.captured_queries)


def test_marks_of_a_rolled_back_savepoint_are_written_again(network, django_capture_on_commit_callbacks):
    """A savepoint that rolls back takes its queue row and its callback with it; the next
    write to the enterprise marks it again, and the commit refreshes it."""
    with django_capture_on_commit_callbacks(execute=True), no_tenant():
        try:
            with transaction.atomic():
                f.CircleFactory(organisation=network.e4, registered_on=dt.date(2020, 4, 4), members=3)
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass
        assert not StatisticsQueue.objects.filter(organisation=network.e4).exists()
        f.CircleFactory(organisation=network.e4, registered_on=dt.date(2020, 5, 5), members=3)
        assert StatisticsQueue.objects.filter(organisation=network.e4).count() == 1
    _current(network.e4)


def test_the_sweep_refreshes_what_a_crash_left(network):
    """Queue rows whose on-commit refresh never ran (a crash) and a period not built are
    caught up by the beat task; it then leaves nothing behind."""
    with no_tenant():
        f.CircleFactory(organisation=network.e3, registered_on=dt.date(2020, 6, 6), members=6)
        StatisticsPeriod.objects.create(period_start=dt.date(2020, 1, 1), period_end=dt.date(2020, 12, 31))
        f.CampaignFactory(
            code="IA-SWEEP",
            organisation=network.ia,
            period_start=dt.date(2020, 1, 1),
            period_end=dt.date(2020, 12, 31),
        )
        assert summaries.verify_enterprises([network.e3.pk]) != []
    result = statistics_sweep_task.apply().get()
    assert result["periods_built"] == 1 and result["enterprises_refreshed"] == 1
    assert result["rollups_refreshed"] >= 1  # the organisations counting E3 (reports.rollups)
    _current(network.e3)
    with no_tenant():
        assert not StatisticsPeriod.objects.filter(built_at__isnull=True).exists()
    assert statistics_sweep_task.apply().get() == {
        "periods_built": 0,
        "enterprises_refreshed": 0,
        "rollups_refreshed": 0,
    }


def test_a_refresh_that_fails_after_commit_leaves_its_queue_rows(
    network, monkeypatch, django_capture_on_commit_callbacks
):
    """A refresh that cannot run (e.g. its lock wait timed out) never fails the user's
    request: its queue rows stay for the sweep."""

    def fail(ids):
        raise DatabaseError("canceling statement due to lock timeout")

    monkeypatch.setattr(summaries, "_refresh_chunks", fail)
    with django_capture_on_commit_callbacks(execute=True), no_tenant():
        f.CircleFactory(organisation=network.e4, registered_on=dt.date(2020, 7, 7), members=3)
    with no_tenant():
        assert StatisticsQueue.objects.filter(organisation=network.e4).count() == 1
    monkeypatch.undo()
    summaries.sweep()
    _current(network.e4)


def test_rebuild_writes_the_same_rows(network):
    """A full rebuild gives exactly the rows kept current incrementally, and clears the queue."""
    with no_tenant():
        before = sorted(
            EnterpriseStatistics.objects.values_list(
                "organisation_id", "period_kind", "period_start", *summaries.VALUE_COLUMNS
            )
        )
        written = summaries.rebuild_statistics()
        after = sorted(
            EnterpriseStatistics.objects.values_list(
                "organisation_id", "period_kind", "period_start", *summaries.VALUE_COLUMNS
            )
        )
    assert written == len(after) > 0 and after == before
    assert summaries.rebuild_statistics(enterprise_ids=[network.e1.pk]) == len(
        [r for r in after if r[0] == network.e1.pk]
    )


# --- reading -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("code", ["caq", "pa", "pb", "ia"])
def test_annex3_from_the_summary_equals_the_live_computation(network, code):
    """Seed 002 Annex 3 for national, provincial and industry associations (note 2: E2 is
    deducted from PA and added to IA) is the same from the summary as computed live."""
    association = getattr(network, code)
    with tenant_scope(association):
        figures = annex3_figures(campaign=network.campaign, association=association)
        live = circle_statistics(
            enterprises=reporting_enterprises(association), period_start=PERIOD[0], period_end=PERIOD[1]
        )
    assert figures.source == "summary"
    assert figures.circles_cumulative_count == live["circles_cumulative"]
    assert figures.circles_this_year_count == live["circles_this_year"]
    assert figures.members_this_year == live["members_this_year"]
    assert figures.circles_active_count == live["circles_active"]
    assert figures.circles_with_results_count == live["circles_with_results"]
    assert figures.benefit_this_year == money(live["benefit_this_year"])
    assert figures.benefit_cumulative == money(live["benefit_cumulative"])
    assert summaries.verify_annex3([association])[0] == []


def test_annex3_deduction_from_the_summary(network):
    """PA deducts E2 (行业直属 to IA, 4 members) which IA counts: PA + PB + IA = CAQ."""
    with tenant_scope(network.caq):
        caq, pa, pb, ia = (
            annex3_figures(campaign=network.campaign, association=a)
            for a in (network.caq, network.pa, network.pb, network.ia)
        )
    assert pa.members_this_year == 14 and ia.members_this_year == 9
    assert pa.members_this_year + pb.members_this_year + ia.members_this_year == caq.members_this_year == 30
    assert pa.benefit_cumulative + pb.benefit_cumulative + ia.benefit_cumulative == caq.benefit_cumulative


def test_summary_reads_are_one_query(network, django_assert_num_queries):
    """Annex 3 from the summary: a fixed number of queries whatever the number of
    enterprises (period check, one SUM over the campaign rows, the enterprises' figures, the
    conference; a province adds its two note-2 counts); a dashboard total and the yearly
    trend: one each."""
    enterprises = reporting_enterprises(network.caq)
    with tenant_scope(network.pa), django_assert_num_queries(5):
        annex3_figures(campaign=network.campaign, association=network.pa)
    with tenant_scope(network.caq):
        with django_assert_num_queries(4):
            annex3_figures(campaign=network.campaign, association=network.caq)
        with django_assert_num_queries(1):
            summaries.summary_totals(
                enterprises=enterprises,
                period_kind=Kind.YEAR,
                period_start=dt.date(2020, 1, 1),
                period_end=dt.date(2020, 12, 31),
            )
        with django_assert_num_queries(1):
            summaries.summary_by_year(enterprises=enterprises)


@pytest.mark.parametrize(
    ("kind", "start", "end"),
    [
        (Kind.YEAR, dt.date(2019, 1, 1), dt.date(2019, 12, 31)),
        (Kind.YEAR, dt.date(2020, 1, 1), dt.date(2020, 12, 31)),
        (Kind.MONTH, dt.date(2020, 3, 1), dt.date(2020, 3, 31)),
        (Kind.MONTH, dt.date(2019, 11, 1), dt.date(2019, 11, 30)),
        (Kind.CAMPAIGN, *PERIOD),
    ],
)
def test_summary_totals_equal_the_live_aggregate(network, kind, start, end):
    """A month (also one without data), a year or a campaign period: every figure, cumulative
    ones included, equals circle_statistics over the same enterprises."""
    enterprises = reporting_enterprises(network.caq)
    with tenant_scope(network.caq):
        totals = summaries.summary_totals(
            enterprises=enterprises, period_kind=kind, period_start=start, period_end=end
        )
        live = circle_statistics(enterprises=enterprises, period_start=start, period_end=end)
    for column, key in summaries.LIVE_KEYS.items():
        assert totals[column] == (live[key] or 0), column


def test_summary_by_year_is_the_yearly_trend(network):
    """Per year the figures of circle_statistics for that calendar year, cumulative ones
    included (CAQ: circles registered 2018, 2019 and 2020)."""
    enterprises = reporting_enterprises(network.caq)
    with tenant_scope(network.caq):
        trend = summaries.summary_by_year(enterprises=enterprises)
        for row in trend:
            live = circle_statistics(
                enterprises=enterprises,
                period_start=dt.date(row["year"], 1, 1),
                period_end=dt.date(row["year"], 12, 31),
            )
            for column, key in summaries.LIVE_KEYS.items():
                assert row[column] == (live[key] or 0), (row["year"], column)
    assert [r["year"] for r in trend] == [2018, 2019, 2020]
    assert [r["circles_cumulative"] for r in trend] == [1, 5, 8]


def test_summary_reads_stay_in_the_tenant_scope(network):
    """Another province's scope sees nothing of PA's enterprises (404-style: zeros), and a
    month that is not a calendar month is refused."""
    with tenant_scope(network.pb):
        totals = summaries.summary_totals(
            enterprises=[network.e1.pk],
            period_kind=Kind.CAMPAIGN,
            period_start=PERIOD[0],
            period_end=PERIOD[1],
        )
        assert summaries.summary_by_year(enterprises=[network.e1.pk]) == []
    assert totals["circles_registered"] == 0 and totals["as_of"] is None
    with tenant_scope(network.pa), pytest.raises(ValueError):
        summaries.summary_totals(
            enterprises=[network.e1.pk],
            period_kind=Kind.MONTH,
            period_start=dt.date(2020, 3, 2),
            period_end=dt.date(2020, 3, 31),
        )


def test_the_page_states_the_lag(network, login, settings):
    """The association home says its figures come from the summary and how stale they can
    be (from STATISTICS_SWEEP_SECONDS)."""
    from django.urls import reverse

    body = login(network.users.pa_staff).get(reverse("home")).content.decode()
    assert "统计数据随数据变更即时汇总，最长约1分钟内更新。" in body
    settings.STATISTICS_SWEEP_SECONDS = 30
    assert summaries.lag_statement() == "统计数据随数据变更即时汇总，最长约30秒内更新。"


# --- the commands ----------------------------------------------------------------------------------
def test_stats_verify_passes_on_the_demo_and_fails_on_a_tampered_row(empty_database, capsys):
    """seed_demo leaves the summary built; stats_verify agrees with the live aggregate, then
    names the difference in Chinese and exits non-zero once a row is tampered with."""
    from reports.demo import seed_demo

    seed_demo(circles=80)
    call_command("stats_verify", "--sample", "0")
    out = capsys.readouterr().out
    assert "统计汇总表与实时统计一致" in out and "份附件3" in out
    with no_tenant():
        row = EnterpriseStatistics.objects.filter(period_kind=Kind.CAMPAIGN, circles_registered__gt=0).first()
        EnterpriseStatistics.objects.filter(pk=row.pk).update(circles_registered=row.circles_registered + 1)
    with pytest.raises(CommandError, match="不一致"):
        call_command("stats_verify", "--sample", "0")
    err = capsys.readouterr().err
    assert (
        f"本期登记注册QC小组数：汇总表为 {row.circles_registered + 1}，实时统计为 {row.circles_registered}"
        in err
    )
    assert "附件3 本期登记注册QC小组数" in err  # the association totals show it too
    call_command("stats_rebuild")
    assert "统计汇总表已重建" in capsys.readouterr().out
    call_command("stats_verify", "--association", "SAQ", "--sample", "5")


def test_stats_verify_refuses_an_unknown_association(network):
    with pytest.raises(CommandError, match="找不到协会代码"):
        call_command("stats_verify", "--association", "NOPE")


def test_one_enterprise_campaign_row_equals_the_aggregate(network, django_assert_num_queries):
    """An enterprise's home reads its campaign row as it is (one query, no aggregate): the
    same figures and ``as_of`` as the aggregate over the same enterprise; an enterprise
    without a row gets zeros and no ``as_of``."""
    bounds = {"period_kind": Kind.CAMPAIGN, "period_start": PERIOD[0], "period_end": PERIOD[1]}
    with tenant_scope(network.caq):
        for enterprise in (network.e1, network.e2, network.caq):
            with django_assert_num_queries(1):
                row = summaries.summary_totals(enterprises=[enterprise.pk], **bounds)
            aggregate = summaries.summary_totals(enterprises=(e for e in [enterprise.pk]), **bounds)
            assert row == aggregate, enterprise
    assert row["as_of"] is None and row["benefit"] == 0  # CAQ, an association: no row
    with tenant_scope(network.caq):
        own = summaries.summary_totals(enterprises=[network.e1.pk], **bounds)
    assert own["circles_registered"] > 0 and own["as_of"] is not None
