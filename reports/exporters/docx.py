"""Helpers to lay out official forms as Word documents (.docx) with python-docx.

Every style gets the CJK font 宋体 for East Asian text (``w:eastAsia``), black headings and
the paper size A4, so a form opens in Word and WPS as it prints on paper.
"""

from __future__ import annotations

import io

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

FONT_NAME = "宋体"
TITLE_FONT = "黑体"


def _style_font(style, name: str, size: float | None = None, bold: bool | None = None) -> None:
    style.font.name = name
    style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)
    style.font.color.rgb = RGBColor(0, 0, 0)
    if size is not None:
        style.font.size = Pt(size)
    if bold is not None:
        style.font.bold = bold


def new_document(*, landscape: bool = False):
    """An empty A4 document with Chinese fonts on the Normal, Title and Heading 1–2 styles."""
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = section.page_height, section.page_width
    section.left_margin = section.right_margin = Mm(25)
    section.top_margin = section.bottom_margin = Mm(25)
    _style_font(doc.styles["Normal"], FONT_NAME, 12)
    _style_font(doc.styles["Title"], TITLE_FONT, 18, True)
    _style_font(doc.styles["Heading 1"], TITLE_FONT, 14, True)
    _style_font(doc.styles["Heading 2"], FONT_NAME, 12, True)
    title = doc.styles["Title"]
    title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    # The Title style of the default template draws a blue rule under the text.
    p_pr = title.element.get_or_add_pPr()
    for border in p_pr.findall(qn("w:pBdr")):
        p_pr.remove(border)
    return doc


def line(doc, text: str, *, bold: bool = False, size: float | None = None, align: str = "left"):
    """A plain paragraph (``align``: left, center or right)."""
    paragraph = doc.add_paragraph()
    run = paragraph.add_run(text)
    run.bold = bold
    if size is not None:
        run.font.size = Pt(size)
    paragraph.alignment = {
        "left": WD_ALIGN_PARAGRAPH.LEFT,
        "center": WD_ALIGN_PARAGRAPH.CENTER,
        "right": WD_ALIGN_PARAGRAPH.RIGHT,
    }[align]
    return paragraph


def filler(doc, label: str, value: str):
    """A fill-in line such as ``推荐省市、行业：<u>测试省质量协会</u>``."""
    paragraph = doc.add_paragraph()
    paragraph.add_run(f"{label}：")
    run = paragraph.add_run(f" {value} " if value else "＿" * 8)
    run.underline = True
    return paragraph


def body_text(doc, text: str) -> None:
    """Text typed by users: one paragraph per line, first line indented by two characters
    (the usual layout of Chinese official writing)."""
    for piece in text.split("\n"):
        if not piece.strip():
            continue
        paragraph = doc.add_paragraph(piece.strip())
        paragraph.paragraph_format.first_line_indent = Pt(24)


def page_break(doc) -> None:
    """Start a new page."""
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def grid(doc, rows: int, cols: int):
    """A bordered table (``Table Grid``), centred."""
    table = doc.add_table(rows=rows, cols=cols)
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    return table


def put(table, row: int, col: int, text: str, *, span: int = 1, bold: bool = False, align: str = "left"):
    """Write ``text`` in cell (row, col) of ``table``, merged over ``span`` columns."""
    cell = table.cell(row, col)
    if span > 1:
        cell = cell.merge(table.cell(row, col + span - 1))
    cell.text = ""
    paragraph = cell.paragraphs[0]
    pieces = str(text).split("\n")
    for index, piece in enumerate(pieces):
        run = paragraph.add_run(piece)
        run.bold = bold
        if index < len(pieces) - 1:
            run.add_break()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER if align == "center" else WD_ALIGN_PARAGRAPH.LEFT
    return cell


def document_bytes(doc) -> bytes:
    """The document as ``.docx`` bytes."""
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
