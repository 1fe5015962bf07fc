"""Seed 002, Annex 1: 全国优秀质量管理小组申报表 (application form), one per submission."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from circles.choices import ProjectType
from circles.models import CircleMember
from evaluation.selectors import submission_list, submission_recommended_list
from qcportal.pdf import html_to_pdf

from ..choices import FileFormat, FormKind
from . import docx as wd
from .base import Exporter, register
from .xlsx import FormSheet, new_workbook, workbook_bytes

TITLE = "全国优秀质量管理小组申报表"
MEMBER_SLOTS = 10  # seed 002 Annex 1: 小组成员名单 has ten numbered slots


def notes(exporter: Exporter) -> list[str]:
    """The notes of Annex 1 (seed 002) with the campaign's deadline and recipient."""
    return [
        "注：申报材料统一交与推荐质协或部门，具体要求如下：",
        "1. 小组申报表提交PDF电子版格式一份（加盖公章）和word文本电子版一份（不需盖章）；小组成果报告word文本电子版一份；"
        "小组活动记录等证实性材料（电子版）。",
        "2. 企业名称（小组所在单位）、小组名称是制作证书的依据，须用正楷填写全称，不要挂上级部门（企业名称以公章为准），"
        "填写内容简明扼要，准确无误。",
        f"3. 材料提交截止时间：{exporter.deadline_text()}前发送至{exporter.recipient_text()}。",
    ]


def type_marks(project_type: str) -> str:
    """The 课题类型 checkboxes with the project's type ticked."""
    ps = "☑" if project_type == ProjectType.PROBLEM_SOLVING else "☐"
    inn = "☑" if project_type == ProjectType.INNOVATION else "☐"
    return f"{ps}问题解决型　{inn}创新型"


@register
class Annex1Exporter(Exporter):
    """Annex 1 for one submission (``submission``) or, without one, for every submission the
    association recommends in the campaign (one page or sheet each, so a batch pays the PDF
    font cost once). Fields in the order of seed 002 Annex 1: 推荐省市、行业, 企业名称(公章为准),
    QC小组名称, 课题名称, 课题类型, 详细通信地址/邮编, 小组联系部门/直接联系人/手机, the ten
    member slots, 简介和主要活动过程及效果, 单位盖章 and date, and the notes."""

    identifier = FormKind.ANNEX1
    personal_data = True  # members' names, the contact's mobile (issue 9 item 1)
    label = _lazy("附件1 全国优秀质量管理小组申报表")
    needs_association = False
    #: Note 1 of Annex 1 asks for the form as PDF and as a Word file (“word文本电子版一份”).
    formats = (FileFormat.XLSX, FileFormat.PDF, FileFormat.DOCX)

    def validate(self) -> None:
        if self.submission is None and not self.organisation.is_association:
            raise ValidationError(_("请选择一项成果申报，或选择协会以批量生成其推荐成果的申报表。"))
        if self.submission is not None and self.submission.campaign_id != self.campaign.pk:
            raise ValidationError(_("所选成果申报不属于该活动。"))

    def filename(self, file_format: str) -> str:
        if self.submission is not None:
            return f"{self.campaign.code}_附件1_申报表_{self.submission.pk}.{file_format}"
        return super().filename(file_format)

    def forms(self) -> list[dict]:
        """One dict per form page with every field of Annex 1; two queries in all."""
        members = Prefetch("circle__members", queryset=CircleMember.objects.order_by("position_order", "id"))
        if self.submission is not None:
            qs = submission_list(campaign=self.campaign).filter(pk=self.submission.pk)
        else:
            qs = submission_recommended_list(campaign=self.campaign, association=self.organisation)
        pages = []
        for s in qs.prefetch_related(members):
            names = [m.name for m in s.circle.members.all()]
            slots = [(n, names[n - 1] if n <= len(names) else "") for n in range(1, MEMBER_SLOTS + 1)]
            pages.append(
                {
                    "association": s.recommending_association.name,
                    "enterprise": s.seal_name or s.organisation.name,
                    "circle": s.circle.name,
                    "project": s.project.title,
                    "type_marks": type_marks(s.project.project_type),
                    "address": s.address,
                    "postcode": s.postcode,
                    "department": s.contact_department,
                    "contact": s.contact_person,
                    "mobile": s.contact_mobile,
                    "slots": slots,
                    "extra_members": names[MEMBER_SLOTS:],
                    "introduction": s.introduction,
                }
            )
        self.progress(40)
        return pages

    def render_xlsx(self) -> bytes:
        wb = new_workbook()
        pages = self.forms()
        for index, page in enumerate(pages, start=1):
            sheet = FormSheet(wb.create_sheet(f"申报表{index}"), [9] * 10)
            sheet.line(1, "附件 1", bold=True)
            sheet.line(2, TITLE, bold=True, size=16, align="center", height=30)
            sheet.line(3, f"推荐省市、行业：{page['association']}")
            for row, (label, value) in enumerate(
                [
                    ("企业名称(公章为准)", page["enterprise"]),
                    ("QC小组名称", page["circle"]),
                    ("课题名称", page["project"]),
                    ("课题类型", page["type_marks"]),
                ],
                start=4,
            ):
                sheet.put(row, 1, label, span=3, align="center")
                sheet.put(row, 4, value, span=7)
                sheet.height(row, 24)
            sheet.put(8, 1, "详细通信地址", span=3, align="center")
            sheet.put(8, 4, page["address"], span=4)
            sheet.put(8, 8, "邮编", align="center")
            sheet.put(8, 9, page["postcode"], span=2)
            for col, (label, key, span) in zip(
                (1, 3, 5, 6, 8, 9),
                (
                    ("小组联系部门", None, 2),
                    ("", "department", 2),
                    ("直接联系人", None, 1),
                    ("", "contact", 2),
                    ("手机", None, 1),
                    ("", "mobile", 2),
                ),
                strict=True,
            ):
                sheet.put(9, col, page[key] if key else label, span=span, align="center")
            sheet.put(10, 1, "小组成员名单", span=10, align="center", bold=True)
            for n, name in page["slots"]:
                row = 11 if n <= 5 else 12
                col = ((n - 1) % 5) * 2 + 1
                sheet.put(row, col, f"{n}  {name}".rstrip(), span=2)
            intro = page["introduction"]
            if page["extra_members"]:
                intro += "\n（其他成员：" + "、".join(page["extra_members"]) + "）"
            sheet.put(13, 1, "QC小组简介和主要活动过程及效果：\n" + intro, span=10, rows=1)
            sheet.height(13, 300)
            sheet.put(14, 1, "单位盖章：　　　　　　年　　月　　日", span=10, align="right")
            sheet.height(14, 40)
            row = 16
            for text in notes(self):
                sheet.line(row, text, size=9)
                sheet.height(row, 28)
                row += 1
            self.progress(40 + 50 * index // max(1, len(pages)))
        if not pages:
            raise ValidationError(_("没有可生成申报表的成果申报。"))
        return workbook_bytes(wb)

    def render_pdf(self) -> bytes:
        pages = self.forms()
        if not pages:
            raise ValidationError(_("没有可生成申报表的成果申报。"))
        content = html_to_pdf(
            "reports/pdf/annex1.html",
            {
                "title": TITLE,
                "organisation": self.organisation,
                "pages": pages,
                "notes": notes(self),
                "generated": self.generated_text(),
            },
        )
        self.progress(95)
        return content

    def render_docx(self) -> bytes:
        """The form as a Word document (seed 002 Annex 1, note 1: “word文本电子版一份（不需盖章）”):
        the same fields and order as the PDF, one page per submission."""
        pages = self.forms()
        if not pages:
            raise ValidationError(_("没有可生成申报表的成果申报。"))
        doc = wd.new_document()
        for index, page in enumerate(pages, start=1):
            if index > 1:
                wd.page_break(doc)
            wd.line(doc, "附件 1", bold=True)
            doc.add_heading(TITLE, level=0)
            wd.filler(doc, "推荐省市、行业", page["association"])
            table = wd.grid(doc, 11, 10)
            for row, (label, value) in enumerate(
                [
                    ("企业名称(公章为准)", page["enterprise"]),
                    ("QC小组名称", page["circle"]),
                    ("课题名称", page["project"]),
                    ("课题类型", page["type_marks"]),
                ]
            ):
                wd.put(table, row, 0, label, span=3, align="center")
                wd.put(table, row, 3, value, span=7)
            wd.put(table, 4, 0, "详细通信地址", span=3, align="center")
            wd.put(table, 4, 3, page["address"], span=4)
            wd.put(table, 4, 7, "邮编", align="center")
            wd.put(table, 4, 8, page["postcode"], span=2)
            wd.put(table, 5, 0, "小组联系部门", span=2, align="center")
            wd.put(table, 5, 2, page["department"], span=2)
            wd.put(table, 5, 4, "直接联系人", align="center")
            wd.put(table, 5, 5, page["contact"], span=2)
            wd.put(table, 5, 7, "手机", align="center")
            wd.put(table, 5, 8, page["mobile"], span=2)
            wd.put(table, 6, 0, "小组成员名单", span=10, bold=True, align="center")
            for n, name in page["slots"]:
                row = 7 if n <= 5 else 8
                wd.put(table, row, ((n - 1) % 5) * 2, f"{n}  {name}".rstrip(), span=2)
            intro = page["introduction"]
            if page["extra_members"]:
                intro += "\n（其他成员：" + "、".join(page["extra_members"]) + "）"
            wd.put(table, 9, 0, "QC小组简介和主要活动过程及效果：\n" + intro, span=10)
            wd.put(table, 10, 0, "单位盖章：　　　　　　年　　月　　日", span=10, align="center")
            for text in notes(self):
                wd.line(doc, text, size=9)
            self.progress(40 + 50 * index // max(1, len(pages)))
        return wd.document_bytes(doc)
