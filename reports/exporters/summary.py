"""Work summaries as Word and PDF: seed 002 附件2 (质量管理小组活动总结) and seed 003 附件5
(开展质量管理小组活动成果推进工作总结)."""

from __future__ import annotations

from typing import ClassVar

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from qcportal.choices import OrganisationKind
from qcportal.pdf import html_to_pdf

from ..choices import FileFormat, FormKind
from ..worksummary import ANNUAL, PROMOTION, Outline, export_problem
from . import docx as wd
from .base import Exporter, register


class WorkSummaryExporter(Exporter):
    """A work summary in its official layout: the annex line, the title
    “YYYY年…总结” (campaign year), the fill-in line with the writing organisation's name,
    then each section heading, each sub-point heading and the text typed for it.

    Input: the campaign and the writing ``organisation``; the text is the stored
    :class:`~reports.models.WorkSummary` of ``outline.kind``. Output: ``.docx``
    (python-docx) or A4 PDF (WeasyPrint). :meth:`validate` refuses (``ValidationError``,
    Chinese) a summary that was never written or is shorter than the outline's minimum
    (seed 002 附件2: 3,000 characters, counted by
    :func:`reports.worksummary.count_characters`; the message gives count and minimum).
    """

    outline: ClassVar[Outline]
    formats = (FileFormat.DOCX, FileFormat.PDF)

    def summary(self):
        """The stored summary of this organisation, campaign and kind, or ``None``."""
        from ..selectors import work_summary_get

        if not hasattr(self, "_summary"):
            self._summary = work_summary_get(
                campaign=self.campaign, organisation=self.organisation, kind=self.outline.kind
            )
        return self._summary

    def validate(self) -> None:
        """Refuse (``ValidationError``, Chinese) a summary never written or below the minimum."""
        super().validate()
        summary = self.summary()
        problem = export_problem(summary.sections if summary else None, self.outline)
        if problem:
            raise ValidationError(problem)

    def filename(self, file_format: str) -> str:
        """E.g. ``CAQ-2020_附件2_2020年质量管理小组活动总结_SAQ.docx``."""
        title = self.outline.title_for(self.campaign.year)
        return f"{self.campaign.code}_{self.outline.annex.replace(' ', '')}_{title}_{self.organisation.code}.{file_format}"

    def blocks(self) -> list[dict]:
        """The sections in order: ``{"heading", "points": [{"heading", "text", "show_heading"}]}``.
        A section with one sub-point prints no sub-heading (seed 003's outline)."""
        sections = self.summary().sections
        return [
            {
                "heading": s.heading,
                "points": [
                    {"heading": p.heading, "text": sections.get(p.key, ""), "show_heading": len(s.points) > 1}
                    for p in s.points
                ],
            }
            for s in self.outline.sections
        ]

    def render_docx(self) -> bytes:
        """The summary as a Word document: Title style for the title, Heading 1 for the
        sections, Heading 2 for the sub-points, one paragraph per line of text."""
        doc = wd.new_document()
        wd.line(doc, self.outline.annex, bold=True)
        doc.add_heading(self.outline.title_for(self.campaign.year), level=0)
        wd.filler(doc, self.outline.filler_label, self.organisation.name)
        self.progress(30)
        for block in self.blocks():
            doc.add_heading(block["heading"], level=1)
            for point in block["points"]:
                if point["show_heading"]:
                    doc.add_heading(point["heading"], level=2)
                wd.body_text(doc, point["text"])
        self.progress(90)
        return wd.document_bytes(doc)

    def render_pdf(self) -> bytes:
        """The summary as an A4 PDF (``reports/pdf/work_summary.html``)."""
        content = html_to_pdf(
            "reports/pdf/work_summary.html",
            {
                "annex": self.outline.annex,
                "title": self.outline.title_for(self.campaign.year),
                "filler_label": self.outline.filler_label,
                "organisation": self.organisation,
                "blocks": self.blocks(),
                "generated": self.generated_text(),
            },
        )
        self.progress(95)
        return content


@register
class Annex2Exporter(WorkSummaryExporter):
    """Seed 002 附件2: a provincial or industry association's 质量管理小组活动总结, at least
    3,000 characters, with 一、基本情况 (2 sub-points), 二、推进经验和做法 (3) and
    三、存在问题及改进方向 (3)."""

    identifier = FormKind.ANNEX2
    label = _lazy("附件2 质量管理小组活动总结")
    outline = ANNUAL


@register
class ShanghaiAnnex5Exporter(WorkSummaryExporter):
    """Seed 003 附件5: 开展质量管理小组活动成果推进工作总结 of a recommending unit or an
    association. The seed gives only the title; the outline (three sections) is the
    portal's, see :data:`reports.worksummary.PROMOTION`."""

    identifier = FormKind.SH_ANNEX5
    label = _lazy("沪附件5 质量管理小组活动成果推进工作总结")
    outline = PROMOTION
    needs_association = False

    def validate(self) -> None:
        """Only a recommending unit or an association writes this summary (seed 003)."""
        if not (
            self.organisation.is_association or self.organisation.kind == OrganisationKind.RECOMMENDING_UNIT
        ):
            raise ValidationError(_("成果推进工作总结只能由推荐单位或质协填写。"))
        super().validate()
