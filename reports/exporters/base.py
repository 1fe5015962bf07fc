"""The official-form exporter interface (architecture.md, "Reports"; pretix's exporters);
exporters register in the one registry of ``qcportal.exporters``."""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, ClassVar

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from evaluation.models import Submission
from promotion.models import Campaign
from qcportal.exporters import REGISTRY, audited_export, get_exporter, register  # noqa: F401  (re-exported)
from qcportal.models import Organisation

from ..choices import FileFormat

CONTENT_TYPES = {
    FileFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    FileFormat.PDF: "application/pdf",
    FileFormat.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    FileFormat.ZIP: "application/zip",
}


@dataclass(frozen=True)
class RenderedFile:
    """An exporter's output: file name, MIME type and either the bytes (``content``) or,
    for large outputs such as the national package, an open binary file spooled to disk
    (``file``, positioned at its start; the caller closes it)."""

    filename: str
    content_type: str
    content: bytes = b""
    file: IO[bytes] | None = None


class Exporter(ABC):
    """Base class of the official-form exporters.

    Subclasses set ``identifier`` (a ``FormKind`` value), ``label``, the ``formats`` they
    produce and implement ``render_<format>()`` for each (``render_xlsx()``,
    ``render_pdf()``, ``render_docx()``) returning bytes. ``progress(percent)`` is called
    with 0–100 as work advances. ``validate()`` raises ``ValidationError`` (Chinese message)
    for parameters the form cannot be produced with. ``personal_data`` declares that the
    file holds personal data (member lists, contacts' mobiles, judges' certificates):
    requesting or downloading it needs a recent re-authentication (issue 9 item 1).
    """

    identifier: ClassVar[str]
    label: ClassVar[str]
    permission: ClassVar[str] = "reports:export"
    personal_data: ClassVar[bool] = False
    formats: ClassVar[tuple[str, ...]] = (FileFormat.XLSX, FileFormat.PDF)
    needs_association: ClassVar[bool] = True

    def __init__(
        self,
        *,
        campaign: Campaign,
        organisation: Organisation,
        submission: Submission | None = None,
        filled_by=None,
        progress: Callable[[int], None] | None = None,
    ):
        self.campaign = campaign
        self.organisation = organisation
        self.submission = submission
        self.filled_by = filled_by
        self._progress = progress or (lambda percent: None)

    def progress(self, percent: int) -> None:
        """Report progress in percent (0–100)."""
        self._progress(max(0, min(100, int(percent))))

    def validate(self) -> None:
        """Check the parameters; raises ``ValidationError`` with a Chinese message."""
        if self.needs_association and not self.organisation.is_association:
            raise ValidationError(_("该报表只能由省市、行业质协或中国质协填报，请选择协会。"))

    def missing_items(self) -> list[str]:
        """What keeps this form from being produced, one Chinese message per item (empty
        when complete). The national package lists these before building anything; the
        default is the messages of :meth:`validate`."""
        try:
            self.validate()
        except ValidationError as exc:
            return list(exc.messages)
        return []

    def render(self, file_format: str) -> RenderedFile:
        """Produce the form in ``file_format`` (one of ``formats``: ``xlsx``, ``pdf``,
        ``docx``) by calling ``render_<format>()``. Recorded in the audit trail as an export
        of the organisation's form (rule R-SC-42)."""
        if file_format not in self.formats:
            raise ValidationError(_("该报表不支持所选格式。"))
        with audited_export(
            self.identifier,
            file_format=file_format,
            label=self.label,
            target=self.organisation,
            filters=self.audit_filters(),
        ):
            self.validate()
            content = getattr(self, f"render_{file_format}")()
        return RenderedFile(self.filename(file_format), CONTENT_TYPES[file_format], content)

    def audit_filters(self) -> dict:
        """The parameters of this export for the audit trail: campaign, organisation and
        submission."""
        filters = {"campaign": self.campaign.code, "organisation": self.organisation.code}
        if self.submission is not None:
            filters["submission"] = self.submission.pk
        return filters

    def filename(self, file_format: str) -> str:
        """A descriptive file name, e.g. ``CAQ-2020_附件3_质量管理小组活动统计表_SAQ.xlsx``."""
        title = str(self.label).replace(" ", "_")
        return f"{self.campaign.code}_{title}_{self.organisation.code}.{file_format}"

    def render_xlsx(self) -> bytes:
        """The form as ``.xlsx`` bytes (exporters whose ``formats`` include ``xlsx``)."""
        raise ValidationError(_("该报表不支持所选格式。"))

    @abstractmethod
    def render_pdf(self) -> bytes:
        """The form as PDF bytes (A4)."""

    # Shared pieces of the forms ------------------------------------------------------
    @property
    def national(self) -> Organisation:
        """The association that issued the campaign notice (e.g. 中国质协), for the notes."""
        return self.campaign.organisation

    def deadline_text(self) -> str:
        """The campaign deadline as printed in the notes, e.g. ``2020年9月15日``."""
        return chinese_date(self.campaign.deadline) if self.campaign.deadline else "____年__月__日"

    def recipient_text(self) -> str:
        """Where the form goes, e.g. ``中国质协质量活动推进部`` (seed 002 notes)."""
        return f"{self.national.display_short_name}{self.national.qc_department}"

    def contact_lines(self) -> list[str]:
        """The issuing association's contact lines printed under the notes (seed 002)."""
        n = self.national
        return [f"电话：{n.contact_phone}  邮箱：{n.contact_email}", f"地址：{n.address}  邮编：{n.postcode}"]

    def filled_by_name(self) -> str:
        """填表人: the requesting user's name, or blank for hand filling."""
        return str(self.filled_by) if self.filled_by else ""

    def filled_by_phone(self) -> str:
        """The requesting user's phone, or blank."""
        return getattr(self.filled_by, "mobile", "") or ""

    def generated_text(self) -> str:
        """A small generation stamp for the footer."""
        return f"由质量管理小组活动管理平台生成 · {timezone.localtime():%Y-%m-%d %H:%M}"


def chinese_date(value: dt.date) -> str:
    """Format a date as ``2020年9月15日``."""
    return f"{value.year}年{value.month}月{value.day}日"


def exporter_for(form: str) -> type[Exporter]:
    """The official-form exporter class of ``form`` from the one exporter registry
    (``qcportal.exporters.REGISTRY``); raises ``ValidationError`` for an unknown form."""
    exporter = get_exporter(form)
    if not (isinstance(exporter, type) and issubclass(exporter, Exporter)):
        raise ValidationError(_("未知的报表类型：%(form)s") % {"form": form})
    return exporter
