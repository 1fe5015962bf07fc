"""HTML pages of a judging's organisation (issue 8, items 2, 4 and 9): the judging hub
(settings, rounds with their state and transitions, workload), round configuration, panels,
the assignment preview and apply, manual pins, swaps and removals. Thin views over
``evaluation.rounds`` and ``evaluation.assignment``; every POST answers with the page and a
Chinese message, never a server error."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from promotion.selectors import campaign_list
from qcportal.actions import apply_errors, error_text
from qcportal.models import Organisation
from qcportal.pagination import CappedPaginator
from qcportal.permissions import MembershipRequiredMixin
from qcportal.tenancy import visible_organisations
from qcportal.workflow_views import WorkflowPageMixin

from . import assignment as assign_services
from . import rounds
from .forms_rounds import JudgeChoiceForm, JudgingSettingsForm, PanelForm, RoundForm
from .models import JudgeAssignment, JudgingRound, Panel, Submission
from .selectors import judging_overview
from .workflow import ROUND_WORKFLOW


class _Staff(MembershipRequiredMixin):
    permission_required = "evaluation:manage"


class _JudgingMixin(_Staff):
    """Finds the campaign (``code``) in the scope and the acting association's judging."""

    def get_judging(self):
        campaign = campaign_list().filter(code=self.kwargs["code"]).first()
        if campaign is None:
            raise Http404
        return campaign, rounds.judging_for(membership=self.request.membership, campaign=campaign)


class _RoundMixin(_Staff):
    """Finds the round (``pk``) in the scope (404 otherwise)."""

    def get_round(self) -> JudgingRound:
        round_ = (
            JudgingRound.objects.select_related(
                "judging__campaign", "template", "innovation_template", "entry_grade"
            )
            .filter(pk=self.kwargs["pk"])
            .first()
        )
        if round_ is None:
            raise Http404
        return round_

    def back(self, round_):
        return redirect("evaluation:round-detail", pk=round_.pk)


class JudgingHubView(_JudgingMixin, TemplateView):
    """The hub of one judging (issue 8): settings, rounds with status, weights and
    transitions, each round's workload, links to grading; below, the campaign's submissions
    judged in the staff's share with their judges and sheets."""

    template_name = "evaluation/judging.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        campaign, judging = self.get_judging()
        round_rows = []
        for round_ in rounds.round_list(judging=judging):
            round_rows.append(
                {
                    "round": round_,
                    "actions": ROUND_WORKFLOW.available(round_, self.request.membership),
                    "workload": rounds.round_workload(round_)["total"],
                }
            )
        associations = Organisation.objects.filter(
            pk__in=visible_organisations(self.request.membership.organisation)
        )
        paginator = CappedPaginator(
            judging_overview(campaign=campaign, associations=associations.values("pk")), 50
        )
        page = paginator.get_page(self.request.GET.get("page"))
        context.update(
            campaign=campaign,
            judging=judging,
            settings_form=kwargs.get("settings_form")
            or JudgingSettingsForm(
                initial={
                    "trim_min_judges": judging.trim_min_judges,
                    "score_places": judging.score_places,
                    "grade_method": judging.grade_method,
                }
            ),
            round_rows=round_rows,
            weights_total=rounds.weights_total(judging),
            weights_problem=rounds.weights_problem(judging),
            submissions=page.object_list,
            page_obj=page,
            is_paginated=page.has_other_pages(),
        )
        return context


class JudgingSettingsView(_JudgingMixin, View):
    """POST: the judging's aggregation settings."""

    http_method_names = ["post"]

    def post(self, request, code):
        campaign, judging = self.get_judging()
        form = JudgingSettingsForm(request.POST)
        try:
            if not form.is_valid():
                raise ValidationError({k: list(v) for k, v in form.errors.items()})
            rounds.judging_settings_update(
                membership=request.membership, judging=judging, **form.cleaned_data
            )
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _("评审设置已保存。"))
        return redirect("evaluation:judging", code=campaign.code)


class RoundFormView(TemplateView):
    """Shared GET/POST of the round create and edit pages."""

    template_name = "evaluation/rounds/round_form.html"

    def render_form(self, form, **extra):
        return self.render_to_response(
            self.get_context_data(form=form, **extra), status=400 if form.errors else 200
        )


class RoundCreateView(_JudgingMixin, RoundFormView):
    """Add a round to the judging (draft)."""

    def get(self, request, code):
        campaign, judging = self.get_judging()
        initial = {
            "starts_on": campaign.period_start,
            "ends_on": campaign.period_end,
            "judges_per_submission": 5,
        }
        left = 100 - rounds.weights_total(judging)
        initial["weight"] = max(left, 0)
        return self.render_form(
            RoundForm(initial=initial, judging=judging), campaign=campaign, judging=judging
        )

    def post(self, request, code):
        campaign, judging = self.get_judging()
        form = RoundForm(request.POST, judging=judging)
        if form.is_valid():
            try:
                round_ = rounds.round_create(
                    membership=request.membership, judging=judging, data=form.cleaned_data
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("已新增评审轮次：%(name)s") % {"name": round_.name})
                return redirect("evaluation:round-detail", pk=round_.pk)
        return self.render_form(form, campaign=campaign, judging=judging)


class RoundEditView(_RoundMixin, RoundFormView):
    """Change a round (everything while draft; name, dates and weight afterwards)."""

    def _initial(self, round_):
        return {f: getattr(round_, f) for f in rounds.ROUND_FIELDS}

    def get(self, request, pk):
        round_ = self.get_round()
        form = RoundForm(initial=self._initial(round_), judging=round_.judging)
        return self.render_form(form, campaign=round_.judging.campaign, judging=round_.judging, round=round_)

    def post(self, request, pk):
        round_ = self.get_round()
        form = RoundForm(request.POST, judging=round_.judging)
        if form.is_valid():
            try:
                rounds.round_update(membership=request.membership, round_=round_, data=form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("评审轮次已保存。"))
                return self.back(round_)
        return self.render_form(form, campaign=round_.judging.campaign, judging=round_.judging, round=round_)


class RoundDeleteView(_RoundMixin, View):
    """POST: delete a draft round."""

    http_method_names = ["post"]

    def post(self, request, pk):
        round_ = self.get_round()
        try:
            rounds.round_delete(membership=request.membership, round_=round_)
        except ValidationError as exc:
            messages.error(request, error_text(exc))
            return self.back(round_)
        messages.success(request, _("已删除评审轮次：%(name)s") % {"name": round_.name})
        return redirect("evaluation:judging", code=round_.judging.campaign.code)


class RoundDetailView(WorkflowPageMixin, _RoundMixin, TemplateView):
    """A round: configuration, transitions (publish the assignment, close, reopen), panels,
    the assignment per submission (paginated) with pin/swap/remove, and the live workload."""

    template_name = "evaluation/rounds/round_detail.html"
    workflow = ROUND_WORKFLOW

    def get_workflow_object(self):
        return self.get_round()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        round_ = self.get_round()
        entrants = (
            rounds.round_entrants(round_)
            .select_related("project", "domain")
            .prefetch_related(
                Prefetch(
                    "assignments",
                    queryset=JudgeAssignment._base_manager.filter(round=round_).select_related(
                        "judge", "panel"
                    ),
                    to_attr="round_assignments",
                )
            )
        )
        paginator = CappedPaginator(entrants, 50)
        page = paginator.get_page(self.request.GET.get("page"))
        context.update(
            round=round_,
            judging=round_.judging,
            campaign=round_.judging.campaign,
            panels=rounds.panel_list(round_=round_),
            entrants=page.object_list,
            page_obj=page,
            is_paginated=page.has_other_pages(),
            workload=rounds.round_workload(round_),
            pool=JudgeChoiceForm(organisation_id=round_.organisation_id)
            .fields["judge"]
            .queryset.order_by("name"),
            editable=round_.status != "closed" and not round_.judging.is_frozen,
            **self.workflow_context(
                round_,
                failed=kwargs.get("workflow_failed"),
                data=kwargs.get("workflow_data"),
                errors=kwargs.get("workflow_errors"),
            ),
        )
        return context


class AssignmentPreviewView(_RoundMixin, TemplateView):
    """GET: what the automatic assignment would create (count, loads, problems, violations)."""

    template_name = "evaluation/rounds/preview.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        round_ = self.get_round()
        plan = assign_services.assignment_plan(round_)
        context.update(
            round=round_, campaign=round_.judging.campaign, plan=plan, violations_total=_hard(plan)
        )
        return context


def _hard(plan) -> int:
    return sum(v for k, v in plan.violations.items() if k != "spread")


class AssignmentApplyView(_RoundMixin, View):
    """POST: apply the automatic assignment (idempotent)."""

    http_method_names = ["post"]

    def post(self, request, pk):
        round_ = self.get_round()
        try:
            plan = assign_services.assignment_apply(membership=request.membership, round_=round_)
        except ValidationError as exc:
            messages.error(request, error_text(exc))
            return self.back(round_)
        messages.success(
            request, _("已自动分配：新增%(c)s条，撤销%(d)s条。") % {"c": plan.create, "d": plan.delete}
        )
        for problem in plan.problems[:10]:
            messages.warning(request, problem)
        return self.back(round_)


class PanelsAutoView(_RoundMixin, View):
    """POST: form one panel per domain from the pool."""

    http_method_names = ["post"]

    def post(self, request, pk):
        round_ = self.get_round()
        try:
            panels = rounds.panels_auto(membership=request.membership, round_=round_)
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _("已按领域组建%(n)s个评审组。") % {"n": len(panels)})
        return self.back(round_)


class PanelCreateView(_RoundMixin, TemplateView):
    """Add a panel by hand (name, domain, chair, judges)."""

    template_name = "evaluation/rounds/panel_form.html"

    def get(self, request, pk):
        round_ = self.get_round()
        return self.render_to_response(
            self.get_context_data(
                form=PanelForm(judging=round_.judging), round=round_, campaign=round_.judging.campaign
            )
        )

    def post(self, request, pk):
        round_ = self.get_round()
        form = PanelForm(request.POST, judging=round_.judging)
        if form.is_valid():
            try:
                rounds.panel_save(membership=request.membership, round_=round_, **form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("评审组已保存。"))
                return self.back(round_)
        context = self.get_context_data(form=form, round=round_, campaign=round_.judging.campaign)
        return self.render_to_response(context, status=400)


class PanelDeleteView(_Staff, View):
    """POST: delete a panel of a draft round."""

    http_method_names = ["post"]

    def post(self, request, pk):
        panel = Panel.objects.select_related("round").filter(pk=pk).first()
        if panel is None:
            raise Http404
        try:
            rounds.panel_delete(membership=request.membership, panel=panel)
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _("已删除评审组：%(name)s") % {"name": panel.name})
        return redirect("evaluation:round-detail", pk=panel.round_id)


class _AssignmentAction(_Staff, View):
    """POST on one assignment (found in the scope, 404 otherwise)."""

    http_method_names = ["post"]

    def get_assignment(self) -> JudgeAssignment:
        a = (
            JudgeAssignment.objects.select_related("round", "judge", "submission")
            .filter(pk=self.kwargs["pk"])
            .first()
        )
        if a is None:
            raise Http404
        return a

    def post(self, request, pk):
        a = self.get_assignment()
        try:
            message = self.perform(a)
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, message)
        return redirect("evaluation:round-detail", pk=a.round_id)


class AssignmentPinView(_AssignmentAction):
    """POST ``pinned=1|0``: pin or unpin."""

    def perform(self, a):
        pinned = self.request.POST.get("pinned") == "1"
        assign_services.assignment_pin(membership=self.request.membership, assignment=a, pinned=pinned)
        return (
            _("已固定：%(j)s") % {"j": a.judge.name}
            if pinned
            else _("已取消固定：%(j)s") % {"j": a.judge.name}
        )


class AssignmentSwapView(_AssignmentAction):
    """POST ``judge``: replace the judge of one assignment."""

    def perform(self, a):
        form = JudgeChoiceForm(self.request.POST, organisation_id=a.organisation_id)
        if not form.is_valid():
            raise ValidationError(_("请选择本协会专家库中的评委。"))
        old = a.judge.name
        new = assign_services.assignment_swap(
            membership=self.request.membership, assignment=a, judge=form.cleaned_data["judge"]
        )
        return _("已将%(old)s调换为%(new)s。") % {"old": old, "new": new.judge.name}


class AssignmentRemoveView(_AssignmentAction):
    """POST: remove one assignment."""

    def perform(self, a):
        assign_services.assignment_remove(membership=self.request.membership, assignment=a)
        return _("已取消分配：%(j)s") % {"j": a.judge.name}


class AssignmentAddView(_RoundMixin, View):
    """POST ``submission``, ``judge``: pin a judge onto a submission by hand."""

    http_method_names = ["post"]

    def post(self, request, pk):
        round_ = self.get_round()
        form = JudgeChoiceForm(request.POST, organisation_id=round_.organisation_id)
        try:
            if not form.is_valid() or not form.cleaned_data.get("submission"):
                raise ValidationError(_("请选择成果和本协会专家库中的评委。"))
            submission = (
                Submission.objects.select_related("project", "domain")
                .filter(pk=form.cleaned_data["submission"])
                .first()
            )
            if submission is None:
                raise ValidationError(_("该成果不在本轮参评范围内。"))
            a = assign_services.assignment_add(
                membership=request.membership,
                round_=round_,
                submission=submission,
                judge=form.cleaned_data["judge"],
            )
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _("已分配评委：%(j)s") % {"j": a.judge.name})
        return self.back(round_)
