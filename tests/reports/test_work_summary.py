"""Work summaries: seed 002 附件2 (质量管理小组活动总结) and seed 003 附件5 (成果推进工作总结):
outline, character count, the 3,000-character minimum, Word and PDF layout, malformed input."""

import io

import docx
import pytest
from django.core.exceptions import ValidationError

from qcportal.models import Membership
from qcportal.tenancy import no_tenant, tenant_scope
from reports.exporters import exporter_for
from reports.services import work_summary_save
from reports.worksummary import ANNUAL, PROMOTION, count_characters, summary_character_count

from ..conftest import assert_in_order, pdf_text

pytestmark = pytest.mark.django_db

PARAGRAPH = "本年度全省质量管理小组活动扎实推进，注册小组数量稳步增长，成果质量明显提升。"  # 38 characters


def text_of(n: int) -> str:
    """About ``n`` non-whitespace characters of plausible prose in paragraphs."""
    repeats = n // count_characters(PARAGRAPH) + 1
    return "\n".join([PARAGRAPH] * repeats)


def full_sections(outline=ANNUAL, per_point: int = 450) -> dict:
    return {key: text_of(per_point) for key in outline.keys}


def membership(user):
    with no_tenant():
        return Membership.objects.select_related("organisation").get(user=user)


def save(network, sections, *, user=None, kind="annual"):
    user = user or network.users.pa_staff
    m = membership(user)
    with tenant_scope(m.organisation):
        return work_summary_save(
            membership=m, user=user, campaign=network.campaign, kind=kind, sections=sections
        )


def render(network, form, file_format, organisation=None):
    with tenant_scope(network.caq):
        exporter = exporter_for(form)(campaign=network.campaign, organisation=organisation or network.pa)
        return exporter.render(file_format)


def test_annex2_outline_lists_the_sections_and_sub_points_of_seed002_annex2():
    """Seed 002 附件2: three sections with (一)(二) / (一)(二)(三) / (一)(二)(三)."""
    assert [s.heading for s in ANNUAL.sections] == [
        "一、基本情况",
        "二、推进经验和做法",
        "三、存在问题及改进方向",
    ]
    assert [len(s.points) for s in ANNUAL.sections] == [2, 3, 3]
    assert ANNUAL.sections[0].points[1].heading == "（二）QC成果发表会情况"
    assert ANNUAL.sections[2].points[2].heading == "（三）需要中国质协支持或对今后活动推进的建议"
    assert ANNUAL.min_characters == 3000


def test_promotion_summary_outline_of_seed003_annex5():
    """Seed 003 附件5 gives only the title: the portal's three sections."""
    assert [s.heading for s in PROMOTION.sections] == [
        "一、工作开展情况",
        "二、主要做法和成效",
        "三、存在问题和下一步打算",
    ]
    assert PROMOTION.title_for(2022) == "2022年开展质量管理小组活动成果推进工作总结"


def test_character_count_counts_every_non_whitespace_character_seed002_annex2():
    """Chinese characters, letters, digits and punctuation count one each; spaces, line
    breaks and the full-width space count nothing."""
    assert count_characters("质量 管理，QC小组。\n\t　2020年") == 15
    assert summary_character_count({"basic_overall": "一二三", "basic_conference": "四 五"}, ANNUAL) == 5


def test_draft_is_saved_at_any_length_and_replaced(network):
    summary = save(network, {"basic_overall": "草稿"})
    assert summary.sections["basic_overall"] == "草稿" and summary.sections["issues_suggestions"] == ""
    again = save(network, {"basic_overall": "第二稿\r\n第二段"})
    assert again.pk == summary.pk and again.sections["basic_overall"] == "第二稿\n第二段"


def test_annex2_refuses_export_below_3000_characters_seed002_annex2(network):
    """Seed 002 附件2 “字数 3000 字以上”: 2,999 characters are refused with the count and the minimum."""
    sections = {key: "" for key in ANNUAL.keys}
    sections["basic_overall"] = "质" * 2999
    save(network, sections)
    with pytest.raises(ValidationError) as excinfo:
        render(network, "annex2", "docx")
    message = excinfo.value.messages[0]
    assert "2999" in message and "3000" in message
    sections["basic_conference"] = "量"
    save(network, sections)
    assert render(network, "annex2", "docx").filename.endswith(".docx")


def test_annex2_export_refused_when_never_written_seed002_annex2(network):
    with pytest.raises(ValidationError, match="尚未填写"):
        render(network, "annex2", "pdf")


def test_annex2_docx_has_title_filler_and_headings_in_official_order_seed002_annex2(network):
    """Word layout: “附件 2”, the title “2020年质量管理小组活动总结”, the filler line with the
    association's name, then the section and sub-point headings in the annex's order."""
    sections = full_sections()
    sections["practice_deeds"] = "甲企业的突出事迹。\n乙企业的突出事迹。"
    save(network, sections)
    rendered = render(network, "annex2", "docx")
    assert rendered.content_type.endswith("wordprocessingml.document")
    document = docx.Document(io.BytesIO(rendered.content))
    headings = [
        p.text for p in document.paragraphs if p.style.name == "Title" or p.style.name.startswith("Heading")
    ]
    expected = ["2020年质量管理小组活动总结"]
    for section in ANNUAL.sections:
        expected.append(section.heading)
        expected.extend(point.heading for point in section.points)
    assert headings == expected
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == "附件 2"
    assert "推荐省市、行业：" in texts[2] and "测试省质量协会" in texts[2]
    deeds = texts.index("（三）本省市、行业所属企业开展QC小组活动的突出事迹")
    assert texts[deeds + 1 : deeds + 3] == ["甲企业的突出事迹。", "乙企业的突出事迹。"]


def test_annex2_pdf_has_the_official_layout_seed002_annex2(network):
    save(network, full_sections())
    rendered = render(network, "annex2", "pdf")
    assert rendered.content.startswith(b"%PDF")
    labels = ["附件 2", "2020年质量管理小组活动总结", "推荐省市、行业：", "测试省质量协会"]
    for section in ANNUAL.sections:
        labels.append(section.heading)
        labels.extend(point.heading for point in section.points)
    assert_in_order(pdf_text(rendered.content), labels)


def test_shanghai_annex5_summary_exports_as_docx_seed003_annex5(network):
    save(
        network,
        {"work_overview": "开展情况。", "work_practice": "做法。", "work_next": "打算。"},
        kind="promotion",
    )
    document = docx.Document(io.BytesIO(render(network, "sh_annex5", "docx").content))
    headings = [p.text for p in document.paragraphs if p.style.name in ("Title", "Heading 1", "Heading 2")]
    assert headings == [
        "2020年开展质量管理小组活动成果推进工作总结",
        "一、工作开展情况",
        "二、主要做法和成效",
        "三、存在问题和下一步打算",
    ]


@pytest.mark.parametrize(
    ("sections", "fragment"),
    [
        ({"basic_overall": "含有\x00空字符"}, "控制字符"),
        ({"basic_overall": "含有\x07响铃"}, "控制字符"),
        ({"basic_overall": "长" * 20001}, "超过每小节20000个字符"),
        ({"basic_overall": 12}, "必须是文字"),
        ({"no_such_point": "x"}, "未知的小节"),
        (["not", "a", "dict"], "格式不正确"),
    ],
)
def test_malformed_summary_input_is_refused_in_chinese(network, sections, fragment):
    with pytest.raises(ValidationError) as excinfo:
        save(network, sections)
    assert any(fragment in m for m in excinfo.value.messages)


def test_enterprise_cannot_write_the_annual_summary(network):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        save(network, {"basic_overall": "x"}, user=network.users.e1_coord)
