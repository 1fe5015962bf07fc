"""Each rule of the circles app with a test named after it and its source (issue 6;
docs/rules.md lists rule → code → test)."""

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from circles import imports, services
from circles.choices import PROCEDURES, ProcedureStep, ProjectStatus, ProjectType, TargetKind, procedure_for
from circles.models import Circle, CircleImport
from circles.selectors import circle_statistics
from qcportal import audit_chain
from qcportal.models import Membership
from qcportal.tenancy import membership_scope, no_tenant

from .. import factories as f

pytestmark = pytest.mark.django_db

S = ProcedureStep


def _membership(user):
    with no_tenant():
        return Membership.objects.select_related("organisation", "user").get(user=user)


def _members(n):
    return [
        {"name": f"成员{i}", "role": "leader" if i == 0 else "member", "position": "工"} for i in range(n)
    ]


def test_rule_registration_number_unique_per_enterprise_and_year(network):
    """R-S1-04 — DB43 §7.3 (组建与注册): each registered circle gets a number unique within
    its enterprise and year, from the association's pattern (configurable)."""
    coord = _membership(network.users.e1_coord)
    year = timezone.localdate().year
    with membership_scope(coord):
        a = services.circle_register(membership=coord, name="甲", members=_members(3)).obj
        b = services.circle_register(membership=coord, name="乙", members=_members(3)).obj
    assert a.registration_number == f"E1-{year}-001" and b.registration_number == f"E1-{year}-002"
    with no_tenant():
        network.pa.circle_number_pattern = "PA{year}-{enterprise}-{seq:04d}"
        network.pa.save()
    coord = _membership(network.users.e1_coord)
    with membership_scope(coord):
        c = services.circle_register(membership=coord, name="丙", members=_members(3)).obj
    assert c.registration_number == f"PA{year}-E1-0003"
    with no_tenant(), pytest.raises(IntegrityError), transaction.atomic():
        Circle.objects.create(
            organisation=network.e1,
            name="重号",
            registration_year=year,
            status="registered",
            registration_number=a.registration_number,
            registered_on=dt.date.today(),
        )


def test_rule_number_pattern_is_validated(network):
    """R-S1-04 — a pattern without {seq} or with unknown placeholders is refused."""
    from qcportal.models import validate_number_pattern

    for bad in ("{enterprise}-{year}", "{foo}-{seq}", "{seq:xyz}", "{"):
        with pytest.raises(ValidationError):
            validate_number_pattern(bad)
    validate_number_pattern("{enterprise}{year}{seq:05d}")


@pytest.mark.parametrize("count, warned", [(2, True), (3, False), (10, False), (11, True)])
def test_rule_member_count_warning(network, count, warned):
    """R-ST-12 — standard.md §1 (T/CAQ 10201-2020 guidance): 3–10 members is usual; outside
    it the portal warns but registers the circle all the same."""
    coord = _membership(network.users.e1_coord)
    with membership_scope(coord):
        result = services.circle_register(membership=coord, name=f"{count}人小组", members=_members(count))
    assert result.obj.status == "registered"
    assert bool(result.warnings) is warned
    if warned:
        assert "3–10" in result.warnings[0]


def test_rule_one_leader_per_circle(network):
    """R-S1-05 — DB43 §7.3: a circle has exactly one leader (组长); also a DB constraint."""
    coord = _membership(network.users.e1_coord)
    rows = _members(3)
    rows[1]["role"] = "leader"
    with membership_scope(coord), pytest.raises(ValidationError, match="有且只有一名组长"):
        services.circle_register(membership=coord, name="双组长", members=rows)


def test_rule_step_order_per_type_and_target_kind():
    """R-ST-02 — standard.md §2 (T/CAQ 10201-2020 活动程序): the steps of each topic type and
    target kind, in the standard's order."""
    assert procedure_for(ProjectType.PROBLEM_SOLVING, TargetKind.SELF_SET) == (
        S.SELECT_TOPIC, S.SURVEY, S.SET_TARGET, S.CAUSE_ANALYSIS, S.MAIN_CAUSES,
        S.COUNTERMEASURES, S.IMPLEMENTATION, S.EFFECT_CHECK, S.CONSOLIDATION, S.SUMMARY,
    )  # fmt: skip
    assert procedure_for(ProjectType.PROBLEM_SOLVING, TargetKind.ASSIGNED) == (
        S.SELECT_TOPIC, S.SET_TARGET, S.TARGET_FEASIBILITY, S.CAUSE_ANALYSIS, S.MAIN_CAUSES,
        S.COUNTERMEASURES, S.IMPLEMENTATION, S.EFFECT_CHECK, S.CONSOLIDATION, S.SUMMARY,
    )  # fmt: skip
    assert procedure_for(ProjectType.INNOVATION, None) == (
        S.SELECT_TOPIC, S.SET_TARGET_FEASIBILITY, S.PROPOSE_SOLUTIONS, S.COUNTERMEASURES,
        S.IMPLEMENTATION, S.EFFECT_CHECK, S.STANDARDISATION, S.SUMMARY,
    )  # fmt: skip


def _registered_project(network, target_kind):
    with no_tenant():
        return f.ProjectFactory(
            circle=network.circles[0],
            status=ProjectStatus.IN_PROGRESS,
            project_type=ProjectType.INNOVATION if target_kind is None else ProjectType.PROBLEM_SOLVING,
            target_kind=target_kind,
            applied_on=dt.date(2026, 1, 1),
        )


def _record(project, step, user):
    leader = _membership(user)
    with membership_scope(leader):
        return services.record_create(
            membership=leader,
            project=project,
            data={"step": step, "held_on": dt.date.today().isoformat(), "content": "活动"},
        )


def test_rule_never_both_survey_and_target_feasibility(network):
    """R-ST-14 — standard.md §2: a problem-solving project has 现状调查 (self-set target) or
    目标可行性论证 (given target), never both: every procedure holds at most one of them and
    a record outside the project's procedure is refused."""
    for steps in PROCEDURES.values():
        assert not {S.SURVEY, S.TARGET_FEASIBILITY} <= set(steps)
    self_set = _registered_project(network, TargetKind.SELF_SET)
    assigned = _registered_project(network, TargetKind.ASSIGNED)
    _record(self_set, S.SURVEY, network.users.e1_leader)
    with pytest.raises(ValidationError, match="不是该课题"):
        _record(self_set, S.TARGET_FEASIBILITY, network.users.e1_leader)
    _record(assigned, S.TARGET_FEASIBILITY, network.users.e1_leader)
    with pytest.raises(ValidationError, match="不是该课题"):
        _record(assigned, S.SURVEY, network.users.e1_leader)


def test_rule_records_only_for_a_registered_project_and_a_step_of_its_procedure(network):
    """R-S1-09/R-ST-13 — DB43 §7.3–7.4: 立项评审通过后才能填写活动记录; the step must be one of
    the project's procedure (T/CAQ 10201-2020)."""
    with no_tenant():
        applied = f.ProjectFactory(
            circle=network.circles[0],
            status=ProjectStatus.APPLIED,
            project_type="innovation",
            target_kind=None,
        )
    with pytest.raises(ValidationError, match=r"立项评审通过后才能填写活动记录（DB43 §7.3）"):
        _record(applied, S.SELECT_TOPIC, network.users.e1_leader)
    innovation = _registered_project(network, None)
    with pytest.raises(ValidationError, match="不是该课题"):
        _record(innovation, S.CAUSE_ANALYSIS, network.users.e1_leader)
    _record(innovation, S.PROPOSE_SOLUTIONS, network.users.e1_leader)


def test_rule_type_cannot_change_once_records_exist(network):
    """R-ST-13 — changing the type or target kind would put records outside the procedure."""
    project = _registered_project(network, TargetKind.SELF_SET)
    _record(project, S.SURVEY, network.users.e1_leader)
    leader = _membership(network.users.e1_leader)
    with membership_scope(leader), pytest.raises(ValidationError, match="不能更改课题类型"):
        services.project_update(membership=leader, project=project, data={"target_kind": "assigned"})


def _completed_project(network, benefit="12.5"):
    with no_tenant():
        project = f.ProjectFactory(
            circle=network.circles[0],
            status=ProjectStatus.COMPLETED,
            project_type="innovation",
            target_kind=None,
            economic_benefit=Decimal(benefit),
            applied_on=dt.date(2026, 1, 1),
        )
    return project


def test_rule_acceptance_refused_without_benefit_confirmation(network):
    """R-S1-11 — DB43 §7.5.1; standard.md §6: a project claiming calculable economic benefit
    is accepted only with the benefit confirmed by the finance or relevant department (who
    and when recorded)."""
    project = _completed_project(network)
    coord = _membership(network.users.e1_coord)
    data = {"achieved_value": "1", "economic_benefit": "12.5"}
    with membership_scope(coord):
        with pytest.raises(ValidationError, match=r"DB43 §7\.5\.1"):
            services.transition(membership=coord, obj=project, name="accept", data=data)
        with pytest.raises(ValidationError):  # ticked, but who and when missing
            services.transition(
                membership=coord, obj=project, name="accept", data={**data, "benefit_confirmed": "on"}
            )
        accepted = services.transition(
            membership=coord,
            obj=project,
            name="accept",
            data={
                **data,
                "benefit_confirmed": "on",
                "benefit_confirmed_by": "财务部 李",
                "benefit_confirmed_on": "2026-01-10",
            },
        )
    assert accepted.status == ProjectStatus.ACCEPTED and accepted.benefit_confirmed
    assert accepted.benefit_recorded_by == network.users.e1_coord
    zero = _completed_project(network, benefit="0")
    with membership_scope(coord):
        assert (
            services.transition(
                membership=coord,
                obj=zero,
                name="accept",
                data={"achieved_value": "1", "economic_benefit": "0"},
            ).status
            == ProjectStatus.ACCEPTED
        )


def test_rule_unconfirmed_benefit_excluded_from_annex3(network):
    """R-A3-09 — standard.md §6, seed 002 Annex 3: only benefit confirmed by the finance or
    relevant department counts in 可计算的经济效益; E1's 7.25 万元 is unconfirmed."""
    with no_tenant():
        stats = circle_statistics(
            enterprises=Circle.objects.filter(organisation=network.e1).values("organisation"),
            period_start=dt.date(2019, 6, 1),
            period_end=dt.date(2020, 8, 31),
        )
    assert stats["benefit_this_year"] == Decimal("10.5")  # 10.5 confirmed; 7.25 not counted


def test_rule_circle_leader_cannot_review_or_accept(network):
    """R-S1-12 — seed 001 §5.2: registration review and acceptance are duties of the
    management layer; a circle leader (execution layer) may do neither."""
    leader = _membership(network.users.e1_leader)
    with no_tenant():
        applied = f.ProjectFactory(circle=network.circles[0], status=ProjectStatus.APPLIED)
    completed = _completed_project(network)
    from django.core.exceptions import PermissionDenied

    with membership_scope(leader):
        with pytest.raises(PermissionDenied):
            services.transition(membership=leader, obj=applied, name="approve")
        with pytest.raises(PermissionDenied):
            services.transition(membership=leader, obj=completed, name="accept", data={})


def test_rule_circle_member_sees_only_their_circles(network, e1_member, api):
    """R-S1-02 — seed 001 §5.2.3: the execution layer works in its own circles; a member
    lists and opens only them (another circle of the same enterprise answers 404)."""
    client = api("e1_member")
    listed = {row["id"] for row in client.get("/api/v1/circles/").json()["results"]}
    assert listed == {network.circles[0].pk}
    other = network.circles[1]  # same enterprise E1, not the member's
    with no_tenant():
        other_project = other.projects.first()
    assert client.get(f"/api/v1/circles/{other.pk}/").status_code == 404
    assert client.get(f"/api/v1/projects/{other_project.pk}/").status_code == 404


def _import_file(rows):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "导入"
    ws.append(list(imports.HEADERS))
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return SimpleUploadedFile(
        "小组.xlsx",
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def test_rule_import_all_or_nothing_with_a_row_report(network, api):
    """R-PT-01 — issue 6: a file with 3 bad rows of 200 creates nothing and the report names
    exactly those 3 rows, each with its reason in Chinese; the same file corrected imports
    all 200 circles with their members."""
    year = timezone.localdate().year
    rows = [
        [f"导入{i:03d}QC小组", "一车间", year, f"组长{i}", "班长", f"甲{i}/操作工；乙{i}/技术员"]
        for i in range(200)
    ]
    rows[9][3] = ""  # sheet row 11: no leader
    rows[49][2] = 1999  # row 51: impossible year
    rows[149][0] = "导入000QC小组"  # row 151: same name and year as row 2
    with no_tenant():
        before = Circle.objects.count()
    response = api("e1_coord").post(
        "/api/v1/circles/import/", {"file": _import_file(rows), "dry_run": "false"}
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [e["row"] for e in errors] == [11, 51, 151]
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in e["message"]) for e in errors)
    with no_tenant():
        assert Circle.objects.count() == before
        job = CircleImport.objects.get(pk=response.json()["id"])
    report = openpyxl.load_workbook(io.BytesIO(imports.error_report_xlsx(job))).active
    assert [r[0] for r in report.iter_rows(min_row=2, values_only=True)] == [11, 51, 151]

    rows[9][3], rows[49][2], rows[149][0] = "组长9", year, "导入149QC小组"
    dry = api("e1_coord").post("/api/v1/circles/import/", {"file": _import_file(rows), "dry_run": "true"})
    assert dry.status_code == 200 and dry.json()["status"] == "valid"
    assert dry.json()["circles_created"] == 200 and dry.json()["members_created"] == 600
    with no_tenant():
        assert Circle.objects.count() == before
    coord = _membership(network.users.e1_coord)
    with no_tenant():
        job = CircleImport.objects.get(pk=dry.json()["id"])
    with membership_scope(coord):
        imports.import_confirm(membership=coord, job=job)
        result = imports.import_execute(import_id=job.pk, membership=coord)
    assert result.status == "succeeded" and result.circles_created == 200
    with no_tenant():
        assert Circle.objects.count() == before + 200
        numbers = set(
            Circle.objects.filter(organisation=network.e1, name__startswith="导入").values_list(
                "registration_number", flat=True
            )
        )
        assert len(numbers) == 200
    assert audit_chain.verify().ok  # the import's bulk-written audit entries are chained (R-SC-45)


def test_rule_yearly_reregistration_carries_members_over(network):
    """R-S1-06 — DB43 §7.3; seed 002 Annex 3 (circles register yearly): re-registration
    makes next year's registration with the same members and their logins, once."""
    coord = _membership(network.users.e1_coord)
    year = timezone.localdate().year
    with membership_scope(coord):
        circle = services.circle_register(
            membership=coord, name="年度QC小组", year=year - 1, members=_members(4)
        ).obj
        new = services.circle_reregister(membership=coord, circle=circle).obj
        assert new.registration_year == year and new.previous == circle and new.status == "registered"
        assert list(new.members.values_list("name", "role")) == list(
            circle.members.values_list("name", "role")
        )
        assert new.registration_number != circle.registration_number
        with pytest.raises(ValidationError, match="已办理过"):
            services.circle_reregister(membership=coord, circle=circle)


def test_rule_deactivation_needs_projects_finished(network):
    """R-S1-07 — DB43 §7.3: a circle with open projects cannot be deactivated; the refusal
    names the rule."""
    coord = _membership(network.users.e1_coord)
    circle = network.circles[0]
    with no_tenant():
        f.ProjectFactory(circle=circle, status=ProjectStatus.IN_PROGRESS)
    with membership_scope(coord), pytest.raises(ValidationError, match=r"DB43 §7\.3"):
        services.transition(membership=coord, obj=circle, name="deactivate", comment="停止活动")
