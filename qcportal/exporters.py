"""The one exporter registry, and list exports to Excel.

Every exporter registers here under its ``identifier``: the official forms of seed 002
(``reports/exporters``, run as report runs) and the working lists of the apps (circles,
projects, activity records …; :class:`ListExporter`). A list export writes the rows of
the page's filtered, scoped queryset with openpyxl's write-only mode, reading the database
in chunks, so memory stays flat for a province's hundreds of thousands of rows; the file
is spooled to disk and streamed to the browser.

Every export is recorded in the audit trail once, by :func:`audited_export` (rule R-SC-42):
list exports in :meth:`ListExporter.response`, official forms in
``reports.exporters.base.Exporter.render``.
Exporters whose files contain personal data (names with phone numbers, member lists,
judges' certificates) declare ``personal_data = True``; exporting them needs a recent
re-authentication (:func:`contains_personal_data`, :mod:`qcportal.reauth`; issue 9 item 1).
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
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

#: Query parameters that are not filters of a list export.
NOT_FILTERS = ("export", "page", "o", "sort")
_exporting: ContextVar[bool] = ContextVar("qcportal_exporting", default=False)


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


def export_filters(query) -> dict:
    """The filters of a list export as a small JSON object for the audit trail: the request's
    query parameters (``QueryDict`` or dict) without paging and sorting, at most 30, each value
    cut to 200 characters."""
    items = query.lists() if hasattr(query, "lists") else ((k, [v]) for k, v in dict(query).items())
    filters = {}
    for key, values in items:
        if key in NOT_FILTERS or len(filters) >= 30:
            continue
        values = [str(v)[:200] for v in values if v not in ("", None)]
        if values:
            filters[str(key)[:50]] = values[0] if len(values) == 1 else values[:10]
    return filters


@contextmanager
def audited_export(
    identifier: str,
    *,
    file_format: str,
    label="",
    target=None,
    model=None,
    organisation_id: int | None = None,
    filters: dict | None = None,
) -> Iterator[dict]:
    """Record an export in the audit trail when the block completes (rule R-SC-42).

    Inputs: the exporter's registry ``identifier`` and ``label``, the ``file_format``, what
    was exported (``target``: e.g. the organisation whose form it is; or ``model``: the listed
    model), the owning ``organisation_id`` (default: the target's, else the acting
    organisation), and the ``filters`` applied. The block may put ``"rows"`` (the row count)
    into the yielded dict. An export that raises is not recorded; an export inside another
    (the national package's forms) is recorded once, as the outer one. Actor, address and
    acting membership come from the request or task context (pages, API tokens and report
    runs alike).
    """
    details: dict = {}
    if _exporting.get():
        yield details
        return
    token = _exporting.set(True)
    try:
        yield details
    finally:
        _exporting.reset(token)
    from .audit_events import record_event
    from .choices import AuditEvent

    data = {"exporter": identifier, "format": file_format, "filters": filters or {}}
    if details.get("rows") is not None:
        data["rows"] = details["rows"]
    record_event(
        AuditEvent.EXPORT,
        target=target,
        model=model,
        object_repr=str(label) or identifier,
        organisation_id=organisation_id,
        data=data,
    )


def contains_personal_data(exporter) -> bool:
    """True when ``exporter`` (a registered class or :class:`ListExporter`, or its identifier)
    declares that its files contain personal data, so that exporting it needs a recent
    re-authentication (issue 9 item 1; ASVS 8.3)."""
    if isinstance(exporter, str):
        exporter = get_exporter(exporter)
    return bool(getattr(exporter, "personal_data", False))


@dataclass(frozen=True)
class Column:
    """A column of a list export: header (Chinese, translated) and a function of the row."""

    header: Any
    value: Callable[[Any], Any]
    width: int = 16


@dataclass(frozen=True)
class ListExporter:
    """An Excel export of a working list: ``identifier``, ``label`` (the sheet and file
    name), the ``permissions`` of which one is needed, the ``columns`` and whether the rows
    hold ``personal_data`` (then the export needs a recent re-authentication). :meth:`response`
    turns a queryset (already scoped and filtered by the page) into a streamed ``.xlsx``."""

    identifier: str
    label: Any
    permissions: tuple[str, ...]
    columns: tuple[Column, ...]
    chunk_size: int = 2000
    personal_data: bool = False

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

    def response(self, queryset, *, filters: dict | None = None) -> FileResponse:
        """The export as a download (spooled to a temporary file, streamed in blocks),
        recorded in the audit trail with the ``filters`` and the row count (rule R-SC-42)."""
        target = tempfile.TemporaryFile()  # noqa: SIM115  (FileResponse closes it)
        with audited_export(
            self.identifier, file_format="xlsx", label=self.label, model=queryset.model, filters=filters
        ) as details:
            details["rows"] = self.write(queryset, target)
        target.seek(0)
        filename = f"{self.label}_{timezone.localtime():%Y%m%d_%H%M}.xlsx"
        return FileResponse(
            target,
            as_attachment=True,
            filename=filename,
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
