"""Browser test of the judging flow (issue 8): the association's staff create round 1
(成果评审) on the judging hub, form panels by domain, preview and apply the automatic
assignment and publish it; the chair (赵组长) scores one result online and the staff enter a
paper sheet (纸质代录) for a judge without a login; the remaining sheets are filled through
the services; the chair signs the panel off; the staff close the round, compute the results,
apply a grade preset and the proposal, and request approval; the leadership approves; the
staff publish, and the results' submissions move to 已评审."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from circles.choices import ProjectStatus
from evaluation.choices import RoundStatus, SubmissionStatus
from evaluation.models import JudgeAssignment, JudgingRound, Panel, ScoreSheet, Submission
from evaluation.sheets import paper_sheet_save, score_sheet_save
from promotion.models import CampaignDomain
from qcportal.tenancy import no_tenant
from tests import factories as f
from tests.e2e.test_circles import take
from tests.evaluation.test_chain import act, build_live

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ASSESSMENT = "优势：数据翔实，因果分析到位。不足：效果巩固期偏短。"


def fill_sheet(page, form, ratio: float) -> None:
    """Fill every item of a sheet form with ``ratio`` of its maximum (steps of 0.5)."""
    boxes = form.locator("input[data-points]")
    for box in boxes.all():
        top = Decimal(box.get_attribute("max"))
        box.fill(str((top * Decimal(str(ratio)) * 2).to_integral_value() / 2))
    form.locator("#id_assessment").fill(ASSESSMENT)
    expect(form.locator("[data-testid=running-total]")).not_to_have_text("—")


def points_for(round_, submission, ratio: float) -> dict:
    """Points of every item of the round's sheet for ``submission`` (services)."""
    template = round_.template_for(submission)
    return {
        c.code: (c.max_points * Decimal(str(ratio)) * 2).to_integral_value() / 2
        for c in template.criteria.all()
    }


def build_entrants(network, live) -> list[Submission]:
    """Four results in 形式审查通过 (参评), domain 制造类: two of E1, two of E2."""
    with no_tenant():
        domain = CampaignDomain.objects.get(campaign=live.campaign, name="制造类")
        e2_projects = [
            f.ProjectFactory(
                circle=network.circles[4],
                status=ProjectStatus.ACCEPTED,
                accepted_on=live.today,
                title=f"提高绝缘件合格率{n}",
            )
            for n in range(2)
        ]
        return [
            f.SubmissionFactory(
                campaign=live.campaign,
                project=project,
                recommending_association=network.pa,
                status=SubmissionStatus.FORMALLY_REVIEWED,
                domain=domain,
                panel_assessment="",
            )
            for project in (*live.projects[:2], *e2_projects)
        ]


def test_judging_from_round_to_publication(network, sign_in, live_server):
    live = build_live(network)
    entrants = build_entrants(network, live)
    code = live.campaign.code
    today = live.today

    # --- 1. the staff create round 1, form the panels, assign and publish ----------------------
    staff = sign_in("pa_staff")
    staff.goto(f"{live_server.url}/evaluation/campaigns/{code}/judging/")
    expect(staff.locator("[data-testid=rounds]")).to_contain_text("尚未设置评审轮次")
    staff.click("[data-testid=round-create]")
    form = staff.locator("[data-testid=round-form]")
    form.locator("#id_name").fill("成果评审")
    form.locator("#id_kind").select_option("materials")
    form.locator("#id_starts_on").fill((today - dt.timedelta(days=1)).isoformat())
    form.locator("#id_ends_on").fill((today + dt.timedelta(days=3)).isoformat())
    form.locator("#id_judges_per_submission").fill("3")
    form.locator("#id_weight").fill("100")
    form.locator("#id_entry").select_option("all")
    form.locator("button[type=submit]").click()
    expect(staff.locator(".alert-success")).to_contain_text("已新增评审轮次：成果评审")
    expect(staff.locator("[data-testid=round-state]")).to_contain_text("筹备中")
    round_url = staff.url

    staff.click("[data-testid=panels-auto]")
    expect(staff.locator(".alert-success")).to_contain_text("已按领域组建1个评审组")
    expect(staff.locator("[data-testid=panels]")).to_contain_text("制造类评审组")
    expect(staff.locator("[data-testid=panels]")).to_contain_text("评审组长：赵组长")

    staff.click("[data-testid=preview]")
    expect(staff.locator("[data-testid=plan-summary]")).to_contain_text("新增12")  # 4 results × 3
    expect(staff.locator("[data-testid=violations]")).to_have_text("0")
    staff.get_by_role("button", name="按此分配").click()
    expect(staff.locator(".alert-success")).to_contain_text("已自动分配：新增12条")

    with no_tenant():
        round_ = JudgingRound.objects.get(judging__campaign=live.campaign, position=1)
        assignments = list(
            JudgeAssignment.objects.filter(round=round_, recused=False).select_related("judge", "submission")
        )
        assert len(assignments) == 12
        chair_tasks = [a for a in assignments if a.judge.user_id == network.users.pa_judge.pk]
        paper = next(a for a in assignments if a.judge.user_id is None)
    assert chair_tasks, "the automatic assignment gave the chair no result"

    take(staff, "publish_assignment")
    expect(staff.locator(".alert-success")).to_be_visible()
    expect(staff.locator("[data-testid=round-state]")).to_contain_text("评审中")
    staff.goto(f"{live_server.url}/evaluation/campaigns/{code}/judging/")
    expect(staff.locator("[data-testid=round-1]")).to_contain_text("评审中")
    expect(staff.locator("[data-testid=round-1]")).to_contain_text("0 / 12")

    # --- 2. the chair scores one result online -----------------------------------------------
    chair = sign_in("pa_judge")
    chair.goto(f"{live_server.url}/evaluation/tasks/")
    task = chair.locator(f"[data-testid=task-{chair_tasks[0].pk}]")
    expect(task).to_be_visible()
    task.click()
    sheet_form = chair.locator("[data-testid=sheet-form]")
    fill_sheet(chair, sheet_form, 0.9)
    chair.click("[data-testid=sheet-submit]")
    expect(chair.locator(".alert-success")).to_contain_text("评分表已提交并锁定")
    expect(chair.locator("[data-testid=sheet-status]")).to_have_text("已提交")
    expect(chair.locator("[data-testid=sheet-form]")).to_have_count(0)
    chair.goto(f"{live_server.url}/evaluation/tasks/")
    expect(
        chair.locator(f"[data-testid=task-{chair_tasks[0].pk}]").locator("xpath=ancestor::tr")
    ).to_contain_text("已提交")

    # --- 3. the staff enter a paper sheet for a judge without a login --------------------------
    staff.goto(f"{live_server.url}/evaluation/submissions/{paper.submission_id}/")
    row = staff.locator("[data-testid=assignments] tr", has_text=paper.judge.name)
    row.get_by_role("link", name="代录纸质评分表").click()
    paper_form = staff.locator("[data-testid=paper-form]")
    expect(staff.locator("h1")).to_have_text("代录纸质评分表")
    fill_sheet(staff, paper_form, 0.85)
    staff.click("[data-testid=paper-submit]")
    expect(staff.locator(".alert-success")).to_contain_text("纸质评分表已代录并提交")
    expect(staff.locator("[data-testid=paper]")).to_have_text("纸质代录")
    expect(staff.locator("[data-testid=sheet-status]")).to_have_text("已提交")

    # --- 4. the other sheets through the services; the chair signs the panel off -----------------
    with no_tenant():
        round_ = JudgingRound.objects.select_related("judging").get(pk=round_.pk)
        done = set(
            ScoreSheet.objects.filter(round=round_, status="submitted").values_list(
                "judge_id", "submission_id"
            )
        )
        for n, a in enumerate(assignments):
            if (a.judge_id, a.submission_id) in done:
                continue
            ratio = 0.8 + 0.02 * (n % 5)
            points = points_for(round_, a.submission, ratio)
            if a.judge.user_id is None:  # 纸质代录 by the staff
                act(
                    network.users.pa_staff,
                    paper_sheet_save,
                    assignment=a,
                    points=points,
                    assessment=ASSESSMENT,
                    submit=True,
                )
            else:  # 钱骨干 (pa_judge2) and the chair's other results, online
                act(
                    a.judge.user,
                    score_sheet_save,
                    submission=a.submission,
                    round=round_,
                    points=points,
                    assessment=ASSESSMENT,
                    submit=True,
                )
        assert ScoreSheet.objects.filter(round=round_, status="submitted").count() == 12
        panels = list(Panel.objects.filter(round=round_).select_related("chair"))
    assert len(panels) == 1 and panels[0].chair.user_id == network.users.pa_judge.pk

    chair.goto(f"{live_server.url}/evaluation/tasks/")
    chair.get_by_role("link", name="制造类评审组").first.click()
    expect(chair.locator("[data-testid=panel-progress]")).to_contain_text("已提交 12 份")
    take(chair, "sign_off", comment="本组评分表齐全，同意。")
    expect(chair.locator("[data-testid=panel-status]")).to_have_text("组长已签字")

    # --- 5. the staff close the round, compute, grade and request approval ----------------------
    staff.goto(round_url)
    take(staff, "close")
    expect(staff.locator("[data-testid=round-state]")).to_contain_text("已结束")
    staff.goto(f"{live_server.url}/evaluation/campaigns/{code}/board/")
    expect(staff.locator("[data-testid=judging-state]")).to_have_text("评定中")
    staff.click("[data-testid=compute]")
    expect(staff.locator("[data-testid=ranking] tbody tr")).to_have_count(4)
    staff.select_option("#id_preset", "band_gold_silver_bronze")
    staff.get_by_role("button", name="应用", exact=True).click()
    expect(staff.locator("[data-testid=board] thead")).to_contain_text("金奖")
    staff.click("[data-testid=propose]")
    proposal = staff.locator("[data-testid=proposal]")
    expect(proposal).to_contain_text("将变更4项成果")
    staff.click("[data-testid=apply-proposal]")
    expect(staff.locator(".alert-success")).to_contain_text("已变更4项成果的等级")
    # one decision by hand, through its preview: the first result keeps its grade band's name
    ranking = staff.locator("[data-testid=ranking]")
    first = ranking.locator("tbody tr").first
    grade = first.locator("td").last.inner_text().strip()
    first.locator("input[name=result]").check()
    staff.select_option("#id_grade", label="金奖" if grade != "金奖" else "银奖")
    staff.click("[data-testid=decide]")
    expect(staff.locator("[data-testid=preview]")).to_contain_text("→")
    staff.click("[data-testid=confirm]")
    expect(staff.locator(".alert-success")).to_contain_text("已变更1项成果的等级")
    take(staff, "request_approval", comment="请审批。")
    expect(staff.locator("[data-testid=judging-state]")).to_have_text("待领导审批")

    # --- 6. the leadership approves ----------------------------------------------------------
    leader = sign_in("pa_leader")
    leader.goto(f"{live_server.url}/evaluation/campaigns/{code}/board/")
    expect(leader.locator("[data-testid=judging-state]")).to_have_text("待领导审批")
    take(leader, "approve", comment="同意发布。")
    expect(leader.locator("[data-testid=judging-state]")).to_have_text("已审批")

    # --- 7. the staff publish; the results' submissions are 已评审 ------------------------------
    staff.reload()
    take(staff, "publish")
    expect(staff.locator("[data-testid=judging-state]")).to_have_text("已发布")
    staff.goto(f"{live_server.url}/evaluation/submissions/{entrants[0].pk}/")
    expect(staff.locator("[data-testid=submission-status]")).to_have_text("已评审")
    with no_tenant():
        assert JudgingRound.objects.get(pk=round_.pk).status == RoundStatus.CLOSED
        judged = Submission.objects.filter(pk__in=[s.pk for s in entrants])
        assert {s.status for s in judged} == {SubmissionStatus.SCORED}
        assert all(s.score is not None and s.scores_released_at for s in judged)
    assert timezone.localdate() == today
