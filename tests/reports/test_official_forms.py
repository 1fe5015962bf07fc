"""Official forms of seed 002 (Annexes 1, 3, 4, 5): labels in the official order, units,
notes, and the files open (xlsx with openpyxl, PDF text with pdftotext)."""

import io
import subprocess

import openpyxl
import pytest

from qcportal.tenancy import tenant_scope
from reports.exporters import exporter_for

from ..conftest import assert_in_order, normalise, pdf_text, xlsx_text
from .official import official_labels

pytestmark = pytest.mark.django_db

CASES = [("annex1", 1, "PA"), ("annex3", 3, "PA"), ("annex4", 4, "PA"), ("annex5", 5, "PA")]


def render(network, form, code, file_format, **kwargs):
    organisation = getattr(network, code.lower())
    with tenant_scope(network.caq):
        exporter = exporter_for(form)(campaign=network.campaign, organisation=organisation, **kwargs)
        return exporter.render(file_format)


@pytest.mark.parametrize(("form", "annex", "code"), CASES)
def test_xlsx_has_every_official_label_in_order(network, form, annex, code):
    """Seed 002: every label of the annex, in the official order, in the Excel file."""
    rendered = render(network, form, code, "xlsx")
    assert rendered.content_type.endswith("spreadsheetml.sheet")
    assert rendered.filename.endswith(".xlsx")
    assert_in_order(xlsx_text(rendered.content), official_labels(annex))


@pytest.mark.parametrize(("form", "annex", "code"), CASES)
def test_pdf_has_every_official_label_in_order(network, form, annex, code):
    """Seed 002: the PDF's text (pdftotext) carries the Chinese labels in the official order."""
    rendered = render(network, form, code, "pdf")
    assert rendered.content.startswith(b"%PDF")
    assert_in_order(pdf_text(rendered.content), official_labels(annex))


@pytest.mark.parametrize("form", ["annex1", "annex3", "annex4", "annex5"])
def test_pdf_is_a4_with_embedded_cjk_font(network, form):
    """PDFs are A4 (pdfinfo says so) and embed a CJK font (fonts-noto-cjk)."""
    content = render(network, form, "PA", "pdf").content
    info = subprocess.run(["pdfinfo", "-"], input=content, capture_output=True, check=True).stdout.decode()
    assert "(A4)" in info
    fonts = subprocess.run(["pdffonts", "-"], input=content, capture_output=True, check=True).stdout.decode()
    assert "CJK" in fonts


def test_annex3_units_and_notes_present(network):
    """Annex 3 shows the units 万个, 万元 and 百分数 and its three notes."""
    text = normalise(xlsx_text(render(network, "annex3", "PA", "xlsx").content))
    for unit in ("万个", "万元", "百分数"):
        assert unit in text
    for note in (
        "本统计表信息来自企业统计数据资料",
        "各省市、行业质协统计时须扣除行业直属企业数据",
        "2020年9月15日前发送至中国质协质量活动推进部",
    ):
        assert normalise(note) in text


def test_annex3_states_the_deduction(network):
    """Seed 002 Annex 3 note 2: the deduction is applied and stated on the form."""
    for file_format, extract in (("xlsx", xlsx_text), ("pdf", pdf_text)):
        text = normalise(extract(render(network, "annex3", "PA", file_format).content))
        assert normalise("本表已按注2扣除行业直属企业数据（扣除1家）") in text


def test_annex3_pdf_shows_the_figures(network):
    """The PDF prints the hand-computed figures of PA (see test_annex3.py)."""
    text = normalise(pdf_text(render(network, "annex3", "PA", "pdf").content))
    for value in ("0.0004", "0.0003", "14.00%", "0.0002", "30.50", "10.50", "66.67%", "5.50", "2.25"):
        assert value in text


def test_annex1_for_one_submission(network):
    """Annex 1 for one submission fills its fields, ticks the type and lists members."""
    s1 = network.submissions[0]
    rendered = render(network, "annex1", "PA", "pdf", submission=s1)
    text = normalise(pdf_text(rendered.content))
    assert normalise("测试省质量协会") in text
    assert normalise(network.e1.name) in text
    assert normalise("甲攻关QC小组") in text
    assert normalise("☑问题解决型") in text and normalise("☐创新型") in text
    assert normalise("甲攻关QC小组成员1") in text
    assert rendered.filename == f"CAQ-T_附件1_申报表_{s1.pk}.pdf"


def test_annex1_batch_has_one_page_per_recommended_submission(network):
    """Without a submission, Annex 1 covers every submission PA recommends (two)."""
    content = render(network, "annex1", "PA", "xlsx").content
    assert len(openpyxl.load_workbook(io.BytesIO(content)).worksheets) == 2
