"""HTML views of the evaluation app: a judge's tasks, the submission page (materials, score
sheet, recusal, release, result report upload) and the association's judging overview."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import FormView, ListView, TemplateView
from django_filters.views import FilterView

from promotion.selectors import campaign_list
from qcportal.actions import ObjectActionView, apply_errors, error_text
from qcportal.pagination import PaginatedListMixin
from qcportal.permissions import MembershipRequiredMixin, has_permission, require_permission
from qcportal.roles import Role
from qcportal.workflow_views import WorkflowPageMixin

from . import services
from .choices import SubmissionStatus
from .filtersets import SubmissionFilterSet
from .forms import (
    AssignForm,
    RecommendationFormUploadForm,
    RecusalForm,
    ResultReportForm,
    SubmissionCreateForm,
    SubmissionEditForm,
    VideoUploadForm,
)
from .models import Judge, JudgeAssignment, ScoreSheet, Submission
from .selectors import (
    assignment_list,
    criteria_for,
    judge_list,
    score_sheet_list,
    similar_results,
    submission_get,
    submission_list_for_judge,
)
from .views_rounds import JudgingHubView
from .workflow import SUBMISSION_WORKFLOW


def unassigned_judges(submission: Submission):
    """The judging association's active judges not yet on the submission's panel."""
    return judge_list(association=submission.recommending_association).exclude(
        assignments__submission=submission
    )


def _scoring_template(membership, submission: Submission):
    """The sheet the acting judge scores ``submission`` on in their open round (else the
    first round's sheet for the submission, e.g. for staff)."""
    from circles.choices import ProjectType

    from .choices import ScoreSheetKind
    from .judging import scoring_round_for, standard_template

    judge = Judge.objects.filter(user=membership.user, organisation=membership.organisation).first()
    round_ = scoring_round_for(judge=judge, submission=submission) if judge else None
    if round_ is not None:
        return round_.template_for(submission)
    innovation = submission.project.project_type == ProjectType.INNOVATION
    return standard_template(
        ScoreSheetKind.INNOVATION_RESULT if innovation else ScoreSheetKind.PROBLEM_SOLVING_RESULT
    )


class JudgeTaskListView(MembershipRequiredMixin, PaginatedListMixin, ListView):
    """A judge's assigned submissions (never unassigned or recused ones) and their sheet status."""

    permission_required = "evaluation:score"
    template_name = "evaluation/task_list.html"
    context_object_name = "submissions"
    paginate_by = 50

    def get_queryset(self):
        return submission_list_for_judge(membership=self.request.membership)


class SubmissionMixin(MembershipRequiredMixin):
    """Resolves ``pk`` to a submission visible in the scope (404 otherwise) and requires
    ``submissions:view`` or, for judges, ``evaluation:score`` on it."""

    def get_submission(self) -> Submission:
        try:
            submission = submission_get(pk=self.kwargs["pk"])
        except Submission.DoesNotExist:
            raise Http404 from None
        membership = self.request.membership
        if not (
            has_permission(membership, "submissions:view")
            or has_permission(membership, "evaluation:score", submission)
        ):
            raise PermissionDenied(_("您当前的身份不能查看该成果。"))
        return submission

    def back(self):
        return redirect("evaluation:submission-detail", pk=self.kwargs["pk"])


class SubmissionDetailView(WorkflowPageMixin, SubmissionMixin, TemplateView):
    """The submission page. The recommendation chain's transitions (submit, recommend,
    formal review, recommend to the parent campaign …) are offered as the workflow allows,
    with the history; the enterprise edits and uploads its materials, the unit its sealed
    form; at formal review the association sees similar results of other units and years.
    Judges score here (sheet form, recusal); the panel chair and association staff release
    scores and manage the panel. Other judges' sheets appear only after release (scope)."""

    template_name = "evaluation/submission_detail.html"
    workflow = SUBMISSION_WORKFLOW
    #: Transitions this page offers in its own panel rather than in the transitions card.
    own_panel_transitions = ("release_scores",)

    def get_workflow_object(self):
        return self.get_submission()

    def transition_initial(self, submission, name):
        if name == "review_return":
            return {"correction_due": timezone.localdate() + dt.timedelta(days=7)}
        return {}

    def get_context_data(
        self,
        sheet_errors=None,
        sheet_values=None,
        workflow_failed=None,
        workflow_data=None,
        workflow_errors=None,
        **kwargs,
    ):
        context = super().get_context_data(**kwargs)
        membership = self.request.membership
        submission = self.get_submission()
        flow = self.workflow_context(
            submission, failed=workflow_failed, data=workflow_data, errors=workflow_errors
        )
        flow["actions"] = [a for a in flow["actions"] if a["t"].name not in self.own_panel_transitions]
        flow["blocked"] = [(t, r) for t, r in flow["blocked"] if t.name not in self.own_panel_transitions]
        context.update(flow)
        reviewing = submission.status == SubmissionStatus.UNIT_RECOMMENDED and has_permission(
            membership, "submissions:review"
        )
        context.update(
            can_edit=submission.status in services.EDITABLE_STATES
            and has_permission(membership, "submissions:submit", submission),
            can_upload_form=submission.status == SubmissionStatus.SUBMITTED
            and membership.organisation_id == submission.recommending_unit_id
            and has_permission(membership, "submissions:recommend"),
            similar=similar_results(submission=submission) if reviewing else None,
            evidence=submission.evidence.order_by("held_on", "id"),
            recommended_as=Submission._base_manager.filter(source=submission)
            .select_related("campaign")
            .first(),
        )
        sheets = list(score_sheet_list(submission=submission))
        my_sheet = next((s for s in sheets if s.judge.user_id == membership.user_id), None)
        can_score = membership.role == Role.JUDGE and has_permission(
            membership, "evaluation:score", submission
        )
        can_manage = has_permission(membership, "evaluation:manage") and has_permission(
            membership, "evaluation:release", submission
        )
        criteria = list(criteria_for(template=_scoring_template(membership, submission)))
        entered = sheet_values or (
            {i.criterion.code: i.points for i in my_sheet.items.all()} if my_sheet else {}
        )
        context.update(
            submission=submission,
            criteria=[(c, entered.get(c.code, ""), (sheet_errors or {}).get(c.code)) for c in criteria],
            sheet_errors=sheet_errors or {},
            assessment=(sheet_values or {}).get("assessment", my_sheet.assessment if my_sheet else ""),
            my_sheet=my_sheet,
            other_sheets=[s for s in sheets if s is not my_sheet],
            can_score=can_score and not submission.scores_released_at,
            can_release=has_permission(membership, "evaluation:release", submission)
            and not submission.scores_released_at,
            can_manage=can_manage,
            can_upload=has_permission(membership, "submissions:submit", submission)
            and submission.status in services.EDITABLE_STATES,
            assignments=assignment_list(submission=submission) if can_manage else [],
            assign_form=AssignForm(judges=unassigned_judges(submission)) if can_manage else None,
            recusal_form=RecusalForm(),
            upload_form=ResultReportForm(),
            members=submission.circle.members.order_by("position_order", "id"),
        )
        return context


class ScoreSheetSaveView(SubmissionMixin, View):
    """POST: save (``action=save``) or submit and lock (``action=submit``) the judge's sheet."""

    http_method_names = ["post"]

    def post(self, request, pk):
        submission = self.get_submission()
        require_permission(request.membership, "evaluation:score", submission)
        submit = request.POST.get("action") == "submit"
        criteria = criteria_for(template=_scoring_template(request.membership, submission))
        points = {c.code: request.POST.get(f"points_{c.code}", "") for c in criteria}
        try:
            services.score_sheet_save(
                membership=request.membership,
                submission=submission,
                points=points,
                assessment=request.POST.get("assessment", ""),
                submit=submit,
            )
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"general": exc.messages}
            if "__all__" in errors:
                errors["general"] = errors.pop("__all__")
            view = SubmissionDetailView()
            view.setup(request, pk=pk)
            messages.error(request, _("评分表未保存，请按提示修改。"))
            context = view.get_context_data(
                sheet_errors={k: "；".join(v) for k, v in errors.items()},
                sheet_values={**points, "assessment": request.POST.get("assessment", "")},
            )
            return view.render_to_response(context, status=400)
        messages.success(request, _("评分表已提交并锁定。") if submit else _("评分表草稿已保存。"))
        return self.back()


class RecusalView(SubmissionMixin, View):
    """POST: the judge declares a conflict of interest (回避) with a reason."""

    http_method_names = ["post"]

    def post(self, request, pk):
        submission = self.get_submission()
        require_permission(request.membership, "evaluation:recuse", submission)
        form = RecusalForm(request.POST)
        try:
            if not form.is_valid():
                raise ValidationError(form.errors.get("reason") or _("请填写回避原因。"))
            services.recusal_declare(
                membership=request.membership, submission=submission, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            messages.error(request, error_text(exc))
            return self.back()
        messages.success(request, _("已申报回避，该成果不再出现在您的评审任务中。"))
        return redirect("evaluation:task-list")


class ReleaseView(SubmissionMixin, ObjectActionView):
    """POST: the panel chair (or association staff) releases the panel's scores."""

    def get_object(self):
        submission = self.get_submission()
        require_permission(self.request.membership, "evaluation:release", submission)
        return submission

    def perform(self, submission):
        released = services.scores_release(membership=self.request.membership, submission=submission)
        return _("评分已公开，成果得分 %(score)s 分。") % {"score": released.score}

    def redirect_to(self, submission):
        return self.back()


class AssignView(SubmissionMixin, View):
    """POST: association staff assign a judge (automatic recusal refuses conflicted judges)."""

    http_method_names = ["post"]

    def post(self, request, pk):
        submission = self.get_submission()
        require_permission(request.membership, "evaluation:manage")
        require_permission(request.membership, "evaluation:release", submission)
        form = AssignForm(request.POST, judges=judge_list(association=submission.recommending_association))
        try:
            if not form.is_valid():
                raise ValidationError([e for errors in form.errors.values() for e in errors])
            assignment = services.judge_assign(
                membership=request.membership,
                submission=submission,
                judge=form.cleaned_data["judge"],
                is_panel_chair=form.cleaned_data["is_panel_chair"],
            )
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _("已分配评委：%(judge)s") % {"judge": assignment.judge.name})
        return self.back()


class UnassignView(ObjectActionView):
    """POST: association staff remove an assignment without submitted sheet."""

    permission_required = "evaluation:manage"
    model = JudgeAssignment
    select_related = ("submission", "judge")

    def perform(self, assignment):
        services.judge_unassign(membership=self.request.membership, assignment=assignment)
        return _("已取消分配：%(judge)s") % {"judge": assignment.judge.name}

    def redirect_to(self, assignment):
        return redirect("evaluation:submission-detail", pk=assignment.submission_id)


class SheetWithdrawView(ObjectActionView):
    """POST: association staff reopen a submitted sheet for correction (before release)."""

    permission_required = "evaluation:manage"
    model = ScoreSheet
    select_related = ("submission", "judge")

    def perform(self, sheet):
        services.score_sheet_withdraw(membership=self.request.membership, sheet=sheet)
        return _("已退回%(judge)s的评分表。") % {"judge": sheet.judge.name}

    def redirect_to(self, sheet):
        return redirect("evaluation:submission-detail", pk=sheet.submission_id)


class JudgingOverviewView(JudgingHubView):
    """The hub of one judging (issue 8): see :class:`evaluation.views_rounds.JudgingHubView`."""


# --- the recommendation chain (issue 7) --------------------------------------------------------
class SubmissionListView(MembershipRequiredMixin, PaginatedListMixin, FilterView):
    """Submissions visible in the scope (an enterprise its own, a unit those it recommends,
    an association its share), filtered by campaign, status and association; newest first,
    paginated without exact counts."""

    permission_required = "submissions:view"
    template_name = "evaluation/submission_list.html"
    filterset_class = SubmissionFilterSet
    context_object_name = "submissions"
    paginate_by = 25

    def get_queryset(self):
        return Submission.objects.select_related(
            "organisation", "circle", "project", "campaign", "recommending_unit"
        ).order_by("-id")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_submit"] = has_permission(self.request.membership, "submissions:submit")
        context["statuses"] = SubmissionStatus.choices
        return context


def _enterprise_choices(membership):
    """Open campaigns the enterprise signed up for, and its accepted projects."""
    from circles.choices import ProjectStatus
    from circles.models import Project
    from promotion.choices import CampaignStatus

    campaigns = campaign_list().filter(
        status=CampaignStatus.OPEN, entries__organisation_id=membership.organisation_id
    )
    projects = Project.objects.filter(
        organisation_id=membership.organisation_id, status=ProjectStatus.ACCEPTED
    ).select_related("circle")
    return campaigns, projects


class SubmissionCreateView(MembershipRequiredMixin, FormView):
    """成果申报, step 1 (enterprise coordinator): choose the campaign and the accepted
    project; the draft is created with the Annex 1 data filled from the sign-up, circle and
    project, then completed on its edit page."""

    permission_required = "submissions:submit"
    template_name = "evaluation/submission_create.html"
    form_class = SubmissionCreateForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["campaigns"], kwargs["projects"] = _enterprise_choices(self.request.membership)
        campaign = self.request.GET.get("campaign")
        if campaign:
            kwargs.setdefault("initial", {})["campaign"] = (
                kwargs["campaigns"].filter(code=campaign[:40]).values_list("pk", flat=True).first()
            )
        return kwargs

    def form_valid(self, form):
        try:
            submission = services.submission_create(
                membership=self.request.membership,
                campaign=form.cleaned_data["campaign"],
                project=form.cleaned_data["project"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("已创建申报草稿，请补充申报材料并上传成果报告后提交。"))
        return redirect("evaluation:submission-edit", pk=submission.pk)


class SubmissionEditView(SubmissionMixin, FormView):
    """The Annex 1 data, domain, evidence and benchmark flag of a draft or returned
    submission (the enterprise)."""

    template_name = "evaluation/submission_edit.html"
    form_class = SubmissionEditForm

    def dispatch(self, request, *args, **kwargs):
        if request.membership is not None:
            self.submission = self.get_submission()
            require_permission(request.membership, "submissions:submit", self.submission)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        from circles.models import ActivityRecord
        from promotion.models import CampaignDomain

        kwargs = super().get_form_kwargs()
        s = self.submission
        kwargs["domains"] = CampaignDomain.objects.filter(campaign_id=s.campaign_id)
        kwargs["records"] = ActivityRecord.objects.filter(project_id=s.project_id).order_by("held_on", "id")
        kwargs["initial"] = {
            "domain": s.domain_id,
            "evidence": list(s.evidence.values_list("pk", flat=True)),
            **{name: getattr(s, name) for name in services.SUBMISSION_FIELDS},
        }
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["submission"] = self.submission
        return context

    def form_valid(self, form):
        data = {name: form.cleaned_data[name] for name in services.SUBMISSION_FIELDS}
        try:
            services.submission_update(
                membership=self.request.membership,
                submission=self.submission,
                domain=form.cleaned_data["domain"],
                data=data,
                evidence=list(form.cleaned_data["evidence"]),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("申报材料已保存。"))
        return redirect("evaluation:submission-detail", pk=self.submission.pk)


class _UploadView(SubmissionMixin, View):
    """POST a file of the submission: the permission first (403), then the form and the
    service; refusals are shown as messages on the submission page."""

    http_method_names = ["post"]
    form_class = None
    field = ""
    permission = "submissions:submit"
    service = None
    done = ""

    def post(self, request, pk):
        submission = self.get_submission()
        require_permission(request.membership, self.permission, submission)
        form = self.form_class(request.POST, request.FILES)
        try:
            if not form.is_valid():
                raise ValidationError([e for errors in form.errors.values() for e in errors])
            type(self).service(
                membership=request.membership, submission=submission, upload=form.cleaned_data[self.field]
            )
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, str(self.done))
        return self.back()


class ResultReportUploadView(_UploadView):
    """POST: the enterprise uploads its result report (PDF/Word, ≤ 20 MB, type sniffed)."""

    form_class = ResultReportForm
    field = "result_report"
    service = services.result_report_upload
    done = gettext_lazy("成果报告已上传。")


class RecommendationFormUploadView(_UploadView):
    """POST: the recommending unit uploads its sealed recommendation form (seed 003 附件4)."""

    form_class = RecommendationFormUploadForm
    field = "recommendation_form"
    permission = "submissions:recommend"
    service = services.recommendation_form_upload
    done = gettext_lazy("推荐表已上传。")


class VideoUploadView(_UploadView):
    """POST: the enterprise uploads a benchmark candidate's presentation video (seed 003 §二.4)."""

    form_class = VideoUploadForm
    field = "presentation_video"
    service = services.presentation_video_upload
    done = gettext_lazy("发表视频已上传。")


class SubmissionFileView(SubmissionMixin, View):
    """GET: download one of the submission's files (``kind``: recommendation form or video)
    for whoever may see the submission."""

    FIELDS = {
        "report": "result_report",
        "recommendation-form": "recommendation_form",
        "video": "presentation_video",
    }

    def get(self, request, pk, kind="report"):
        submission = self.get_submission()
        field = getattr(submission, self.FIELDS.get(kind, ""), None)
        if not field:
            raise Http404
        return FileResponse(field.open("rb"), as_attachment=True, filename=field.name.rsplit("/", 1)[-1])


class ResultReportDownloadView(SubmissionFileView):
    """GET: download the submission's result report (whoever may see the submission)."""
