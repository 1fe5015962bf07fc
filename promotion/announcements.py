"""HTML views of announcements (通知公告, issue 7 item 10): the list and detail pages every
role with ``campaigns:view`` reads, the create/edit form and publish/unpublish actions of an
association's staff (``campaigns:manage``), and attachment downloads served through a view
that checks visibility (never a public media URL).

Reads go through :mod:`promotion.selectors` (``announcement_list``: the lineage above the
acting organisation, drafts only for their association's staff), writes through
:mod:`promotion.services_announcements`.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, ListView, TemplateView

from qcportal.actions import ObjectActionView, apply_errors
from qcportal.audit_events import file_response
from qcportal.forms_base import BootstrapFormMixin, MultipleFileField
from qcportal.pagination import PaginatedListMixin
from qcportal.permissions import MembershipRequiredMixin, has_permission
from qcportal.text import CleanCharField

from . import services_announcements as services
from .models import Announcement, AnnouncementAttachment, Campaign
from .selectors import announcement_attachment_get, announcement_get, announcement_list, lineage_codes

MANAGE = "campaigns:manage"
VIEW = "campaigns:view"


class AnnouncementForm(BootstrapFormMixin, forms.Form):
    """An announcement: title, document number, body, campaign, pinned flag and new files.

    Input: ``campaigns`` — the campaigns the acting association may tie it to (its own and
    those above it). Lengths are the model's; NUL/control characters are refused (Chinese).
    """

    title = CleanCharField(label=gettext_lazy("标题"), max_length=200)
    document_number = CleanCharField(label=gettext_lazy("文号"), max_length=60, required=False)
    campaign = forms.ModelChoiceField(
        label=gettext_lazy("关联年度活动"), queryset=Campaign.objects.none(), required=False
    )
    body = CleanCharField(
        label=gettext_lazy("正文"),
        max_length=20000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 10}),
    )
    pinned = forms.BooleanField(label=gettext_lazy("置顶"), required=False)
    attachments = MultipleFileField(
        label=gettext_lazy("附件"),
        required=False,
        help_text=gettext_lazy("PDF、Word或Excel文件，每个不超过20MB。"),
    )

    def __init__(self, *args, campaigns=None, **kwargs):
        super().__init__(*args, **kwargs)
        if campaigns is not None:
            self.fields["campaign"].queryset = campaigns
        self.fields["attachments"].widget.attrs["accept"] = ".pdf,.doc,.docx,.xls,.xlsx"


def _campaign_choices(membership):
    """Campaigns an announcement of the acting association may be tied to."""
    return Campaign.objects.filter(organisation__code__in=lineage_codes(membership.organisation)).order_by(
        "-year", "code"
    )


def _own_announcement(request, pk) -> Announcement:
    """The acting association's own announcement ``pk`` (drafts included), or 404."""
    announcement = (
        Announcement.objects.filter(pk=pk, organisation_id=request.membership.organisation_id)
        .prefetch_related("attachments")
        .first()
    )
    if announcement is None:
        raise Http404
    return announcement


class AnnouncementListView(MembershipRequiredMixin, PaginatedListMixin, ListView):
    """The announcements the acting membership may read, pinned first, 20 a page."""

    permission_required = VIEW
    template_name = "promotion/announcement_list.html"
    context_object_name = "announcements"
    paginate_by = 20

    def get_queryset(self):
        return announcement_list(membership=self.request.membership)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_manage"] = has_permission(self.request.membership, MANAGE)
        return context


class AnnouncementDetailView(MembershipRequiredMixin, TemplateView):
    """One readable announcement with its attachments (404 for a sibling's or a draft)."""

    permission_required = VIEW
    template_name = "promotion/announcement_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        membership = self.request.membership
        try:
            announcement = announcement_get(membership=membership, pk=self.kwargs["pk"])
        except Announcement.DoesNotExist:
            raise Http404 from None
        context["announcement"] = announcement
        context["can_manage"] = (
            has_permission(membership, MANAGE) and announcement.organisation_id == membership.organisation_id
        )
        return context


class AnnouncementFormView(MembershipRequiredMixin, FormView):
    """Create (no ``pk``) or edit the acting association's announcement; a new one is saved as
    a draft, or published at once with the 「保存并发布」 button (``publish``)."""

    permission_required = MANAGE
    template_name = "promotion/announcement_form.html"
    form_class = AnnouncementForm

    def dispatch(self, request, *args, **kwargs):
        self.announcement = None
        membership = getattr(request, "membership", None)
        if request.user.is_authenticated and "pk" in kwargs and has_permission(membership, MANAGE):
            self.announcement = _own_announcement(request, kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = {**super().get_form_kwargs(), "campaigns": _campaign_choices(self.request.membership)}
        if self.announcement is not None:
            a = self.announcement
            kwargs["initial"] = {
                "title": a.title,
                "document_number": a.document_number,
                "campaign": a.campaign_id,
                "body": a.body,
                "pinned": a.pinned,
            }
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["announcement"] = self.announcement
        return context

    def form_valid(self, form):
        data = form.cleaned_data
        fields = {
            "title": data["title"],
            "document_number": data["document_number"],
            "body": data["body"],
            "campaign": data["campaign"],
            "pinned": data["pinned"],
            "attachments": data["attachments"],
        }
        try:
            with transaction.atomic():
                if self.announcement is None:
                    announcement = services.announcement_create(
                        membership=self.request.membership, publish="publish" in self.request.POST, **fields
                    )
                else:
                    announcement = services.announcement_update(
                        membership=self.request.membership, announcement=self.announcement, **fields
                    )
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("已保存通知公告：%(title)s") % {"title": announcement.title})
        return redirect("promotion:announcement-detail", pk=announcement.pk)


class AnnouncementPublishView(ObjectActionView):
    """POST: publish (``publish``) or withdraw (``unpublish``) the acting association's
    announcement."""

    permission_required = MANAGE
    model = Announcement
    action = "publish"

    def get_object(self):
        return _own_announcement(self.request, self.kwargs["pk"])

    def perform(self, announcement):
        if self.action == "publish":
            services.announcement_publish(membership=self.request.membership, announcement=announcement)
            return _("已发布：%(title)s") % {"title": announcement.title}
        services.announcement_unpublish(membership=self.request.membership, announcement=announcement)
        return _("已撤回发布：%(title)s") % {"title": announcement.title}

    def redirect_to(self, announcement):
        return redirect("promotion:announcement-detail", pk=announcement.pk)


class AnnouncementAttachmentDeleteView(ObjectActionView):
    """POST: remove an attachment of the acting association's announcement."""

    permission_required = MANAGE
    model = AnnouncementAttachment

    def get_object(self):
        attachment = (
            AnnouncementAttachment.objects.select_related("announcement")
            .filter(
                pk=self.kwargs["pk"], announcement__organisation_id=self.request.membership.organisation_id
            )
            .first()
        )
        if attachment is None:
            raise Http404
        return attachment

    def perform(self, attachment):
        services.announcement_attachment_delete(membership=self.request.membership, attachment=attachment)
        return _("已删除附件：%(title)s") % {"title": attachment.title}

    def redirect_to(self, attachment):
        return redirect("promotion:announcement-edit", pk=attachment.announcement_id)


class AnnouncementAttachmentDownloadView(MembershipRequiredMixin, TemplateView):
    """GET: stream an attachment of a readable announcement (404 otherwise: a draft's for
    anyone but its association's staff, a sibling province's for everyone)."""

    permission_required = VIEW

    def get(self, request, *args, **kwargs):
        try:
            attachment = announcement_attachment_get(membership=request.membership, pk=kwargs["pk"])
        except AnnouncementAttachment.DoesNotExist:
            raise Http404 from None
        return file_response(
            request,
            attachment,
            attachment.file,
            filename=attachment.title,
            kind="announcement_attachment",
            content_type=services.attachment_content_type(attachment),
        )
