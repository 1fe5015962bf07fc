"""Excel export of the dashboards (issue 10 item 3), registered in the one exporter registry
(``qcportal.exporters``) as ``reports.dashboard``.

Every table of a dashboard (:mod:`reports.dashboard_tables`) becomes one sheet, written with
openpyxl's write-only mode and spooled to a temporary file that is streamed to the browser:
the organisation and the table's title, the period and how current the figures are (实时 /
截至 HH:MM), the header, the rows. Numbers stay numbers (money in 万元, rates and changes in
%), a missing rate is ``—``, text that looks like a formula is written as text. The
dashboards hold no personal data (names of organisations and figures only).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass

from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from qcportal.exporters import FORMULA_PREFIXES, audited_export, register

from ..dashboard_tables import Table, cell_kind, excel_value

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class TablesExporter:
    """An Excel export of a page's tables (one sheet each): ``identifier``, ``label``, the
    ``permissions`` of which one is needed. :meth:`response` streams the workbook."""

    identifier: str
    label: object
    permissions: tuple[str, ...]
    personal_data: bool = False

    @staticmethod
    def _cell(ws, value, *, bold: bool = False):
        cell = WriteOnlyCell(ws, value=value)
        if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
            cell.data_type = "s"
            cell.quotePrefix = True
        if bold:
            cell.font = Font(bold=True)
        return cell

    def write(self, tables: list[Table], target, *, heading: str) -> int:
        """Write ``tables`` to ``target`` (a binary file), one sheet per table, each opened by
        ``heading`` (the organisation) with the table's title, then its note (period and
        freshness). Output: the number of data rows written."""
        wb = Workbook(write_only=True)
        count = 0
        used = set()
        for table in tables:
            title = str(table.title)[:31].replace("/", "-").replace(":", "：")
            for ch in "[]*?\\":
                title = title.replace(ch, "")
            name, n = title, 2
            while name in used:
                name = f"{title[:28]}({n})"
                n += 1
            used.add(name)
            ws = wb.create_sheet(name)
            ws.column_dimensions["A"].width = 30
            ws.append([self._cell(ws, f"{heading} · {table.title}", bold=True)])
            ws.append([self._cell(ws, table.note)])
            ws.append([self._cell(ws, str(c.header), bold=True) for c in table.columns])
            for row in table.rows:
                ws.append(
                    [self._cell(ws, excel_value(row.get(c.key), cell_kind(row, c))) for c in table.columns]
                )
                count += 1
        wb.save(target)
        return count

    def response(self, tables: list[Table], *, organisation, filters: dict) -> FileResponse:
        """The tables as a download (``<label>_<code>_<year>_<time>.xlsx``), recorded in the
        audit trail as an export of ``organisation``'s figures with the ``filters`` and the
        row count (rule R-SC-42)."""
        target = tempfile.TemporaryFile()  # noqa: SIM115  (FileResponse closes it)
        with audited_export(
            self.identifier, file_format="xlsx", label=self.label, target=organisation, filters=filters
        ) as details:
            details["rows"] = self.write(tables, target, heading=organisation.name)
        target.seek(0)
        year = filters.get("year", "")
        filename = f"{self.label}_{organisation.code}_{year}_{timezone.localtime():%Y%m%d_%H%M}.xlsx"
        return FileResponse(target, as_attachment=True, filename=filename, content_type=XLSX)


DASHBOARD = register(
    TablesExporter(
        identifier="reports.dashboard",
        label=gettext_lazy("数据看板"),
        permissions=("dashboards:view",),
    )
)
