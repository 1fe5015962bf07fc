"""Helpers to lay out official forms in Excel with openpyxl.

Every text value goes through :func:`safe_cell_value` semantics in :meth:`FormSheet.put`:
a string starting with ``=``, ``+``, ``-`` or ``@`` (or a tab/carriage return) is written
as a literal string with Excel's quote prefix, never as a formula (formula injection).
"""

from __future__ import annotations

import io
from decimal import Decimal
from functools import lru_cache

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
THIN = Side(style="thin", color="000000")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
FONT_NAME = "宋体"


@lru_cache(maxsize=64)
def _font(bold: bool, size: int) -> Font:
    return Font(name=FONT_NAME, bold=bold, size=size)


@lru_cache(maxsize=64)
def _alignment(horizontal: str, wrap: bool) -> Alignment:
    return Alignment(horizontal=horizontal, vertical="center", wrap_text=wrap)


def is_formula_like(value: object) -> bool:
    """True for a string that a spreadsheet would read as a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_PREFIXES)


class FormSheet:
    """A worksheet being laid out as an official form: titles, bordered cells, merges, notes.

    Columns are 1-based; ``widths`` gives the column widths in characters.
    """

    def __init__(self, ws: Worksheet, widths: list[float]):
        self.ws = ws
        self.columns = len(widths)
        for index, width in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(index)].width = width
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.orientation = "portrait"
        ws.page_setup.fitToWidth = 1
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.print_options.horizontalCentered = True

    def put(
        self,
        row: int,
        col: int,
        value,
        *,
        span: int = 1,
        rows: int = 1,
        bold: bool = False,
        size: int = 11,
        align: str = "left",
        border: bool = True,
        number_format: str | None = None,
        wrap: bool = True,
    ):
        """Write ``value`` at (row, col), merging ``span`` columns and ``rows`` rows.

        Strings that look like formulas are stored as text (quote prefix). Decimals and ints
        are stored as numbers with ``number_format``. Returns the cell.
        """
        cell = self.ws.cell(row=row, column=col)
        if isinstance(value, Decimal):
            cell.value = value
        elif value is None:
            cell.value = None
        else:
            cell.value = value if isinstance(value, int | float) else str(value)
            if is_formula_like(cell.value):
                cell.data_type = "s"
                cell.quotePrefix = True
        if number_format:
            cell.number_format = number_format
        cell.font = _font(bold, size)
        cell.alignment = _alignment(align, wrap)
        if span > 1 or rows > 1:
            self.ws.merge_cells(
                start_row=row, start_column=col, end_row=row + rows - 1, end_column=col + span - 1
            )
        if border:
            for r in range(row, row + rows):
                for c in range(col, col + span):
                    self.ws.cell(row=r, column=c).border = BOX
        return cell

    def line(
        self,
        row: int,
        text: str,
        *,
        bold: bool = False,
        size: int = 11,
        align: str = "left",
        height: float | None = None,
    ):
        """A full-width line without borders (titles, notes, signature lines)."""
        self.put(row, 1, text, span=self.columns, bold=bold, size=size, align=align, border=False)
        if height:
            self.ws.row_dimensions[row].height = height

    def height(self, row: int, points: float) -> None:
        """Set a row's height in points."""
        self.ws.row_dimensions[row].height = points


def new_workbook() -> Workbook:
    """A workbook with its default sheet removed (exporters add named sheets)."""
    wb = Workbook()
    wb.remove(wb.active)
    return wb


def workbook_bytes(wb: Workbook) -> bytes:
    """Serialise a workbook to ``.xlsx`` bytes."""
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
