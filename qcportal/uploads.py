"""Validation of uploaded files: size limit and content type sniffed from the bytes.

The browser-declared content type and the file name are not trusted; the type is inferred
from the file's leading bytes with the ``filetype`` library.
"""

from __future__ import annotations

import filetype
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .doc (filetype does not know OLE2)


def sniff_content_type(head: bytes) -> str | None:
    """The MIME type of a file from its first bytes (``None`` if unknown)."""
    kind = filetype.guess(head)
    if kind is not None:
        return kind.mime
    if head.startswith(OLE2_SIGNATURE):
        return "application/msword"
    return None


def validate_upload(upload, *, allowed: dict[str, str], max_bytes: int) -> str:
    """Check an ``UploadedFile`` against a size limit and the allowed content types.

    Inputs: the upload, ``allowed`` mapping MIME types to file extensions, ``max_bytes``.
    Output: the extension for the detected type. Raises ``ValidationError`` (Chinese
    message) for an empty, too large or disallowed file.
    """
    if upload is None or upload.size == 0:
        raise ValidationError(_("请选择要上传的文件。"))
    if upload.size > max_bytes:
        raise ValidationError(
            _("文件过大（%(size)s），不能超过%(max)s。")
            % {"size": filesizeformat(upload.size), "max": filesizeformat(max_bytes)}
        )
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    content_type = sniff_content_type(head)
    if content_type not in allowed:
        raise ValidationError(
            _("文件类型不符合要求，只接受：%(types)s。")
            % {"types": "、".join(sorted({ext.upper() for ext in allowed.values()}))}
        )
    return allowed[content_type]


def open_stored(field):
    """The open binary handle of a stored file (a ``FieldFile``), or ``Http404`` with
    “文件不存在。” when the row names a file that storage no longer holds (a restore without
    the media, a file removed by hand), instead of a server error (R-SC-26). Every download
    answers through :func:`qcportal.audit_events.file_response`, which opens files with this."""
    from django.http import Http404

    try:
        return field.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404(_("文件不存在。")) from None
