"""HTML views of the promotion app: campaigns (configuration, stage calendar, extensions,
sign-up; issue 7) and the promotion structure (推进组织)."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import ListView, TemplateView

from qcportal.actions import ObjectActionView, apply_errors
from qcportal.choices import OrganisationKind
from qcportal.forms_base import BootstrapFormMixin, DateInput
from qcportal.models import Organisation
from qcportal.pagination import PaginatedListMixin
from qcportal.permissions import MembershipRequiredMixin, has_permission
from qcportal.roles import Layer
from qcportal.workflow_views import WorkflowPageMixin

from . import selectors, services, structure
from .choices import CampaignStatus, StageKind
from .forms import CampaignForm, EntryForm, ExtensionForm, StageCalendarForm
from .models import Campaign, StageExtension, StructureMember
from .selectors import campaign_list
from .windows import window_refusal
from .workflow import CAMPAIGN_WORKFLOW


class CampaignListView(MembershipRequiredMixin, PaginatedListMixin, ListView):
    """The campaigns visible to the acting organisation (its own, its ancestors', its subtree's)."""

    permission_required = "campaigns:view"
    template_name = "promotion/campaign_list.html"
    context_object_name = "campaigns"
    paginate_by = 25

    def get_queryset(self):
        return campaign_list()


class CampaignDetailView(WorkflowPageMixin, MembershipRequiredMixin, TemplateView):
    """One campaign: its information, the stage calendar as a timeline with the current
    stage and the next deadline (seed 003 二、活动安排), domains, quotas, co-building and
    fallback units; the workflow's transitions (发布活动, 结束活动, 重新开放) for the owning
    association's staff; extensions (延期: all for the staff, its own for an organisation);
    sign-ups (an enterprise's own with the sign-up button, a unit's enterprises, the
    association's with counts per unit)."""

    permission_required = "campaigns:view"
    template_name = "promotion/campaign_detail.html"
    workflow = CAMPAIGN_WORKFLOW

    def get_workflow_object(self):
        try:
            return (
                campaign_list()
                .select_related("parent", "fallback_unit")
                .prefetch_related("stages", "domains", "co_building_units")
                .get(code=self.kwargs["code"][:40])
            )
        except Campaign.DoesNotExist:
            raise Http404 from None

    def get_context_data(
        self, workflow_failed=None, workflow_data=None, workflow_errors=None, extension_form=None, **kwargs
    ):
        context = super().get_context_data(**kwargs)
        campaign = self.get_workflow_object()
        membership = self.request.membership
        today = timezone.localdate()
        is_manager = membership.organisation_id == campaign.organisation_id and has_permission(
            membership, "campaigns:manage", campaign
        )
        current = campaign.current_stage(today)
        deadline = campaign.next_deadline(today)
        kind = membership.organisation.kind
        context.update(
            campaign=campaign,
            today=today,
            stages=sorted(campaign.stages.all(), key=lambda s: (s.starts_on, s.pk)),
            current_stage=current,
            next_deadline=deadline,
            days_left=(deadline[1] - today).days if deadline else None,
            is_manager=is_manager,
            extensions=selectors.extension_list(campaign=campaign, membership=membership),
            extension_form=extension_form
            or (ExtensionForm(association=campaign.organisation) if is_manager else None),
            **self.workflow_context(
                campaign, failed=workflow_failed, data=workflow_data, errors=workflow_errors
            ),
        )
        if is_manager or kind == OrganisationKind.RECOMMENDING_UNIT:
            context["show_entries"] = True
            context["entries"] = selectors.entry_list(campaign=campaign, membership=membership)
        if is_manager:
            context["entry_counts"] = selectors.entry_counts_by_unit(campaign=campaign)
        if kind == OrganisationKind.ENTERPRISE:
            context["my_entry"] = selectors.entry_of(
                campaign=campaign, organisation_id=membership.organisation_id
            )
            context["can_sign_up"] = (
                has_permission(membership, "campaigns:sign_up", campaign)
                and campaign.status == CampaignStatus.OPEN
            )
            context["sign_up_refusal"] = window_refusal(
                campaign=campaign, stage=StageKind.REGISTRATION, organisation_id=membership.organisation_id
            )
        return context


def _manage_get(request, code) -> Campaign:
    """The acting association's own campaign ``code`` (404 otherwise)."""
    try:
        return selectors.campaign_get_for_manage(membership=request.membership, code=code)
    except Campaign.DoesNotExist:
        raise Http404 from None


class CampaignFormView(MembershipRequiredMixin, TemplateView):
    """Create (``code`` absent) or edit a campaign of the acting association (issue 7,
    item 1). A new campaign is a draft (筹备中) with the five domains of seed 003 一、3
    prefilled; errors are shown inline (status 400)."""

    permission_required = "campaigns:manage"
    template_name = "promotion/campaign_form.html"

    def get_campaign(self):
        code = self.kwargs.get("code")
        return _manage_get(self.request, code) if code else None

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        campaign = self.get_campaign()
        association = campaign.organisation if campaign else self.request.membership.organisation
        if form is None:
            initial = CampaignForm.initial_for(campaign) if campaign else {}
            form = CampaignForm(association=association, campaign=campaign, initial=initial)
        context.update(campaign=campaign, form=form)
        return context

    def post(self, request, *args, **kwargs):
        campaign = self.get_campaign()
        association = campaign.organisation if campaign else request.membership.organisation
        form = CampaignForm(request.POST, association=association, campaign=campaign)
        if form.is_valid():
            try:
                if campaign is None:
                    campaign = services.campaign_create(
                        membership=request.membership, data=form.service_data()
                    )
                    messages.success(request, _("已创建活动（筹备中），请设置活动日程。"))
                    return redirect("promotion:campaign-stages", campaign.code)
                campaign = services.campaign_update(
                    membership=request.membership, campaign=campaign, data=form.service_data()
                )
                messages.success(request, _("已保存活动设置。"))
                return redirect("promotion:campaign-detail", campaign.code)
            except ValidationError as exc:
                apply_errors(form, exc)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class CampaignStagesView(MembershipRequiredMixin, TemplateView):
    """The stage calendar editor of the acting association's campaign: the seven stages of
    seed 003 二、活动安排 with dates and responsible units (errors inline, status 400)."""

    permission_required = "campaigns:manage"
    template_name = "promotion/campaign_stages.html"

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        campaign = _manage_get(self.request, self.kwargs["code"])
        context.update(
            campaign=campaign, form=form or StageCalendarForm(initial=StageCalendarForm.initial_for(campaign))
        )
        return context

    def post(self, request, *args, **kwargs):
        campaign = _manage_get(request, self.kwargs["code"])
        form = StageCalendarForm(request.POST)
        if form.is_valid():
            try:
                services.campaign_stages_save(
                    membership=request.membership, campaign=campaign, stages=form.stages()
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("已保存活动日程。"))
                return redirect("promotion:campaign-detail", campaign.code)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class ExtensionGrantView(MembershipRequiredMixin, View):
    """POST: grant (or update) an extension of one stage to one organisation (延期, issue 7
    item 2); errors re-render the campaign page with the form (status 400)."""

    permission_required = "campaigns:manage"
    http_method_names = ["post"]

    def post(self, request, code):
        campaign = _manage_get(request, code)
        form = ExtensionForm(request.POST, association=campaign.organisation)
        if form.is_valid():
            try:
                extension = services.extension_grant(
                    membership=request.membership, campaign=campaign, **form.cleaned_data
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("已为%(org)s延期“%(stage)s”至 %(until)s。")
                    % {
                        "org": extension.organisation.name,
                        "stage": extension.get_stage_display(),
                        "until": extension.until.isoformat(),
                    },
                )
                return redirect("promotion:campaign-detail", campaign.code)
        view = CampaignDetailView(request=request, kwargs={"code": campaign.code}, args=())
        messages.error(request, _("延期未保存，请按提示修改。"))
        return TemplateResponse(
            request, view.template_name, view.get_context_data(extension_form=form), status=400
        )


class ExtensionRevokeView(MembershipRequiredMixin, View):
    """POST: revoke an extension of the acting association's campaign."""

    permission_required = "campaigns:manage"
    http_method_names = ["post"]

    def post(self, request, code, pk):
        campaign = _manage_get(request, code)
        extension = StageExtension._base_manager.filter(campaign=campaign, pk=pk).first()
        if extension is None:
            raise Http404
        services.extension_revoke(membership=request.membership, extension=extension)
        messages.success(request, _("已撤销延期：%(org)s") % {"org": extension.organisation.name})
        return redirect("promotion:campaign-detail", campaign.code)


class EntryView(MembershipRequiredMixin, TemplateView):
    """The enterprise's sign-up (活动报名, seed 003 附件2 报名表) for a campaign: a new one
    inside the 活动报名 window (or with an extension), its details edited while the campaign
    is open. The seal name is prefilled with the enterprise's name (seed 002 Annex 1 note 2)."""

    permission_required = "campaigns:sign_up"
    template_name = "promotion/entry_form.html"

    def get_campaign(self) -> Campaign:
        try:
            return campaign_list().prefetch_related("stages").get(code=self.kwargs["code"][:40])
        except Campaign.DoesNotExist:
            raise Http404 from None

    def _form(self, campaign, entry, data=None):
        enterprise = self.request.membership.organisation
        units = services.sign_up_units(campaign=campaign, enterprise=enterprise)
        if entry is not None and all(u.pk != entry.recommending_unit_id for u in units):
            units = [entry.recommending_unit, *units]
        if entry is not None:
            initial = {
                name: getattr(entry, name)
                for name in (
                    "seal_name",
                    "contact_person",
                    "contact_mobile",
                    "contact_email",
                    "address",
                    "postcode",
                )
            }
            initial["recommending_unit"] = entry.recommending_unit_id
        else:
            initial = {
                "seal_name": enterprise.name,
                "contact_person": getattr(self.request.user, "full_name", ""),
                "contact_mobile": getattr(self.request.user, "mobile", ""),
                "contact_email": self.request.user.email,
                "address": getattr(enterprise, "address", ""),
                "postcode": getattr(enterprise, "postcode", ""),
            }
        return EntryForm(data, units=units, initial=initial)

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        campaign = self.get_campaign()
        membership = self.request.membership
        entry = selectors.entry_of(campaign=campaign, organisation_id=membership.organisation_id)
        context.update(
            campaign=campaign,
            entry=entry,
            form=form or self._form(campaign, entry),
            refusal=None
            if entry
            else window_refusal(
                campaign=campaign, stage=StageKind.REGISTRATION, organisation_id=membership.organisation_id
            ),
        )
        return context

    def post(self, request, *args, **kwargs):
        campaign = self.get_campaign()
        entry = selectors.entry_of(campaign=campaign, organisation_id=request.membership.organisation_id)
        form = self._form(campaign, entry, request.POST)
        if form.is_valid():
            try:
                if entry is None:
                    services.entry_sign_up(
                        membership=request.membership, campaign=campaign, data=form.cleaned_data
                    )
                    messages.success(request, _("报名成功。"))
                else:
                    services.entry_update(membership=request.membership, entry=entry, data=form.cleaned_data)
                    messages.success(request, _("已保存报名信息。"))
                return redirect("promotion:campaign-detail", campaign.code)
            except ValidationError as exc:
                apply_errors(form, exc)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class CommitteeForm(BootstrapFormMixin, forms.Form):
    """The quality management committee (质量管理委员会, seed 001 §5.1.1)."""

    name = forms.CharField(label=gettext_lazy("名称"), max_length=100, initial="质量管理委员会")
    chair = forms.CharField(label=gettext_lazy("主任"), max_length=50, required=False)
    established_on = forms.DateField(label=gettext_lazy("成立日期"), required=False, widget=DateInput())
    charter = forms.CharField(
        label=gettext_lazy("职责与制度"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class StructureMemberForm(BootstrapFormMixin, forms.Form):
    """A person of one layer of the promotion structure."""

    layer = forms.ChoiceField(label=gettext_lazy("层级"), choices=Layer.choices)
    name = forms.CharField(label=gettext_lazy("姓名"), max_length=50)
    position = forms.CharField(label=gettext_lazy("职务"), max_length=50, required=False)
    duties = forms.CharField(label=gettext_lazy("分工职责"), max_length=200, required=False)
    on_committee = forms.BooleanField(label=gettext_lazy("质量管理委员会成员"), required=False)


STRUCTURE_VIEW = ("structure:manage", "circles:view", "circles:view_own", "organisations:view")


class StructureView(MembershipRequiredMixin, TemplateView):
    """The promotion structure (推进组织, seed 001 §5) of the acting organisation or, with
    ``?org=CODE``, of a visible organisation (an association looking at an enterprise):
    the committee, the three layers with duties, people, logins and the transitions their
    duties allow. Those with ``structure:manage`` maintain their own (POST)."""

    permission_required = STRUCTURE_VIEW
    template_name = "promotion/structure.html"

    def get_organisation(self):
        code = self.request.GET.get("org")
        if not code:
            return self.request.membership.organisation
        organisation = Organisation.objects.filter(code=code[:40]).first()
        if organisation is None:
            raise Http404
        return organisation

    def get_context_data(self, committee_form=None, member_form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        organisation = self.get_organisation()
        data = structure.structure_of(organisation)
        committee = data["committee"]
        can_manage = organisation.pk == self.request.membership.organisation_id and has_permission(
            self.request.membership, "structure:manage", organisation
        )
        context.update(
            organisation=organisation,
            can_manage=can_manage,
            committee_form=committee_form
            or CommitteeForm(
                initial={
                    "name": committee.name if committee else "质量管理委员会",
                    "chair": committee.chair if committee else "",
                    "established_on": committee.established_on if committee else None,
                    "charter": committee.charter if committee else "",
                }
            ),
            member_form=member_form or StructureMemberForm(),
            **data,
        )
        return context

    def post(self, request, *args, **kwargs):
        """Save the committee (``part=committee``) or add a person (``part=member``)."""
        part = request.POST.get("part")
        committee_form = member_form = None
        try:
            if part == "committee":
                committee_form = CommitteeForm(request.POST)
                if not committee_form.is_valid():
                    raise ValidationError(_("请按提示修改。"))
                structure.committee_save(membership=request.membership, **committee_form.cleaned_data)
                messages.success(request, _("已保存质量管理委员会。"))
            else:
                member_form = StructureMemberForm(request.POST)
                if not member_form.is_valid():
                    raise ValidationError(_("请按提示修改。"))
                structure.structure_member_add(membership=request.membership, **member_form.cleaned_data)
                messages.success(request, _("已添加推进组织成员。"))
        except ValidationError as exc:
            form = committee_form or member_form
            if form is not None and hasattr(exc, "error_dict"):
                apply_errors(form, exc)
            messages.error(request, "；".join(exc.messages))
            context = self.get_context_data(committee_form=committee_form, member_form=member_form)
            return self.render_to_response(context, status=400)
        return redirect("promotion:structure")


class StructureMemberRemoveView(ObjectActionView):
    """POST: remove a person from the acting organisation's promotion structure."""

    permission_required = "structure:manage"
    model = StructureMember

    def perform(self, member):
        structure.structure_member_remove(membership=self.request.membership, member=member)
        return _("已移除：%(name)s") % {"name": member.name}

    def redirect_to(self, member):
        return redirect("promotion:structure")
