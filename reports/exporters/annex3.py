"""Seed 002, Annex 3: 质量管理小组活动统计表 (statistics table), as Excel and PDF."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from qcportal.pdf import html_to_pdf

from ..choices import FormKind
from ..statistics import Annex3Figures, annex3_figures
from .base import Exporter, chinese_date, register
from .xlsx import FormSheet, new_workbook, workbook_bytes

TITLE = "质量管理小组活动统计表"
HEADER = ("统计项目", "单位", "数量")

#: The nine statistic rows of Annex 3 in the official order: (label, unit, attribute, kind).
ROWS: tuple[tuple[str, str, str, str], ...] = (
    ("历年来累计已登记注册QC小组数", "万个", "circles_cumulative", "wan"),
    ("本年度已登记注册QC小组数", "万个", "circles_this_year", "wan"),
    ("本年度QC小组普及率=参加QC小组人数/职工总数×100%", "百分数", "participation_rate", "rate"),
    ("本年度坚持活动的QC小组数", "万个", "circles_active", "wan"),
    ("历年来累计QC小组创可计算的经济效益", "万元", "benefit_cumulative", "money"),
    ("本年度QC小组创可计算的经济效益", "万元", "benefit_this_year", "money"),
    ("本年度QC小组成果率=取得成果小组数/QC小组注册数×100%", "百分数", "results_rate", "rate"),
    ("本年度企业对QC小组活动经费投入(培训、交流、书籍等费用)", "万元", "qc_activity_spending", "money"),
    ("本年度企业对QC小组活动奖励费用", "万元", "reward_spending", "money"),
)

NUMBER_FORMATS = {"wan": "0.0000", "money": "#,##0.00", "rate": "0.00%"}


def display_value(value, kind: str) -> str:
    """Format a figure for the PDF: 万个 with 4 places, 万元 with 2, rates as ``61.88%``."""
    if value is None:
        return "—"
    if kind == "rate":
        return f"{value:.2f}%"
    if kind == "money":
        return f"{value:,.2f}"
    return f"{value:.4f}"


def notes(exporter: Exporter) -> list[str]:
    """The notes of Annex 3 (seed 002), with the campaign's deadline and recipient."""
    return [
        "注：1. 本统计表信息来自企业统计数据资料。",
        "2. 各省市、行业质协统计时须扣除行业直属企业数据。",
        f"3. 请各省市、行业质协将此表电子版于{exporter.deadline_text()}前发送至{exporter.recipient_text()}。",
        *exporter.contact_lines(),
    ]


@register
class Annex3Exporter(Exporter):
    """Annex 3 for one association and the campaign's statistical period.

    Figures come from :func:`reports.statistics.annex3_figures` (SQL aggregation, note 2
    deduction applied and stated on the form). Layout: title, period, 推荐省市、行业, the
    nine rows with unit and quantity, the presentation-conference rows, the contact rows
    and the notes, in the order of seed 002.
    """

    identifier = FormKind.ANNEX3
    label = _("附件3 质量管理小组活动统计表")

    #: Association fields printed on Annex 3's contact rows (seed 002 Annex 3), with labels.
    CONTACT_FIELDS = (
        ("qc_department", "QC小组工作归口部门"),
        ("qc_department_head", "归口部门负责人"),
        ("contact_person", "联系人"),
        ("contact_mobile", "手机"),
        ("contact_email", "邮箱"),
        ("address", "通信地址"),
        ("postcode", "邮编"),
    )

    def missing_items(self) -> list[str]:
        """Annex 3 cannot go to the national association with a figure it cannot compute or a
        contact row left blank (seed 002 Annex 3): the participation rate needs the
        enterprises' total employees of the year, the results rate needs circles registered
        this year, and the contact rows need the association's details."""
        problems = super().missing_items()
        if problems:
            return problems
        f = self.figures()
        if f.participation_rate is None:
            problems.append(_("附件3：所属企业未填报本年度职工总数，无法计算“本年度QC小组普及率”。"))
        if f.results_rate is None:
            problems.append(_("附件3：本统计期内没有登记注册的QC小组，无法计算“本年度QC小组成果率”。"))
        blank = [label for field, label in self.CONTACT_FIELDS if not getattr(self.organisation, field)]
        if blank:
            problems.append(_("附件3：协会信息未填写%(fields)s。") % {"fields": "、".join(blank)})
        return problems

    def figures(self) -> Annex3Figures:
        """Compute (once) the figures of this form."""
        if not hasattr(self, "_figures"):
            self._figures = annex3_figures(campaign=self.campaign, association=self.organisation)
            self.progress(60)
        return self._figures

    def conference_cells(self, f: Annex3Figures) -> dict:
        """The conference row values: held mark, counts, date, place, attendance."""
        c = f.conference
        held = bool(c and c.held)
        return {
            "held_mark": ("☑是 ☐否" if held else "☐是 ☑否"),
            "signed_up": c.signed_up_circles if held else "",
            "presented": c.presented_circles if held else "",
            "date": chinese_date(c.held_on) if held and c.held_on else "",
            "place": c.place if held else "",
            "attendance": c.attendance if held else "",
        }

    def render_xlsx(self) -> bytes:
        f = self.figures()
        a = self.organisation
        wb = new_workbook()
        sheet = FormSheet(wb.create_sheet("附件3"), [17, 13, 17, 12, 12, 16])
        sheet.line(1, "附件 3", bold=True)
        sheet.line(2, TITLE, bold=True, size=16, align="center", height=30)
        sheet.line(3, f.period_label, align="center")
        sheet.line(4, f"推荐省市、行业：{a.name}")
        sheet.put(5, 1, HEADER[0], span=4, bold=True, align="center")
        sheet.put(5, 5, HEADER[1], bold=True, align="center")
        sheet.put(5, 6, HEADER[2], bold=True, align="center")
        row = 6
        for label, unit, attribute, kind in ROWS:
            value = getattr(f, attribute)
            if kind == "rate" and value is not None:
                value = value / 100
            sheet.put(row, 1, label, span=4)
            sheet.put(row, 5, unit, align="center")
            sheet.put(
                row, 6, value if value is not None else "—", align="right", number_format=NUMBER_FORMATS[kind]
            )
            sheet.height(row, 30)
            row += 1
        cc = self.conference_cells(f)
        for cells in (
            [
                ("是否组织发表会", None),
                (cc["held_mark"], None),
                ("发表会报名小组数", None),
                (cc["signed_up"], None),
                ("发表小组数", None),
                (cc["presented"], None),
            ],
            [
                ("发表会时间", None),
                (cc["date"], None),
                ("发表会地点", None),
                (cc["place"], None),
                ("参会人数", None),
                (cc["attendance"], None),
            ],
        ):
            for col, (value, _fmt) in enumerate(cells, start=1):
                sheet.put(row, col, value, align="center")
            sheet.height(row, 30)
            row += 1
        sheet.put(
            row, 1, f"QC小组工作归口部门及负责人：{a.qc_department} {a.qc_department_head}".rstrip(), span=6
        )
        row += 1
        sheet.put(row, 1, f"联系人：{a.contact_person}", span=2)
        sheet.put(row, 3, f"手机：{a.contact_mobile}", span=2)
        sheet.put(row, 5, f"邮箱：{a.contact_email}", span=2)
        row += 1
        sheet.put(row, 1, f"通信地址：{a.address}", span=4)
        sheet.put(row, 5, f"邮编：{a.postcode}", span=2)
        row += 2
        for text in notes(self):
            sheet.line(row, text, size=10)
            row += 1
        sheet.line(row + 1, f.deduction_statement, size=10)
        self.progress(90)
        return workbook_bytes(wb)

    def render_pdf(self) -> bytes:
        f = self.figures()
        rows = [
            {"label": label, "unit": unit, "value": display_value(getattr(f, attribute), kind)}
            for label, unit, attribute, kind in ROWS
        ]
        content = html_to_pdf(
            "reports/pdf/annex3.html",
            {
                "title": TITLE,
                "figures": f,
                "rows": rows,
                "header": HEADER,
                "organisation": self.organisation,
                "conference": self.conference_cells(f),
                "notes": notes(self),
                "generated": self.generated_text(),
            },
        )
        self.progress(95)
        return content
