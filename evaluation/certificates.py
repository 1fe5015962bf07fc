"""Honour certificates anyone can verify (荣誉证书; issue 11 item 5; seed 002: Annex 1 and
Annex 4 data "是制作证书的依据").

- **Issue** (``certificates:issue``): for every published grade of the acting association's
  judging of a campaign and every honour it approved (rule R-CT-01), or for one approved
  honour. What a certificate states is frozen at issue: the circle and enterprise names
  exactly as in Annex 1/4 (the submission's seal name), the result, the honour, the campaign,
  the issuer and the date. Numbers are ``<issuer>-<year>-<sequence>-<check>``: sequential per
  issuer and year (counter row locked), with a random check part so that they cannot be
  guessed; unique in the database.
- **Verify** (rule R-CT-02): ``/verify/<number>`` is public and rate-limited; it shows what
  the certificate states, or that it was revoked, and nothing else — an unknown number
  reveals nothing. The QR code on the certificate (segno) holds that page's address.
- **Revoke and reissue** (rule R-CT-03): revocation is the ``revoke`` transition of
  ``CERTIFICATE_WORKFLOW`` (reason required, audited); a reissue revokes and issues a
  successor with a new number that ``replaces`` the old; revoking an honour revokes its
  certificates.
- **PDF and zip**: one A4 PDF per certificate (WeasyPrint); a campaign's certificates as one
  zip, made in the background by the exporter of the one registry
  (``reports.exporters.certificates``).
"""

from __future__ import annotations

import io
import secrets

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from circles.numbers import locked_sequence
from promotion.models import Campaign
from qcportal.conflicts import Conflict, conflict_for, register_conflict
from qcportal.pdf import html_to_pdf
from qcportal.permissions import require_permission

from .choices import CertificateStatus, HonourKind, HonourStatus, JudgingStatus
from .models import Certificate, Honour, Result

#: Letters of the check part (no 0/O, 1/I/L): four of them, 31⁴ ≈ 9 × 10⁵ guesses per number.
CHECK_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CHECK_LENGTH = 4
SEQUENCE_KIND = "certificate"

ALREADY_CERTIFIED = gettext_lazy("已有有效证书，未重复颁发；如需更正请换发。")
register_conflict("evaluation_cert_result_valid_uniq", ALREADY_CERTIFIED)
register_conflict("evaluation_cert_honour_valid_uniq", ALREADY_CERTIFIED)


def _numbers(issuer, year: int, count: int) -> list[str]:
    """``count`` new certificate numbers of ``issuer`` in ``year`` (inside the caller's
    transaction: the counter row stays locked until it commits)."""
    sequence = locked_sequence(organisation=issuer, kind=SEQUENCE_KIND, year=year)
    first = sequence.last + 1
    sequence.last += count
    sequence.save(update_fields=["last"])
    return [
        f"{issuer.code}-{year}-{n:05d}-{''.join(secrets.choice(CHECK_ALPHABET) for _ in range(CHECK_LENGTH))}"
        for n in range(first, first + count)
    ]


def _result_texts(result: Result) -> dict:
    """What a grade's certificate states, from the result's submission as in Annex 1/4."""
    submission = result.submission
    return {
        "recipient": submission.organisation,
        "holder": submission.circle.name,
        "enterprise_name": submission.seal_name or submission.organisation.name,
        "project_title": submission.project.title,
        "honour_text": result.grade.name,
        "campaign": result.judging.campaign,
        "campaign_title": result.judging.campaign.title,
        "year": result.judging.campaign.year,
    }


def _honour_texts(honour: Honour) -> dict:
    """What an honour's certificate states."""
    texts = {
        "recipient": honour.recipient,
        "enterprise_name": honour.recipient.name,
        "project_title": "",
        "honour_text": honour.title,
        "campaign": honour.campaign,
        "campaign_title": honour.campaign.title if honour.campaign_id else "",
        "year": honour.year,
    }
    if honour.kind == HonourKind.CIRCLE:
        texts["holder"] = honour.circle.name
        if honour.result_id:
            submission = honour.result.submission
            texts["enterprise_name"] = submission.seal_name or submission.organisation.name
            texts["project_title"] = submission.project.title
    elif honour.kind == HonourKind.ENTERPRISE:
        texts["holder"] = honour.recipient.name
    else:
        texts["holder"] = honour.person_name
    return texts


def _new(issuer, membership, texts: dict, number: str, **links) -> Certificate:
    return Certificate(
        organisation=issuer,
        number=number,
        issuer_name=issuer.name,
        issued_on=timezone.localdate(),
        created_by=membership.user,
        **texts,
        **links,
    )


def _results_of(issuer, campaign: Campaign) -> QuerySet[Result]:
    return Result._base_manager.filter(
        judging__campaign=campaign,
        judging__organisation=issuer,
        judging__status=JudgingStatus.PUBLISHED,
        grade__isnull=False,
    ).select_related(
        "grade", "judging__campaign", "submission__circle", "submission__project", "submission__organisation"
    )


def _honours_of(issuer, campaign: Campaign | None = None) -> QuerySet[Honour]:
    honours = Honour._base_manager.filter(organisation=issuer, status=HonourStatus.APPROVED)
    if campaign is not None:
        honours = honours.filter(campaign=campaign)
    return honours.select_related(
        "recipient",
        "circle",
        "campaign",
        "result__submission__organisation",
        "result__submission__project",
    )


def certificates_issue(*, membership, campaign: Campaign) -> int:
    """Issue the certificates of ``campaign`` the acting organisation still owes: one per
    published grade of its judging of the campaign (the circle's result) and one per honour
    it approved for the campaign (or its year) that does not rest on such a grade (rule
    R-CT-01). Idempotent: what already has a valid certificate is skipped.

    Input: the membership (``certificates:issue``), the campaign. Output: the number of
    certificates issued. Raises ``PermissionDenied``, ``ValidationError`` (Chinese) when there
    is nothing to certify, a ``Conflict`` when a simultaneous request issued them first."""
    require_permission(membership, "certificates:issue")
    issuer = membership.organisation
    # Whatever has a certificate, valid or revoked, is skipped: a revoked one is replaced by
    # 换发 only, never silently by a routine issue (rule R-CT-03).
    certified = Certificate._base_manager.all()
    results = list(
        _results_of(issuer, campaign).exclude(
            pk__in=certified.filter(result__isnull=False).values("result_id")
        )
    )
    graded = {r.pk for r in _results_of(issuer, campaign)}
    honours = [
        h
        for h in _honours_of(issuer, campaign).exclude(
            pk__in=certified.filter(honour__isnull=False).values("honour_id")
        )
        if h.result_id not in graded or h.result_id is None
    ]
    if not results and not honours:
        if not graded and not _honours_of(issuer, campaign).exists():
            raise ValidationError(_("本单位在该活动中还没有已发布的评审等级或已批准的表彰，无需颁发证书。"))
        return 0
    try:
        with transaction.atomic():
            numbers = iter(_numbers(issuer, campaign.year, len(results) + len(honours)))
            rows = [_new(issuer, membership, _result_texts(r), next(numbers), result=r) for r in results]
            rows += [_new(issuer, membership, _honour_texts(h), next(numbers), honour=h) for h in honours]
            Certificate.objects.bulk_create(rows)
    except IntegrityError as exc:
        raise (conflict_for(exc) or exc) from None
    return len(rows)


def certificate_issue_for_honour(*, membership, honour: Honour) -> Certificate:
    """Issue the certificate of one approved honour granted by the acting organisation (its
    grade's certificate when the honour rests on a published grade). Output: the
    certificate. Raises ``PermissionDenied``, ``ValidationError`` (not approved) or
    ``Conflict`` (already certified)."""
    require_permission(membership, "certificates:issue")
    if honour.organisation_id != membership.organisation_id:
        raise PermissionDenied(_("只能为本单位批准的表彰颁发证书。"))
    if honour.status != HonourStatus.APPROVED:
        raise ValidationError(_("表彰批准后才能颁发证书（R-CT-01）。"))
    existing = Certificate._base_manager.filter(
        Q(honour=honour) | (Q(result_id=honour.result_id) if honour.result_id else Q(pk__in=[]))
    ).order_by("-id")
    if existing.exists():
        raise Conflict(ALREADY_CERTIFIED, obj=existing.first())
    issuer = membership.organisation
    texts, links = _honour_texts(honour), {"honour": honour}
    if honour.result_id:  # the grade's certificate, linked to both (one certificate per grade)
        result = _results_of(issuer, honour.result.judging.campaign).filter(pk=honour.result_id).first()
        if result is None:
            raise ValidationError(_("该表彰所依据的评审结果已不再发布，不能颁发证书。"))
        texts, links = _result_texts(result), {"honour": honour, "result": result}
    try:
        with transaction.atomic():
            number = _numbers(issuer, texts["year"], 1)[0]
            certificate = _new(issuer, membership, texts, number, **links)
            certificate.save()
    except IntegrityError as exc:
        raise (conflict_for(exc) or exc) from None
    return certificate


def certificate_reissue(*, membership, certificate: Certificate, reason: str) -> Certificate:
    """Reissue a valid certificate (e.g. a corrected enterprise name): the ``revoke``
    transition with the reason, then a successor with a new number stating what the honour
    or grade states now, that ``replaces`` the old one (rule R-CT-03). One transaction.
    Output: the successor. Raises ``PermissionDenied`` or ``ValidationError`` (Chinese)."""
    from .workflow import CERTIFICATE_WORKFLOW

    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"comment": _("请填写换发原因。")})
    with transaction.atomic():
        old = CERTIFICATE_WORKFLOW.perform(
            certificate, "revoke", membership=membership, comment=_("换发新证书：%(r)s") % {"r": reason}
        )
        if old.result_id:
            result = (
                _results_of(old.organisation, old.result.judging.campaign).filter(pk=old.result_id).first()
            )
            if result is None:
                raise ValidationError(_("该证书所依据的评审结果已不再发布，不能换发；如需作废请撤销证书。"))
            texts, links = _result_texts(result), {"result": result}
            if old.honour_id:
                links["honour"] = old.honour
        else:
            honour = _honours_of(old.organisation).filter(pk=old.honour_id).first()
            if honour is None:
                raise ValidationError(_("该证书所依据的表彰已不再有效，不能换发；如需作废请撤销证书。"))
            texts, links = _honour_texts(honour), {"honour": honour}
        successor = _new(
            old.organisation, membership, texts, _numbers(old.organisation, old.year, 1)[0], **links
        )
        successor.replaces = old
        successor.save()
    return successor


def certificates_revoke_for(*, honour: Honour, membership, reason: str) -> int:
    """Revoke the valid certificates of a revoked honour (its own, and its grade's when it
    rests on one) through the ``revoke`` transition (rule R-CT-03). Called inside the
    honour's revocation. Output: how many were revoked."""
    from .workflow import CERTIFICATE_WORKFLOW

    condition = Q(honour=honour)
    if honour.result_id:
        condition |= Q(result_id=honour.result_id, organisation_id=honour.organisation_id)
    certificates = list(Certificate._base_manager.filter(condition, status=CertificateStatus.VALID))
    for certificate in certificates:
        CERTIFICATE_WORKFLOW.perform(
            certificate, "revoke", membership=membership, comment=_("表彰已撤销：%(r)s") % {"r": reason}
        )
    return len(certificates)


def certificate_list(*, membership) -> QuerySet[Certificate]:
    """The certificates the acting membership may see: those its subtree issued and those
    naming it or an organisation below it (never an ancestor's own), newest first."""
    path = membership.organisation.path
    return (
        Certificate.objects.filter(
            Q(organisation__path__startswith=path) | Q(recipient__path__startswith=path)
        )
        .select_related("organisation", "recipient", "campaign")
        .order_by("-year", "-id")
    )


def verify_url(certificate: Certificate) -> str:
    """The public verification address of ``certificate`` (``SITE_URL`` + ``/verify/<number>``)."""
    return settings.SITE_URL + reverse("verify:certificate", args=[certificate.number])


def certificate_qr_png(certificate: Certificate, scale: int = 8) -> bytes:
    """The QR code (segno, error correction M) of the verification address as PNG bytes."""
    import segno

    buffer = io.BytesIO()
    segno.make(verify_url(certificate), error="m").save(buffer, kind="png", scale=scale, border=2)
    return buffer.getvalue()


def certificate_pdf(certificate: Certificate) -> bytes:
    """The certificate as an A4 landscape PDF: the issuer, the holder, the enterprise, the
    result, the honour, the campaign, the date, the seal area, the number and the QR code."""
    import base64

    qr = "data:image/png;base64," + base64.b64encode(certificate_qr_png(certificate)).decode("ascii")
    return html_to_pdf(
        "evaluation/pdf/certificate.html",
        {"certificate": certificate, "qr": qr, "verify_url": verify_url(certificate)},
    )


def certificate_filename(certificate: Certificate) -> str:
    """E.g. ``荣誉证书_SAQ-2026-00012-K7PQ.pdf``."""
    return f"荣誉证书_{certificate.number}.pdf"


def verify_lookup(number: str) -> Certificate | None:
    """The certificate with ``number`` (any tenant: the verification page is public), or
    ``None`` for an unknown or malformed number (≤ 60 printable ASCII characters)."""
    if not number or len(number) > 60 or not number.isascii() or not number.isprintable():
        return None
    found = Certificate._base_manager.filter(number=number).first()
    if found is None and number != number.upper():  # typed by hand in lower case
        found = Certificate._base_manager.filter(number=number.upper()).first()
    return found
