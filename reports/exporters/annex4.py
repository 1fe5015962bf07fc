"""Seed 002, Annex 4: 全国优秀质量管理小组推荐表 (recommendation form), as Excel and PDF."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from evaluation.selectors import judge_list_for_recommendation, submission_recommended_list
from qcportal.pdf import html_to_pdf

from ..choices import FormKind
from .base import Exporter, register
from .xlsx import FormSheet, new_workbook, workbook_bytes

TITLE = "全国优秀质量管理小组推荐表"
SECTION_CIRCLES = "一、全国优秀质量管理小组"
CIRCLE_HEADER = ("序号", "企业名称（以公章为准）", "小组名称", "课题类型")
SECTION_JUDGES = "二、评委名单"
JUDGE_HEADER = ("序号", "姓名", "工作单位", "评委证书编号", "手机")


def notes(exporter: Exporter) -> list[str]:
    """The notes of Annex 4 (seed 002) with the campaign's deadline and recipient."""
    return [
        "注：1. 此表为推荐单位的正式汇总材料，是制作证书的依据。请将此表加盖推荐质协公章，"
        f"于{exporter.deadline_text()}前发送至{exporter.recipient_text()}。",
        "2. 评委证书编号填写全国质协系统QC小组评审组长/评委骨干证书编号。",
    ]


@register
class Annex4Exporter(Exporter):
    """Annex 4 for one recommending association: the circles it recommends to the national
    association (no., enterprise as on seal, circle, project type) and the judges who scored
    them (no., name, work unit, certificate number, mobile), then 填表人, 电话, the place for the
    association's seal and the date, and the notes (seed 002, Annex 4)."""

    identifier = FormKind.ANNEX4
    personal_data = True  # judges' names and certificate numbers (issue 9 item 1)
    label = _("附件4 全国优秀质量管理小组推荐表")

    def missing_items(self) -> list[str]:
        """Annex 4 lists the judges who scored the recommended circles (二、评委名单) with their
        certificate numbers (note 2): none, or one without a number, is missing."""
        problems = super().missing_items()
        if problems:
            return problems
        judges = list(judge_list_for_recommendation(campaign=self.campaign, association=self.organisation))
        if not judges:
            problems.append(_("附件4：推荐成果没有已提交的评分表，评委名单为空。"))
        for judge in judges:
            if not judge.certificate_number:
                problems.append(
                    _("附件4：评委%(name)s未填写评委证书编号（附件4注2）。") % {"name": judge.name}
                )
        return problems

    def rows(self) -> tuple[list[tuple], list[tuple]]:
        """(circle rows, judge rows), each numbered from 1; two queries. Circles are listed in
        the order of their panel score (highest first), as in Annex 5."""
        submissions = submission_recommended_list(campaign=self.campaign, association=self.organisation)
        circles = [
            (n, s.seal_name or s.organisation.name, s.circle.name, s.project.get_project_type_display())
            for n, s in enumerate(submissions, start=1)
        ]
        judges = [
            (n, j.name, j.work_unit, j.certificate_number, j.mobile)
            for n, j in enumerate(
                judge_list_for_recommendation(campaign=self.campaign, association=self.organisation), start=1
            )
        ]
        self.progress(50)
        return circles, judges

    def render_xlsx(self) -> bytes:
        circles, judges = self.rows()
        wb = new_workbook()
        sheet = FormSheet(wb.create_sheet("附件4"), [7, 34, 26, 16, 14])
        sheet.line(1, "附件 4", bold=True)
        sheet.line(2, TITLE, bold=True, size=16, align="center", height=30)
        sheet.line(3, f"推荐省市、行业：{self.organisation.name}")
        sheet.line(4, SECTION_CIRCLES, bold=True)
        row = 5
        sheet.put(row, 1, CIRCLE_HEADER[0], bold=True, align="center")
        sheet.put(row, 2, CIRCLE_HEADER[1], bold=True, align="center")
        sheet.put(row, 3, CIRCLE_HEADER[2], bold=True, align="center")
        sheet.put(row, 4, CIRCLE_HEADER[3], bold=True, align="center", span=2)
        for n, enterprise, circle, kind in circles:
            row += 1
            sheet.put(row, 1, n, align="center")
            sheet.put(row, 2, enterprise)
            sheet.put(row, 3, circle)
            sheet.put(row, 4, kind, align="center", span=2)
        row += 2
        sheet.line(row, SECTION_JUDGES, bold=True)
        row += 1
        for col, text in enumerate(JUDGE_HEADER, start=1):
            sheet.put(row, col, text, bold=True, align="center")
        for values in judges:
            row += 1
            for col, value in enumerate(values, start=1):
                sheet.put(row, col, value, align="center" if col != 3 else "left")
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
        circles, judges = self.rows()
        return html_to_pdf(
            "reports/pdf/annex4.html",
            {
                "title": TITLE,
                "organisation": self.organisation,
                "circles": circles,
                "judges": judges,
                "section_circles": SECTION_CIRCLES,
                "circle_header": CIRCLE_HEADER,
                "section_judges": SECTION_JUDGES,
                "judge_header": JUDGE_HEADER,
                "filled_by": self.filled_by_name(),
                "phone": self.filled_by_phone(),
                "notes": notes(self),
                "generated": self.generated_text(),
            },
        )
