"""The national package (推荐全国材料包, seed 002 三(二) and annex notes): completeness check
listed item by item, and the zip with every file and its manifest."""

import csv
import io
import zipfile

import docx
import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile

from evaluation.models import Submission
from qcportal.models import Membership
from qcportal.tenancy import no_tenant, tenant_scope
from reports.choices import RunStatus
from reports.models import ReportRun
from reports.package import MANIFEST_NAME, national_package_missing
from reports.services import report_run_start

from .test_work_summary import full_sections, save

pytestmark = pytest.mark.django_db


def attach_reports(network):
    """Give every submission PA recommends a result report (Word file)."""
    with no_tenant():
        for s in Submission.objects.filter(recommending_association=network.pa, status="recommended"):
            s.result_report.save(f"report_{s.pk}.docx", ContentFile(b"PK fake word " + str(s.pk).encode()))


def missing(network, association=None):
    with tenant_scope(network.pa):
        return national_package_missing(campaign=network.campaign, association=association or network.pa)


def start(network, django_capture_on_commit_callbacks, user=None):
    user = user or network.users.pa_staff
    with no_tenant():
        m = Membership.objects.select_related("organisation").get(user=user)
    with tenant_scope(m.organisation), django_capture_on_commit_callbacks(execute=True):
        run = report_run_start(
            membership=m,
            user=user,
            campaign=network.campaign,
            form="package",
            file_format="zip",
            organisation=network.pa,
        )
    with no_tenant():
        return ReportRun.objects.get(pk=run.pk)


def test_national_package_lists_what_is_missing(network):
    """Seed 002: without result reports and Annex 2 the package lists each missing item in
    Chinese (one line per submission and per form)."""
    problems = missing(network)
    report_lines = [p for p in problems if p.startswith("成果报告：")]
    assert len(report_lines) == 2  # s1 and s2 are recommended without a result report
    assert all("尚未上传成果报告文件" in line for line in report_lines)
    assert any("附件2" in p and "尚未填写" in p for p in problems)
    save(network, {"basic_overall": "字" * 120})
    problems = missing(network)
    assert any("当前为120字" in p and "3000字" in p for p in problems)


def test_national_package_is_refused_and_not_produced_when_incomplete(
    network, django_capture_on_commit_callbacks
):
    with pytest.raises(ValidationError) as excinfo:
        start(network, django_capture_on_commit_callbacks)
    assert len(excinfo.value.messages) >= 3
    with no_tenant():
        assert not ReportRun.objects.filter(form="package").exists()


def test_national_package_without_recommended_submissions_says_so(network):
    with no_tenant():
        Submission.objects.filter(recommending_association=network.pa, status="recommended").update(
            status="not_recommended"
        )
    problems = missing(network)
    assert any("没有状态为“已推荐”的成果申报" in p for p in problems)
    assert any(p.startswith("附件4") for p in problems)  # no judge list without recommended circles


def test_national_package_lists_missing_annex1_fields_and_annex3_contacts(network):
    with no_tenant():
        Submission.objects.filter(recommending_association=network.pa, status="recommended").update(
            contact_mobile="", introduction=""
        )
        network.pa.contact_person = ""
        network.pa.save(update_fields=["contact_person"])
    problems = missing(network)
    assert sum("未填写手机、QC小组简介和主要活动过程及效果" in p for p in problems) == 2
    assert any(p.startswith("附件3") and "联系人" in p for p in problems)


def test_national_package_is_for_associations_only(network):
    assert missing(network, association=network.ru1) == [
        "推荐全国材料包只能由省市、行业质协生成，请选择协会。"
    ]


def test_national_package_contains_every_file_with_manifest(network, django_capture_on_commit_callbacks):
    """Seed 002: Annex 1 per recommended circle as PDF and Word (note 1), Annex 2 as Word and
    PDF, Annexes 3–5 as Excel and PDF, each 成果报告, and a manifest listing every file."""
    attach_reports(network)
    save(network, full_sections())
    assert missing(network) == []
    run = start(network, django_capture_on_commit_callbacks)
    assert run.status == RunStatus.SUCCEEDED, run.error
    assert run.progress == 100 and run.filename == "CAQ-T_推荐全国材料包_PA.zip"
    assert run.content_type == "application/zip"
    with run.file.open("rb") as stored, zipfile.ZipFile(stored) as archive:
        names = archive.namelist()
        assert names[0] == MANIFEST_NAME
        annex1 = sorted(n for n in names if n.startswith("附件1_申报表/"))
        assert len(annex1) == 4
        assert sum(n.endswith(".pdf") for n in annex1) == 2 and sum(n.endswith(".docx") for n in annex1) == 2
        for expected in (
            "附件2_质量管理小组活动总结.docx",
            "附件2_质量管理小组活动总结.pdf",
            "附件3_质量管理小组活动统计表.xlsx",
            "附件3_质量管理小组活动统计表.pdf",
            "附件4_全国优秀质量管理小组推荐表.xlsx",
            "附件4_全国优秀质量管理小组推荐表.pdf",
            "附件5_质量管理小组成果评审汇总表.xlsx",
            "附件5_质量管理小组成果评审汇总表.pdf",
        ):
            assert expected in names
        reports = [n for n in names if n.startswith("成果报告/")]
        assert len(reports) == 2 and all(n.endswith("_成果报告.docx") for n in reports)
        assert archive.read(reports[0]).startswith(b"PK fake word")
        for name in names:
            if name.endswith(".pdf"):
                assert archive.read(name).startswith(b"%PDF"), name
        annex1_docx = next(n for n in annex1 if n.endswith(".docx"))
        document = docx.Document(io.BytesIO(archive.read(annex1_docx)))
        assert any(p.text == "全国优秀质量管理小组申报表" for p in document.paragraphs)
        manifest = list(csv.reader(io.StringIO(archive.read(MANIFEST_NAME).decode("utf-8-sig"))))
    assert manifest[0] == ["序号", "文件", "内容", "来源"]
    assert [row[1] for row in manifest[1:]] == names  # every file, in the zip's order
    sources = {row[1]: row[3] for row in manifest[1:]}
    assert all(sources[n].startswith("成果申报#") for n in annex1 + reports)
    assert sources["附件3_质量管理小组活动统计表.xlsx"] == "测试省质量协会"
