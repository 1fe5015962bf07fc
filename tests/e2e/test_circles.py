"""QC circles in a real browser (issue 6): a company coordinator registers a circle with its
members, the leader applies for a project, it is returned and answered, registered, every
procedure step is recorded with an attachment, a process-check comment is resolved, the
project is finished and accepted with the benefit confirmed; a batch of 200 circles is
imported from the Excel template, and a file with faulty rows imports nothing."""

import datetime as dt
import io
import re
from pathlib import Path

import openpyxl
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from circles.choices import PROCEDURES, STEP_DATA, ProcedureStep, ProjectType, TargetKind

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CIRCLE = "精益装配QC小组"
PROJECT = "降低齿轮箱装配返工率"
MEMBERS = [  # (form row, name, position): row 6 is the one 「添加一行」 adds
    (0, "王建国", "装配班长"),
    (1, "李娜", "工艺员"),
    (2, "赵强", "质检员"),
    (3, "陈静", "装配工"),
    (6, "周磊", "设备员"),
]
STEPS = PROCEDURES[(ProjectType.PROBLEM_SOLVING, TargetKind.SELF_SET)]
STEP_LABELS = {step: str(label) for step, label in ProcedureStep.choices}
COMMENTED_STEP = ProcedureStep.CAUSE_ANALYSIS


def small_pdf(path):
    """A valid one-page PDF (cross-reference offsets computed) saying 'QC'."""
    stream = b"BT /F1 24 Tf 72 720 Td (QC) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    path.write_bytes(bytes(out))
    return path


def nav(page, label):
    page.locator("#mainnav").get_by_role("link", name=label, exact=True).click()


def open_todo(page, label):
    """From the home page, follow a to-do item (待办事项)."""
    page.get_by_role("link", name="质量管理小组活动管理平台").click()
    page.locator("[data-testid=todo]", has_text=label).click()


def take(page, name, *, comment=None, fields=None):
    """Open a transition's form on the object's page, fill it and submit it."""
    form = page.locator(f"[data-testid=form-{name}]")
    if not form.is_visible():
        page.click(f"[data-testid=open-{name}]")
    # Wait until the collapse has finished opening ("collapsing" → "collapse show").
    expect(page.locator(f"#tr-{name}")).to_have_class(re.compile(r"(^|\s)collapse show(\s|$)"))
    expect(form).to_be_visible()
    for field, value in (fields or {}).items():
        form.locator(f"[name={name}-{field}]").fill(value)
    if comment is not None:
        form.locator(f"[name={name}-comment]").fill(comment)
    form.locator(f"[data-testid=do-{name}]").click()
    return form


def expect_status(page, text):
    expect(page.locator("[data-testid=project-status]")).to_have_text(text)


def test_circle_from_registration_to_accepted_project(network, sign_in, tmp_path):
    today = timezone.localdate()
    pdf = small_pdf(tmp_path / "活动照片与数据.pdf")

    # --- the coordinator registers the circle with five members -------------------------
    coord = sign_in("e1_coord")
    nav(coord, "QC小组")
    coord.click("[data-testid=register-circle]")
    expect(coord.locator("h1")).to_have_text("登记QC小组")
    coord.wait_for_load_state("load")  # the form's script (circles.js, end of body) has run
    rows = coord.locator("[data-testid=members] tbody tr")
    expect(rows).to_have_count(6)
    coord.get_by_role("button", name="添加一行").click()
    expect(rows).to_have_count(7)
    expect(rows.nth(6).locator("td").first).to_have_text("7")
    expect(coord.locator("#id_members-TOTAL_FORMS")).to_have_value("7")
    coord.fill("#id_name", CIRCLE)
    coord.fill("#id_department", "总装车间")
    coord.select_option("#id_registration_year", str(today.year))
    for row, name, position in MEMBERS:
        coord.fill(f"[name=members-{row}-name]", name)
        coord.fill(f"[name=members-{row}-position]", position)
    expect(coord.locator("[name=members-0-role]")).to_have_value("leader")
    expect(coord.locator("[name=members-6-role]")).to_have_value("member")
    coord.fill("[name=members-0-username]", "e1_leader")
    coord.click("[data-testid=save]")
    expect(coord.locator(".alert-success")).to_contain_text(f"已登记QC小组“{CIRCLE}”，注册号")
    expect(coord.locator("h1")).to_have_text(CIRCLE)
    expect(coord.locator("[data-testid=circle-status]")).to_have_text("已注册")
    expect(coord.locator("[data-testid=regno]")).not_to_contain_text("注册审核通过后生成")
    members = coord.locator("[data-testid=member-table] tbody tr")
    expect(members).to_have_count(5)
    expect(members.locator("td:first-child")).to_have_text([name for _, name, _ in MEMBERS])
    expect(members.first).to_contain_text("组长")
    expect(members.first).to_contain_text("e1_leader")
    expect(members.last).to_contain_text("设备员")
    expect(coord.locator("[data-testid=member-warning]")).to_have_count(0)

    # --- the leader applies for a project ------------------------------------------------
    leader = sign_in("e1_leader")
    nav(leader, "QC小组")
    leader.get_by_role("link", name=CIRCLE, exact=True).click()
    leader.click("[data-testid=apply-project]")
    expect(leader.locator("h1")).to_have_text("申请立项")
    leader.fill("#id_title", PROJECT)
    leader.select_option("#id_project_type", "problem_solving")
    leader.select_option("#id_target_kind", "self_set")
    leader.fill("#id_reasons", "齿轮箱装配返工率高达4.2%，影响交付和成本。")
    leader.fill("#id_indicator", "装配返工率")
    leader.fill("#id_unit", "%")
    leader.fill("#id_baseline_value", "4.2")
    leader.fill("#id_target_value", "2.0")
    leader.fill("#id_planned_start", today.isoformat())
    leader.fill("#id_planned_end", (today + dt.timedelta(days=120)).isoformat())
    leader.get_by_role("button", name="提交立项申请").click()
    expect(leader.locator(".alert-success")).to_contain_text("已提交立项申请，等待立项评审。")
    expect(leader.locator("h1")).to_have_text(PROJECT)
    expect_status(leader, "待立项评审")
    project_url = leader.url

    # --- the coordinator returns it: first without a reason, then with one -----------------
    open_todo(coord, "课题立项待评审")
    coord.get_by_role("link", name=PROJECT, exact=True).click()
    expect_status(coord, "待立项评审")
    form = take(coord, "return")
    expect(form.locator(".alert-danger")).to_have_text("请填写退回原因。")
    expect_status(coord, "待立项评审")
    take(coord, "return", comment="目标值依据不足，请补充行业对标数据。")
    expect(coord.locator(".alert-success")).to_contain_text("已完成：退回修改")
    expect_status(coord, "已退回修改")

    # --- the leader reads the reason, edits the application and answers -------------------
    open_todo(leader, "课题立项申请被退回，待答复")
    leader.get_by_role("link", name=PROJECT, exact=True).click()
    expect_status(leader, "已退回修改")
    history = leader.locator("[data-testid=history]")
    expect(history).to_contain_text("退回修改")
    expect(history).to_contain_text("目标值依据不足，请补充行业对标数据。")
    leader.click("[data-testid=edit-project]")
    expect(leader.locator("#id_target_value")).to_have_value("2.0")
    leader.fill("#id_target_value", "1.5")
    leader.fill("#id_reasons", "齿轮箱装配返工率高达4.2%，行业先进水平为1.5%。")
    leader.click("[data-testid=save]")
    expect(leader.locator(".alert-success")).to_contain_text("已保存。")
    expect(leader.locator("main")).to_contain_text("行业先进水平为1.5%")
    take(leader, "resubmit", comment="已补充行业对标数据，目标值调整为1.5%。")
    expect(leader.locator(".alert-success")).to_contain_text("已完成：答复并重新提交")
    expect_status(leader, "待立项评审")
    expect(leader.locator("[data-testid=history]")).to_contain_text("已补充行业对标数据")

    # --- the coordinator approves: the project is registered with a number -----------------
    coord.goto(project_url)
    expect(coord.locator("[data-testid=history]")).to_contain_text("答复并重新提交")
    take(coord, "approve", comment="同意立项。")
    expect(coord.locator(".alert-success")).to_contain_text("已完成：立项评审通过并注册")
    expect_status(coord, "已立项注册")
    expect(coord.locator("[data-testid=project-regno]")).not_to_contain_text("立项评审通过后生成")

    # --- the leader records every step of the procedure -----------------------------------
    leader.goto(project_url)
    expect_status(leader, "已立项注册")
    steps = leader.locator("[data-testid=steps] > li")
    expect(steps).to_have_count(len(STEPS))
    expect(steps.locator(".fw-semibold")).to_have_text([STEP_LABELS[s] for s in STEPS])
    expect(leader.locator("[data-testid=steps]")).to_contain_text("填写本步骤记录")
    participants = [f"{name}（{'组长' if row == 0 else '组员'}）" for row, name, _ in MEMBERS[:3]]
    for index, step in enumerate(STEPS):
        leader.click("[data-testid=add-record]")
        expect(leader.locator("h1")).to_have_text("活动记录")
        leader.select_option("#id_step", step)
        held_on = today - dt.timedelta(days=len(STEPS) - index)
        leader.fill("#id_held_on", held_on.isoformat())
        for label in participants:
            leader.get_by_label(label, exact=True).check()
        leader.fill("#id_content", f"第{index + 1}次小组活动：{STEP_LABELS[step]}。")
        leader.get_by_label("排列图" if index % 2 else "因果图", exact=True).check()
        if "before" in STEP_DATA.get(step, ()):
            leader.fill("#id_data_before", "返工率4.2%")
        if "after" in STEP_DATA.get(step, ()):
            leader.fill("#id_data_after", "返工率1.4%")
        leader.set_input_files("#id_attachments", str(pdf))
        leader.click("[data-testid=save]")
        expect(leader.locator(".alert-success")).to_contain_text("已保存活动记录。")
        item = leader.locator(f"[data-testid=steps] > li[data-step={step}]")
        expect(item).to_contain_text(held_on.isoformat())
        expect(item.locator(".badge")).to_have_text("1")
        expect(item.locator(".bi-paperclip")).to_have_count(1)
        if index == 0:
            expect_status(leader, "活动中")
    expect(leader.locator("h2", has_text="活动程序")).to_contain_text(f"已记录 {len(STEPS)}/{len(STEPS)} 步")
    expect(leader.locator("[data-testid=steps]")).not_to_contain_text("填写本步骤记录")

    # --- the coordinator checks one record and comments ------------------------------------
    coord.goto(project_url)
    expect_status(coord, "活动中")
    coord.locator(f"[data-testid=steps] > li[data-step={COMMENTED_STEP}] a").first.click()
    expect(coord.locator("h1")).to_contain_text(STEP_LABELS[COMMENTED_STEP])
    expect(coord.locator("[data-testid=record-content]")).to_contain_text(STEP_LABELS[COMMENTED_STEP])
    expect(coord.locator("[data-testid=attachments]")).to_contain_text(pdf.name)
    expect(coord.locator("main")).to_contain_text("王建国、李娜、赵强")
    with coord.expect_download() as download:
        coord.get_by_role("link", name=pdf.name).click()
    assert download.value.suggested_filename == pdf.name
    assert Path(download.value.path()).read_bytes() == pdf.read_bytes()
    coord.fill("#id_text", "因果图缺少“环境”方面的原因，请补充。")
    coord.get_by_role("button", name="提出检查意见").click()
    expect(coord.locator(".alert-success")).to_contain_text("已提出检查意见，小组会收到通知。")
    comment = coord.locator("[data-testid=comment]")
    expect(comment).to_contain_text("因果图缺少“环境”方面的原因")
    expect(comment).to_contain_text("待处理")

    # --- the leader cannot finish yet, resolves the comment -------------------------------
    leader.goto(project_url)
    expect(leader.locator("[data-testid=blocked-complete]")).to_contain_text("请先处理全部检查意见")
    expect(leader.locator("[data-testid=open-complete]")).to_have_count(0)
    item = leader.locator(f"[data-testid=steps] > li[data-step={COMMENTED_STEP}]")
    expect(item).to_contain_text("1 条检查意见待处理")
    item.locator("a").first.click()
    resolve = leader.locator("[data-testid=comment-resolve]")
    resolve.locator("textarea").fill("已补充环境因素（车间温湿度），因果图已更新。")
    resolve.get_by_role("button", name="已处理").click()
    expect(leader.locator(".alert-success")).to_contain_text("已完成：已处理")
    comment = leader.locator("[data-testid=comment]")
    expect(comment).to_contain_text("已解决")
    expect(comment).to_contain_text("处理说明：已补充环境因素（车间温湿度），因果图已更新。")

    # --- the leader declares the project finished ---------------------------------------
    leader.goto(project_url)
    expect(leader.locator("[data-testid=blocked-complete]")).to_have_count(0)
    take(
        leader,
        "complete",
        fields={"achieved_value": "1.4", "economic_benefit": "12.5", "intangible_benefits": "质量意识提高"},
    )
    expect(leader.locator(".alert-success")).to_contain_text("已完成：活动完成，申请验收")
    expect_status(leader, "待验收")
    expect(leader.locator("[data-testid=benefit]")).to_contain_text("12.50 万元")
    expect(leader.locator("[data-testid=benefit]")).to_contain_text("未确认，不计入统计")
    expect(leader.locator("[data-testid=add-record]")).to_have_count(0)

    # --- the coordinator accepts with the finance confirmation ------------------------------
    open_todo(coord, "课题待验收")
    coord.get_by_role("link", name=PROJECT, exact=True).click()
    expect_status(coord, "待验收")
    form = take(coord, "accept", comment="活动真实，效果明显。")
    expect(form.locator(".alert-danger")).to_contain_text("可计算的经济效益须经财务或相关部门确认")
    expect_status(coord, "待验收")
    expect(form.locator("[name=accept-achieved_value]")).to_have_value("1.4")
    form.get_by_label("经济效益已经财务或相关部门确认").check()
    take(
        coord,
        "accept",
        comment="活动真实，效果明显。",
        fields={"benefit_confirmed_by": "财务部 张会计", "benefit_confirmed_on": today.isoformat()},
    )
    expect(coord.locator(".alert-success")).to_contain_text("已完成：验收通过")
    expect_status(coord, "已验收")
    benefit = coord.locator("[data-testid=benefit]")
    expect(benefit).to_contain_text("12.50 万元")
    expect(benefit).to_contain_text(f"已确认：财务部 张会计 {today.isoformat()}")
    expect(coord.locator("[data-testid=history]")).to_contain_text("活动真实，效果明显。")

    leader.goto(project_url)
    expect_status(leader, "已验收")
    expect(leader.locator("[data-testid=benefit]")).to_contain_text("已确认")


def download_template(page, tmp_path):
    nav(page, "QC小组")
    page.click("[data-testid=import]")
    expect(page.locator("h1")).to_have_text("批量导入QC小组")
    with page.expect_download() as info:
        page.click("[data-testid=template]")
    download = info.value
    assert download.suggested_filename == "小组导入模板.xlsx"
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    return path


def filled(template, tmp_path, name, rows):
    """The downloaded template with ``rows`` appended (values under its own headers)."""
    wb = openpyxl.load_workbook(template)
    ws = wb["导入"]
    headers = [cell.value for cell in ws[1]]
    assert headers == ["小组名称", "部门", "注册年度", "组长姓名", "组长岗位", "组员"]
    for row in rows:
        ws.append([row.get(header, "") for header in headers])
    path = tmp_path / name
    wb.save(path)
    return path


def upload(page, path):
    page.set_input_files("#id_file", str(path))
    page.click("[data-testid=check]")


def test_coordinator_imports_200_circles(network, signed_in, tmp_path):
    year = timezone.localdate().year
    page = signed_in("e1_coord")
    template = download_template(page, tmp_path)
    rows = [
        {
            "小组名称": f"批量导入第{n:03d}QC小组",
            "部门": f"{n % 5 + 1}号车间",
            "注册年度": year,
            "组长姓名": f"组长{n:03d}",
            "组长岗位": "班长",
            "组员": f"张{n}/操作工；李{n}/技术员；王{n}/检验员",
        }
        for n in range(1, 201)
    ]
    upload(page, filled(template, tmp_path, "二百个小组.xlsx", rows))

    expect(page.locator("[data-testid=import-status] [data-role=label]")).to_have_text("校验通过，待确认导入")
    expect(page.locator("[data-testid=import-status]")).to_contain_text("共 200 行数据")
    expect(page.locator("[data-testid=import-summary]")).to_contain_text("将新建 200 个QC小组、800 名成员")
    expect(page.locator("[data-testid=import-preview] tbody tr")).to_have_count(20)
    expect(page.locator("[data-testid=import-preview] tbody tr").first).to_contain_text("批量导入第001QC小组")
    expect(page.locator("[data-testid=import-errors]")).to_have_count(0)

    page.click("[data-testid=confirm-import]")
    done = page.locator("[data-testid=import-done]")
    expect(done).to_contain_text("已导入 200 个QC小组、800 名成员。", timeout=30000)
    bar = page.locator("[data-testid=import-status] [data-role=bar]")
    expect(bar).to_have_text("100%")
    expect(bar).to_have_attribute("style", "width: 100%;")  # set by static/js/circles.js
    expect(page.locator("[data-testid=confirm-import]")).to_have_count(0)

    done.get_by_role("link", name="查看QC小组").click()
    page.fill("#id_q", "批量导入第")
    page.get_by_role("button", name="筛选").click()
    expect(page.locator("[data-testid=page-total]")).to_have_text("共 200 条")
    expect(page.locator("[data-testid=circles] tbody tr")).to_have_count(25)
    page.fill("#id_q", "批量导入第137QC小组")
    page.get_by_role("button", name="筛选").click()
    circle = page.locator("[data-testid=circles] tbody tr")
    expect(circle).to_have_count(1)
    expect(circle).to_contain_text("3号车间")
    expect(circle).to_contain_text("组长137")
    expect(circle.locator("td.text-end")).to_have_text("4")
    expect(circle).to_contain_text("已注册")
    circle.get_by_role("link", name="批量导入第137QC小组").click()
    expect(page.locator("[data-testid=member-table] tbody tr")).to_have_count(4)
    expect(page.locator("[data-testid=member-table]")).to_contain_text("王137")


def test_import_with_faulty_rows_imports_nothing(network, signed_in, tmp_path):
    year = timezone.localdate().year
    page = signed_in("e1_coord")
    template = download_template(page, tmp_path)
    good = {"注册年度": year, "组长姓名": "钱组长", "组长岗位": "班长", "组员": "孙一/操作工；周二/技术员"}
    rows = [
        {**good, "小组名称": "校验甲QC小组"},  # row 2
        {**good, "小组名称": ""},  # row 3: no name
        {**good, "小组名称": "校验乙QC小组"},  # row 4
        {**good, "小组名称": "校验丙QC小组", "注册年度": 1999},  # row 5: year out of range
        {**good, "小组名称": "校验甲QC小组"},  # row 6: same name and year as row 2
        {**good, "小组名称": "校验丁QC小组", "组长姓名": ""},  # row 7: no leader
        {**good, "小组名称": "校验戊QC小组"},  # row 8
    ]
    upload(page, filled(template, tmp_path, "有错误的小组.xlsx", rows))

    expect(page.locator("[data-testid=import-status] [data-role=label]")).to_have_text("有错误，未导入")
    expect(page.locator("[data-testid=import-invalid]")).to_contain_text("有 4 行数据有误，未导入任何数据。")
    errors = page.locator("[data-testid=import-errors] tbody tr")
    expect(errors.locator("td:first-child")).to_have_text(["3", "5", "6", "7"])
    expect(errors.nth(0)).to_contain_text("小组名称")
    expect(errors.nth(1)).to_contain_text("注册年度")
    expect(errors.nth(2)).to_contain_text("与第2行的小组同名同年度")
    expect(errors.nth(3)).to_contain_text("组长姓名请填写组长姓名。")
    expect(page.locator("[data-testid=confirm-import]")).to_have_count(0)
    expect(page.locator("[data-testid=import-preview]")).to_have_count(0)
    with page.expect_download() as info:
        page.click("[data-testid=error-report]")
    assert info.value.suggested_filename.endswith("-errors.xlsx")
    report = openpyxl.load_workbook(io.BytesIO(Path(info.value.path()).read_bytes())).active
    assert [row[0] for row in report.iter_rows(min_row=2, values_only=True)] == [3, 5, 6, 7]

    nav(page, "QC小组")
    page.fill("#id_q", "校验")
    page.get_by_role("button", name="筛选").click()
    expect(page.locator("[data-testid=circles] tbody")).to_have_text("没有符合条件的QC小组。")
