"""HTML views of the promotion app: campaigns and the promotion structure (推进组织)."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import DetailView, ListView, TemplateView

from qcportal.actions import ObjectActionView, apply_errors
from qcportal.forms_base import BootstrapFormMixin, DateInput
from qcportal.models import Organisation
from qcportal.pagination import PaginatedListMixin
from qcportal.permissions import MembershipRequiredMixin, has_permission
from qcportal.roles import Layer

from . import structure
from .models import Campaign, StructureMember
from .selectors import campaign_list


class CampaignListView(MembershipRequiredMixin, PaginatedListMixin, ListView):
    """The campaigns visible to the acting organisation (its own, its ancestors', its subtree's)."""

    permission_required = "campaigns:view"
    template_name = "promotion/campaign_list.html"
    context_object_name = "campaigns"
    paginate_by = 25

    def get_queryset(self):
        return campaign_list()


class CampaignDetailView(MembershipRequiredMixin, DetailView):
    """One campaign: document number, theme, period, deadline, stages and domains."""

    permission_required = "campaigns:view"
    template_name = "promotion/campaign_detail.html"
    context_object_name = "campaign"

    def get_object(self, queryset=None):
        try:
            return campaign_list().prefetch_related("stages", "domains").get(code=self.kwargs["code"])
        except Campaign.DoesNotExist:
            raise Http404 from None


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
