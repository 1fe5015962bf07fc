"""The one exporter registry, and list exports to Excel.

Every exporter registers here under its ``identifier``: the official forms of seed 002
(``reports/exporters``, run as report runs) and the working lists of the apps (circles,
projects, activity records …; :class:`ListExporter`). A list export writes the rows of
the page's filtered, scoped queryset with openpyxl's write-only mode, reading the database
in chunks, so memory stays flat for a province's hundreds of thousands of rows; the file
is spooled to disk and streamed to the browser.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

#: identifier → exporter (official-form classes and list exporters alike)
REGISTRY: dict[str, Any] = {}

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def register(exporter):
    """Add an exporter (a class with ``identifier`` or a :class:`ListExporter`) to
    :data:`REGISTRY`; returns it, so it works as a class decorator. Refuses duplicates."""
    identifier = exporter.identifier
    if identifier in REGISTRY and REGISTRY[identifier] is not exporter:
        raise ValueError(f"exporter {identifier} registered twice")
    REGISTRY[identifier] = exporter
    return exporter


def get_exporter(identifier: str):
    """The exporter registered as ``identifier``; ``ValidationError`` (Chinese) if unknown."""
    try:
        return REGISTRY[identifier]
    except KeyError:
        raise ValidationError(_("未知的报表类型：%(form)s") % {"form": str(identifier)[:40]}) from None


@dataclass(frozen=True)
class Column:
    """A column of a list export: header (Chinese, translated) and a function of the row."""

    header: Any
    value: Callable[[Any], Any]
    width: int = 16


@dataclass(frozen=True)
class ListExporter:
    """An Excel export of a working list: ``identifier``, ``label`` (the sheet and file
    name), the ``permissions`` of which one is needed, and the ``columns``. :meth:`response` turns a
    queryset (already scoped and filtered by the page) into a streamed ``.xlsx``."""

    identifier: str
    label: Any
    permissions: tuple[str, ...]
    columns: tuple[Column, ...]
    chunk_size: int = 2000

    def write(self, queryset, target) -> int:
        """Write the rows of ``queryset`` to ``target`` (a binary file); output: row count.
        Text starting like a formula is written as literal text (no formula injection)."""
        wb = Workbook(write_only=True)
        ws = wb.create_sheet(str(self.label)[:31])
        for index, column in enumerate(self.columns):
            ws.column_dimensions[chr(ord("A") + index)].width = column.width
        ws.freeze_panes = "A2"
        header = []
        for column in self.columns:
            cell = WriteOnlyCell(ws, value=str(column.header))
            cell.font = Font(bold=True)
            header.append(cell)
        ws.append(header)
        count = 0
        for obj in queryset.iterator(chunk_size=self.chunk_size):
            ws.append([self._safe(ws, column.value(obj)) for column in self.columns])
            count += 1
        wb.save(target)
        return count

    @staticmethod
    def _safe(ws, value):
        if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
            cell = WriteOnlyCell(ws, value=value)
            cell.data_type = "s"
            cell.quotePrefix = True
            return cell
        return value

    def response(self, queryset) -> FileResponse:
        """The export as a download (spooled to a temporary file, streamed in blocks)."""
        target = tempfile.TemporaryFile()  # noqa: SIM115  (FileResponse closes it)
        self.write(queryset, target)
        target.seek(0)
        filename = f"{self.label}_{timezone.localtime():%Y%m%d_%H%M}.xlsx"
        return FileResponse(
            target,
            as_attachment=True,
            filename=filename,
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
