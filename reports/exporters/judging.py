"""Exports of a judging (issue 8 item 9): the per-expert score matrix (each submission ×
judge × item) and the ranking per domain, as Excel (openpyxl write-only, so a national
judging of ~1,800 results × 5 judges stays flat in memory). Staff only (``reports:export``);
nothing is masked for staff."""

from __future__ import annotations

import io

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook

from evaluation.grading import ranking
from evaluation.judging import judging_get_or_create
from evaluation.models import JudgingRound, RoundScore, ScoreItem
from evaluation.scoring import counted_sheets

from ..choices import FileFormat
from .base import Exporter, register


class _JudgingExporter(Exporter):
    """Common part: the judging of ``campaign`` by ``organisation`` (the association), Excel
    only, streamed with openpyxl's write-only workbook."""

    formats = (FileFormat.XLSX,)

    @property
    def judging(self):
        """The judging (created on first use, as the board does)."""
        return judging_get_or_create(campaign=self.campaign, association=self.organisation)

    def render_pdf(self) -> bytes:
        """Not offered: these exports are working spreadsheets."""
        raise ValidationError(_("该报表不支持所选格式。"))

    def _bytes(self, wb: Workbook) -> bytes:
        buffer = io.BytesIO()
        wb.save(buffer)
        return buffer.getvalue()


@register
class ScoreMatrixExporter(_JudgingExporter):
    """The per-expert score matrix (评分明细): one row per counted sheet item — round,
    domain, submission id, enterprise/circle, title, judge, certificate number, item, its
    maximum, the points, the sheet's total — under a header naming the judging. Sheets of
    recused or conflicted judges never appear (R-JD-35). Two queries per 2,000 rows."""

    identifier = "judging_matrix"
    personal_data = True  # each judge's name with their scores (issue 9 item 1)
    label = gettext_lazy("评分明细表（成果×评委×评分项）")

    HEADER = (
        "轮次",
        "领域",
        "成果编号",
        "企业/小组名称",
        "课题名称",
        "评委",
        "评委证书编号",
        "评审项目",
        "分值",
        "得分",
        "总分",
    )

    def render_xlsx(self) -> bytes:
        """The matrix as ``.xlsx`` bytes."""
        judging = self.judging
        wb = Workbook(write_only=True)
        ws = wb.create_sheet("评分明细")
        ws.append([f"{self.campaign.title} · {self.organisation.name} · 评分明细（成果×评委×评分项）"])
        ws.append(list(self.HEADER))
        sheets = counted_sheets(round__judging=judging).values("pk")
        items = (
            ScoreItem._base_manager.filter(sheet__in=sheets)
            .select_related(
                "criterion",
                "sheet__round",
                "sheet__judge",
                "sheet__submission__organisation",
                "sheet__submission__circle",
                "sheet__submission__project",
                "sheet__submission__domain",
            )
            .order_by(
                "sheet__round__position", "sheet__submission_id", "sheet__judge__name", "criterion__position"
            )
        )
        for item in items.iterator(chunk_size=2000):
            sheet, s = item.sheet, item.sheet.submission
            ws.append(
                [
                    sheet.round.name,
                    s.domain.name if s.domain else "",
                    s.pk,
                    f"{s.seal_name or s.organisation.name}/{s.circle.name}",
                    s.project.title,
                    sheet.judge.name,
                    sheet.judge.certificate_number,
                    item.criterion.label,
                    item.criterion.max_points,
                    item.points,
                    sheet.total,
                ]
            )
        self.progress(90)
        return self._bytes(wb)


@register
class RankingExporter(_JudgingExporter):
    """The ranking per domain (排名表): domain, rank (并列 marked), enterprise/circle, title,
    each round's score and valid judges, final score and grade, under a header naming the
    judging (R-JD-37). Three queries."""

    identifier = "judging_ranking"
    label = gettext_lazy("分领域排名表")

    def render_xlsx(self) -> bytes:
        """The ranking as ``.xlsx`` bytes."""
        judging = self.judging
        rounds = list(JudgingRound._base_manager.filter(judging=judging).order_by("position"))
        scores = {
            (sid, rid): (score, n)
            for sid, rid, score, n in RoundScore._base_manager.filter(round__judging=judging).values_list(
                "submission_id", "round_id", "score", "valid_judges"
            )
        }
        wb = Workbook(write_only=True)
        ws = wb.create_sheet("排名")
        ws.append([f"{self.campaign.title} · {self.organisation.name} · 分领域排名"])
        header = ["领域", "名次", "并列", "企业/小组名称", "课题名称"]
        for r in rounds:
            header += [f"{r.name}得分", f"{r.name}有效评委数"]
        ws.append([*header, "最终得分", "等级"])
        for result in ranking(judging).iterator(chunk_size=2000):
            s = result.submission
            row = [
                s.domain.name if s.domain else "",
                result.rank,
                "并列" if result.tied else "",
                f"{s.seal_name or s.organisation.name}/{s.circle.name}",
                s.project.title,
            ]
            for r in rounds:
                score, n = scores.get((s.pk, r.pk), (None, None))
                row += [score, n]
            ws.append([*row, result.final_score, result.grade.name if result.grade else ""])
        self.progress(90)
        return self._bytes(wb)
