"""A campaign's honour certificates as one zip (issue 11 item 5), an exporter of the one
registry, so that it runs in the background as a report run with progress, like the
national package. The certificates themselves are :mod:`evaluation.certificates`'."""

from __future__ import annotations

import tempfile
import zipfile

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from evaluation.certificates import certificate_filename, certificate_pdf
from evaluation.choices import CertificateStatus
from evaluation.models import Certificate

from ..choices import FileFormat, FormKind
from .base import CONTENT_TYPES, Exporter, RenderedFile, audited_export, register


@register
class CertificatesExporter(Exporter):
    """The valid certificates the organisation issued for the campaign, one A4 PDF each
    (``荣誉证书_<number>.pdf``) in a ``.zip`` spooled to a temporary file.

    Input: the campaign and the issuing organisation (an association or an enterprise).
    Output: :class:`RenderedFile` with ``file``. :meth:`validate` refuses (Chinese) when no
    valid certificate was issued yet. Needs ``certificates:issue``."""

    identifier = FormKind.CERTIFICATES
    permission = "certificates:issue"
    label = _lazy("荣誉证书（压缩包）")
    formats = (FileFormat.ZIP,)
    needs_association = False

    def certificates(self):
        """The valid certificates of the organisation and the campaign, by number."""
        return Certificate._base_manager.filter(
            organisation=self.organisation, campaign=self.campaign, status=CertificateStatus.VALID
        ).order_by("number")

    def validate(self) -> None:
        """Refuse when there is nothing to put in the zip."""
        if not self.certificates().exists():
            raise ValidationError(_("本单位在该活动中还没有有效的荣誉证书，请先颁发证书。"))

    def filename(self, file_format: str) -> str:
        """E.g. ``SAQ-2026_荣誉证书_SAQ.zip``."""
        return f"{self.campaign.code}_荣誉证书_{self.organisation.code}.{file_format}"

    def render(self, file_format: str) -> RenderedFile:
        """Render each certificate and add it to the zip, reporting progress; recorded in the
        audit trail as one export."""
        if file_format not in self.formats:
            raise ValidationError(_("该报表不支持所选格式。"))
        self.validate()
        certificates = list(self.certificates())
        target = tempfile.TemporaryFile()  # noqa: SIM115  (handed to the caller, who closes it)
        try:
            with (
                audited_export(
                    self.identifier,
                    file_format=file_format,
                    label=self.label,
                    target=self.organisation,
                    filters=self.audit_filters(),
                ),
                zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive,
            ):
                for index, certificate in enumerate(certificates, start=1):
                    archive.writestr(certificate_filename(certificate), certificate_pdf(certificate))
                    self.progress(5 + 90 * index // len(certificates))
        except BaseException:
            target.close()
            raise
        target.seek(0)
        return RenderedFile(self.filename(file_format), CONTENT_TYPES[file_format], file=target)

    def render_pdf(self) -> bytes:
        """The certificates come as a zip only."""
        raise ValidationError(_("该报表不支持所选格式。"))
