"""HTML views of the expert pool (专家库) and conflicts of interest (issue 8, items 1 and 3):
the pool list, a judge's page, create/edit, qualifications, the Excel import (template,
preview, confirm), the judge's own declarations and the staff's conflicts page of a judging
with waivers. Thin views over :mod:`evaluation.pool`."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView, TemplateView

from circles.choices import ProjectType
from promotion.selectors import campaign_list
from qcportal.actions import apply_errors, error_text
from qcportal.pagination import PaginatedListMixin
from qcportal.permissions import MembershipRequiredMixin

from . import pool
from .choices import JudgeLevel
from .forms_pool import ConflictDeclareForm, JudgeForm, JudgeImportForm, QualificationForm, WaiverForm
from .models import ConflictWaiver, Judge, JudgeQualification, Submission

IMPORT_SESSION_KEY = "evaluation_judge_import"


class PoolMixin(MembershipRequiredMixin):
    """Association staff (``evaluation:manage``) acting on their association's pool."""

    permission_required = "evaluation:manage"

    @property
    def association(self):
        return self.request.membership.organisation

    def get_judge(self) -> Judge:
        return pool.judge_get(association=self.association, pk=self.kwargs["pk"])


class JudgePoolListView(PoolMixin, PaginatedListMixin, ListView):
    """专家库: the association's judges with search (name, certificate number, work unit) and
    filters (level, domain, active, qualification expiring/expired); paginated, capped count."""

    template_name = "evaluation/pool/judge_list.html"
    context_object_name = "judges"
    paginate_by = 50

    def get_queryset(self):
        return pool.judge_pool(association=self.association, filters=self.request.GET)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            levels=JudgeLevel.choices,
            domains=pool.pool_domains(association=self.association),
            expiring_days=pool.EXPIRING_DAYS,
        )
        return context


class OrganisationSearchView(PoolMixin, View):
    """JSON: organisations of the association's subtree matching ``q`` (name or code), for the
    employer field: ``{"results": [{"code", "name"}]}`` (at most 20)."""

    def get(self, request):
        rows = pool.employer_choices(association=self.association, q=request.GET.get("q", ""))
        return JsonResponse({"results": [{"code": o.code, "name": o.name} for o in rows]})


def _initial(judge: Judge) -> dict:
    return {
        "name": judge.name,
        "certificate_number": judge.certificate_number,
        "level": judge.level,
        "work_unit": judge.work_unit,
        "employer": judge.employer.code if judge.employer_id else "",
        "mobile": judge.mobile,
        "email": judge.email,
        "domains": "；".join(judge.domains or []),
        "topic_types": judge.topic_types or [],
        "login": judge.user.username if judge.user_id else "",
        "notes": judge.notes,
        "is_active": judge.is_active,
    }


class JudgeFormView(PoolMixin, View):
    """Create (no ``pk``) or edit a judge; service errors shown inline."""

    template_name = "evaluation/pool/judge_form.html"

    def judge(self):
        return self.get_judge() if "pk" in self.kwargs else None

    def render_form(self, form, judge):
        return render(self.request, self.template_name, {"form": form, "judge": judge})

    def get(self, request, pk=None):
        judge = self.judge()
        return self.render_form(JudgeForm(initial=_initial(judge) if judge else None), judge)

    def post(self, request, pk=None):
        judge = self.judge()
        form = JudgeForm(request.POST)
        if form.is_valid():
            try:
                if judge is None:
                    judge = pool.judge_create(membership=request.membership, data=form.service_data())
                    messages.success(request, _("已添加评委%(name)s。") % {"name": judge.name})
                else:
                    judge = pool.judge_update(
                        membership=request.membership, judge=judge, data=form.service_data()
                    )
                    messages.success(request, _("已保存评委%(name)s。") % {"name": judge.name})
                return redirect("evaluation:pool-judge", pk=judge.pk)
            except ValidationError as exc:
                apply_errors(form, exc)
        return self.render_form(form, judge)


class JudgeDetailView(PoolMixin, TemplateView):
    """A judge's page: fields, qualifications (expired flagged) with add/remove, declared
    conflicts, waivers and assignments per campaign."""

    template_name = "evaluation/pool/judge_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        judge = self.get_judge()
        context.update(
            judge=judge,
            topic_labels=[
                str(ProjectType(t).label) for t in judge.topic_types or [] if t in ProjectType.values
            ],
            qualification_form=kwargs.get("qualification_form") or QualificationForm(),
            **pool.judge_detail(judge=judge),
        )
        return context


class QualificationAddView(PoolMixin, View):
    """POST: add a qualification row to the judge; errors flashed in Chinese."""

    http_method_names = ["post"]

    def post(self, request, pk):
        judge = self.get_judge()
        form = QualificationForm(request.POST)
        if not form.is_valid():
            messages.error(request, "；".join(str(e) for errors in form.errors.values() for e in errors))
            return redirect("evaluation:pool-judge", pk=judge.pk)
        try:
            pool.qualification_add(membership=request.membership, judge=judge, data=form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _("已添加资格证书。"))
        return redirect("evaluation:pool-judge", pk=judge.pk)


class QualificationRemoveView(PoolMixin, View):
    """POST: remove a qualification of one of the association's judges."""

    http_method_names = ["post"]

    def post(self, request, pk):
        qualification = (
            JudgeQualification.objects.select_related("judge")
            .filter(pk=pk, judge__organisation=self.association)
            .first()
        )
        if qualification is None:
            raise Http404
        pool.qualification_remove(membership=request.membership, qualification=qualification)
        messages.success(request, _("已删除资格证书。"))
        return redirect("evaluation:pool-judge", pk=qualification.judge_id)


class ImportTemplateView(PoolMixin, View):
    """GET: the import template (.xlsx, Chinese headers)."""

    def get(self, request):
        response = HttpResponse(
            pool.import_template_xlsx(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = "attachment; filename*=UTF-8''judges-template.xlsx"
        return response


class ImportView(PoolMixin, View):
    """GET: the upload form. POST ``file``: check the file and show the preview (rows to
    create, to update, errors per row), nothing written; the file is kept for the confirm.
    POST ``confirm``: write the kept file in one transaction."""

    template_name = "evaluation/pool/import.html"

    def get(self, request):
        return render(request, self.template_name, {"form": JudgeImportForm()})

    def post(self, request):
        if "confirm" in request.POST:
            return self.confirm(request)
        form = JudgeImportForm(request.POST, request.FILES)
        context = {"form": form}
        if form.is_valid():
            try:
                content = pool.import_read(form.cleaned_data["file"])
                preview = pool.import_check(association=self.association, content=content)
            except ValidationError as exc:
                form.add_error("file", error_text(exc))
            else:
                self._discard(request)
                name = default_storage.save(f"judge-imports/{uuid.uuid4().hex}.xlsx", ContentFile(content))
                request.session[IMPORT_SESSION_KEY] = {"name": name, "association": self.association.pk}
                context["preview"] = preview
        return render(request, self.template_name, context)

    def _discard(self, request):
        kept = request.session.pop(IMPORT_SESSION_KEY, None)
        if kept and default_storage.exists(kept["name"]):
            default_storage.delete(kept["name"])

    def confirm(self, request):
        kept = request.session.get(IMPORT_SESSION_KEY)
        if (
            not kept
            or kept.get("association") != self.association.pk
            or not default_storage.exists(kept["name"])
        ):
            messages.error(request, _("没有待确认的导入文件，请重新上传。"))
            return redirect("evaluation:pool-import")
        with default_storage.open(kept["name"], "rb") as handle:
            content = handle.read()
        try:
            preview = pool.import_apply(membership=request.membership, content=content)
        except ValidationError as exc:
            messages.error(request, error_text(exc))
            return redirect("evaluation:pool-import")
        self._discard(request)
        messages.success(
            request,
            _("导入完成：新增%(c)s位、更新%(u)s位评委，跳过%(e)s行错误。")
            % {"c": len(preview.create), "u": len(preview.update), "e": len(preview.errors)},
        )
        return redirect("evaluation:pool")


class ConflictDeclareView(MembershipRequiredMixin, View):
    """A judge declares a conflict (回避): with one submission (``?submission=ID``, one of
    theirs) or with an organisation (by code). GET shows the form and the judge's
    declarations; POST declares (errors inline)."""

    permission_required = "evaluation:recuse"
    template_name = "evaluation/pool/declare.html"

    def context(self, form):
        judge = pool.own_judge(self.request.membership)
        return {
            "form": form,
            "judge": judge,
            "submission": self._submission(form.data.get("submission") or self.request.GET.get("submission")),
            "declarations": pool.judge_detail(judge=judge)["declarations"] if judge else [],
        }

    def _submission(self, value):
        if not value:
            return None
        try:
            pk = int(value)
        except (TypeError, ValueError):
            raise Http404 from None
        submission = Submission.objects.filter(pk=pk).select_related("project").first()
        if submission is None:
            raise Http404
        return submission

    def get(self, request):
        form = ConflictDeclareForm(initial={"submission": request.GET.get("submission")})
        return render(request, self.template_name, self.context(form))

    def post(self, request):
        form = ConflictDeclareForm(request.POST)
        if form.is_valid():
            submission = self._submission(form.cleaned_data.get("submission"))
            try:
                party = None
                code = form.cleaned_data.get("party")
                if code and submission is None:
                    party = pool.organisation_by_code(association=request.membership.organisation, code=code)
                    if party is None:
                        raise ValidationError({"party": _("未找到该单位代码。")})
                pool.conflict_declare(
                    membership=request.membership,
                    reason=form.cleaned_data["reason"],
                    submission=submission,
                    party=party,
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("已申报回避，相关成果不再分配给您。"))
                return redirect("evaluation:task-list")
        return render(request, self.template_name, self.context(form))


class JudgingConflictsView(MembershipRequiredMixin, TemplateView):
    """Staff: the conflicts of the campaign's judging by their association (judge, submission,
    reason), the waive form per row and the waivers with revoke."""

    permission_required = "evaluation:manage"
    template_name = "evaluation/pool/conflicts.html"

    def campaign(self):
        campaign = campaign_list().filter(code=self.kwargs["code"]).first()
        if campaign is None:
            raise Http404
        return campaign

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        campaign = self.campaign()
        context.update(
            campaign=campaign,
            **pool.judging_conflicts(campaign=campaign, association=self.request.membership.organisation),
        )
        return context

    def post(self, request, code):
        campaign = self.campaign()
        form = WaiverForm(request.POST)
        if not form.is_valid():
            messages.error(request, "；".join(str(e) for errors in form.errors.values() for e in errors))
            return redirect("evaluation:judging-conflicts", code=campaign.code)
        association = request.membership.organisation
        judge = Judge.objects.filter(pk=form.cleaned_data["judge"], organisation=association).first()
        submission = Submission.objects.filter(
            pk=form.cleaned_data["submission"], campaign=campaign, recommending_association=association
        ).first()
        if judge is None or submission is None:
            raise Http404
        try:
            pool.conflict_waive(
                membership=request.membership,
                judge=judge,
                submission=submission,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _("已豁免该回避。"))
        return redirect("evaluation:judging-conflicts", code=campaign.code)


class WaiverRevokeView(MembershipRequiredMixin, View):
    """POST: staff revoke a waiver of their association (the conflict applies again)."""

    permission_required = "evaluation:manage"
    http_method_names = ["post"]

    def post(self, request, pk):
        waiver = (
            ConflictWaiver.objects.select_related("submission__campaign")
            .filter(pk=pk, organisation=request.membership.organisation)
            .first()
        )
        if waiver is None:
            raise Http404
        try:
            pool.waiver_revoke(membership=request.membership, waiver=waiver)
        except ValidationError as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, _("已撤销豁免，回避重新生效。"))
        return redirect("evaluation:judging-conflicts", code=waiver.submission.campaign.code)
