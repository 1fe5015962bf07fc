"""Seed 002, Annex 5: 质量管理小组成果评审汇总表 (judging summary), as Excel and PDF."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from evaluation.selectors import submission_recommended_list
from qcportal.pdf import html_to_pdf

from ..choices import FormKind
from .base import Exporter, register
from .xlsx import FormSheet, new_workbook, workbook_bytes

TITLE = "质量管理小组成果评审汇总表"
HEADER = ("序号", "企业/小组名称", "成果评价（优势/不足之处，限300字）", "分数")


def notes(exporter: Exporter) -> list[str]:
    """The note of Annex 5 (seed 002) with the campaign's deadline, recipient and contacts."""
    return [
        f"注：请各省市、行业质协将此表于{exporter.deadline_text()}前发送至{exporter.recipient_text()}。",
        *exporter.contact_lines(),
    ]


@register
class Annex5Exporter(Exporter):
    """Annex 5 for one association: each recommended result with enterprise/circle name, the
    panel's assessment (≤300 characters, seed 002 Annex 5) and the panel score (points out of
    100, mean after dropping the highest and lowest when enough judges scored, standard.md
    §4), highest score first; then 填表人, 电话, seal place and date, and the note."""

    identifier = FormKind.ANNEX5
    label = _("附件5 质量管理小组成果评审汇总表")

    def missing_items(self) -> list[str]:
        """Annex 5 gives every recommended result an assessment (≤300 characters) and a score
        (seed 002 Annex 5): a result without either is missing."""
        problems = super().missing_items()
        if problems:
            return problems
        for s in submission_recommended_list(campaign=self.campaign, association=self.organisation):
            name = f"{s.organisation.name}/{s.circle.name}"
            if not (s.panel_assessment or "").strip():
                problems.append(_("附件5：%(name)s缺少成果评价（优势/不足之处）。") % {"name": name})
            elif len(s.panel_assessment) > 300:
                problems.append(_("附件5：%(name)s的成果评价超过300字。") % {"name": name})
            if s.score is None:
                problems.append(_("附件5：%(name)s尚无分数。") % {"name": name})
        return problems

    def rows(self) -> list[tuple]:
        """Rows ``(no., "enterprise/circle", assessment, score text)``; one query."""
        submissions = submission_recommended_list(campaign=self.campaign, association=self.organisation)
        rows = [
            (n, f"{s.seal_name or s.organisation.name}/{s.circle.name}", s.panel_assessment, s.score)
            for n, s in enumerate(submissions, start=1)
        ]
        self.progress(50)
        return rows

    def render_xlsx(self) -> bytes:
        rows = self.rows()
        wb = new_workbook()
        sheet = FormSheet(wb.create_sheet("附件5"), [7, 32, 60, 10])
        sheet.line(1, "附件 5", bold=True)
        sheet.line(2, TITLE, bold=True, size=16, align="center", height=30)
        sheet.line(3, f"省市、行业：{self.organisation.name}")
        for col, text in enumerate(HEADER, start=1):
            sheet.put(4, col, text, bold=True, align="center")
        row = 4
        for n, name, assessment, score in rows:
            row += 1
            sheet.put(row, 1, n, align="center")
            sheet.put(row, 2, name)
            sheet.put(row, 3, assessment)
            sheet.put(row, 4, score, align="center", number_format="0.00")
            sheet.height(row, max(30, 15 * (len(assessment) // 38 + 1)))
        row += 2
        sheet.line(
            row,
            f"填表人：{self.filled_by_name()}    电话：{self.filled_by_phone()}    推荐质协章            年    月    日",
        )
        row += 2
        for text in notes(self):
            sheet.line(row, text, size=10)
            row += 1
        self.progress(90)
        return workbook_bytes(wb)

    def render_pdf(self) -> bytes:
        return html_to_pdf(
            "reports/pdf/annex5.html",
            {
                "title": TITLE,
                "organisation": self.organisation,
                "rows": self.rows(),
                "header": HEADER,
                "filled_by": self.filled_by_name(),
                "phone": self.filled_by_phone(),
                "notes": notes(self),
                "generated": self.generated_text(),
            },
        )
