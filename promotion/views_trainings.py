"""Pages of publicity and training (宣传培训; issue 11 item 2; seed 001 §7.2) and of the
enterprise's yearly figures (企业年度数据; seed 002 Annex 3): the organisation's trainings
by year with their totals, recording and changing one, and the enterprise's 职工总数 and
spending, where the recorded trainings' costs are shown, never typed again."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import ListView, TemplateView

from qcportal.actions import apply_errors
from qcportal.choices import OrganisationKind
from qcportal.forms_base import BootstrapFormMixin, DateInput
from qcportal.pagination import PaginatedListMixin
from qcportal.permissions import MembershipRequiredMixin, has_permission

from .models import EnterpriseAnnualFigures, Training
from .trainings import (
    FIRST_YEAR,
    TRAINING_FIELDS,
    annual_figures_list,
    annual_figures_save,
    training_delete,
    training_list,
    training_save,
    training_year_totals,
)


class TrainingForm(BootstrapFormMixin, forms.ModelForm):
    """A training session or publicity campaign (the fields of
    :data:`promotion.trainings.TRAINING_FIELDS`)."""

    class Meta:
        model = Training
        fields = TRAINING_FIELDS
        widgets = {
            "held_on": DateInput(),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "hours": gettext_lazy("每位参加者的学时（小时）。"),
            "cost": gettext_lazy(
                "企业的培训费用计入当年附件3“QC小组活动经费投入”，无需在年度数据中重复填写。"
            ),
        }


class AnnualFiguresForm(BootstrapFormMixin, forms.Form):
    """The yearly figures an enterprise types (seed 002 Annex 3)."""

    total_employees = forms.IntegerField(
        label=gettext_lazy("职工总数（人）"), min_value=1, max_value=10_000_000
    )
    other_activity_spending = forms.DecimalField(
        label=gettext_lazy("其他QC小组活动经费投入（交流、书籍等，万元）"),
        min_value=0,
        max_digits=14,
        decimal_places=4,
        initial=0,
    )
    other_reward_spending = forms.DecimalField(
        label=gettext_lazy("QC小组活动奖励费用（万元）"),
        min_value=0,
        max_digits=14,
        decimal_places=4,
        initial=0,
    )


def _year_param(request) -> int:
    """The ``?year=`` of the request, this year when absent or invalid."""
    today = timezone.localdate()
    raw = request.GET.get("year", "")
    if raw.isascii() and raw.isdigit() and len(raw) == 4 and FIRST_YEAR <= int(raw) <= today.year + 1:
        return int(raw)
    return today.year


class TrainingListView(MembershipRequiredMixin, PaginatedListMixin, ListView):
    """The acting organisation's trainings and publicity campaigns of a year (``?year=``),
    newest first, with the year's totals (sessions, participants, person-hours, cost)."""

    permission_required = "trainings:view"
    template_name = "promotion/training_list.html"
    context_object_name = "trainings"

    def get_queryset(self):
        year = _year_param(self.request)
        return training_list(membership=self.request.membership).filter(held_on__year=year)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        membership = self.request.membership
        year = _year_param(self.request)
        today = timezone.localdate()
        context.update(
            year=year,
            years=list(range(today.year, today.year - 6, -1)),
            totals=training_year_totals(organisation_id=membership.organisation_id, year=year),
            can_manage=has_permission(membership, "trainings:manage"),
            is_enterprise=membership.organisation.kind == OrganisationKind.ENTERPRISE,
        )
        return context


class TrainingFormView(MembershipRequiredMixin, TemplateView):
    """GET: the form of a new training (or of ``pk``); POST: save it and go back to the list
    of its year (a refusal re-renders the form with the Chinese reasons, 400)."""

    permission_required = "trainings:manage"
    template_name = "promotion/training_form.html"

    def get_training(self) -> Training | None:
        if "pk" not in self.kwargs:
            return None
        training = training_list(membership=self.request.membership).filter(pk=self.kwargs["pk"]).first()
        if training is None:
            raise Http404
        return training

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        training = self.get_training()
        context["training"] = training
        context["form"] = form or TrainingForm(
            instance=training, initial=None if training else {"held_on": timezone.localdate()}
        )
        return context

    def post(self, request, *args, **kwargs):
        """Save through :func:`promotion.trainings.training_save`."""
        training = self.get_training()
        # a blank instance: the form validates the fields, the service changes the training
        form = TrainingForm(
            request.POST, instance=Training(organisation_id=request.membership.organisation_id)
        )
        if form.is_valid():
            try:
                saved = training_save(
                    membership=request.membership, data=form.cleaned_data, training=training
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("已保存：%(training)s") % {"training": saved})
                return redirect(f"{reverse('promotion:training-list')}?year={saved.held_on.year}")
        return self.render_to_response(self.get_context_data(form=form), status=400)


class TrainingDeleteView(MembershipRequiredMixin, View):
    """POST: delete a training of the acting organisation (its year's spending follows)."""

    permission_required = "trainings:manage"
    http_method_names = ["post"]

    def post(self, request, pk: int):
        """Delete and go back to the list of its year."""
        training = training_list(membership=request.membership).filter(pk=pk).first()
        if training is None:
            raise Http404
        year = training.held_on.year
        training_delete(membership=request.membership, training=training)
        messages.success(request, _("已删除：%(training)s") % {"training": training})
        return redirect(f"{reverse('promotion:training-list')}?year={year}")


class AnnualFiguresView(MembershipRequiredMixin, TemplateView):
    """The enterprise's yearly figures (企业年度数据, seed 002 Annex 3): the years reported, and
    the form of one year (``?year=``, default this year) with 职工总数 and the spending typed,
    beside the recorded trainings' costs and honours' rewards that the totals add."""

    permission_required = "figures:report"
    template_name = "promotion/annual_figures.html"

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        membership = self.request.membership
        if membership.organisation.kind != OrganisationKind.ENTERPRISE:
            raise Http404
        year = min(_year_param(self.request), timezone.localdate().year)
        figures = EnterpriseAnnualFigures.objects.filter(
            organisation_id=membership.organisation_id, year=year
        ).first()
        initial = (
            {
                "total_employees": figures.total_employees,
                "other_activity_spending": figures.other_activity_spending,
                "other_reward_spending": figures.other_reward_spending,
            }
            if figures
            else None
        )
        today = timezone.localdate()
        context.update(
            year=year,
            years=list(range(today.year, today.year - 6, -1)),
            figures=figures,
            rows=annual_figures_list(membership=membership)[:20],
            trainings=training_year_totals(organisation_id=membership.organisation_id, year=year),
            form=form or AnnualFiguresForm(initial=initial),
        )
        return context

    def post(self, request, *args, **kwargs):
        """Save the year's figures (:func:`promotion.trainings.annual_figures_save`)."""
        year = min(_year_param(request), timezone.localdate().year)
        form = AnnualFiguresForm(request.POST)
        if form.is_valid():
            try:
                annual_figures_save(membership=request.membership, year=year, data=form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("已保存%(year)s年度数据。") % {"year": year})
                return redirect(f"{reverse('promotion:annual-figures')}?year={year}")
        return self.render_to_response(self.get_context_data(form=form), status=400)
