"""The expert pool (专家库), issue 8 item 1 and ``/api/v1/judges/`` (item 10).

PA's pool in the network fixture holds six judges (赵组长 … 吴评委, QCPS-A-001…006); PB's
holds 郑评委 (QCPS-B-001)."""

import datetime as dt
import io

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from rest_framework.test import APIClient

from evaluation import pool
from evaluation.models import Judge, JudgeQualification
from qcportal.models import Membership
from qcportal.roles import Role
from qcportal.tenancy import membership_scope, no_tenant
from tests import factories as f
from tests.factories import api_token

pytestmark = pytest.mark.django_db
HEADERS = [h for h, _f in pool.IMPORT_COLUMNS]


def membership(username):
    with no_tenant():
        return Membership.objects.select_related("organisation", "user").get(user__username=username)


def api(user):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(user)}")
    return client


def xlsx(rows, headers=HEADERS) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "导入"
    ws.append(headers)
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def row(
    name,
    cert,
    level="评委",
    unit="某大学",
    employer="",
    domains="制造类",
    topics="问题解决型",
    qk="",
    qn="",
    qe="",
):
    return [name, cert, level, unit, employer, "13900000000", "", domains, topics, qk, qn, qe, ""]


def upload(content, name="judges.xlsx"):
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


# --- services ----------------------------------------------------------------------------------
def test_create_update_and_unique_certificate(network):
    staff = membership("pa_staff")
    with membership_scope(staff):
        judge = pool.judge_create(
            membership=staff,
            data={
                "name": "新评委",
                "certificate_number": "QCPS-A-100",
                "level": "评委骨干",
                "work_unit": "测试甲机械有限公司",
                "employer": "E1",
                "domains": "制造类；服务类",
                "topic_types": ["创新型"],
            },
        )
        assert judge.level == "senior" and judge.employer == network.e1
        assert judge.domains == ["制造类", "服务类"] and judge.topic_types == ["innovation"]
        with pytest.raises(ValidationError, match="已被本协会其他评委使用"):
            pool.judge_create(
                membership=staff, data={"name": "重复", "certificate_number": "QCPS-A-001", "work_unit": "x"}
            )
        with pytest.raises(ValidationError, match="本协会范围"):
            pool.judge_update(membership=staff, judge=judge, data={"employer": "E4"})  # PB's enterprise
        with pytest.raises(ValidationError, match="评委角色"):
            pool.judge_update(membership=staff, judge=judge, data={"login": "e1_coord"})
        with pytest.raises(ValidationError, match="另一位评委"):
            pool.judge_update(membership=staff, judge=judge, data={"login": "pa_judge2"})
        user = f.UserFactory(username="new_judge", email="new.judge@example.cn")
        f.MembershipFactory(user=user, organisation=network.pa, role=Role.JUDGE)
        pool.judge_update(
            membership=staff, judge=judge, data={"login": "NEW.judge@example.cn", "is_active": False}
        )
        judge.refresh_from_db()
        assert judge.user == user and not judge.is_active
    # the same certificate number is fine in another association
    pb = membership("pb_staff")
    with membership_scope(pb):
        assert pool.judge_create(
            membership=pb, data={"name": "乙", "certificate_number": "QCPS-A-100", "work_unit": "y"}
        ).pk


def test_qualifications_expired_and_filters(network):
    staff = membership("pa_staff")
    today = dt.date.today()
    with membership_scope(staff):
        judge = Judge.objects.get(certificate_number="QCPS-A-003")
        pool.qualification_add(
            membership=staff,
            judge=judge,
            data={"kind": "promoter", "number": "P-1", "expires_on": today - dt.timedelta(days=1)},
        )
        pool.qualification_add(
            membership=staff,
            judge=judge,
            data={"kind": "diagnostician", "number": "D-1", "expires_on": "2999-01-01"},
        )
        with pytest.raises(ValidationError, match="已有"):
            pool.qualification_add(membership=staff, judge=judge, data={"kind": "promoter", "number": "P-1"})
        with pytest.raises(ValidationError, match="YYYY-MM-DD"):
            pool.qualification_add(
                membership=staff, judge=judge, data={"kind": "other", "number": "O", "expires_on": "明天"}
            )
        expired = pool.judge_pool(association=network.pa, filters={"qualification": "expired"})
        assert [j.pk for j in expired] == [judge.pk]
        details = pool.judge_detail(judge=judge)
        assert {q.number: q.expired for q in details["qualifications"]} == {"P-1": True, "D-1": False}
        assert pool.judge_pool(association=network.pa, filters={"q": "QCPS-A-00"}).count() == 6
        assert pool.judge_pool(association=network.pa, filters={"level": "panel_chair"}).count() == 1


# --- import -------------------------------------------------------------------------------------
def test_import_preview_then_confirm_creates_and_updates(network, login):
    client = login(network.users.pa_staff)
    url = reverse("evaluation:pool-import")
    template = client.get(reverse("evaluation:pool-import-template"))
    assert openpyxl.load_workbook(io.BytesIO(template.content)).active[1][1].value == "评委证书编号"
    content = xlsx(
        [
            row(
                "导入甲",
                "QCPS-A-201",
                "评审组长",
                employer="E2",
                qk="QC小组活动诊断师",
                qn="D-9",
                qe="2030-12-31",
            ),
            row("赵组长（更新）", "QCPS-A-001", unit="测试大学质量学院"),
            row("", "QCPS-A-202"),  # missing name
            row("坏级别", "QCPS-A-203", level="大师"),
            row("外省单位", "QCPS-A-204", employer="E4"),
            row("导入甲重复", "QCPS-A-201"),
        ]
    )
    response = client.post(url, {"file": upload(content)})
    body = response.content.decode()
    assert response.status_code == 200 and 'data-testid="preview"' in body
    assert (
        "请填写姓名" in body
        and "评委级别“大师”无效" in body
        and "本协会范围" in body
        and "在文件中重复" in body
    )
    assert not Judge._base_manager.filter(certificate_number="QCPS-A-201").exists()  # nothing written
    response = client.post(url, {"confirm": "1"})
    assert response.status_code == 302
    created = Judge._base_manager.get(organisation=network.pa, certificate_number="QCPS-A-201")
    assert created.level == "panel_chair" and created.employer == network.e2
    assert JudgeQualification._base_manager.get(judge=created).expires_on == dt.date(2030, 12, 31)
    assert (
        Judge._base_manager.get(organisation=network.pa, certificate_number="QCPS-A-001").name
        == "赵组长（更新）"
    )
    assert Judge._base_manager.filter(organisation=network.pa).count() == 7
    # confirming twice does nothing
    assert client.post(url, {"confirm": "1"}).status_code == 302
    assert Judge._base_manager.filter(organisation=network.pa).count() == 7


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"not an excel file at all", "x.xlsx", "文件类型不符合要求"),
        (b"PK\x03\x04" + b"\x00" * 100, "x.xlsx", ""),
        (xlsx([["a", "b"]], headers=["甲", "乙"]), "x.xlsx", "缺少表头"),
        (b"PK\x03\x04" + b"0" * (5 * 1024 * 1024 + 1), "big.xlsx", "文件过大"),
    ],
)
def test_bad_files_get_chinese_errors(network, login, content, name, message):
    client = login(network.users.pa_staff)
    response = client.post(reverse("evaluation:pool-import"), {"file": upload(content, name)})
    assert response.status_code == 200
    body = response.content.decode()
    assert "invalid-feedback" in body and message in body
    assert Judge._base_manager.filter(organisation=network.pa).count() == 6


def test_import_rejects_nul_and_overlong_values(network):
    with membership_scope(membership("pa_staff")):
        preview = pool.import_check(association=network.pa, content=xlsx([row("长" * 51, "QCPS-A-302")]))
        assert "不能超过50个字" in preview.errors[0]["message"]
        with pytest.raises(ValidationError, match="非法字符"):
            pool.clean_judge_data(
                association=network.pa, data={"name": "a\x00", "certificate_number": "1", "work_unit": "u"}
            )


# --- pages --------------------------------------------------------------------------------------
def test_pool_pages_get_and_post(network, login):
    client = login(network.users.pa_staff)
    listing = client.get(reverse("evaluation:pool"), {"q": "赵"})
    assert listing.status_code == 200 and "QCPS-A-001" in listing.content.decode()
    assert "郑评委" not in listing.content.decode()
    assert client.get(reverse("evaluation:pool-judge-create")).status_code == 200
    response = client.post(
        reverse("evaluation:pool-judge-create"),
        {"name": "页面评委", "certificate_number": "QCPS-A-001", "level": "judge", "work_unit": "x"},
    )
    assert response.status_code == 200 and "已被本协会其他评委使用" in response.content.decode()
    response = client.post(
        reverse("evaluation:pool-judge-create"),
        {
            "name": "页面评委",
            "certificate_number": "QCPS-A-400",
            "level": "judge",
            "work_unit": "x",
            "employer": "E1",
            "topic_types": ["innovation"],
            "is_active": "on",
        },
    )
    judge = Judge._base_manager.get(certificate_number="QCPS-A-400")
    assert response.status_code == 302 and judge.topic_types == ["innovation"] and judge.is_active
    detail = client.get(reverse("evaluation:pool-judge", args=[judge.pk]))
    assert detail.status_code == 200 and "测试甲机械有限公司" in detail.content.decode()
    client.post(
        reverse("evaluation:pool-qualification-add", args=[judge.pk]),
        {"kind": "promoter", "number": "P-7", "expires_on": "2001-01-01"},
    )
    detail = client.get(reverse("evaluation:pool-judge", args=[judge.pk]))
    assert 'data-testid="expired"' in detail.content.decode()
    q = JudgeQualification._base_manager.get(judge=judge)
    client.post(reverse("evaluation:pool-qualification-remove", args=[q.pk]))
    assert not JudgeQualification._base_manager.filter(judge=judge).exists()
    edit = client.post(
        reverse("evaluation:pool-judge-edit", args=[judge.pk]),
        {
            "name": "页面评委",
            "certificate_number": "QCPS-A-400",
            "level": "senior",
            "work_unit": "x",
            "email": "bad",
        },
    )
    assert edit.status_code == 200 and "invalid-feedback" in edit.content.decode()
    search = client.get(reverse("evaluation:pool-organisations"), {"q": "测试甲"}).json()
    assert [o["code"] for o in search["results"]] == ["E1"]
    assert client.get(reverse("evaluation:pool-organisations"), {"q": "另一丁"}).json()["results"] == []


def test_pool_needs_evaluation_manage(network, login):
    assert login(network.users.pa_judge).get(reverse("evaluation:pool")).status_code == 403
    assert login(network.users.e1_coord).get(reverse("evaluation:pool")).status_code == 403


def test_pool_list_query_count(network, login, django_assert_max_num_queries):
    for i in range(40):
        judge = f.JudgeFactory(organisation=network.pa, employer=network.e1, domains=["制造类"])
        JudgeQualification._base_manager.create(judge=judge, kind="promoter", number=f"P{i}")
    client = login(network.users.pa_staff)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("evaluation:pool"))
    assert response.status_code == 200
    client = api(network.users.pa_staff)  # creating the token is not part of the request
    with django_assert_max_num_queries(14):
        assert client.get("/api/v1/judges/").status_code == 200


# --- API ----------------------------------------------------------------------------------------
def test_api_list_filters_and_isolation(network):
    client = api(network.users.pa_staff)
    data = client.get("/api/v1/judges/").json()
    names = {j["name"] for j in data["results"]}
    assert "赵组长" in names and "郑评委" not in names
    assert client.get("/api/v1/judges/", {"level": "panel_chair"}).json()["count"] == 1
    assert client.get("/api/v1/judges/", {"q": "QCPS-A-002"}).json()["results"][0]["name"] == "钱骨干"
    assert client.get(f"/api/v1/judges/{network.pb_judge.pk}/").status_code == 404
    assert (
        client.patch(f"/api/v1/judges/{network.pb_judge.pk}/", {"name": "x"}, format="json").status_code
        == 404
    )
    assert api(network.users.pa_judge).get("/api/v1/judges/").status_code == 403


def test_api_create_patch_and_400_shape(network):
    client = api(network.users.pa_staff)
    response = client.post(
        "/api/v1/judges/",
        {
            "name": "接口评委",
            "certificate_number": "QCPS-A-500",
            "work_unit": "某院",
            "level": "senior",
            "domains": ["制造类"],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    assert response.json()["level"] == "senior"
    bad = client.post(
        "/api/v1/judges/",
        {"name": "重复", "certificate_number": "QCPS-A-500", "work_unit": "x"},
        format="json",
    )
    assert bad.status_code == 400 and set(bad.json()) == {"detail", "errors"}
    assert "certificate_number" in bad.json()["errors"]
    bad = client.patch(f"/api/v1/judges/{pk}/", {"level": "大师"}, format="json")
    assert bad.status_code == 400 and "评委级别" in bad.json()["detail"]
    ok = client.patch(f"/api/v1/judges/{pk}/", {"mobile": "13811112222", "employer": "E1"}, format="json")
    assert ok.status_code == 200 and ok.json()["employer"] == "E1" and ok.json()["name"] == "接口评委"
    assert client.put(f"/api/v1/judges/{pk}/", {}, format="json").status_code == 405


def test_association_staff_role_only(network):
    # an enterprise coordinator who somehow held evaluation:manage would still need an association
    user = f.UserFactory(username="x_staff")
    f.MembershipFactory(user=user, organisation=network.pa, role=Role.ASSOCIATION_STAFF)
    assert api(user).get("/api/v1/judges/").status_code == 200
