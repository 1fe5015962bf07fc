"""Honour certificates anyone can verify (issue 11 item 5): numbered and unique (R-CT-01), a
public rate-limited page that shows what a certificate states or that it was revoked, and
nothing for an unknown number (R-CT-02), the QR code holding that page's address, revocation
and reissue recorded (R-CT-03), an A4 PDF each and a campaign's as one zip in the background;
pages and API."""

import io
import re
import zipfile
from decimal import Decimal

import pytest
import zxingcpp
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from PIL import Image

from evaluation.certificates import (
    certificate_issue_for_honour,
    certificate_pdf,
    certificate_qr_png,
    certificate_reissue,
    certificates_issue,
    verify_url,
)
from evaluation.choices import CertificateStatus, HonourKind
from evaluation.honours import honour_save
from evaluation.models import Certificate
from evaluation.workflow import CERTIFICATE_WORKFLOW, HONOUR_WORKFLOW
from qcportal.models import Membership
from qcportal.tenancy import membership_scope, no_tenant, tenant_scope
from reports.models import ReportRun
from reports.services import report_run_execute, report_run_start
from tests.conftest import pdf_text
from tests.evaluation.test_honours import published_grades

pytestmark = pytest.mark.django_db

NUMBER = re.compile(r"^PA-2020-\d{5}-[A-Z2-9]{4}$")


def membership(user) -> Membership:
    with no_tenant():
        return Membership.objects.select_related("organisation", "user").get(user=user)


def issued(network) -> list[Certificate]:
    published_grades(network)
    staff = membership(network.users.pa_staff)
    with membership_scope(staff):
        assert certificates_issue(membership=staff, campaign=network.campaign) == 2
    with no_tenant():
        return list(Certificate.objects.order_by("number"))


def decode(png: bytes) -> str:
    codes = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert len(codes) == 1
    return codes[0].text


def test_a_campaigns_grades_get_numbered_certificates_once(network):
    """R-CT-01: one per published grade, as Annex 1/4 name the circle and enterprise; numbers
    unique and not guessable; a second issue issues nothing; nothing before publication."""
    staff = membership(network.users.pa_staff)
    with membership_scope(staff), pytest.raises(ValidationError, match="还没有"):
        certificates_issue(membership=staff, campaign=network.campaign)
    certificates = issued(network)
    assert all(NUMBER.match(c.number) for c in certificates)
    assert len({c.number for c in certificates}) == 2
    assert [c.number[:14] for c in certificates] == ["PA-2020-00001-", "PA-2020-00002-"]
    with no_tenant():
        submission = network.submissions[0]
        first = Certificate.objects.get(result__submission=submission)
    assert first.holder == submission.circle.name
    assert first.enterprise_name == (submission.seal_name or network.e1.name)
    assert first.project_title == submission.project.title and first.honour_text == "一等"
    assert first.recipient_id == network.e1.pk and first.status == CertificateStatus.VALID
    with membership_scope(staff):
        assert certificates_issue(membership=staff, campaign=network.campaign) == 0


def test_the_qr_code_leads_to_the_public_page_which_shows_the_certificate_then_its_revocation(network):
    """R-CT-02, R-CT-03: the URL decoded from the PNG opens (no login) on what the certificate
    states; after revocation the same page says 已撤销."""
    certificate = issued(network)[0]
    url = decode(certificate_qr_png(certificate))
    assert url == verify_url(certificate) and url.startswith("https://qc.example.cn/verify/")
    public = Client()
    path = url.removeprefix("https://qc.example.cn")
    page = public.get(path)
    body = page.content.decode()
    assert page.status_code == 200
    assert certificate.holder in body and certificate.enterprise_name in body and "有效" in body
    assert "已撤销" not in body
    staff = membership(network.users.pa_staff)
    with membership_scope(staff):
        with pytest.raises(ValidationError):
            CERTIFICATE_WORKFLOW.perform(certificate, "revoke", membership=staff)  # a reason is required
        CERTIFICATE_WORKFLOW.perform(certificate, "revoke", membership=staff, comment="成果存在抄袭")
    body = public.get(path).content.decode()
    assert "已撤销" in body and "成果存在抄袭" not in body  # the reason is not the public's


def test_an_unknown_number_reveals_nothing(network):
    certificates = issued(network)
    public = Client()
    for number in ("PA-2020-00001-AAAA", "NOPE", "x" * 61, "证书"):
        page = public.get(reverse("verify:certificate", args=[number]))
        body = page.content.decode()
        assert page.status_code == 404 and "未找到" in body
        for c in certificates:
            assert c.holder not in body and c.enterprise_name not in body and c.number not in body
    assert public.get(reverse("verify:home"), {"number": "a/b"}).status_code == 404
    assert public.get(reverse("verify:home"), {"number": certificates[0].number.lower()}).status_code == 302


def test_verification_is_rate_limited(network):
    certificate = issued(network)[0]
    public = Client()
    path = reverse("verify:certificate", args=[certificate.number])
    answers = [public.get(path).status_code for _ in range(31)]
    assert answers[:30] == [200] * 30 and answers[30] == 429


def test_reissue_revokes_and_replaces(network):
    old = issued(network)[0]
    staff = membership(network.users.pa_staff)
    with membership_scope(staff):
        with pytest.raises(ValidationError):
            certificate_reissue(membership=staff, certificate=old, reason="")
        new = certificate_reissue(membership=staff, certificate=old, reason="企业更名")
    old.refresh_from_db()
    assert old.status == CertificateStatus.REVOKED and new.replaces_id == old.pk
    assert new.number != old.number and new.status == CertificateStatus.VALID
    assert NUMBER.match(new.number) and new.number.startswith("PA-2020-00003-")
    page = Client().get(reverse("verify:certificate", args=[old.number])).content.decode()
    assert "已撤销" in page and "换发" in page and new.number not in page
    other = membership(network.users.pb_staff)
    with membership_scope(other), pytest.raises(Exception):  # noqa: B017  (not found or refused)
        CERTIFICATE_WORKFLOW.perform(new, "revoke", membership=other, comment="越权")
    new.refresh_from_db()
    assert new.status == CertificateStatus.VALID


def test_an_honours_certificate_is_revoked_with_the_honour(network):
    coord, executive = membership(network.users.e1_coord), membership(network.users.e1_exec)
    with membership_scope(coord):
        honour = honour_save(
            membership=coord,
            data={
                "kind": HonourKind.PROMOTER,
                "year": 2020,
                "title": "2020年度优秀推进者",
                "recipient": network.e1,
                "person_name": "张推进",
                "material_reward": Decimal("1"),
            },
        )
        with pytest.raises(ValidationError, match="批准后"):
            certificate_issue_for_honour(membership=coord, honour=honour)
        HONOUR_WORKFLOW.perform(honour, "submit", membership=coord)
    with membership_scope(executive):
        honour = HONOUR_WORKFLOW.perform(honour, "approve", membership=executive)
    with membership_scope(coord):
        certificate = certificate_issue_for_honour(membership=coord, honour=honour)
        with pytest.raises(ValidationError, match="已有有效证书"):
            certificate_issue_for_honour(membership=coord, honour=honour)
    assert certificate.holder == "张推进" and certificate.enterprise_name == network.e1.name
    assert certificate.number.startswith("E1-2020-00001-")
    text = pdf_text(certificate_pdf(certificate))
    assert "荣誉证书" in text.replace(" ", "") and "张推进" in text and certificate.number in text
    with membership_scope(executive):
        HONOUR_WORKFLOW.perform(honour, "revoke", membership=executive, comment="核实不符")
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.REVOKED


def test_a_campaigns_certificates_come_as_one_zip_in_the_background(
    network, django_capture_on_commit_callbacks
):
    certificates = issued(network)
    staff = membership(network.users.pa_staff)
    with tenant_scope(network.pa):
        run = report_run_start(
            membership=staff,
            user=network.users.pa_staff,
            campaign=network.campaign,
            form="certificates",
            file_format="zip",
            organisation=network.pa,
            enqueue=False,
        )
        run = report_run_execute(run_id=run.pk)
    assert run.status == "succeeded", run.error
    with no_tenant():
        run = ReportRun.objects.get(pk=run.pk)
    with run.file.open("rb") as handle, zipfile.ZipFile(handle) as archive:
        names = sorted(archive.namelist())
        assert names == sorted(f"荣誉证书_{c.number}.pdf" for c in certificates)
        assert certificates[0].holder in pdf_text(archive.read(names[0])) or certificates[
            1
        ].holder in pdf_text(archive.read(names[0]))
    e4 = membership(network.users.e4_coord)
    with tenant_scope(network.e4), pytest.raises(ValidationError, match="还没有有效"):
        report_run_start(
            membership=e4,
            user=network.users.e4_coord,
            campaign=network.campaign,
            form="certificates",
            file_format="zip",
            organisation=network.e4,
            enqueue=False,
        )


def test_the_pages_issue_show_and_revoke(network, login):
    published_grades(network)
    staff = login(network.users.pa_staff)
    listing = reverse("evaluation:certificate-list")
    assert staff.get(listing).status_code == 200
    answer = staff.post(reverse("evaluation:certificate-issue"), {"campaign": network.campaign.code})
    assert answer.status_code == 302
    with no_tenant():
        certificate = Certificate.objects.order_by("number").first()
    body = staff.get(listing, {"campaign": network.campaign.code}).content.decode()
    assert certificate.number in body and 'data-testid="zip"' in body
    detail = reverse("evaluation:certificate-detail", args=[certificate.pk])
    assert "撤销证书" in staff.get(detail).content.decode()
    pdf = staff.get(reverse("evaluation:certificate-file", args=[certificate.pk, "pdf"]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    qr = staff.get(reverse("evaluation:certificate-file", args=[certificate.pk, "qr"]))
    assert decode(b"".join(qr.streaming_content)) == verify_url(certificate)
    enterprise = Client()
    enterprise.force_login(network.users.e1_coord)
    assert certificate.number in enterprise.get(listing).content.decode()  # it names E1
    assert "撤销证书" not in enterprise.get(detail).content.decode()
    other = Client()
    other.force_login(network.users.e4_coord)
    assert other.get(detail).status_code == 404
    staff.post(detail, {"transition": "revoke", "revoke-comment": "核实不符"})
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.REVOKED


def test_the_api_issues_reissues_and_revokes(network, login):
    published_grades(network)
    staff = login(network.users.pa_staff)
    answer = staff.post("/api/v1/certificates/issue/", {"campaign": "CAQ-T"}, content_type="application/json")
    assert answer.status_code == 200 and answer.json() == {"issued": 2}
    listed = staff.get("/api/v1/certificates/").json()["results"]
    assert len(listed) == 2 and all(NUMBER.match(c["number"]) for c in listed)
    first = listed[0]["id"]
    detail = staff.get(f"/api/v1/certificates/{first}/").json()
    assert detail["verify_url"].endswith(detail["number"])
    assert (
        staff.post(f"/api/v1/certificates/{first}/reissue/", {}, content_type="application/json").status_code
        == 400
    )
    successor = staff.post(
        f"/api/v1/certificates/{first}/reissue/", {"reason": "企业更名"}, content_type="application/json"
    )
    assert successor.status_code == 201 and successor.json()["replaces"] == first
    revoked = staff.post(
        f"/api/v1/certificates/{successor.json()['id']}/transitions/",
        {"transition": "revoke", "comment": "撤销"},
        content_type="application/json",
    )
    assert revoked.status_code == 200 and revoked.json()["status"] == "revoked"
    pdf = staff.get(f"/api/v1/certificates/{first}/pdf/")
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF")
    assert staff.get("/api/v1/certificates/", {"status": "bogus"}).status_code == 400


def test_a_revoked_certificate_is_not_issued_again_and_an_honour_on_a_grade_shares_its_certificate(network):
    """R-CT-03: a routine issue after a revocation issues nothing (换发 does that); an honour
    resting on a grade gets the grade's certificate, linked to both, never a second one."""
    from evaluation.honours import honours_from_grades
    from evaluation.models import Honour

    certificates = issued(network)
    staff = membership(network.users.pa_staff)
    with membership_scope(staff):
        CERTIFICATE_WORKFLOW.perform(certificates[0], "revoke", membership=staff, comment="更正")
        assert certificates_issue(membership=staff, campaign=network.campaign) == 0
        honours_from_grades(membership=staff, campaign=network.campaign)
    with no_tenant():
        Certificate.objects.all().delete()
        honour = Honour.objects.filter(organisation=network.pa).order_by("id").first()
        Honour.objects.filter(pk=honour.pk).update(status="approved")
        honour = Honour.objects.get(pk=honour.pk)
    with membership_scope(staff):
        certificate = certificate_issue_for_honour(membership=staff, honour=honour)
        assert certificate.result_id == honour.result_id and certificate.honour_id == honour.pk
        assert certificate.honour_text == "一等"
        assert certificates_issue(membership=staff, campaign=network.campaign) == 1  # only the other grade


def test_a_lower_case_issuer_code_still_verifies(network):
    from qcportal.models import Organisation

    with no_tenant():
        Organisation.objects.filter(pk=network.e1.pk).update(code="e1x")
    coord, executive = membership(network.users.e1_coord), membership(network.users.e1_exec)
    with membership_scope(coord):
        honour = honour_save(
            membership=coord,
            data={
                "kind": HonourKind.PROMOTER,
                "year": 2020,
                "title": "优秀推进者",
                "recipient": coord.organisation,
                "person_name": "张推进",
            },
        )
        HONOUR_WORKFLOW.perform(honour, "submit", membership=coord)
    with membership_scope(executive):
        honour = HONOUR_WORKFLOW.perform(honour, "approve", membership=executive)
    with membership_scope(coord):
        certificate = certificate_issue_for_honour(membership=coord, honour=honour)
    assert certificate.number.startswith("e1x-2020-")
    page = Client().get(reverse("verify:certificate", args=[certificate.number]))
    assert page.status_code == 200 and "张推进" in page.content.decode()


def test_reissue_refuses_when_the_grade_is_no_longer_published(network):
    from evaluation.models import Judging

    certificate = issued(network)[0]
    with no_tenant():
        Judging.objects.filter(organisation=network.pa).update(status="grading")
    staff = membership(network.users.pa_staff)
    with membership_scope(staff), pytest.raises(ValidationError, match="不再发布"):
        certificate_reissue(membership=staff, certificate=certificate, reason="更名")
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.VALID  # nothing half-done


def test_an_enterprise_sees_neither_its_associations_own_honours_nor_certificates(network):
    from evaluation.certificates import certificate_list
    from evaluation.honours import honour_list
    from evaluation.models import Honour

    staff, leader = membership(network.users.pa_staff), membership(network.users.pa_leader)
    with membership_scope(staff):
        honour = honour_save(
            membership=staff,
            data={
                "kind": HonourKind.PROMOTER,
                "year": 2020,
                "title": "协会优秀推进者",
                "recipient": network.pa,
                "person_name": "协会某人",
                "material_reward": Decimal("1"),
            },
        )
        HONOUR_WORKFLOW.perform(honour, "submit", membership=staff)
    with membership_scope(leader):
        honour = HONOUR_WORKFLOW.perform(honour, "approve", membership=leader)
    with membership_scope(staff):
        certificate_issue_for_honour(membership=staff, honour=honour)
    coord = membership(network.users.e1_coord)
    with membership_scope(coord):
        assert not honour_list(membership=coord).filter(pk=honour.pk).exists()
        assert not certificate_list(membership=coord).exists()
    e1_leader = membership(network.users.e1_leader)
    with membership_scope(coord):
        nominated = honour_save(
            membership=coord,
            data={
                "kind": HonourKind.PROMOTER,
                "year": 2020,
                "title": "x",
                "recipient": network.e1,
                "person_name": "y",
            },
        )
    with membership_scope(e1_leader):  # a circle leader sees approved honours only
        assert not honour_list(membership=e1_leader).filter(pk=nominated.pk).exists()
    with no_tenant():
        assert Honour.objects.filter(pk=nominated.pk).exists()
