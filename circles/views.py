"""HTML pages of the circles app: the lists people work from (circles, projects, activity
records; filtered, sorted, paginated, exported to Excel), registering and editing circles,
re-registration, bulk import, project applications, the project page with its procedure
progress and transitions, activity records with attachments and process-check comments.

Thin views: reads through the selectors inside the tenant scope (a foreign object is 404),
writes through the services (one permission check, 403), refusals shown inline in Chinese.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView
from django_filters.views import FilterView

from qcportal.actions import ObjectActionView, apply_errors, error_text
from qcportal.audit_events import file_response, record_event
from qcportal.choices import AuditEvent
from qcportal.exporters import contains_personal_data, export_filters, get_exporter
from qcportal.models import AuditEntry
from qcportal.pagination import PaginatedListMixin
from qcportal.permissions import MembershipRequiredMixin, has_permission, require_permission
from qcportal.reauth import reauth_response
from qcportal.workflow_views import WorkflowPageMixin

from . import (
    exports,  # noqa: F401  (registers the list exporters)
    imports,
    selectors,
    services,
)
from .choices import STEP_DATA, ImportStatus, ProjectStatus
from .filtersets import ActivityRecordFilterSet, CircleFilterSet, ProjectFilterSet
from .forms import (
    AttachmentForm,
    CircleEditForm,
    CircleForm,
    CommentForm,
    ImportForm,
    MemberFormSet,
    ProjectForm,
    RecordForm,
    member_rows,
)
from .models import ActivityRecord, Circle, CircleImport, Project, RecordAttachment, RecordComment
from .workflow import CIRCLE_WORKFLOW, COMMENT_WORKFLOW, PROJECT_WORKFLOW

VIEW = ("circles:view", "circles:view_own")


def _get(queryset_or_callable, pk):
    try:
        return queryset_or_callable(pk=pk)
    except (Circle.DoesNotExist, Project.DoesNotExist, ActivityRecord.DoesNotExist):
        raise Http404 from None


# --- lists --------------------------------------------------------------------------------
class WorkListView(MembershipRequiredMixin, PaginatedListMixin, FilterView):
    """A working list: the scoped queryset filtered and sorted by the app's FilterSet,
    paginated without an unbounded count, and exported to Excel with ``?export=xlsx``
    (the same filter, every row, streamed)."""

    permission_required = VIEW
    paginate_by = 25
    keyset_pagination = True  # a province's circles, projects and records grow with history
    exporter_id = ""
    strict = False

    def get(self, request, *args, **kwargs):
        if request.GET.get("export") == "xlsx":
            filterset = self.filterset_class(request.GET, queryset=self.get_queryset(), request=request)
            rows = filterset.qs if filterset.is_valid() else self.get_queryset().none()
            exporter = get_exporter(self.exporter_id)
            if not any(has_permission(request.membership, p) for p in exporter.permissions):
                require_permission(request.membership, exporter.permissions[0])
            reauth = reauth_response(request, needed=contains_personal_data(exporter))
            if reauth is not None:  # issue 9 item 1: a list with personal data
                return reauth
            return exporter.response(rows, filters=export_filters(request.GET))
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        query.pop("o", None)
        context["query_without_sort"] = query.urlencode()
        export = self.request.GET.copy()
        export.pop("page", None)
        export["export"] = "xlsx"
        context["export_query"] = export.urlencode()
        context["sort"] = self.request.GET.get("o", "")
        return context


class CircleListView(WorkListView):
    """QC circles in the scope (enterprise, recommending unit, association; a circle
    member's own), searchable, filterable by year, department, status and overdue projects."""

    template_name = "circles/circle_list.html"
    filterset_class = CircleFilterSet
    exporter_id = "circles.circles"

    def get_queryset(self):
        return selectors.circle_list()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        membership = self.request.membership
        context["can_register"] = has_permission(membership, "circles:manage") or has_permission(
            membership, "circles:lead"
        )
        context["can_import"] = has_permission(membership, "circles:manage")
        return context


class ProjectListView(WorkListView):
    """Projects (课题) in the scope, filterable by year, department, status, type, overdue."""

    template_name = "circles/project_list.html"
    filterset_class = ProjectFilterSet
    exporter_id = "circles.projects"

    def get_queryset(self):
        return selectors.project_list()


class RecordListView(WorkListView):
    """Activity records in the scope, filterable by year, department, step, open comments."""

    template_name = "circles/record_list.html"
    filterset_class = ActivityRecordFilterSet
    exporter_id = "circles.records"

    def get_queryset(self):
        return selectors.record_list()


# --- circles --------------------------------------------------------------------------------
class CircleFormMixin(MembershipRequiredMixin):
    """Renders a circle form with its member rows (at least ``min_rows`` blank rows)."""

    template_name = "circles/circle_form.html"
    min_rows = 6

    def members_formset(self, data=None, initial=None):
        initial = list(initial or [])
        while len(initial) < self.min_rows:
            initial.append({"role": "leader" if not initial else "member"})
        return MemberFormSet(data, initial=None if data is not None else initial, prefix="members")

    def render_form(self, form, formset, status=200, **extra):
        return self.render_to_response(
            self.get_context_data(form=form, formset=formset, **extra), status=status
        )


class CircleCreateView(CircleFormMixin, TemplateView):
    """Register a circle with its members (coordinator: registered at once with its number;
    circle leader: an application awaiting registration review)."""

    permission_required = ("circles:manage", "circles:lead")

    def get(self, request, *args, **kwargs):
        form = CircleForm(initial={"registration_year": ""})
        return self.render_form(form, self.members_formset(), title=_("登记QC小组"))

    def post(self, request, *args, **kwargs):
        form, formset = CircleForm(request.POST), self.members_formset(request.POST)
        if form.is_valid() and formset.is_valid():
            try:
                result = services.circle_register(
                    membership=request.membership,
                    name=form.cleaned_data["name"],
                    department=form.cleaned_data["department"],
                    year=form.cleaned_data["registration_year"],
                    members=member_rows(formset),
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                circle = result.obj
                for warning in result.warnings:
                    messages.warning(request, warning)
                if circle.registration_number:
                    messages.success(
                        request,
                        _("已登记QC小组“%(name)s”，注册号 %(no)s。")
                        % {"name": circle.name, "no": circle.registration_number},
                    )
                else:
                    messages.success(request, _("已提交注册申请，等待企业推进负责人审核。"))
                return redirect("circles:circle-detail", pk=circle.pk)
        return self.render_form(form, formset, status=400, title=_("登记QC小组"))


class CircleEditView(CircleFormMixin, TemplateView):
    """Edit a circle's name, department and members (coordinator, or the circle's leader)."""

    permission_required = ("circles:manage", "circles:lead")
    min_rows = 0

    def get_circle(self):
        circle = _get(selectors.circle_get, self.kwargs["pk"])
        if not (
            has_permission(self.request.membership, "circles:manage", circle)
            or has_permission(self.request.membership, "circles:lead", circle)
        ):
            require_permission(self.request.membership, "circles:lead", circle)
        return circle

    def get(self, request, *args, **kwargs):
        circle = self.get_circle()
        form = CircleEditForm(initial={"name": circle.name, "department": circle.department})
        initial = [
            {
                "name": m.name,
                "role": m.role,
                "position": m.position,
                "username": m.user.username if m.user else "",
            }
            for m in circle.members.all()
        ] + [{"role": "member"}] * 3
        return self.render_form(
            form, self.members_formset(initial=initial), circle=circle, title=_("修改QC小组")
        )

    def post(self, request, *args, **kwargs):
        circle = self.get_circle()
        form, formset = CircleEditForm(request.POST), self.members_formset(request.POST)
        if form.is_valid() and formset.is_valid():
            try:
                result = services.circle_update(
                    membership=request.membership,
                    circle=circle,
                    name=form.cleaned_data["name"],
                    department=form.cleaned_data["department"],
                    members=member_rows(formset),
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                for warning in result.warnings:
                    messages.warning(request, warning)
                messages.success(request, _("已保存。"))
                return redirect("circles:circle-detail", pk=circle.pk)
        return self.render_form(form, formset, status=400, circle=circle, title=_("修改QC小组"))


class CircleDetailView(WorkflowPageMixin, MembershipRequiredMixin, TemplateView):
    """A circle: registration, members, projects, its registration workflow (注册审核,
    注销), history of changes, re-registration and the leader's project application."""

    permission_required = VIEW
    template_name = "circles/circle_detail.html"
    workflow = CIRCLE_WORKFLOW

    def get_workflow_object(self):
        return _get(selectors.circle_get, self.kwargs["pk"])

    def get_context_data(self, workflow_failed=None, workflow_data=None, workflow_errors=None, **kwargs):
        context = super().get_context_data(**kwargs)
        circle = self.get_workflow_object()
        membership = self.request.membership
        members = list(circle.members.all())
        context.update(
            circle=circle,
            members=members,
            member_warning=services.member_count_warning(len(members)),
            projects=selectors.project_list().filter(circle=circle),
            can_edit=has_permission(membership, "circles:manage", circle)
            or has_permission(membership, "circles:lead", circle),
            can_apply=has_permission(membership, "circles:lead", circle) and circle.status == "registered",
            can_reregister=(
                has_permission(membership, "circles:manage", circle)
                or has_permission(membership, "circles:lead", circle)
            )
            and circle.status == "registered"
            and not Circle._base_manager.filter(previous=circle).exists(),
            changes=_circle_changes(circle),
            **self.workflow_context(
                circle, failed=workflow_failed, data=workflow_data, errors=workflow_errors
            ),
        )
        return context


def _circle_changes(circle: Circle):
    """The audit trail of the circle and its members, newest first (history of changes)."""
    from django.contrib.contenttypes.models import ContentType

    ct = ContentType.objects.get_for_model(Circle)
    return (
        AuditEntry._base_manager.filter(
            Q(content_type=ct, object_id=circle.pk) | Q(additional_data__circle_id=circle.pk)
        )
        .select_related("actor")
        .order_by("-timestamp", "-id")[:50]
    )


class CircleReregisterView(ObjectActionView):
    """POST: register the circle for the next year, members carried over (年度注册)."""

    permission_required = ("circles:manage", "circles:lead")
    model = Circle

    def perform(self, circle):
        self.new = services.circle_reregister(membership=self.request.membership, circle=circle).obj
        return _("已办理%(y)s年度注册。") % {"y": self.new.registration_year}

    def redirect_to(self, circle):
        return redirect("circles:circle-detail", pk=getattr(self, "new", circle).pk)


# --- bulk import --------------------------------------------------------------------------
class ImportView(MembershipRequiredMixin, FormView):
    """Upload the filled template; the dry run shows what would be created and every faulty row."""

    permission_required = "circles:manage"
    template_name = "circles/import.html"
    form_class = ImportForm

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["imports"] = selectors.import_list()[:10]
        return context

    def form_valid(self, form):
        try:
            job = imports.import_start(membership=self.request.membership, upload=form.cleaned_data["file"])
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.render_to_response(self.get_context_data(form=form), status=400)
        return redirect("circles:import-detail", pk=job.pk)

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


class ImportTemplateView(MembershipRequiredMixin, View):
    """GET: the Excel import template."""

    permission_required = "circles:manage"

    def get(self, request):
        response = HttpResponse(
            imports.template_xlsx(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = (
            "attachment; filename*=UTF-8''%E5%B0%8F%E7%BB%84%E5%AF%BC%E5%85%A5%E6%A8%A1%E6%9D%BF.xlsx"
        )
        return response


class ImportDetailView(MembershipRequiredMixin, TemplateView):
    """A checked import: counts, preview, faulty rows (downloadable), confirm, progress."""

    permission_required = "circles:manage"
    template_name = "circles/import_detail.html"

    def get_job(self):
        job = CircleImport.objects.filter(pk=self.kwargs["pk"]).first()
        if job is None:
            raise Http404
        return job

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        job = self.get_job()
        context.update(job=job, progress=imports.live_progress(job), statuses=ImportStatus)
        return context

    def post(self, request, *args, **kwargs):
        job = self.get_job()
        try:
            imports.import_confirm(membership=request.membership, job=job)
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _("已开始导入，完成后本页会显示结果。"))
        return redirect("circles:import-detail", pk=job.pk)


class ImportReportView(ImportDetailView):
    """GET: the faulty rows of an import as an Excel report."""

    def get(self, request, *args, **kwargs):
        job = self.get_job()
        response = HttpResponse(
            imports.error_report_xlsx(job),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        filename = f"import-{job.pk}-errors.xlsx"
        response["Content-Disposition"] = f"attachment; filename={filename}"
        record_event(
            AuditEvent.DOWNLOAD,
            target=job,
            request=request,
            data={"filename": filename, "kind": "import_errors"},
        )
        return response


# --- projects -----------------------------------------------------------------------------
class ProjectApplyView(MembershipRequiredMixin, FormView):
    """The circle's leader applies for a project (立项申请)."""

    permission_required = "circles:lead"
    template_name = "circles/project_form.html"
    form_class = ProjectForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and getattr(request, "membership", None) is not None:
            self.circle = _get(selectors.circle_get, kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(circle=self.circle, title=_("申请立项"), **kwargs)

    def form_valid(self, form):
        try:
            project = services.project_apply(
                membership=self.request.membership, circle=self.circle, data=form.cleaned_data
            )
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("已提交立项申请，等待立项评审。"))
        return redirect("circles:project-detail", pk=project.pk)

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


class ProjectEditView(MembershipRequiredMixin, FormView):
    """Edit a project's application (while awaiting review or returned) or its plan."""

    permission_required = ("circles:lead", "projects:review")
    template_name = "circles/project_form.html"
    form_class = ProjectForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and getattr(request, "membership", None) is not None:
            self.project = _get(selectors.project_get, kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        p = self.project
        return {f: getattr(p, f) for f in ProjectForm.base_fields}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            circle=self.project.circle, project=self.project, title=_("修改课题"), **kwargs
        )

    def form_valid(self, form):
        try:
            services.project_update(
                membership=self.request.membership, project=self.project, data=form.cleaned_data
            )
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("已保存。"))
        return redirect("circles:project-detail", pk=self.project.pk)

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


class ProjectDetailView(WorkflowPageMixin, MembershipRequiredMixin, TemplateView):
    """A project: application, progress through the procedure steps (T/CAQ 10201-2020),
    the records of each step with open comments, its transitions and history."""

    permission_required = VIEW
    template_name = "circles/project_detail.html"
    workflow = PROJECT_WORKFLOW

    def get_workflow_object(self):
        return _get(selectors.project_get, self.kwargs["pk"])

    def transition_initial(self, project, name):
        if name in ("complete", "accept"):
            return {
                "achieved_value": project.achieved_value,
                "economic_benefit": project.economic_benefit,
                "intangible_benefits": project.intangible_benefits,
                "benefit_confirmed": project.benefit_confirmed,
                "benefit_confirmed_by": project.benefit_confirmed_by,
                "benefit_confirmed_on": project.benefit_confirmed_on,
            }
        return {}

    def get_context_data(self, workflow_failed=None, workflow_data=None, workflow_errors=None, **kwargs):
        context = super().get_context_data(**kwargs)
        project = self.get_workflow_object()
        membership = self.request.membership
        records = list(
            selectors.record_list()
            .filter(project=project)
            .prefetch_related("attachments")
            .order_by("held_on", "id")
        )
        progress = selectors.step_progress(project=project)
        for step in progress:
            step["items"] = [r for r in records if r.step == step["step"]]
        context.update(
            project=project,
            progress=progress,
            steps_done=sum(1 for s in progress if s["records"]),
            can_record=has_permission(membership, "circles:record", project)
            and project.status in (ProjectStatus.REGISTERED, ProjectStatus.IN_PROGRESS),
            can_edit=project.status in (ProjectStatus.APPLIED, ProjectStatus.RETURNED)
            and (
                has_permission(membership, "circles:lead", project)
                or has_permission(membership, "projects:review", project)
            ),
            **self.workflow_context(
                project, failed=workflow_failed, data=workflow_data, errors=workflow_errors
            ),
        )
        return context


# --- activity records --------------------------------------------------------------------
class RecordFormMixin(MembershipRequiredMixin):
    template_name = "circles/record_form.html"
    permission_required = "circles:record"

    def render_form(self, form, status=200):
        return self.render_to_response(
            self.get_context_data(form=form, project=self.project, step_data=STEP_DATA), status=status
        )

    def record_data(self, form) -> dict:
        data = dict(form.cleaned_data)
        data.pop("attachments", None)
        data["participants"] = [int(x) for x in data.get("participants", [])]
        return data


class RecordCreateView(RecordFormMixin, TemplateView):
    """Keep an activity record of one step, with attachments (the circle's members)."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and getattr(request, "membership", None) is not None:
            self.project = _get(selectors.project_get, kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        require_permission(request.membership, "circles:record", self.project)
        initial = {"step": request.GET.get("step", "")}
        return self.render_form(RecordForm(project=self.project, initial=initial))

    def post(self, request, *args, **kwargs):
        require_permission(request.membership, "circles:record", self.project)
        form = RecordForm(request.POST, request.FILES, project=self.project)
        if form.is_valid():
            try:
                from django.db import transaction

                with transaction.atomic():
                    record = services.record_create(
                        membership=request.membership, project=self.project, data=self.record_data(form)
                    )
                    for upload in form.cleaned_data.get("attachments", []):
                        services.attachment_add(membership=request.membership, record=record, upload=upload)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("已保存活动记录。"))
                return redirect("circles:project-detail", pk=self.project.pk)
        return self.render_form(form, status=400)


class RecordEditView(RecordFormMixin, TemplateView):
    """Edit an activity record while its project is in activity."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and getattr(request, "membership", None) is not None:
            self.record = _get(selectors.record_get, kwargs["pk"])
            self.project = self.record.project
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        require_permission(request.membership, "circles:record", self.record)
        r = self.record
        initial = {
            "step": r.step,
            "held_on": r.held_on,
            "participants": [str(m.pk) for m in r.participants.all()],
            "content": r.content,
            "tools": [t for t in r.tools.split("、") if t],
            "data_before": r.data_before,
            "data_after": r.data_after,
        }
        return self.render_form(RecordForm(project=self.project, initial=initial, with_attachments=False))

    def post(self, request, *args, **kwargs):
        require_permission(request.membership, "circles:record", self.record)
        form = RecordForm(request.POST, project=self.project, with_attachments=False)
        if form.is_valid():
            try:
                services.record_update(
                    membership=request.membership, record=self.record, data=self.record_data(form)
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("已保存活动记录。"))
                return redirect("circles:record-detail", pk=self.record.pk)
        return self.render_form(form, status=400)


class RecordDetailView(MembershipRequiredMixin, TemplateView):
    """An activity record with its attachments and process-check comments: management
    comments, the circle resolves (each comment's transitions through its workflow)."""

    permission_required = VIEW
    template_name = "circles/record_detail.html"

    def get_record(self):
        return _get(selectors.record_get, self.kwargs["pk"])

    def get_context_data(self, comment_form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        record = self.get_record()
        membership = self.request.membership
        comments = [(c, COMMENT_WORKFLOW.available(c, membership)) for c in record.comments.all()]
        context.update(
            record=record,
            comments=comments,
            comment_form=comment_form or CommentForm(),
            attachment_form=AttachmentForm(),
            can_comment=has_permission(membership, "projects:review", record),
            can_edit=has_permission(membership, "circles:record", record)
            and record.project.status in (ProjectStatus.REGISTERED, ProjectStatus.IN_PROGRESS),
        )
        return context


class RecordCommentView(RecordDetailView):
    """POST: the management layer adds a process-check comment to the record."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        record = self.get_record()
        require_permission(request.membership, "projects:review", record)
        form = CommentForm(request.POST)
        if form.is_valid():
            try:
                services.comment_add(
                    membership=request.membership, record=record, text=form.cleaned_data["text"]
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("已提出检查意见，小组会收到通知。"))
                return redirect("circles:record-detail", pk=record.pk)
        return self.render_to_response(self.get_context_data(comment_form=form), status=400)


class CommentTransitionView(ObjectActionView):
    """POST: take a comment's transition (resolve with an answer, or reopen)."""

    permission_required = VIEW
    model = RecordComment

    def perform(self, comment):
        name = self.request.POST.get("transition", "")
        COMMENT_WORKFLOW.perform(
            comment, name, membership=self.request.membership, comment=self.request.POST.get("comment", "")
        )
        return _("已完成：%(action)s") % {"action": COMMENT_WORKFLOW.get(name).label}

    def redirect_to(self, comment):
        return redirect("circles:record-detail", pk=comment.record_id)


class AttachmentUploadView(RecordDetailView):
    """POST: attach files to a record (type checked from the bytes, size-limited)."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        record = self.get_record()
        require_permission(request.membership, "circles:record", record)
        form = AttachmentForm(request.POST, request.FILES)
        try:
            if not form.is_valid():
                raise ValidationError([e for errors in form.errors.values() for e in errors])
            from django.db import transaction

            with transaction.atomic():
                for upload in form.cleaned_data["attachments"]:
                    services.attachment_add(membership=request.membership, record=record, upload=upload)
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _("附件已上传。"))
        return redirect("circles:record-detail", pk=record.pk)


class AttachmentDownloadView(MembershipRequiredMixin, View):
    """GET: download an attachment of a visible record."""

    permission_required = VIEW

    def get(self, request, pk):
        attachment = RecordAttachment.objects.filter(pk=pk).first()
        if attachment is None:
            raise Http404
        return file_response(
            request, attachment, attachment.file, filename=attachment.name, kind="record_attachment"
        )


class AttachmentDeleteView(ObjectActionView):
    """POST: remove an attachment (the circle's members, while the project is in activity)."""

    permission_required = "circles:record"
    model = RecordAttachment
    select_related = ("record", "record__project")

    def perform(self, attachment):
        services.attachment_delete(membership=self.request.membership, attachment=attachment)
        return _("已删除附件：%(name)s") % {"name": attachment.name}

    def redirect_to(self, attachment):
        return redirect("circles:record-detail", pk=attachment.record_id)
