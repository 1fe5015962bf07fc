"""Pages of the yearly evaluation and the improvement list (年度评价与改进清单; issue 11 item 6;
seed 001 §9.1.1, §9.2): the organisation's evaluations by year, one year's evaluation beside
its plan's goals and actual values with the items that follow from it, the improvement list
(mine, overdue), an item's form and its page with the workflow. Rules in
:mod:`promotion.reviews`."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import ListView, TemplateView

from qcportal.actions import apply_errors
from qcportal.forms_base import BootstrapFormMixin, DateInput
from qcportal.pagination import PaginatedListMixin
from qcportal.permissions import MembershipRequiredMixin, has_permission
from qcportal.workflow_views import WorkflowPageMixin

from .choices import ImprovementStatus
from .models import ImprovementItem, YearlyReview
from .plans import plan_progress
from .reviews import (
    FIRST_YEAR,
    PENDING,
    TEXT_MAX,
    improvement_list,
    improvement_save,
    is_overdue,
    owners_of,
    review_list,
    review_of,
    review_plan,
    review_save,
)
from .workflow import IMPROVEMENT_WORKFLOW


class ReviewForm(BootstrapFormMixin, forms.Form):
    """The three texts of a yearly evaluation (rule R-IM-01)."""

    results = forms.CharField(
        label=gettext_lazy("取得的成效"),
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=gettext_lazy("对照年度推进计划的目标，总结全年活动的成果和成效。"),
    )
    problems = forms.CharField(
        label=gettext_lazy("存在的问题"),
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    directions = forms.CharField(
        label=gettext_lazy("改进方向"),
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy("具体的改进事项请列入下方的改进清单，明确责任人和完成期限。"),
    )


class ImprovementForm(BootstrapFormMixin, forms.Form):
    """An item of the improvement list (rule R-IM-03)."""

    title = forms.CharField(label=gettext_lazy("改进事项"), max_length=200)
    description = forms.CharField(
        label=gettext_lazy("问题与措施"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    owner = forms.ModelChoiceField(label=gettext_lazy("责任人"), queryset=None)
    deadline = forms.DateField(label=gettext_lazy("完成期限"), widget=DateInput())
    review = forms.ModelChoiceField(
        label=gettext_lazy("来自年度评价"), queryset=None, required=False, empty_label=gettext_lazy("（无）")
    )

    def __init__(self, *args, membership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners_of(membership.organisation_id)
        self.fields["owner"].label_from_instance = lambda u: u.get_full_name() or u.username
        self.fields["review"].queryset = review_list(membership=membership)
        self.fields["review"].label_from_instance = lambda r: _("%(year)d年度评价") % {"year": r.year}


def _year(value) -> int:
    if not FIRST_YEAR <= value <= timezone.localdate().year + 1:
        raise Http404
    return value


class ReviewListView(MembershipRequiredMixin, TemplateView):
    """The acting organisation's yearly evaluations, and the year to write next."""

    permission_required = "plans:view"
    template_name = "promotion/review_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        membership = self.request.membership
        context.update(
            reviews=review_list(membership=membership),
            this_year=timezone.localdate().year,
            can_write=has_permission(membership, "plans:draft"),
        )
        return context


class ReviewView(MembershipRequiredMixin, TemplateView):
    """One year's evaluation: the approved plan's goals with their actual values, the texts
    (a form for the management layer), and the improvement items of the year. POST saves the
    texts (:func:`promotion.reviews.review_save`; refusals re-render, 400)."""

    permission_required = "plans:view"
    template_name = "promotion/review.html"

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        membership = self.request.membership
        year = _year(self.kwargs["year"])
        review = review_of(membership=membership, year=year)
        plan = review_plan(membership=membership, year=year)
        can_write = has_permission(membership, "plans:draft")
        if form is None and can_write:
            form = ReviewForm(
                initial={name: getattr(review, name) for name in ("results", "problems", "directions")}
                if review
                else None
            )
        context.update(
            year=year,
            review=review,
            plan=plan,
            progress=plan_progress(plan) if plan else [],
            form=form if can_write else None,
            items=improvement_list(membership=membership).filter(
                organisation_id=membership.organisation_id, year=year
            ),
            today=timezone.localdate(),
            can_write=can_write,
        )
        return context

    def post(self, request, *args, **kwargs):
        """Save the texts and come back to the page."""
        year = _year(self.kwargs["year"])
        form = ReviewForm(request.POST)
        if form.is_valid():
            try:
                review_save(membership=request.membership, year=year, data=form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("已保存年度评价。"))
                return redirect("promotion:review", year=year)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class ImprovementListView(MembershipRequiredMixin, PaginatedListMixin, ListView):
    """The improvement list of the acting organisation's share: ``?mine=1`` the acting user's
    items, ``?overdue=1`` those past their deadline, ``?status=``; overdue ones marked."""

    permission_required = "improvements:view"
    template_name = "promotion/improvement_list.html"
    context_object_name = "items"

    def get_queryset(self):
        g = self.request.GET
        items = improvement_list(
            membership=self.request.membership, mine=g.get("mine") == "1", overdue=g.get("overdue") == "1"
        )
        if g.get("status") in ImprovementStatus.values:
            items = items.filter(status=g["status"])
        return items

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            today=timezone.localdate(),
            statuses=ImprovementStatus.choices,
            pending=PENDING,
            can_add=has_permission(self.request.membership, "plans:draft"),
        )
        return context


def _item(pk: int, membership) -> ImprovementItem:
    item = improvement_list(membership=membership).select_related("review").filter(pk=pk).first()
    if item is None:
        raise Http404
    return item


class ImprovementFormView(MembershipRequiredMixin, TemplateView):
    """GET: an item's form (new — ``?review=<year>`` links it to that year's evaluation — or
    one not yet done); POST: save through :func:`promotion.reviews.improvement_save`."""

    permission_required = "plans:draft"
    template_name = "promotion/improvement_form.html"

    def get_item(self) -> ImprovementItem | None:
        if "pk" not in self.kwargs:
            return None
        item = _item(self.kwargs["pk"], self.request.membership)
        if item.organisation_id != self.request.membership.organisation_id or item.status not in PENDING:
            raise Http404
        return item

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        membership = self.request.membership
        item = self.get_item()
        if form is None:
            if item is not None:
                initial = {
                    "title": item.title,
                    "description": item.description,
                    "owner": item.owner_id,
                    "deadline": item.deadline,
                    "review": item.review_id,
                }
            else:
                year = self.request.GET.get("review", "")
                review = (
                    YearlyReview.objects.filter(
                        organisation_id=membership.organisation_id, year=int(year)
                    ).first()
                    if year.isascii() and year.isdigit() and len(year) == 4
                    else None
                )
                initial = {"review": review.pk if review else None, "owner": membership.user_id}
            form = ImprovementForm(membership=membership, initial=initial)
        context.update(item=item, form=form)
        return context

    def post(self, request, *args, **kwargs):
        """Save and go to the item's page."""
        item = self.get_item()
        form = ImprovementForm(request.POST, membership=request.membership)
        if form.is_valid():
            try:
                saved = improvement_save(membership=request.membership, data=form.cleaned_data, item=item)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("已保存改进事项。"))
                return redirect("promotion:improvement-detail", saved.pk)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class ImprovementDetailView(WorkflowPageMixin, MembershipRequiredMixin, TemplateView):
    """An item: what, who, by when, overdue or not, the evidence; the transitions (开始改进,
    完成 with the evidence, 重新打开, 取消) and the history."""

    permission_required = "improvements:view"
    template_name = "promotion/improvement_detail.html"
    workflow = IMPROVEMENT_WORKFLOW

    def get_workflow_object(self):
        return _item(self.kwargs["pk"], self.request.membership)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        item = self.get_workflow_object()
        membership = self.request.membership
        context.update(
            item=item,
            overdue=is_overdue(item),
            can_edit=item.organisation_id == membership.organisation_id
            and item.status in PENDING
            and has_permission(membership, "plans:draft"),
            **self.workflow_context(
                item,
                failed=kwargs.get("workflow_failed"),
                data=kwargs.get("workflow_data"),
                errors=kwargs.get("workflow_errors"),
            ),
        )
        return context
