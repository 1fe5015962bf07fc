"""Pages of honours and incentives (表彰与激励; issue 11 item 4; seed 001 §9.1.2): the honours
an organisation grants and receives, a nomination's form, its page with the workflow
(提交审批, 批准, 退回, 撤销) and its certificates, nominations from published grades, and an
individual's history of honours. The rules live in :mod:`evaluation.honours`."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import ListView, TemplateView

from circles.models import Circle
from promotion.models import Campaign
from qcportal.actions import apply_errors, error_text
from qcportal.choices import ASSOCIATION_KINDS
from qcportal.forms_base import BootstrapFormMixin
from qcportal.models import Organisation
from qcportal.pagination import PaginatedListMixin
from qcportal.permissions import MembershipRequiredMixin, has_permission
from qcportal.workflow_views import WorkflowPageMixin

from .choices import HonourKind, HonourStatus, JudgingStatus
from .honours import EDITABLE, honour_delete, honour_list, honour_save, honours_from_grades, person_history
from .models import Certificate, Honour, Judging
from .workflow import HONOUR_WORKFLOW


class HonourForm(BootstrapFormMixin, forms.Form):
    """A nomination (rule R-HN-01). An enterprise picks one of its circles; an association
    names the circle by its registration number and the recipient by its code (its share may
    hold thousands of each)."""

    kind = forms.ChoiceField(label=gettext_lazy("表彰类别"), choices=HonourKind.choices)
    year = forms.IntegerField(label=gettext_lazy("年度"), min_value=2000, max_value=2100)
    campaign = forms.ModelChoiceField(
        label=gettext_lazy("年度活动"), queryset=Campaign.objects.none(), required=False, to_field_name="code"
    )
    title = forms.CharField(
        label=gettext_lazy("荣誉名称"), max_length=100, help_text=gettext_lazy("如：2026年度优秀推进者")
    )
    grade = forms.CharField(label=gettext_lazy("等级"), max_length=40, required=False)
    circle = forms.ModelChoiceField(
        label=gettext_lazy("QC小组"), queryset=Circle.objects.none(), required=False
    )
    circle_number = forms.CharField(
        label=gettext_lazy("QC小组注册号"),
        max_length=40,
        required=False,
        help_text=gettext_lazy("表彰QC小组时填写"),
    )
    recipient_code = forms.CharField(
        label=gettext_lazy("受表彰单位代码"),
        max_length=40,
        required=False,
        help_text=gettext_lazy("优秀企业填企业代码；表彰个人时填其所在单位代码"),
    )
    person_name = forms.CharField(label=gettext_lazy("姓名"), max_length=50, required=False)
    person_position = forms.CharField(label=gettext_lazy("职务"), max_length=50, required=False)
    citation = forms.CharField(
        label=gettext_lazy("主要事迹"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    material_reward = forms.DecimalField(
        label=gettext_lazy("物质奖励（万元）"),
        min_value=0,
        max_value=99999999,
        max_digits=14,
        decimal_places=4,
        initial=0,
        help_text=gettext_lazy("企业发放的奖金计入当年QC小组活动奖励费用（附件3）。"),
    )
    other_rewards = forms.CharField(
        label=gettext_lazy("非物质奖励"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("如：荣誉证书、通报表扬、优先晋级"),
    )

    def __init__(self, *args, membership, **kwargs):
        super().__init__(*args, **kwargs)
        self.granter = membership.organisation
        self.is_association = self.granter.kind in ASSOCIATION_KINDS
        self.fields["campaign"].queryset = Campaign.objects.order_by("-year", "code")
        self.fields["campaign"].label_from_instance = lambda c: c.title
        if self.is_association:
            del self.fields["circle"]
        else:
            del self.fields["circle_number"]
            del self.fields["recipient_code"]
            self.fields["circle"].queryset = Circle.objects.filter(organisation=self.granter).order_by("name")
            self.fields["kind"].choices = [c for c in HonourKind.choices if c[0] != HonourKind.ENTERPRISE]

    def service_data(self) -> dict:
        """The cleaned values as :func:`evaluation.honours.honour_save` takes them; raises
        ``ValidationError`` for a circle number or unit code not found in the share."""
        data = {k: v for k, v in self.cleaned_data.items() if k not in ("circle_number", "recipient_code")}
        if self.is_association:
            number = self.cleaned_data.get("circle_number")
            data["circle"] = None
            if number:
                data["circle"] = Circle.objects.filter(registration_number=number).first()
                if data["circle"] is None:
                    raise ValidationError({"circle_number": _("本单位范围内没有该注册号的QC小组。")})
            code = self.cleaned_data.get("recipient_code")
            data["recipient"] = Organisation.objects.filter(code=code).first() if code else None
            if code and data["recipient"] is None:
                raise ValidationError({"recipient_code": _("本单位范围内没有该代码的单位。")})
        else:
            data["recipient"] = self.granter
        return data


def _honour(pk: int, membership) -> Honour:
    honour = honour_list(membership=membership).select_related("result__judging").filter(pk=pk).first()
    if honour is None:
        raise Http404
    return honour


class HonourListView(MembershipRequiredMixin, PaginatedListMixin, ListView):
    """The honours granted by the acting organisation's subtree and those it (or an
    organisation below it) received, with filters (``year``, ``kind``, ``status``); the
    nomination button and, for an association, nominations from its published grades."""

    permission_required = "honours:view"
    template_name = "evaluation/honour_list.html"
    context_object_name = "honours"

    def get_queryset(self):
        queryset = honour_list(membership=self.request.membership)
        g = self.request.GET
        year = g.get("year", "")
        if year.isascii() and year.isdigit() and len(year) == 4:
            queryset = queryset.filter(year=int(year))
        if g.get("kind") in HonourKind.values:
            queryset = queryset.filter(kind=g["kind"])
        if g.get("status") in HonourStatus.values:
            queryset = queryset.filter(status=g["status"])
        return queryset

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        membership = self.request.membership
        can_nominate = has_permission(membership, "honours:nominate")
        context.update(
            can_nominate=can_nominate,
            kinds=HonourKind.choices,
            statuses=HonourStatus.choices,
            graded_campaigns=Campaign.objects.filter(
                pk__in=Judging.objects.filter(
                    organisation_id=membership.organisation_id, status=JudgingStatus.PUBLISHED
                ).values("campaign_id")
            ).order_by("-year")
            if can_nominate and membership.organisation.kind in ASSOCIATION_KINDS
            else [],
        )
        return context


class HonourFormView(MembershipRequiredMixin, TemplateView):
    """GET: the nomination form (new, or of a nomination still 已提名/已退回); POST: save it
    through :func:`evaluation.honours.honour_save` (refusals re-render, 400)."""

    permission_required = "honours:nominate"
    template_name = "evaluation/honour_form.html"

    def get_honour(self) -> Honour | None:
        if "pk" not in self.kwargs:
            return None
        honour = _honour(self.kwargs["pk"], self.request.membership)
        if honour.organisation_id != self.request.membership.organisation_id or honour.status not in EDITABLE:
            raise Http404
        return honour

    def _initial(self, honour: Honour | None) -> dict:
        if honour is None:
            return {"year": timezone.localdate().year, "material_reward": 0}
        initial = {name: getattr(honour, name) for name in ("kind", "year", "title", "grade", "person_name")}
        initial.update(
            campaign=honour.campaign.code if honour.campaign_id else None,
            circle=honour.circle_id,
            circle_number=honour.circle.registration_number if honour.circle_id else "",
            recipient_code=honour.recipient.code,
            person_position=honour.person_position,
            citation=honour.citation,
            material_reward=honour.material_reward,
            other_rewards=honour.other_rewards,
        )
        return initial

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        honour = self.get_honour()
        context.update(
            honour=honour,
            form=form or HonourForm(membership=self.request.membership, initial=self._initial(honour)),
        )
        return context

    def post(self, request, *args, **kwargs):
        """Save and go to the honour's page."""
        honour = self.get_honour()
        form = HonourForm(request.POST, membership=request.membership)
        if form.is_valid():
            try:
                saved = honour_save(membership=request.membership, data=form.service_data(), honour=honour)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("已保存表彰提名。"))
                return redirect("evaluation:honour-detail", saved.pk)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class HonourDetailView(WorkflowPageMixin, MembershipRequiredMixin, TemplateView):
    """An honour: whom it recognises, rewards, its state with the transitions the acting
    membership may take, its history and its certificates (issue one once approved)."""

    permission_required = "honours:view"
    template_name = "evaluation/honour_detail.html"
    workflow = HONOUR_WORKFLOW

    def get_workflow_object(self):
        return _honour(self.kwargs["pk"], self.request.membership)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        honour = self.get_workflow_object()
        membership = self.request.membership
        own = honour.organisation_id == membership.organisation_id
        context.update(
            honour=honour,
            certificates=Certificate.objects.filter(honour=honour).order_by("-id"),
            can_edit=own and honour.status in EDITABLE and has_permission(membership, "honours:nominate"),
            can_certify=own
            and honour.status == HonourStatus.APPROVED
            and has_permission(membership, "certificates:issue"),
            **self.workflow_context(
                honour,
                failed=kwargs.get("workflow_failed"),
                data=kwargs.get("workflow_data"),
                errors=kwargs.get("workflow_errors"),
            ),
        )
        return context


class HonourDeleteView(MembershipRequiredMixin, View):
    """POST: delete a nomination not yet submitted (or returned)."""

    permission_required = "honours:nominate"
    http_method_names = ["post"]

    def post(self, request, pk):
        honour = _honour(pk, request.membership)
        honour_delete(membership=request.membership, honour=honour)
        messages.success(request, _("已删除表彰提名。"))
        return redirect("evaluation:honour-list")


class HonoursFromGradesView(MembershipRequiredMixin, View):
    """POST ``campaign``: nominate every circle graded in the association's published judging
    of the campaign (:func:`evaluation.honours.honours_from_grades`)."""

    permission_required = "honours:nominate"
    http_method_names = ["post"]

    def post(self, request):
        campaign = Campaign.objects.filter(code=request.POST.get("campaign", "")[:40]).first()
        if campaign is None:
            raise Http404
        try:
            n = honours_from_grades(membership=request.membership, campaign=campaign)
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _("已按评审等级提名 %(n)d 个QC小组，请提交审批。") % {"n": n})
        return redirect("evaluation:honour-list")


class PersonHistoryView(MembershipRequiredMixin, TemplateView):
    """An individual's history of honours (rule R-HN-04): ``?name=`` and ``?org=`` (the unit's
    code), or the acting user's own without parameters."""

    permission_required = "honours:view"
    template_name = "evaluation/honour_person.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        membership = self.request.membership
        name = (self.request.GET.get("name") or "").strip()[:50]
        code = (self.request.GET.get("org") or "").strip()[:40]
        if name and code:
            organisation = Organisation.objects.filter(code=code).first()
            if organisation is None:
                raise Http404
            honours = person_history(name=name, organisation=organisation)
        else:
            user = self.request.user
            name, organisation = user.get_full_name() or user.username, membership.organisation
            honours = person_history(name=name, organisation=organisation, user_id=user.pk)
        context.update(name=name, organisation=organisation, honours=honours[:200])
        return context
