"""Writes of announcements (通知公告, issue 7 item 10): an association's staff create, edit,
publish and unpublish them, and attach or remove files (PDF, Word, Excel ≤ 20 MB).

Every function takes the acting membership (never a request), checks ``campaigns:manage``,
works only on the acting association's own announcements and runs in one transaction.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qcportal.permissions import require_permission
from qcportal.text import clean_text
from qcportal.uploads import validate_upload

from .models import Announcement, AnnouncementAttachment, Campaign
from .selectors import lineage_codes

#: Attachment types of an announcement, sniffed from the bytes (``qcportal.uploads``): PDF,
#: Word (.doc/.docx) and Excel (.xls/.xlsx; a legacy .xls is OLE2 like a .doc).
ANNOUNCEMENT_ATTACHMENT_TYPES = {
    "application/pdf": "pdf",
    "application/msword": "doc",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
}
#: Largest attachment: 20 MB.
ANNOUNCEMENT_ATTACHMENT_MAX_BYTES = 20 * 1024 * 1024
#: Attachments per announcement.
ANNOUNCEMENT_ATTACHMENTS_MAX = 20

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "doc": "application/msword",
    "xls": "application/vnd.ms-excel",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _require_own(membership, announcement: Announcement) -> None:
    """``campaigns:manage`` and the announcement belongs to the acting association."""
    require_permission(membership, "campaigns:manage")
    if announcement.organisation_id != membership.organisation_id:
        raise PermissionDenied(_("只能管理本协会发布的通知公告。"))


def _fields(membership, *, title, document_number, body, campaign) -> dict:
    """Cleaned fields (Chinese ``ValidationError`` per field): title ≤ 200 characters on one
    line, document number ≤ 60, body ≤ 20,000; the campaign must be the acting association's
    or one above it (a provincial notice may relay the national campaign)."""
    values = {
        "title": clean_text(title, field="title", max_length=200, label=_("标题"), multiline=False),
        "document_number": clean_text(
            document_number, field="document_number", max_length=60, label=_("文号"), multiline=False
        ),
        "body": clean_text(body, field="body", max_length=20000, label=_("正文")),
        "campaign": campaign,
    }
    if not values["title"]:
        raise ValidationError({"title": _("请填写标题。")})
    if campaign is not None:
        allowed = lineage_codes(membership.organisation)
        if not Campaign.objects.filter(pk=campaign.pk, organisation__code__in=allowed).exists():
            raise ValidationError({"campaign": _("只能关联本协会或上级协会的年度活动。")})
    return values


@transaction.atomic
def announcement_create(
    *,
    membership,
    title: str,
    document_number: str = "",
    body: str = "",
    campaign: Campaign | None = None,
    pinned: bool = False,
    attachments=(),
    publish: bool = False,
) -> Announcement:
    """Create an announcement of the acting association (a draft unless ``publish``).

    Inputs: the membership (``campaigns:manage``), the texts, an optional campaign, the pinned
    flag and uploaded files (see :func:`announcement_attachment_add`). Output: the new
    announcement. Raises ``PermissionDenied`` or ``ValidationError`` (Chinese); nothing is
    saved when any file is refused.
    """
    require_permission(membership, "campaigns:manage")
    values = _fields(membership, title=title, document_number=document_number, body=body, campaign=campaign)
    announcement = Announcement.objects.create(
        organisation=membership.organisation,
        created_by=membership.user,
        pinned=bool(pinned),
        published_at=timezone.now() if publish else None,
        **values,
    )
    for upload in attachments or ():
        announcement_attachment_add(membership=membership, announcement=announcement, upload=upload)
    return announcement


@transaction.atomic
def announcement_update(
    *,
    membership,
    announcement: Announcement,
    title: str,
    document_number: str = "",
    body: str = "",
    campaign: Campaign | None = None,
    pinned: bool = False,
    attachments=(),
) -> Announcement:
    """Edit an announcement of the acting association and add files to it.

    Inputs and errors as :func:`announcement_create`; publication is left as it is
    (:func:`announcement_publish`). Output: the saved announcement.
    """
    _require_own(membership, announcement)
    values = _fields(membership, title=title, document_number=document_number, body=body, campaign=campaign)
    for key, value in values.items():
        setattr(announcement, key, value)
    announcement.pinned = bool(pinned)
    announcement.save()
    for upload in attachments or ():
        announcement_attachment_add(membership=membership, announcement=announcement, upload=upload)
    return announcement


@transaction.atomic
def announcement_publish(*, membership, announcement: Announcement) -> Announcement:
    """Publish an announcement (its subtree then reads it); the publication time is now.
    Raises ``PermissionDenied``, or ``ValidationError`` when it is already published."""
    _require_own(membership, announcement)
    if announcement.published_at is not None:
        raise ValidationError(_("该通知公告已发布。"))
    announcement.published_at = timezone.now()
    announcement.save(update_fields=["published_at"])
    return announcement


@transaction.atomic
def announcement_unpublish(*, membership, announcement: Announcement) -> Announcement:
    """Withdraw a published announcement back to a draft (only its association's staff read
    it). Raises ``PermissionDenied``, or ``ValidationError`` when it is a draft."""
    _require_own(membership, announcement)
    if announcement.published_at is None:
        raise ValidationError(_("该通知公告尚未发布。"))
    announcement.published_at = None
    announcement.save(update_fields=["published_at"])
    return announcement


@transaction.atomic
def announcement_attachment_add(*, membership, announcement: Announcement, upload) -> AnnouncementAttachment:
    """Attach a file to an announcement: PDF, Word or Excel, at most 20 MB, the type checked
    from the file's bytes (not its name), at most 20 files per announcement.

    Output: the attachment (titled with the file's name). Raises ``PermissionDenied`` or
    ``ValidationError`` with a Chinese message naming the accepted types or the size limit.
    """
    _require_own(membership, announcement)
    if announcement.attachments.count() >= ANNOUNCEMENT_ATTACHMENTS_MAX:
        raise ValidationError(_("每条通知公告最多%(n)s个附件。") % {"n": ANNOUNCEMENT_ATTACHMENTS_MAX})
    try:
        extension = validate_upload(
            upload, allowed=ANNOUNCEMENT_ATTACHMENT_TYPES, max_bytes=ANNOUNCEMENT_ATTACHMENT_MAX_BYTES
        )
    except ValidationError as exc:
        raise ValidationError({"attachments": exc.messages}) from None
    name = clean_text(
        getattr(upload, "name", "") or "",
        field="attachments",
        max_length=200,
        label=_("文件名"),
        multiline=False,
    )
    name = name.rsplit("/", 1)[-1].rsplit("\\", 1)[-1] or f"附件.{extension}"
    if extension == "doc" and name.lower().endswith(".xls"):
        extension = "xls"  # OLE2 holds both legacy Word and Excel files
    attachment = AnnouncementAttachment(
        announcement=announcement, title=name, position=announcement.attachments.count()
    )
    attachment.file.save(
        f"公告{announcement.pk}_{timezone.now():%Y%m%d%H%M%S%f}.{extension}", upload, save=False
    )
    attachment.save()
    return attachment


@transaction.atomic
def announcement_attachment_delete(*, membership, attachment: AnnouncementAttachment) -> None:
    """Remove an attachment of the acting association's announcement; its file leaves storage
    once the deletion commits (``qcportal.files``, R-SC-35). Raises ``PermissionDenied``."""
    _require_own(membership, attachment.announcement)
    attachment.delete()


def attachment_content_type(attachment: AnnouncementAttachment) -> str:
    """The MIME type of a stored attachment from its extension (for the download)."""
    extension = attachment.file.name.rsplit(".", 1)[-1].lower()
    return CONTENT_TYPES.get(extension, "application/octet-stream")
