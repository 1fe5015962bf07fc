"""Management commands: render_form (same task as web and API) and seed_demo (idempotent)."""

import io

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from circles.models import Circle, CircleMember
from evaluation.models import ScoreSheet, Submission
from promotion.models import Campaign
from qcportal.models import Membership, Organisation, User
from qcportal.tenancy import no_tenant
from reports.demo import WORK_CIRCLES
from reports.demo_history import HISTORY_MARK
from reports.models import ReportRun

from ..conftest import normalise, pdf_text


@pytest.mark.django_db
def test_render_form_writes_the_file(network, tmp_path):
    out = tmp_path / "annex3.xlsx"
    call_command(
        "render_form",
        "annex3",
        "--campaign",
        "CAQ-T",
        "--organisation",
        "PA",
        "--format",
        "xlsx",
        "--output",
        str(out),
        stdout=io.StringIO(),
    )
    assert openpyxl.load_workbook(out).active["A2"].value == "质量管理小组活动统计表"
    with no_tenant():
        run = ReportRun.objects.get(requested_by=None)
    assert run.status == "succeeded"


@pytest.mark.django_db
def test_render_form_annex1_for_one_submission(network, tmp_path):
    out = tmp_path / "annex1.pdf"
    s1 = network.submissions[0]
    call_command(
        "render_form",
        "annex1",
        "--campaign",
        "CAQ-T",
        "--organisation",
        "PA",
        "--submission",
        str(s1.pk),
        "--format",
        "pdf",
        "--output",
        str(out),
        stdout=io.StringIO(),
    )
    assert normalise("甲攻关QC小组") in normalise(pdf_text(out.read_bytes()))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["annex3", "--campaign", "CAQ-T", "--organisation", "NOPE"], "找不到组织代码"),
        (["annex3", "--campaign", "PB-T", "--organisation", "PA"], "看不到活动"),
        (["annex3", "--campaign", "CAQ-T", "--organisation", "E1"], "协会"),
        (["annex1", "--campaign", "CAQ-T", "--organisation", "PB", "--submission", "1"], "看不到成果申报"),
    ],
)
def test_render_form_errors_are_clear(network, tmp_path, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("render_form", *args, "--format", "pdf", "--output", str(tmp_path / "x.pdf"))


def _counts():
    models = (Organisation, Circle, CircleMember, Submission, ScoreSheet, User, Membership)
    return tuple(model.objects.count() for model in models)


@pytest.mark.django_db
def test_seed_demo_is_idempotent_and_has_the_documented_shape(empty_database):
    call_command("seed_demo", stdout=io.StringIO())
    with no_tenant():
        counts = _counts()
        caq = Organisation.objects.get(code="CAQ")
        assert caq.name == "中国质量协会" and Organisation.objects.get(code="SAQ").name == "上海市质量协会"
        campaign = Campaign.objects.get(code="CAQ-2020")
        assert campaign.document_number == "中国质协字〔2020〕21号"
        assert campaign.theme == "扎根基层 落实标准 创新赋能"
        assert str(campaign.period_start) == "2019-06-01" and str(campaign.period_end) == "2020-08-31"
        assert str(campaign.deadline) == "2020-09-15"
        assert Organisation.objects.filter(kind="regional_association").count() >= 3
        assert Organisation.objects.filter(kind="industry_association").count() >= 2
        assert Organisation.objects.filter(kind="enterprise").count() >= 40
        assert Organisation.objects.filter(kind="enterprise", industry_association__isnull=False).exists()
        assert Circle.objects.count() >= 300
        assert set(Circle.objects.values_list("projects__project_type", flat=True)) - {None} == {
            "problem_solving",
            "innovation",
        }
        for submission in Submission.objects.filter(campaign=campaign):
            assert submission.score_sheets.filter(status="submitted").count() >= 5
        roles = set(Membership.objects.values_list("role", flat=True))
        assert {
            "association_staff",
            "unit_coordinator",
            "enterprise_coordinator",
            "judge",
            "enterprise_executive",
        } <= roles
        _assert_demo_logins_have_work()
        _assert_live_campaign_walks_the_chain()
        _assert_dashboards_have_history()
    call_command("seed_demo", stdout=io.StringIO())
    with no_tenant():
        again = _counts()
    assert again == counts


def _assert_dashboards_have_history():
    """Issue 10 item 3: the decision-layer logins find real figures on their dashboards this
    year and last year, with published grades of last year's national judging."""
    from qcportal.tenancy import membership_scope
    from reports import dashboards

    year = timezone.localdate().year
    for username, code in (("caq_leader", "CAQ"), ("saq_leader", "SAQ"), ("executive", "SAQ-PD-E1")):
        membership = Membership.objects.select_related("organisation").get(
            user__username=username, organisation__code=code
        )
        with membership_scope(membership):
            assert dashboards.latest_year(membership.organisation) == year
            rows = dashboards.trends(organisation=membership.organisation, years=range(year - 1, year + 1))
        for row in rows:
            assert row["circles_registered"] > 0 and row["total_employees"] > 0, (username, row["year"])
    caq = Membership.objects.select_related("organisation").get(user__username="caq_leader")
    with membership_scope(caq):
        grades = dashboards.grade_distribution(
            organisation=caq.organisation, period=dashboards.Period.of_year(year - 1)
        )
    assert [g["grade"] for g in grades] == ["一等奖", "二等奖", "三等奖"]


def _assert_live_campaign_walks_the_chain():
    """Issue 7, item 12: a live campaign of the current year (SAQ-<year>, child of
    CAQ-<year>) whose calendar puts today in 成果申报, with submissions at every state up to
    judging (issue 8: 已评审 and the recommendation upward follow only the publication of the
    judging, which the demo leaves to the user), a judging in progress with two rounds, and a
    national submission waiting for the national formal review."""
    from evaluation.choices import SubmissionStatus
    from promotion.choices import StageKind

    year = timezone.localdate().year
    live = Campaign.objects.get(code=f"SAQ-{year}")
    assert live.parent.code == f"CAQ-{year}" and live.status == "open"
    assert live.current_stage() is not None
    submission = live.stage_for(StageKind.SUBMISSION)
    assert submission.starts_on <= timezone.localdate() <= submission.ends_on
    after_publication = {
        SubmissionStatus.SCORED,
        SubmissionStatus.RECOMMENDED,
        SubmissionStatus.NOT_RECOMMENDED,
    }
    assert set(Submission.objects.filter(campaign=live).values_list("status", flat=True)) == (
        set(SubmissionStatus.values) - after_publication
    )
    assert Submission.objects.filter(campaign=live.parent, status=SubmissionStatus.UNIT_RECOMMENDED).exists()
    from evaluation.models import JudgeAssignment, Judging, ScoreSheet

    judging = Judging.objects.get(campaign=live)
    assert list(judging.rounds.values_list("status", flat=True)) == ["open", "draft"]
    first = judging.rounds.get(position=1)
    # Every entrant has its five judges, none conflicted (the demo judge coordinates SAQ-JD-E1).
    entrants = Submission.objects.filter(campaign=live, status=SubmissionStatus.FORMALLY_REVIEWED)
    assert entrants.count() >= 10
    for s in entrants:
        assert JudgeAssignment.objects.filter(round=first, submission=s, recused=False).count() == 5
    assert not JudgeAssignment.objects.filter(
        round=first, judge__user__username="judge", submission__organisation__code="SAQ-JD-E1"
    ).exists()
    assert ScoreSheet.objects.filter(round=first, on_paper=True, status="submitted").exists()


def _assert_demo_logins_have_work():
    """Issue 6, item 10: the demo enterprise holds circles and projects at every state, and
    the enterprise's logins find work waiting for them today."""
    from circles.choices import CircleStatus, ProjectStatus
    from circles.models import Project
    from qcportal.todos import todos_for

    enterprise = Organisation.objects.get(code="SAQ-PD-E1")
    assert set(Circle.objects.filter(organisation=enterprise).values_list("status", flat=True)) == set(
        CircleStatus.values
    )
    work = Project.objects.filter(organisation=enterprise, created_by__isnull=False)
    assert set(work.values_list("status", flat=True)) == set(ProjectStatus.values)
    assert (
        work.get(status="in_progress").circle.members.filter(user__username="leader", role="leader").exists()
    )
    expected = {
        "company": {"QC小组注册待审核", "课题立项待评审", "课题待验收"},
        "leader": {"课题立项申请被退回，待答复", "小组注册申请被退回，待修改", "检查意见待处理"},
        "member": {"检查意见待处理"},
    }
    for username, labels in expected.items():
        membership = Membership.objects.select_related("organisation", "user").get(
            user__username=username, organisation=enterprise
        )
        from qcportal.tenancy import membership_scope

        with membership_scope(membership):
            shown = {str(t.label) for t in todos_for(membership)}
        assert labels <= shown, (username, shown)
    # Issue 8: the judging logins find their work too.
    saq = Organisation.objects.get(code="SAQ")
    for username, labels in {
        "judge": {"评分表待提交"},
        "judge2": {"评分表待提交"},
        "saq_staff": {"纸质评分表待代录"},
    }.items():
        membership = Membership.objects.select_related("organisation", "user").get(
            user__username=username, organisation=saq
        )
        with membership_scope(membership):
            shown = {str(t.label) for t in todos_for(membership)}
        assert labels <= shown, (username, shown)


@pytest.mark.django_db
def test_seed_demo_circles_loads_the_national_shape_once(empty_database):
    """Issue 10 item 1: ``--circles N`` above the default loads the demo, then the national
    shape for N circles in total (``reports.national``); run again with the same N it loads
    nothing and says so; with another N it is refused before anything is touched."""
    out = io.StringIO()
    call_command("seed_demo", "--circles", "400", stdout=out)
    assert "全国规模数据就绪" in out.getvalue() and "行/秒" in out.getvalue()
    with no_tenant():
        # Plus the demo enterprise's current work; the national load brings its own history.
        assert Circle.objects.count() == 400 + WORK_CIRCLES
        assert not Circle.objects.filter(registration_number__contains=HISTORY_MARK).exists()
        assert Organisation.objects.filter(kind="enterprise").count() == 68 + 2  # one per 20 new circles
        counts = _counts()
    out = io.StringIO()
    call_command("seed_demo", "--circles", "400", stdout=out)
    assert "全国规模数据已存在" in out.getvalue()
    with no_tenant():
        assert _counts() == counts
    with pytest.raises(CommandError, match="已有按 400 个QC小组生成"):
        call_command("seed_demo", "--circles", "450", stdout=io.StringIO())
    with pytest.raises(CommandError, match="大于 360"):
        call_command("seed_demo", "--scale", "national", "--circles", "300", stdout=io.StringIO())
