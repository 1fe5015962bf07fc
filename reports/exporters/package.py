"""The national package (推荐全国材料包) as an exporter of the one registry, so that it runs
as a report run with progress like the official forms (see :mod:`reports.package`)."""

from __future__ import annotations

import tempfile

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from ..choices import FileFormat, FormKind
from .base import CONTENT_TYPES, Exporter, RenderedFile, audited_export, register


@register
class NationalPackageExporter(Exporter):
    """Seed 002's materials for the national association, for one association and campaign.

    Input: the campaign and the association (``organisation``). Output: a ``.zip`` spooled to
    a temporary file (``RenderedFile.file``) holding a manifest (``00_材料清单.csv``), Annex 1
    per recommended submission (PDF and Word), Annex 2 (Word and PDF), Annexes 3–5 (Excel and
    PDF) and each recommended submission's 成果报告. :meth:`validate` raises one
    ``ValidationError`` listing every missing item in Chinese
    (:func:`reports.package.national_package_missing`); nothing is built then.
    """

    identifier = FormKind.PACKAGE
    personal_data = True  # holds Annexes 1 and 4 (issue 9 item 1)
    label = _lazy("推荐全国材料包")
    formats = (FileFormat.ZIP,)

    def missing_items(self) -> list[str]:
        """Every missing item (:func:`reports.package.national_package_missing`)."""
        from ..package import national_package_missing

        return national_package_missing(campaign=self.campaign, association=self.organisation)

    def validate(self) -> None:
        """One ``ValidationError`` listing every missing item; nothing is built then."""
        problems = self.missing_items()
        if problems:
            raise ValidationError(problems)

    def filename(self, file_format: str) -> str:
        """E.g. ``CAQ-2020_推荐全国材料包_SAQ.zip``."""
        return f"{self.campaign.code}_推荐全国材料包_{self.organisation.code}.{file_format}"

    def render(self, file_format: str) -> RenderedFile:
        """Build the zip in a temporary file (closed by the caller); recorded in the audit
        trail as one export (the forms inside are not recorded again; rule R-SC-42)."""
        from ..package import national_package_write

        if file_format not in self.formats:
            raise ValidationError(_("该报表不支持所选格式。"))
        self.validate()
        self.progress(10)
        target = tempfile.TemporaryFile()  # noqa: SIM115  (handed to the caller, who closes it)
        try:
            with audited_export(
                self.identifier,
                file_format=file_format,
                label=self.label,
                target=self.organisation,
                filters=self.audit_filters(),
            ):
                national_package_write(
                    campaign=self.campaign,
                    association=self.organisation,
                    target=target,
                    filled_by=self.filled_by,
                    progress=self.progress,
                )
        except BaseException:
            target.close()
            raise
        target.seek(0)
        return RenderedFile(self.filename(file_format), CONTENT_TYPES[file_format], file=target)

    def render_pdf(self) -> bytes:
        """The package is a zip only."""
        raise ValidationError(_("该报表不支持所选格式。"))
