"""The circles pages as people use them (HTML): lists for every role, registering a circle
with its members, applying for a project, reviewing it on its page, keeping records with
attachments, process-check comments, acceptance (issue 6)."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from circles.choices import ProjectStatus, procedure_for
from circles.models import ActivityRecord, Circle, Project, RecordAttachment
from qcportal.tenancy import no_tenant

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _members_post(rows):
    data = {"members-TOTAL_FORMS": str(len(rows)), "members-INITIAL_FORMS": "0"}
    for i, (name, role, position) in enumerate(rows):
        data.update({f"members-{i}-name": name, f"members-{i}-role": role, f"members-{i}-position": position})
    return data


@pytest.mark.parametrize("route", ["circles:circle-list", "circles:project-list", "circles:record-list"])
@pytest.mark.parametrize(
    "username",
    ["e1_coord", "e1_exec", "e1_leader", "ru1_coord", "pa_staff", "pa_admin", "pa_leader", "caq_staff"],
)
def test_lists_open_for_every_role_in_scope(login, network, route, username):
    client = login(getattr(network.users, username))
    response = client.get(reverse(route))
    assert response.status_code == 200
    body = response.content.decode()
    if username != "caq_staff":  # the national association sees every province
        assert "另一丁化工有限公司" not in body  # PB's enterprise never appears
    export = client.get(reverse(route), {"export": "xlsx"})
    assert export.status_code == 200
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")


def test_coordinator_registers_a_circle_on_the_page(login, network):
    client = login(network.users.e1_coord)
    assert client.get(reverse("circles:circle-create")).status_code == 200
    data = {
        "name": "页面登记QC小组",
        "department": "装配车间",
        "registration_year": str(dt.date.today().year),
    }
    data.update(_members_post([("甲组长", "leader", "班长"), ("乙", "member", "操作工")]))
    response = client.post(reverse("circles:circle-create"), data, follow=True)
    assert response.status_code == 200
    body = response.content.decode()
    assert "页面登记QC小组" in body and "通常为3–10人" in body  # saved, with the 3–10 guidance
    with no_tenant():
        circle = Circle.objects.get(name="页面登记QC小组")
        assert circle.status == "registered" and circle.members.count() == 2


def test_two_leaders_are_refused_inline(login, network):
    client = login(network.users.e1_coord)
    data = {"name": "两个组长QC小组", "department": "", "registration_year": str(dt.date.today().year)}
    data.update(_members_post([("甲", "leader", ""), ("乙", "leader", "")]))
    response = client.post(reverse("circles:circle-create"), data)
    assert response.status_code == 400
    assert "有且只有一名组长" in response.content.decode()


def test_project_review_acceptance_and_records_on_the_pages(login, network, client):
    circle = network.circles[0]
    leader = login(network.users.e1_leader)
    data = {
        "title": "缩短换模时间",
        "project_type": "innovation",
        "reasons": "换模时间长。",
        "planned_start": "2026-01-01",
        "planned_end": "2026-06-30",
    }
    response = leader.post(reverse("circles:project-apply", args=[circle.pk]), data)
    assert response.status_code == 302
    with no_tenant():
        project = Project.objects.get(title="缩短换模时间")
    page = reverse("circles:project-detail", args=[project.pk])
    assert 'data-testid="open-approve"' not in leader.get(page).content.decode()

    coord = login(network.users.e1_coord)
    body = coord.get(page).content.decode()
    assert 'data-testid="open-approve"' in body and 'data-testid="open-return"' in body
    refused = coord.post(page, {"transition": "return", "return-comment": ""})
    assert refused.status_code == 400 and "请填写退回原因" in refused.content.decode()
    assert coord.post(page, {"transition": "approve"}).status_code == 302
    with no_tenant():
        assert Project.objects.get(pk=project.pk).status == ProjectStatus.REGISTERED

    leader = login(network.users.e1_leader)
    for n, step in enumerate(procedure_for("innovation", None)):
        upload = SimpleUploadedFile("记录.pdf", PDF, content_type="application/pdf")
        response = leader.post(
            reverse("circles:record-create", args=[project.pk]),
            {
                "step": step,
                "held_on": (dt.date.today() - dt.timedelta(days=20 - n)).isoformat(),
                "content": f"第{n + 1}步活动",
                "tools": ["头脑风暴法"],
                "attachments": [upload],
            },
        )
        assert response.status_code == 302, response.content.decode()[:2000]
    with no_tenant():
        assert ActivityRecord.objects.filter(project=project).count() == 8
        assert RecordAttachment.objects.filter(record__project=project).count() == 8
        record = ActivityRecord.objects.filter(project=project).first()
    detail = leader.get(reverse("circles:record-detail", args=[record.pk]))
    assert "记录.pdf" in detail.content.decode()
    bad = leader.post(
        reverse("circles:attachment-upload", args=[record.pk]),
        {
            "attachments": [
                SimpleUploadedFile("x.pdf", b"MZ\x90\x00not a pdf", content_type="application/pdf")
            ]
        },
        follow=True,
    )
    assert "文件类型不符合要求" in bad.content.decode()

    coord = login(network.users.e1_coord)
    assert (
        coord.post(
            reverse("circles:record-comment", args=[record.pk]), {"text": "请补充数据来源。"}
        ).status_code
        == 302
    )
    leader = login(network.users.e1_leader)
    blocked = leader.get(page).content.decode()
    assert "请先处理全部检查意见" in blocked
    with no_tenant():
        comment = record.comments.get()
    assert (
        leader.post(
            reverse("circles:comment-transition", args=[comment.pk]),
            {"transition": "resolve", "comment": "已补充"},
        ).status_code
        == 302
    )
    done = leader.post(
        page,
        {"transition": "complete", "complete-achieved_value": "15分钟", "complete-economic_benefit": "8.5"},
    )
    assert done.status_code == 302
    coord = login(network.users.e1_coord)
    refused = coord.post(
        page, {"transition": "accept", "accept-achieved_value": "15分钟", "accept-economic_benefit": "8.5"}
    )
    assert refused.status_code == 400 and "DB43 §7.5.1" in refused.content.decode()
    accepted = coord.post(
        page,
        {
            "transition": "accept",
            "accept-achieved_value": "15分钟",
            "accept-economic_benefit": "8.5",
            "accept-benefit_confirmed": "on",
            "accept-benefit_confirmed_by": "财务部 王会计",
            "accept-benefit_confirmed_on": dt.date.today().isoformat(),
            "accept-comment": "效果属实",
        },
        follow=True,
    )
    assert accepted.status_code == 200
    assert "已验收" in accepted.content.decode()


def test_import_template_downloads(login, network):
    response = login(network.users.e1_coord).get(reverse("circles:import-template"))
    assert response.status_code == 200
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(response.content))
    assert [c.value for c in wb["导入"][1]] == [
        "小组名称",
        "部门",
        "注册年度",
        "组长姓名",
        "组长岗位",
        "组员",
    ]
