"""Pages of result presentation conferences (成果发表会; issue 11 item 2; seed 001 §7.5.2;
seed 002 Annex 3): the conferences an organisation hosts or may sign up for; the host
announces one for its campaign and records the day; enterprises sign their circles' results
up; the host chooses the presenters on each sign-up's page (the workflow mechanism)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import ListView, TemplateView

from promotion.conferences import (
    CONFERENCE_FIELDS,
    conference_campaigns,
    conference_is_open,
    conference_list,
    conference_save,
)
from promotion.models import Campaign, PresentationConference
from qcportal.actions import apply_errors
from qcportal.choices import ASSOCIATION_KINDS
from qcportal.forms_base import BootstrapFormMixin, DateInput
from qcportal.pagination import PaginatedListMixin
from qcportal.permissions import MembershipRequiredMixin, has_permission
from qcportal.workflow_views import WorkflowPageMixin

from .conferences import presentable_projects, signup_create, signup_list
from .models import ConferenceSignUp
from .workflow import SIGNUP_WORKFLOW


class ConferenceForm(BootstrapFormMixin, forms.ModelForm):
    """What the host announces and records (:data:`promotion.conferences.CONFERENCE_FIELDS`)."""

    class Meta:
        model = PresentationConference
        fields = CONFERENCE_FIELDS
        widgets = {
            "held_on": DateInput(),
            "signup_deadline": DateInput(),
        }
        help_texts = {
            "held": gettext_lazy("计入质量管理小组活动统计表（附件3）“是否组织发表会”。"),
            "attendance": gettext_lazy("发表会结束后填写实际参会人数（附件3）。"),
        }


class SignUpForm(BootstrapFormMixin, forms.Form):
    """An enterprise's sign-up: one of its presentable projects and the presenter."""

    project = forms.ModelChoiceField(label=gettext_lazy("课题成果"), queryset=None)
    presenter = forms.CharField(label=gettext_lazy("发表人"), max_length=50)

    def __init__(self, *args, membership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["project"].queryset = presentable_projects(membership=membership)
        self.fields["project"].label_from_instance = lambda p: f"{p.circle.name} · {p.title}"


def _conference(pk: int) -> PresentationConference:
    conference = conference_list().filter(pk=pk).first()
    if conference is None:
        raise Http404
    return conference


class ConferenceListView(MembershipRequiredMixin, PaginatedListMixin, ListView):
    """The conferences visible to the acting organisation (its own, those above it), with
    their Annex 3 figures, and for a host the campaigns it may announce one for."""

    permission_required = "campaigns:view"
    template_name = "evaluation/conference_list.html"
    context_object_name = "conferences"

    def get_queryset(self):
        return conference_list()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        membership = self.request.membership
        if (
            has_permission(membership, "campaigns:manage")
            and membership.organisation.kind in ASSOCIATION_KINDS
        ):
            context["campaigns"] = conference_campaigns(membership=membership)
        return context


class ConferenceFormView(MembershipRequiredMixin, TemplateView):
    """GET: the host's form (new: ``?campaign=<code>``, or of conference ``pk``); POST: save
    through :func:`promotion.conferences.conference_save` (refusals re-render, 400)."""

    permission_required = "campaigns:manage"
    template_name = "evaluation/conference_form.html"

    def get_objects(self) -> tuple[Campaign, PresentationConference | None]:
        membership = self.request.membership
        if "pk" in self.kwargs:
            conference = _conference(self.kwargs["pk"])
            if conference.organisation_id != membership.organisation_id:
                raise Http404
            return conference.campaign, conference
        code = self.request.GET.get("campaign", "")[:40]
        campaign = conference_campaigns(membership=membership).filter(code=code).first()
        if campaign is None:
            raise Http404
        return campaign, None

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        campaign, conference = self.get_objects()
        context.update(
            campaign=campaign,
            conference=conference,
            form=form
            or ConferenceForm(
                instance=conference, initial=None if conference else {"title": f"{campaign.title}成果发表会"}
            ),
        )
        return context

    def post(self, request, *args, **kwargs):
        """Save and go to the conference's page."""
        campaign, conference = self.get_objects()
        form = ConferenceForm(request.POST, instance=PresentationConference(campaign=campaign))
        if form.is_valid():
            try:
                saved = conference_save(
                    membership=request.membership,
                    campaign=campaign,
                    conference=conference,
                    data=form.cleaned_data,
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("已保存成果发表会。"))
                return redirect("evaluation:conference-detail", saved.pk)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class ConferenceDetailView(MembershipRequiredMixin, TemplateView):
    """A conference: date, place, deadline, the Annex 3 figures counted from the sign-ups;
    the sign-ups visible to the acting organisation (all for the host, its own for an
    enterprise) with links to their pages; an enterprise's sign-up form while open."""

    permission_required = "campaigns:view"
    template_name = "evaluation/conference_detail.html"

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        membership = self.request.membership
        conference = _conference(self.kwargs["pk"])
        can_sign_up = has_permission(membership, "campaigns:sign_up") and conference_is_open(conference)
        context.update(
            conference=conference,
            signups=signup_list(conference=conference),
            is_host=conference.organisation_id == membership.organisation_id
            and has_permission(membership, "campaigns:manage"),
            is_open=conference_is_open(conference),
            # a refused sign-up keeps its form, with the reason, even once sign-ups closed
            form=form if form is not None else (SignUpForm(membership=membership) if can_sign_up else None),
        )
        return context

    def post(self, request, *args, **kwargs):
        """Sign a project up (:func:`evaluation.conferences.signup_create`)."""
        conference = _conference(self.kwargs["pk"])
        form = SignUpForm(request.POST, membership=request.membership)
        if form.is_valid():
            try:
                signup_create(
                    membership=request.membership,
                    conference=conference,
                    project=form.cleaned_data["project"],
                    presenter=form.cleaned_data["presenter"],
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("已报名成果发表会。"))
                return redirect("evaluation:conference-detail", conference.pk)
        if not has_permission(request.membership, "campaigns:sign_up"):
            raise Http404
        return self.render_to_response(self.get_context_data(form=form), status=400)


class SignUpDetailView(WorkflowPageMixin, MembershipRequiredMixin, TemplateView):
    """A sign-up with its state and the transitions the acting membership may take (安排发表,
    取消发表安排 for the host; 撤回报名 for the enterprise) and its history."""

    permission_required = "campaigns:view"
    template_name = "evaluation/conference_signup.html"
    workflow = SIGNUP_WORKFLOW

    def get_workflow_object(self):
        signup = (
            ConferenceSignUp.objects.select_related(
                "conference__campaign", "conference__organisation", "circle", "project"
            )
            .filter(pk=self.kwargs["pk"])
            .first()
        )
        if signup is None:
            raise Http404
        return signup

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        signup = self.get_workflow_object()
        context.update(
            signup=signup,
            **self.workflow_context(
                signup,
                failed=kwargs.get("workflow_failed"),
                data=kwargs.get("workflow_data"),
                errors=kwargs.get("workflow_errors"),
            ),
        )
        return context
