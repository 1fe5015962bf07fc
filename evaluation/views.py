"""HTML views of the evaluation app: a judge's tasks, the submission page (materials, score
sheet, recusal, release, result report upload) and the association's judging overview."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import FormView, ListView, TemplateView
from django_filters.views import FilterView

from promotion.selectors import campaign_list
from qcportal.actions import ObjectActionView, apply_errors, error_text
from qcportal.audit_events import file_response
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
    judge_list,
    similar_results,
    submission_get,
)
from .views_rounds import JudgingHubView
from .workflow import SUBMISSION_WORKFLOW


def unassigned_judges(submission: Submission):
    """The judging association's active judges not yet on the submission's panel."""
    return judge_list(association=submission.recommending_association).exclude(
        assignments__submission=submission
    )


class JudgeTaskListView(MembershipRequiredMixin, PaginatedListMixin, ListView):
    """A judge's tasks by round (issue 8 item 5): every live assignment (never unassigned or
    recused ones, never a draft round) with the sheet's status and the round's deadline;
    names masked in a blind round (issue 8 item 8)."""

    permission_required = "evaluation:score"
    template_name = "evaluation/task_list.html"
    context_object_name = "tasks"
    paginate_by = 50

    def get_queryset(self):
        from .sheets import task_list

        return task_list(membership=self.request.membership)

    def get_context_data(self, **kwargs):
        from . import blind

        context = super().get_context_data(**kwargs)
        for task in context["tasks"]:
            task.label = blind.label(self.request.membership, task.submission)
        return context


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
    #: (the per-submission release is superseded by panel sign-off and publication, issue 8).
    own_panel_transitions = ("release_scores",)

    def get_workflow_object(self):
        return self.get_submission()

    def judging_context(self, submission) -> dict:
        """The judging part of the page (issue 8 items 5 and 8): a judge's own sheets by round
        (links to the round's sheet page) and the recusal form; the staff's view of every
        counted sheet (never a recused judge's) with paper entry per assignment; names masked
        for a judge of a blind round."""
        from . import blind
        from .sheets import sheet_list, task_list

        membership = self.request.membership
        is_judge = membership.role == Role.JUDGE
        can_score = is_judge and has_permission(membership, "evaluation:score", submission)
        can_manage = has_permission(membership, "evaluation:manage") and has_permission(
            membership, "evaluation:release", submission
        )
        hidden = blind.is_blind_for(membership, submission)
        return {
            "submission": submission,
            "blind": hidden,
            "label": blind.label(membership, submission),
            "introduction": blind.mask_text(submission.introduction, submission)
            if hidden
            else submission.introduction,
            "my_tasks": list(task_list(membership=membership).filter(submission=submission))
            if is_judge
            else [],
            "can_score": can_score,
            "can_manage": can_manage,
            "staff_sheets": list(sheet_list().filter(submission=submission)) if can_manage else [],
            "can_upload": has_permission(membership, "submissions:submit", submission)
            and submission.status in services.EDITABLE_STATES,
            "assignments": assignment_list(submission=submission).select_related("round")
            if can_manage
            else [],
            "assign_form": AssignForm(judges=unassigned_judges(submission)) if can_manage else None,
            "recusal_form": RecusalForm(),
            "upload_form": ResultReportForm(),
            "members": [] if hidden else submission.circle.members.order_by("position_order", "id"),
            "history": [] if hidden else self._history,
        }

    def transition_initial(self, submission, name):
        if name == "review_return":
            return {"correction_due": timezone.localdate() + dt.timedelta(days=7)}
        return {}

    def get_context_data(
        self,
        workflow_failed=None,
        workflow_data=None,
        workflow_errors=None,
        **kwargs,
    ):
        from . import blind

        context = super().get_context_data(**kwargs)
        membership = self.request.membership
        submission = self.get_submission()
        flow = self.workflow_context(
            submission, failed=workflow_failed, data=workflow_data, errors=workflow_errors
        )
        flow["actions"] = [a for a in flow["actions"] if a["t"].name not in self.own_panel_transitions]
        flow["blocked"] = [(t, r) for t, r in flow["blocked"] if t.name not in self.own_panel_transitions]
        context.update(flow)
        self._history = flow["history"]
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
            evidence=[]
            if blind.is_blind_for(membership, submission)
            else submission.evidence.order_by("held_on", "id"),
            recommended_as=Submission._base_manager.filter(source=submission)
            .select_related("campaign")
            .first(),
        )
        context.update(self.judging_context(submission))
        return context


class ScoreSheetSaveView(SubmissionMixin, View):
    """POST: save (``action=save``) or submit and lock (``action=submit``) the judge's sheet
    in the latest open round where the judge is assigned: the round's sheet page
    (:class:`evaluation.views_sheets.RoundSheetView`) answers, inline errors with 400."""

    http_method_names = ["post"]

    def post(self, request, pk):
        from .judging import scoring_round_for
        from .views_sheets import RoundSheetView

        submission = self.get_submission()
        require_permission(request.membership, "evaluation:score", submission)
        judge = Judge.objects.filter(user=request.user, organisation=request.membership.organisation).first()
        round_ = scoring_round_for(judge=judge, submission=submission) if judge else None
        if round_ is None:
            messages.error(request, _("该成果当前没有进行中的评审轮次。"))
            return self.back()
        view = RoundSheetView()
        view.setup(request, round_pk=round_.pk, pk=submission.pk)
        return view.post(request, round_pk=round_.pk, pk=submission.pk)


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
        from . import blind

        field = getattr(submission, self.FIELDS.get(kind, ""), None)
        if not field:
            raise Http404
        filename = field.name.rsplit("/", 1)[-1]
        if blind.is_blind_for(request.membership, submission):
            # Blind round (issue 8 item 8): a neutral name, never the enterprise's file name.
            extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
            filename = blind.report_filename(submission, extension)
        return file_response(request, submission, field, filename=filename, kind=field.field.name)


class ResultReportDownloadView(SubmissionFileView):
    """GET: download the submission's result report (whoever may see the submission)."""
