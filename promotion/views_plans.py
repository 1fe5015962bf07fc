"""Pages of the annual promotion plan (年度推进计划; issue 11 item 1; seed 001 §6, §7.1):
the organisation's plans, starting one, editing its content (the diagnosis, goals, activity
types, key projects and activity plans as rows) and its page with the approval workflow and
each goal's target beside its actual value."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Sum
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

from .models import ActivityPlan, PlanActivity, PlanFinding, PlanGoal, PlanProject, PromotionPlan
from .plans import MAX_ROWS, PLAN_PARTS, plan_create, plan_progress, plan_save
from .workflow import PLAN_WORKFLOW


class PlanContentForm(BootstrapFormMixin, forms.Form):
    """The plan's title and direction (推进方向, seed 001 §6.2), as the content page edits them."""

    title = forms.CharField(label=gettext_lazy("计划名称"), max_length=200)
    direction = forms.CharField(
        label=gettext_lazy("推进方向"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "结合经营发展战略、顾客及相关方需求和质量诊断结果确定的年度总体方向（DB43 §6.2）。"
        ),
    )


class PlanHeaderForm(PlanContentForm):
    """The year, title and direction of a new plan (the year is fixed once it exists)."""

    year = forms.IntegerField(label=gettext_lazy("年度"), min_value=2000, max_value=2100)
    field_order = ["year", "title", "direction"]


def _row_form(model, fields: tuple[str, ...]):
    """A form of one row of ``model`` (its ``fields``, dates as date inputs)."""
    widgets = {f: DateInput() for f in fields if f.endswith("_on")}
    return forms.modelform_factory(
        model, form=type("RowForm", (BootstrapFormMixin, forms.ModelForm), {}), fields=fields, widgets=widgets
    )


#: One formset per kind of row, prefixed with the kind's name (as :data:`PLAN_PARTS`).
PART_FORMSETS = {
    name: forms.formset_factory(
        _row_form(model, fields), extra=0, max_num=MAX_ROWS, absolute_max=MAX_ROWS + 10, can_delete=True
    )
    for name, (model, fields) in PLAN_PARTS.items()
}

#: Headings of the rows on the pages, with the rule they serve.
PART_TITLES = {
    "findings": gettext_lazy("质量诊断：薄弱环节及依据（DB43 §6.1）"),
    "goals": gettext_lazy("推进目标（DB43 §6.2）"),
    "activities": gettext_lazy("选定的活动类型（DB43 §6.3）"),
    "projects": gettext_lazy("重点项目、预算（万元）与进度（DB43 §6.4）"),
    "activity_plans": gettext_lazy("活动实施方案（DB43 §7.1）"),
}


def _plan_of(request, pk: int) -> PromotionPlan:
    """The plan ``pk`` in the tenant scope (404 otherwise)."""
    plan = PromotionPlan.objects.select_related("organisation", "created_by").filter(pk=pk).first()
    if plan is None:
        raise Http404
    return plan


class PlanListView(MembershipRequiredMixin, PaginatedListMixin, ListView):
    """The acting organisation's annual plans, newest year first, with their state and
    budget (万元)."""

    permission_required = "plans:view"
    template_name = "promotion/plan_list.html"
    context_object_name = "plans"

    def get_queryset(self):
        return (
            PromotionPlan.objects.filter(organisation=self.request.membership.organisation)
            .annotate(budget=Sum("projects__budget"))
            .order_by("-year", "-id")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_draft"] = has_permission(self.request.membership, "plans:draft")
        return context


class PlanCreateView(MembershipRequiredMixin, TemplateView):
    """GET: the form starting a plan; POST: create it (a draft) and go on to its content."""

    permission_required = "plans:draft"
    template_name = "promotion/plan_create.html"

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        year = timezone.localdate().year
        context["form"] = form or PlanHeaderForm(
            initial={"year": year, "title": _("%(year)s年度群众性质量活动推进计划") % {"year": year}}
        )
        return context

    def post(self, request, *args, **kwargs):
        """Create the plan; a refusal re-renders the form with the Chinese reasons (400)."""
        form = PlanHeaderForm(request.POST)
        if form.is_valid():
            try:
                plan = plan_create(membership=request.membership, **form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("已创建计划，请填写计划内容。"))
                return redirect("promotion:plan-edit", plan.pk)
        return self.render_to_response(self.get_context_data(form=form), status=400)


class PlanEditView(MembershipRequiredMixin, TemplateView):
    """The plan's content: header and every kind of row (``添加一行`` adds a row, the
    delete box removes one); saved all at once while the plan is a draft or returned."""

    permission_required = "plans:draft"
    template_name = "promotion/plan_edit.html"

    def get_plan(self) -> PromotionPlan:
        plan = _plan_of(self.request, self.kwargs["pk"])
        if plan.organisation_id != self.request.membership.organisation_id:
            raise Http404
        return plan

    def get_context_data(self, form=None, formsets=None, **kwargs):
        context = super().get_context_data(**kwargs)
        plan = self.get_plan()
        if formsets is None:
            formsets = {}
            for name, (model, fields) in PLAN_PARTS.items():
                initial = list(model.objects.filter(plan=plan).order_by("position", "id").values(*fields))
                formsets[name] = PART_FORMSETS[name](prefix=name, initial=initial or None)
                if not initial:
                    formsets[name].extra = 1
        context.update(
            plan=plan,
            form=form or PlanContentForm(initial={"title": plan.title, "direction": plan.direction}),
            parts=[(name, PART_TITLES[name], formsets[name]) for name in PLAN_PARTS],
        )
        return context

    def post(self, request, *args, **kwargs):
        """Save the header and rows (see :func:`promotion.plans.plan_save`); a refusal
        re-renders the page with the Chinese reasons (400)."""
        plan = self.get_plan()
        form = PlanContentForm(request.POST)
        formsets = {name: PART_FORMSETS[name](request.POST, prefix=name) for name in PLAN_PARTS}
        if form.is_valid() and all(fs.is_valid() for fs in formsets.values()):
            parts = {
                name: [
                    row
                    for row in fs.cleaned_data
                    if row
                    and not row.get("DELETE")
                    and any(v not in (None, "") for k, v in row.items() if k != "DELETE")
                ]
                for name, fs in formsets.items()
            }
            try:
                plan_save(
                    membership=request.membership,
                    plan=plan,
                    title=form.cleaned_data["title"],
                    direction=form.cleaned_data["direction"],
                    parts=parts,
                )
            except ValidationError as exc:
                messages.error(request, "；".join(exc.messages))
            else:
                messages.success(request, _("已保存计划。"))
                return redirect("promotion:plan-detail", plan.pk)
        else:
            messages.error(request, _("请按提示修改。"))
        return self.render_to_response(self.get_context_data(form=form, formsets=formsets), status=400)


class PlanDetailView(WorkflowPageMixin, MembershipRequiredMixin, TemplateView):
    """A plan with its rows, each goal's target beside its actual value for the year, the
    budget total (万元) and the approval workflow (submit, approve, return, revise)."""

    permission_required = "plans:view"
    template_name = "promotion/plan_detail.html"
    workflow = PLAN_WORKFLOW

    def get_workflow_object(self):
        return _plan_of(self.request, self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        plan = self.get_workflow_object()
        goals = list(PlanGoal.objects.filter(plan=plan))
        projects = list(PlanProject.objects.filter(plan=plan))
        context.update(
            plan=plan,
            findings=PlanFinding.objects.filter(plan=plan),
            progress=plan_progress(plan, goals),
            activities=PlanActivity.objects.filter(plan=plan),
            projects=projects,
            budget=sum((p.budget for p in projects), start=0),
            activity_plans=ActivityPlan.objects.filter(plan=plan),
            can_edit=plan.editable
            and plan.organisation_id == self.request.membership.organisation_id
            and has_permission(self.request.membership, "plans:draft"),
            **self.workflow_context(
                plan,
                failed=kwargs.get("workflow_failed"),
                data=kwargs.get("workflow_data"),
                errors=kwargs.get("workflow_errors"),
            ),
        )
        return context
