"""HTML pages of score sheets (issue 8, items 5 and 8): the judge's sheet per round, one
sheet's page (withdraw, staff return, paper submission), the paper sheet staff enter for a
judge, the chair's panel page (matrix, discussion, panel assessment, sign-off) and the
association's sheet templates. Thin views over :mod:`evaluation.sheets`; names are masked
for a judge of a blind round (:mod:`evaluation.blind`)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from qcportal.actions import error_text
from qcportal.conflicts import AlreadyDone
from qcportal.permissions import MembershipRequiredMixin, has_permission
from qcportal.roles import Role
from qcportal.workflow_views import WorkflowPageMixin

from . import blind, sheets
from .choices import RoundStatus, ScoreSheetKind
from .forms_sheets import PanelAssessmentForm, PanelCommentForm, TemplateDeriveForm
from .models import GradeLevel, JudgeAssignment, Panel, ScoreSheet, SheetTemplate, Submission
from .workflow import PANEL_WORKFLOW, SCORE_SHEET_WORKFLOW


def _errors(exc: ValidationError) -> dict[str, str]:
    """A service's ValidationError as ``{field: "message；message"}`` (``general`` for the rest)."""
    if hasattr(exc, "error_dict"):
        errors = {k: "；".join(v) for k, v in exc.message_dict.items()}
    else:
        errors = {"general": "；".join(exc.messages)}
    if "__all__" in errors:
        errors["general"] = errors.pop("__all__")
    return errors


def _sheet_form_context(sheet, template, *, values=None, errors=None, grades=()) -> dict:
    """The rows of a sheet form: ``[(criterion, value, error)]``, the running total, the
    assessment and the grade choices."""
    errors = errors or {}
    given = {} if sheet is None else {i.criterion.code: i.points for i in sheet.items.all()}
    if values is not None:
        given = {k: v for k, v in values.items() if k not in ("assessment", "recommended_grade")}
    criteria = sorted(template.criteria.all(), key=lambda c: c.position)
    assessment = (values or {}).get("assessment", sheet.assessment if sheet else "")
    grade = (values or {}).get("recommended_grade", str(sheet.recommended_grade_id or "") if sheet else "")
    return {
        "criteria": [(c, given.get(c.code, ""), errors.get(c.code)) for c in criteria],
        "template": template,
        "assessment": assessment,
        "grade": str(grade or ""),
        "grades": grades,
        "sheet_errors": errors,
    }


def _posted_points(request, template) -> dict:
    return {c.code: request.POST.get(f"points_{c.code}", "") for c in template.criteria.all()}


class RoundSheetView(WorkflowPageMixin, MembershipRequiredMixin, TemplateView):
    """The judge's sheet for one submission in one round (issue 8, item 5): the items with
    their maxima (0 … max, steps of 0.5) and a live running total, the assessment (≤300
    characters, live counter), a recommended grade; save the draft, submit (locks it), and
    once submitted withdraw it with a reason (recorded). 404 unless the judge holds a live
    assignment there; names masked in a blind round."""

    permission_required = "evaluation:score"
    template_name = "evaluation/sheets/round_sheet.html"
    workflow = SCORE_SHEET_WORKFLOW

    def dispatch(self, request, *args, **kwargs):
        membership = getattr(request, "membership", None)
        if membership is not None and request.user.is_authenticated and membership.role != Role.JUDGE:
            raise PermissionDenied(_("只有评委本人可以填写评分表。"))
        return super().dispatch(request, *args, **kwargs)

    def get_assignment(self) -> JudgeAssignment:
        membership = self.request.membership
        assignment = (
            JudgeAssignment.objects.filter(
                round_id=self.kwargs["round_pk"],
                submission_id=self.kwargs["pk"],
                judge__user_id=membership.user_id,
                judge__organisation_id=membership.organisation_id,
                recused=False,
            )
            .exclude(round__status=RoundStatus.DRAFT)
            .select_related(
                "round__judging__campaign",
                "judge",
                "panel",
                "submission__organisation",
                "submission__circle",
                "submission__project",
                "submission__campaign",
            )
            .first()
        )
        if assignment is None or not Submission.objects.filter(pk=assignment.submission_id).exists():
            raise Http404
        return assignment

    def get_sheet(self, assignment):
        return (
            ScoreSheet.objects.filter(
                round_id=assignment.round_id,
                submission_id=assignment.submission_id,
                judge_id=assignment.judge_id,
            )
            .select_related("entered_by", "recommended_grade")
            .prefetch_related("items__criterion")
            .first()
        )

    def get_workflow_object(self):
        sheet = self.get_sheet(self.get_assignment())
        if sheet is None:
            raise Http404
        return sheet

    def get_context_data(self, values=None, errors=None, workflow_failed=None, workflow_data=None,
                         workflow_errors=None, **kwargs):  # fmt: skip
        context = super().get_context_data(**kwargs)
        assignment = self.get_assignment()
        sheet = self.get_sheet(assignment)
        round_ = assignment.round
        submission = assignment.submission
        template = sheet.template if sheet else round_.template_for(submission)
        template = SheetTemplate._base_manager.prefetch_related("criteria").get(pk=template.pk)
        grades = list(GradeLevel._base_manager.filter(judging_id=round_.judging_id).order_by("position"))
        editable = (
            (sheet is None or (sheet.status == "draft" and not sheet.on_paper))
            and round_.status == RoundStatus.OPEN
            and not round_.judging.is_frozen
            and (assignment.panel is None or assignment.panel.status == "open")
        )
        context.update(
            assignment=assignment,
            round=round_,
            submission=submission,
            label=blind.label(self.request.membership, submission),
            sheet=sheet,
            editable=editable,
            **_sheet_form_context(sheet, template, values=values, errors=errors, grades=grades),
        )
        if sheet is not None:
            context.update(
                self.workflow_context(
                    sheet, failed=workflow_failed, data=workflow_data, errors=workflow_errors
                )
            )
        return context

    def post(self, request, *args, **kwargs):
        if "transition" in request.POST:
            return super().post(request, *args, **kwargs)
        assignment = self.get_assignment()
        sheet = self.get_sheet(assignment)
        template = sheet.template if sheet else assignment.round.template_for(assignment.submission)
        points = _posted_points(request, template)
        submit = request.POST.get("action") == "submit"
        try:
            sheets.score_sheet_save(
                membership=request.membership,
                submission=assignment.submission,
                round=assignment.round,
                points=points,
                assessment=request.POST.get("assessment", ""),
                recommended_grade=request.POST.get("recommended_grade", ""),
                submit=submit,
            )
        except AlreadyDone as exc:  # the same sheet submitted twice (a double click): R-SC-31
            messages.info(request, error_text(exc))
            return redirect(
                "evaluation:round-sheet", round_pk=assignment.round_id, pk=assignment.submission_id
            )
        except ValidationError as exc:
            messages.error(request, _("评分表未保存，请按提示修改。"))
            values = {
                **points,
                "assessment": request.POST.get("assessment", ""),
                "recommended_grade": request.POST.get("recommended_grade", ""),
            }
            context = self.get_context_data(values=values, errors=_errors(exc))
            return self.render_to_response(context, status=400)
        messages.success(request, _("评分表已提交并锁定。") if submit else _("评分表草稿已保存。"))
        return redirect("evaluation:round-sheet", round_pk=assignment.round_id, pk=assignment.submission_id)


class SheetDetailView(WorkflowPageMixin, MembershipRequiredMixin, TemplateView):
    """One sheet (association staff of the judging association, the judge, the panel chair):
    items, total, assessment, recommended grade, who entered a paper sheet (纸质代录), its
    history, and the transitions the viewer may take (withdraw, staff return, submit a
    paper sheet). A recused judge's sheet is not found."""

    permission_required = ("evaluation:manage", "evaluation:score")
    template_name = "evaluation/sheets/sheet_detail.html"
    workflow = SCORE_SHEET_WORKFLOW

    def get_workflow_object(self):
        sheet = sheets.sheet_list().filter(pk=self.kwargs["pk"]).first()
        if sheet is None:
            raise Http404
        membership = self.request.membership
        if membership.role == Role.JUDGE:
            own = sheet.judge.user_id == membership.user_id
            chair = Panel._base_manager.filter(
                assignments__round_id=sheet.round_id,
                assignments__submission_id=sheet.submission_id,
                chair__user_id=membership.user_id,
            ).exists()
            if not (own or chair):
                raise Http404
        return sheet

    def get_context_data(self, workflow_failed=None, workflow_data=None, workflow_errors=None, **kwargs):
        context = super().get_context_data(**kwargs)
        sheet = self.get_workflow_object()
        context.update(
            sheet=sheet,
            rows=sheets.sheet_rows(sheet),
            label=blind.label(self.request.membership, sheet.submission),
            **self.workflow_context(
                sheet, failed=workflow_failed, data=workflow_data, errors=workflow_errors
            ),
        )
        return context


class PaperSheetView(MembershipRequiredMixin, TemplateView):
    """Association staff enter a judge's paper sheet (纸质代录) for one assignment: the same
    items, then save or submit (``submit_paper``); the sheet records who entered it."""

    permission_required = "evaluation:manage"
    template_name = "evaluation/sheets/paper_sheet.html"

    def get_assignment(self) -> JudgeAssignment:
        assignment = (
            JudgeAssignment.objects.filter(pk=self.kwargs["pk"])
            .select_related(
                "round__judging__campaign",
                "judge",
                "submission__organisation",
                "submission__circle",
                "submission__project",
            )  # fmt: skip
            .first()
        )
        if assignment is None:
            raise Http404
        if assignment.organisation_id != self.request.membership.organisation_id:
            raise PermissionDenied(_("只能代录本协会评审轮次的评分表。"))
        return assignment

    def get_context_data(self, values=None, errors=None, **kwargs):
        context = super().get_context_data(**kwargs)
        assignment = self.get_assignment()
        sheet = (
            ScoreSheet.objects.filter(
                round_id=assignment.round_id,
                submission_id=assignment.submission_id,
                judge_id=assignment.judge_id,
            )
            .select_related("entered_by")
            .prefetch_related("items__criterion")
            .first()
        )
        template = sheet.template if sheet else assignment.round.template_for(assignment.submission)
        template = SheetTemplate._base_manager.prefetch_related("criteria").get(pk=template.pk)
        grades = list(
            GradeLevel._base_manager.filter(judging_id=assignment.round.judging_id).order_by("position")
        )
        context.update(
            assignment=assignment,
            sheet=sheet,
            editable=sheet is None
            or (sheet.status == "draft" and (sheet.on_paper or not sheet.items.exists())),
            **_sheet_form_context(sheet, template, values=values, errors=errors, grades=grades),
        )
        return context

    def post(self, request, *args, **kwargs):
        assignment = self.get_assignment()
        sheet = ScoreSheet.objects.filter(
            round_id=assignment.round_id, submission_id=assignment.submission_id, judge_id=assignment.judge_id
        ).first()
        template = sheet.template if sheet else assignment.round.template_for(assignment.submission)
        points = _posted_points(request, template)
        submit = request.POST.get("action") == "submit"
        try:
            saved = sheets.paper_sheet_save(
                membership=request.membership,
                assignment=assignment,
                points=points,
                assessment=request.POST.get("assessment", ""),
                recommended_grade=request.POST.get("recommended_grade", ""),
                submit=submit,
            )
        except AlreadyDone as exc:  # the same paper sheet submitted twice (R-SC-31)
            messages.info(request, error_text(exc))
            return redirect("evaluation:sheet-detail", pk=exc.obj.pk)
        except (ValidationError, PermissionDenied) as exc:
            if isinstance(exc, PermissionDenied):
                raise
            messages.error(request, _("评分表未保存，请按提示修改。"))
            values = {
                **points,
                "assessment": request.POST.get("assessment", ""),
                "recommended_grade": request.POST.get("recommended_grade", ""),
            }
            return self.render_to_response(
                self.get_context_data(values=values, errors=_errors(exc)), status=400
            )
        messages.success(request, _("纸质评分表已代录并提交。") if submit else _("纸质评分表草稿已保存。"))
        return redirect("evaluation:sheet-detail", pk=saved.pk)


class PanelMixin(MembershipRequiredMixin):
    """Resolves ``pk`` to a panel the membership may open (404 otherwise)."""

    permission_required = ("evaluation:manage", "evaluation:score")

    def get_panel(self) -> Panel:
        panel = (
            Panel.objects.filter(pk=self.kwargs["pk"])
            .select_related("round__judging__campaign", "chair", "domain", "organisation", "signed_off_by")
            .first()
        )
        if panel is None or not sheets.panel_visible(self.request.membership, panel):
            raise Http404
        return panel


class PanelView(WorkflowPageMixin, PanelMixin, TemplateView):
    """The chair's panel page (issue 8, item 5): the submissions × judges matrix of totals
    (drafts marked, recused judges' cells without scores, spread highlighted), each sheet's
    items and assessment, the discussion, the panel assessment per submission, and sign-off
    (``PANEL_WORKFLOW``: every live assignment needs a submitted sheet); staff reopen with a
    reason. The panel's other judges see only their own sheets until publication."""

    template_name = "evaluation/sheets/panel.html"
    workflow = PANEL_WORKFLOW
    #: A spread (max − min of the totals, points) from which the row is highlighted.
    SPREAD_WARNING = 10

    def get_workflow_object(self):
        return self.get_panel()

    def get_context_data(self, workflow_failed=None, workflow_data=None, workflow_errors=None, **kwargs):
        context = super().get_context_data(**kwargs)
        membership = self.request.membership
        panel = self.get_panel()
        matrix = sheets.panel_matrix(membership=membership, panel=panel)
        chair = sheets.is_panel_chair(membership, panel)
        staff = membership.role != Role.JUDGE
        context.update(
            panel=panel,
            matrix=matrix,
            spread_warning=self.SPREAD_WARNING,
            is_chair=chair,
            can_assess=(chair or staff) and panel.status == "open" and not panel.round.judging.is_frozen,
            can_comment=panel.status == "open" and not panel.round.judging.is_frozen,
            can_paper=staff and has_permission(membership, "evaluation:manage"),
            comments=sheets.panel_comments(panel=panel),
            counts=sheets.sheet_count_by_status(panel=panel),
            comment_form=PanelCommentForm(),
            **self.workflow_context(
                panel, failed=workflow_failed, data=workflow_data, errors=workflow_errors
            ),
        )
        return context


class PanelCommentView(PanelMixin, View):
    """POST: add a remark to the panel's discussion."""

    http_method_names = ["post"]

    def post(self, request, pk):
        panel = self.get_panel()
        form = PanelCommentForm(request.POST)
        try:
            if not form.is_valid():
                raise ValidationError([e for errors in form.errors.values() for e in errors])
            submission = None
            if request.POST.get("submission", "").isdigit():
                submission = Submission._base_manager.filter(pk=int(request.POST["submission"][:10])).first()
            sheets.panel_comment_add(
                membership=request.membership,
                panel=panel,
                text=form.cleaned_data["text"],
                submission=submission,
            )
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _("讨论意见已发表。"))
        return redirect("evaluation:panel", pk=panel.pk)


class PanelAssessmentView(PanelMixin, View):
    """POST: the chair (or staff) writes the panel's assessment of one submission (≤300
    characters, seed 002 Annex 5)."""

    http_method_names = ["post"]

    def post(self, request, pk):
        panel = self.get_panel()
        form = PanelAssessmentForm(request.POST)
        try:
            if not form.is_valid():
                raise ValidationError([e for errors in form.errors.values() for e in errors])
            submission = Submission._base_manager.filter(pk=form.cleaned_data["submission"]).first()
            if submission is None:
                raise ValidationError(_("该成果不在本评审组。"))
            sheets.panel_assessment_save(
                membership=request.membership,
                panel=panel,
                submission=submission,
                text=form.cleaned_data["text"],
            )
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _("评审组意见已保存。"))
        return redirect("evaluation:panel", pk=panel.pk)


class TemplateListView(MembershipRequiredMixin, TemplateView):
    """Association staff: the standard's sheets and the association's variants, by kind,
    with which are in use (read-only)."""

    permission_required = "evaluation:manage"
    template_name = "evaluation/sheets/template_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        templates = list(
            sheets.template_list(self.request.membership.organisation).select_related("based_on")
        )
        context["groups"] = [
            (label, [t for t in templates if t.kind == kind]) for kind, label in ScoreSheetKind.choices
        ]
        return context


class TemplateDetailView(MembershipRequiredMixin, TemplateView):
    """A sheet template's items; the association's own unused variant is edited here
    (labels, descriptions, methods, maxima totalling 100; items added or removed), and any
    template can be derived into a new variant."""

    permission_required = "evaluation:manage"
    template_name = "evaluation/sheets/template_detail.html"
    EXTRA_ROWS = 3

    def get_template_object(self) -> SheetTemplate:
        try:
            return sheets.template_get(self.request.membership.organisation, self.kwargs["pk"])
        except SheetTemplate.DoesNotExist:
            raise Http404 from None

    def get_context_data(self, rows=None, errors=None, **kwargs):
        context = super().get_context_data(**kwargs)
        template = self.get_template_object()
        editable = template.organisation_id == self.request.membership.organisation_id and not template.used
        if rows is None:
            rows = [
                {k: getattr(c, k) for k in ("code", "label", "description", "method", "max_points")}
                for c in template.criteria.order_by("position")
            ]
        if editable:
            rows = rows + [{} for _ in range(self.EXTRA_ROWS)]
        context.update(
            template=template,
            rows=rows,
            editable=editable,
            errors=errors or {},
            total=sum(
                int(r.get("max_points") or 0) for r in rows if str(r.get("max_points") or "0").isdigit()
            ),
            derive_form=TemplateDeriveForm(initial={"name": template.name}),
        )
        return context

    def post(self, request, *args, **kwargs):
        template = self.get_template_object()
        count = min(int(request.POST.get("rows", "0")) if request.POST.get("rows", "").isdigit() else 0, 60)
        rows = []
        for i in range(count):
            row = {k: request.POST.get(f"item-{i}-{k}", "") for k in ("code", "label", "description", "method",
                                                                      "max_points")}  # fmt: skip
            if any(str(v).strip() for v in row.values()):
                rows.append(row)
        try:
            sheets.template_update(
                membership=request.membership,
                template=template,
                name=request.POST.get("name", ""),
                version=request.POST.get("version", ""),
                items=rows,
            )
        except ValidationError as exc:
            messages.error(request, _("评分表未保存：%(reason)s") % {"reason": error_text(exc)})
            context = self.get_context_data(rows=rows, errors=_errors(exc))
            return self.render_to_response(context, status=400)
        messages.success(request, _("评分表已保存。"))
        return redirect("evaluation:template-detail", pk=template.pk)


class TemplateDeriveView(MembershipRequiredMixin, View):
    """POST: derive a new variant (name, version) from a template."""

    permission_required = "evaluation:manage"
    http_method_names = ["post"]

    def post(self, request, pk):
        try:
            source = sheets.template_get(request.membership.organisation, pk)
        except SheetTemplate.DoesNotExist:
            raise Http404 from None
        form = TemplateDeriveForm(request.POST)
        try:
            if not form.is_valid():
                raise ValidationError([e for errors in form.errors.values() for e in errors])
            template = sheets.template_derive(
                membership=request.membership,
                source=source,
                name=form.cleaned_data["name"],
                version=form.cleaned_data["version"],
            )
        except ValidationError as exc:
            messages.error(request, error_text(exc))
            return redirect("evaluation:template-detail", pk=source.pk)
        messages.success(request, _("已另存为新版本，请修改评审项目。"))
        return redirect("evaluation:template-detail", pk=template.pk)
