"""HTML pages of grading (issue 8 items 6, 7, 9): the selection board with the ranking per
domain, proposal and bulk decisions (previewed before they apply, undoable), the
approval/publication transitions, exports; the judge calibration page; grade levels and
aggregation settings. Staff of the judging association (``evaluation:manage``); the board
also shows leadership (``awards:approve``) the approval transitions."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from promotion.models import CampaignDomain
from promotion.selectors import campaign_list
from qcportal.actions import error_text
from qcportal.exporters import contains_personal_data, get_exporter
from qcportal.pagination import CappedPaginator
from qcportal.permissions import MembershipRequiredMixin, has_permission, require_permission
from qcportal.reauth import reauth_response
from qcportal.workflow_views import WorkflowPageMixin

from . import grading
from .forms_grading import GradeLevelForm, PresetForm, SettingsForm
from .judging import judging_get_or_create
from .models import GradeLevel, JudgingRound
from .scoring import judge_calibration
from .workflow import JUDGING_WORKFLOW

RANKING_PAGE = 100


class JudgingMixin(MembershipRequiredMixin):
    """Finds the campaign (visible in the scope, else 404) and the judging of it by the acting
    association (created on first use)."""

    permission_required = "evaluation:manage"

    def get_judging(self):
        """The judging of ``kwargs["code"]`` by the acting organisation; 404 if the campaign is
        not visible or the organisation is not an association."""
        if getattr(self, "_judging", None) is not None:
            return self._judging
        campaign = campaign_list().filter(code=self.kwargs["code"]).first()
        membership = self.request.membership
        if campaign is None or not membership.organisation.is_association:
            raise Http404
        self._judging = judging_get_or_create(campaign=campaign, association=membership.organisation)
        return self._judging

    def back(self):
        """Redirect to the board."""
        return redirect("evaluation:board", code=self.kwargs["code"])

    def run(self, fn, success: str):
        """Call ``fn()``; a refusal becomes ``messages.error`` (Chinese); then back to the board."""
        try:
            fn()
        except ValidationError as exc:
            messages.error(self.request, error_text(exc))
        except PermissionDenied as exc:
            messages.error(self.request, str(exc) or _("您当前的身份不能执行该操作。"))
        else:
            messages.success(self.request, success)
        return self.back()


class BoardView(JudgingMixin, WorkflowPageMixin, TemplateView):
    """The selection board (评选看板): places per grade and domain, the ranking per domain
    (paginated), the proposal's preview, batches with undo, exports and the judging's
    approval and publication transitions (exactly those available)."""

    template_name = "evaluation/grading/board.html"
    permission_required = ("evaluation:manage", "awards:approve")
    workflow = JUDGING_WORKFLOW

    def get_workflow_object(self):
        return self.get_judging()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        judging = self.get_judging()
        domain = self.request.GET.get("domain") or ""
        domain_id = int(domain) if domain.isdigit() else None
        results = grading.ranking(judging, domain_id=domain_id)
        page = CappedPaginator(results, RANKING_PAGE).get_page(self.request.GET.get("page"))
        staff = has_permission(self.request.membership, "evaluation:manage")
        context.update(
            judging=judging,
            campaign=judging.campaign,
            board=grading.board(judging),
            page_obj=page,
            paginator=page.paginator,
            is_paginated=page.has_other_pages(),
            results=page.object_list,
            rounds=list(JudgingRound._base_manager.filter(judging=judging).order_by("position")),
            domains=list(
                CampaignDomain._base_manager.filter(campaign_id=judging.campaign_id).order_by("position")
            ),
            domain_id=domain_id,
            levels=grading.grade_levels(judging),
            batches=grading.decision_batches(judging),
            staff=staff,
            preset_form=PresetForm(),
            **self.workflow_context(
                judging,
                failed=kwargs.get("workflow_failed"),
                data=kwargs.get("workflow_data"),
                errors=kwargs.get("workflow_errors"),
            ),
        )
        if staff and self.request.GET.get("propose"):
            context["preview"] = grading.proposal(judging)
            context["preview_kind"] = "proposal"
        return context


class ComputeView(JudgingMixin, View):
    """POST: recompute round scores, final scores and ranks."""

    def post(self, request, code):
        judging = self.get_judging()
        return self.run(
            lambda: grading.results_recompute(membership=request.membership, judging=judging),
            _("已重新计算得分和排名。"),
        )


class PresetView(JudgingMixin, View):
    """POST ``preset``: replace the grade levels by a preset."""

    def post(self, request, code):
        judging = self.get_judging()
        form = PresetForm(request.POST)
        if not form.is_valid():
            messages.error(request, error_text(ValidationError(form.errors)))
            return self.back()
        return self.run(
            lambda: grading.grade_levels_preset(
                membership=request.membership, judging=judging, preset=form.cleaned_data["preset"]
            ),
            _("已应用等级方案。"),
        )


def _decisions(post) -> dict:
    """``{result_id: grade_id or ""}`` from a POST: either ``d_<result>=<grade>`` pairs (a
    previewed proposal) or ``result`` (several) with one ``grade``."""
    decisions = {k[2:]: v for k, v in post.items() if k.startswith("d_")}
    if not decisions:
        grade = post.get("grade", "")
        decisions = {pk: grade for pk in post.getlist("result")}
    return decisions


class DecideView(JudgingMixin, TemplateView):
    """POST bulk decisions: without ``confirm`` it shows the preview (count and names of what
    will change); with ``confirm`` it applies them as one undoable batch."""

    template_name = "evaluation/grading/preview.html"
    # The preview renders only from a POST's decisions: a GET answers 405, not a broken page.
    http_method_names = ["post"]

    def post(self, request, code):
        judging = self.get_judging()
        decisions = _decisions(request.POST)
        try:
            preview = grading.decisions_preview(judging, decisions)
        except ValidationError as exc:
            messages.error(request, error_text(exc))
            return self.back()
        if not request.POST.get("confirm"):
            return self.render_to_response(
                {"judging": judging, "campaign": judging.campaign, "preview": preview, "decisions": decisions}
            )
        try:
            batch = grading.decisions_apply(
                membership=request.membership, judging=judging, decisions=decisions
            )
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, error_text(exc) if isinstance(exc, ValidationError) else str(exc))
            return self.back()
        if batch is None:
            messages.info(request, _("没有需要变更的等级。"))
        else:
            messages.success(request, _("已变更%(n)s项成果的等级，可撤销。") % {"n": preview.count})
        return self.back()


class UndoView(JudgingMixin, View):
    """POST ``batch``: undo a batch of grade decisions."""

    def post(self, request, code):
        judging = self.get_judging()
        batch = request.POST.get("batch", "")
        return self.run(
            lambda: grading.batch_undo(membership=request.membership, judging=judging, batch=batch),
            _("已撤销该批等级决定。"),
        )


class GradesView(JudgingMixin, TemplateView):
    """Grade levels (with places per domain) and the aggregation settings; POST ``level``
    (id or empty for a new one) saves a level, ``delete`` deletes one, ``settings`` saves the
    settings."""

    template_name = "evaluation/grading/grades.html"

    def domains(self, judging):
        return list(CampaignDomain._base_manager.filter(campaign_id=judging.campaign_id).order_by("position"))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        judging = self.get_judging()
        domains = self.domains(judging)
        levels = grading.grade_levels(judging)
        forms = kwargs.get("forms") or {}
        rows = []
        for level in levels:
            initial = {
                "name": level.name,
                "position": level.position,
                "min_score": level.min_score,
                "places": level.places,
            }
            initial.update({f"domain_{p.domain_id}": p.places for p in level.domain_places.all()})
            rows.append(
                (
                    level,
                    forms.get(str(level.pk))
                    or GradeLevelForm(initial=initial, domains=domains, prefix=f"l{level.pk}"),
                )
            )
        context.update(
            judging=judging,
            campaign=judging.campaign,
            rows=rows,
            new_form=forms.get("")
            or GradeLevelForm(domains=domains, prefix="new", initial={"position": len(levels) + 1}),
            settings_form=kwargs.get("settings_form")
            or SettingsForm(
                initial={
                    "trim_min_judges": judging.trim_min_judges,
                    "score_places": judging.score_places,
                    "grade_method": judging.grade_method,
                }
            ),
        )
        return context

    def post(self, request, code):
        judging = self.get_judging()
        membership = request.membership
        try:
            if "settings" in request.POST:
                form = SettingsForm(request.POST)
                if not form.is_valid():
                    return self.render_to_response(self.get_context_data(settings_form=form), status=400)
                grading.judging_settings_save(membership=membership, judging=judging, **form.cleaned_data)
            elif "delete" in request.POST:
                level = GradeLevel._base_manager.filter(
                    judging=judging, pk=request.POST.get("delete") or 0
                ).first()
                if level is None:
                    raise ValidationError(_("未找到该等级。"))
                grading.grade_level_delete(membership=membership, judging=judging, level=level)
            else:
                key = request.POST.get("level", "")
                level = None
                if key:
                    level = GradeLevel._base_manager.filter(
                        judging=judging, pk=key if key.isdigit() else 0
                    ).first()
                    if level is None:
                        raise ValidationError(_("未找到该等级。"))
                form = GradeLevelForm(
                    request.POST, domains=self.domains(judging), prefix=f"l{level.pk}" if level else "new"
                )
                if not form.is_valid():
                    return self.render_to_response(self.get_context_data(forms={key: form}), status=400)
                data = form.cleaned_data
                grading.grade_level_save(
                    membership=membership,
                    judging=judging,
                    level=level,
                    name=data["name"],
                    position=data["position"],
                    min_score=data["min_score"],
                    places=data["places"],
                    domain_places=form.domain_places(),
                )
        except ValidationError as exc:
            messages.error(request, error_text(exc))
            return self.render_to_response(self.get_context_data(), status=400)
        messages.success(request, _("已保存。"))
        return redirect("evaluation:grades", code=code)


class CalibrationView(JudgingMixin, TemplateView):
    """Judge calibration (评委打分校准) for staff: per round, each judge's count, mean and
    spread against the panel's, outliers flagged (R-JD-39)."""

    template_name = "evaluation/grading/calibration.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        judging = self.get_judging()
        rounds = list(JudgingRound._base_manager.filter(judging=judging).order_by("position"))
        context.update(
            judging=judging,
            campaign=judging.campaign,
            rounds=[(r, judge_calibration(r)) for r in rounds],
        )
        return context


EXPORTS = {"matrix": "judging_matrix", "ranking": "judging_ranking"}


class ExportView(JudgingMixin, View):
    """GET: download the score matrix or the ranking as Excel (``reports:export``)."""

    def get(self, request, code, kind):
        judging = self.get_judging()
        require_permission(request.membership, "reports:export")
        if kind not in EXPORTS:
            raise Http404
        reauth = reauth_response(request, needed=contains_personal_data(EXPORTS[kind]))
        if reauth is not None:  # issue 9 item 1: the score matrix names the judges
            return reauth
        exporter = get_exporter(EXPORTS[kind])(
            campaign=judging.campaign, organisation=judging.organisation, filled_by=request.user
        )
        try:
            rendered = exporter.render("xlsx")
        except ValidationError as exc:
            messages.error(request, error_text(exc))
            return self.back()
        response = HttpResponse(rendered.content, content_type=rendered.content_type)
        from django.utils.http import content_disposition_header

        response["Content-Disposition"] = content_disposition_header(True, rendered.filename)
        return response
