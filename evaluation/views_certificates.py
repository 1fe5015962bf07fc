"""Pages of honour certificates (荣誉证书; issue 11 item 5): the certificates an organisation
issued or received, issuing a campaign's or an honour's, a certificate's page (PDF, QR code,
revocation through the workflow mechanism, reissue), and the public, rate-limited
verification page ``/verify/<number>``. The rules live in :mod:`evaluation.certificates`."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import ListView, TemplateView
from django_ratelimit.decorators import ratelimit

from promotion.models import Campaign
from qcportal.actions import error_text
from qcportal.audit_events import file_response
from qcportal.conflicts import AlreadyDone
from qcportal.forms_base import BootstrapFormMixin
from qcportal.pagination import PaginatedListMixin
from qcportal.permissions import MembershipRequiredMixin, has_permission
from qcportal.workflow_views import WorkflowPageMixin

from .certificates import (
    certificate_filename,
    certificate_issue_for_honour,
    certificate_list,
    certificate_pdf,
    certificate_qr_png,
    certificate_reissue,
    certificates_issue,
    verify_lookup,
    verify_url,
)
from .choices import CertificateStatus, JudgingStatus
from .honours import honour_list
from .models import Certificate, Judging
from .workflow import CERTIFICATE_WORKFLOW


class ReissueForm(BootstrapFormMixin, forms.Form):
    """Why a certificate is reissued (required)."""

    reason = forms.CharField(
        label=gettext_lazy("换发原因"), max_length=300, help_text=gettext_lazy("如：企业更名，按公章名称更正")
    )


def _certificate(pk: int, membership) -> Certificate:
    certificate = certificate_list(membership=membership).filter(pk=pk).first()
    if certificate is None:
        raise Http404
    return certificate


def _issuable_campaigns(membership):
    """The campaigns whose published grades the acting association judged (newest first)."""
    return Campaign.objects.filter(
        pk__in=Judging.objects.filter(
            organisation_id=membership.organisation_id, status=JudgingStatus.PUBLISHED
        ).values("campaign_id")
    ).order_by("-year")


class CertificateListView(MembershipRequiredMixin, PaginatedListMixin, ListView):
    """The certificates issued by the acting organisation's subtree or naming it
    (``?campaign=`` code, ``?status=``); for an issuer, the campaigns to issue certificates
    for and the button that makes a campaign's certificates into one zip in the
    background."""

    permission_required = "honours:view"
    template_name = "evaluation/certificate_list.html"
    context_object_name = "certificates"

    def get_queryset(self):
        queryset = certificate_list(membership=self.request.membership)
        code = self.request.GET.get("campaign", "")[:40]
        if code:
            queryset = queryset.filter(campaign__code=code)
        if self.request.GET.get("status") in CertificateStatus.values:
            queryset = queryset.filter(status=self.request.GET["status"])
        return queryset

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        membership = self.request.membership
        can_issue = has_permission(membership, "certificates:issue")
        context.update(
            can_issue=can_issue,
            campaigns=_issuable_campaigns(membership) if can_issue else [],
            can_zip=has_permission(membership, "reports:export") and can_issue,
            statuses=CertificateStatus.choices,
        )
        return context


class CertificatesIssueView(MembershipRequiredMixin, View):
    """POST ``campaign``: issue the campaign's certificates the acting organisation owes."""

    permission_required = "certificates:issue"
    http_method_names = ["post"]

    def post(self, request):
        campaign = (
            _issuable_campaigns(request.membership).filter(code=request.POST.get("campaign", "")[:40]).first()
        )
        if campaign is None:
            raise Http404
        try:
            n = certificates_issue(membership=request.membership, campaign=campaign)
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            if n:
                messages.success(request, _("已颁发 %(n)d 张证书。") % {"n": n})
            else:
                messages.info(request, _("该活动的证书均已颁发，无需重复颁发。"))
        return redirect(f"{reverse('evaluation:certificate-list')}?campaign={campaign.code}")


class HonourCertificateView(MembershipRequiredMixin, View):
    """POST: issue the certificate of one approved honour (its page)."""

    permission_required = "certificates:issue"
    http_method_names = ["post"]

    def post(self, request, pk):
        honour = honour_list(membership=request.membership).filter(pk=pk).first()
        if honour is None:
            raise Http404
        try:
            certificate = certificate_issue_for_honour(membership=request.membership, honour=honour)
        except AlreadyDone as exc:
            messages.info(request, error_text(exc))
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _("已颁发证书 %(n)s。") % {"n": certificate.number})
            return redirect("evaluation:certificate-detail", certificate.pk)
        return redirect("evaluation:honour-detail", honour.pk)


class CertificateDetailView(WorkflowPageMixin, MembershipRequiredMixin, TemplateView):
    """A certificate: what it states, its number and QR code, its state (撤销 through the
    workflow mechanism), the reissue form, its history, and what it replaced or was
    replaced by."""

    permission_required = "honours:view"
    template_name = "evaluation/certificate_detail.html"
    workflow = CERTIFICATE_WORKFLOW

    def get_workflow_object(self):
        return _certificate(self.kwargs["pk"], self.request.membership)

    def get_context_data(self, reissue_form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        certificate = self.get_workflow_object()
        membership = self.request.membership
        can_reissue = (
            certificate.status == CertificateStatus.VALID
            and certificate.organisation_id == membership.organisation_id
            and has_permission(membership, "certificates:issue")
        )
        context.update(
            certificate=certificate,
            verify_url=verify_url(certificate),
            successor=Certificate.objects.filter(replaces=certificate).first(),
            reissue_form=(reissue_form or ReissueForm()) if can_reissue else None,
            **self.workflow_context(
                certificate,
                failed=kwargs.get("workflow_failed"),
                data=kwargs.get("workflow_data"),
                errors=kwargs.get("workflow_errors"),
            ),
        )
        return context


class CertificateReissueView(CertificateDetailView):
    """POST ``reason``: revoke the certificate and issue its successor (rule R-CT-03)."""

    http_method_names = ["post"]
    permission_required = "certificates:issue"

    def post(self, request, *args, **kwargs):
        certificate = self.get_workflow_object()
        form = ReissueForm(request.POST)
        if form.is_valid():
            try:
                successor = certificate_reissue(
                    membership=request.membership, certificate=certificate, reason=form.cleaned_data["reason"]
                )
            except ValidationError as exc:
                messages.error(request, error_text(exc))
            else:
                messages.success(request, _("已换发新证书 %(n)s，原证书已撤销。") % {"n": successor.number})
                return redirect("evaluation:certificate-detail", successor.pk)
        return self.render_to_response(self.get_context_data(reissue_form=form), status=400)


class CertificateFileView(MembershipRequiredMixin, View):
    """GET: the certificate as PDF (``kind`` ``pdf``) or its QR code as PNG (``qr``); the
    download is recorded."""

    permission_required = "honours:view"

    def get(self, request, pk, kind):
        import io

        certificate = _certificate(pk, request.membership)
        if kind == "pdf":
            content, name, mime = (
                certificate_pdf(certificate),
                certificate_filename(certificate),
                "application/pdf",
            )
        elif kind == "qr":
            content, name, mime = certificate_qr_png(certificate), f"{certificate.number}.png", "image/png"
        else:
            raise Http404
        return file_response(
            request,
            certificate,
            io.BytesIO(content),
            filename=name,
            kind=f"certificate_{kind}",
            content_type=mime,
        )


@method_decorator(
    ratelimit(key="ip", rate=settings.RATE_LIMITS["verify"], method=ratelimit.ALL, block=True), name="get"
)
class VerifyView(View):
    """The public verification page ``/verify/<number>`` (rule R-CT-02): no login; what the
    certificate states and whether it is valid or revoked (with the date), nothing else; an
    unknown or malformed number answers 404 with the same page for every such number;
    rate-limited per address (429 beyond ``RATE_LIMIT_VERIFY``)."""

    def get(self, request, number):
        certificate = verify_lookup(number)
        if certificate is None:
            return render(request, "evaluation/verify.html", {"certificate": None}, status=404)
        return render(
            request,
            "evaluation/verify.html",
            {
                "certificate": certificate,
                "revoked": certificate.status == CertificateStatus.REVOKED,
                "reissued": Certificate._base_manager.filter(replaces=certificate).exists(),
            },
        )


@ratelimit(key="ip", rate=settings.RATE_LIMITS["verify"], method=ratelimit.ALL, block=True)
def verify_home(request) -> HttpResponse:
    """``/verify/``: the form to type a certificate's number; ``?number=`` goes to its page
    (a number that cannot be one answers the same 404 page as an unknown one)."""
    number = (request.GET.get("number") or "").strip()
    if number:
        if len(number) > 60 or not number.isascii() or not number.isprintable() or "/" in number:
            return render(request, "evaluation/verify.html", {"certificate": None}, status=404)
        return redirect("verify:certificate", number=number)
    return render(request, "evaluation/verify.html", {"certificate": None, "ask": True})
