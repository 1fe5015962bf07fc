"""Pages of the results knowledge base (成果知识库; issue 11 item 3; seed 001 §7.6): search by
Chinese words with facets, the results most adopted, a result's page with its report, similar
results and adoptions (推广应用), the owner's sharing choice, and a unit's adoption record.
The rules live in :mod:`evaluation.library`."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import ListView, TemplateView

from circles.choices import ProjectType
from qcportal.actions import apply_errors, error_text
from qcportal.audit_events import file_response
from qcportal.forms_base import BootstrapFormMixin, DateInput
from qcportal.pagination import PaginatedListMixin
from qcportal.permissions import MembershipRequiredMixin, has_permission

from .choices import LibrarySharing
from .library import (
    FACETS,
    adoption_delete,
    adoption_save,
    adoptions_of,
    clean_query,
    entry_share,
    library_entries,
    library_facets,
    library_filter,
    library_search,
    library_similar,
    most_adopted,
)
from .models import Adoption, LibraryEntry

FACET_LABELS = {
    "project_type": gettext_lazy("课题类型"),
    "domain": gettext_lazy("专业领域"),
    "year": gettext_lazy("年度"),
    "industry": gettext_lazy("行业"),
    "grade": gettext_lazy("评审等级"),
}


class AdoptionForm(BootstrapFormMixin, forms.ModelForm):
    """Where, when and with what effect the acting unit adopted a result (rule R-KB-04)."""

    class Meta:
        model = Adoption
        fields = ("place", "adopted_on", "effect", "benefit")
        widgets = {
            "adopted_on": DateInput(),
            "effect": forms.Textarea(attrs={"rows": 3, "maxlength": 1000}),
        }
        help_texts = {"benefit": gettext_lazy("可计算的经济效益，没有可不填。")}


class ShareForm(BootstrapFormMixin, forms.Form):
    """The owner's sharing choice (rule R-KB-02)."""

    sharing = forms.ChoiceField(label=gettext_lazy("共享范围"), choices=LibrarySharing.choices)


def _entry(pk: int) -> LibraryEntry:
    entry = library_entries().select_related("organisation", "submission").filter(pk=pk).first()
    if entry is None:
        raise Http404
    return entry


class LibraryListView(MembershipRequiredMixin, PaginatedListMixin, ListView):
    """The knowledge base: ``?q=`` searched in Chinese words (rule R-KB-01) among the results
    the acting membership may see (rule R-KB-02), narrowed by facets (``project_type``,
    ``domain``, ``year``, ``industry``, ``grade``, ``honoured``) with their counts, and the
    results most adopted. A malformed search or filter shows its Chinese message (400)."""

    permission_required = "library:view"
    template_name = "evaluation/library_list.html"
    context_object_name = "entries"
    paginate_by = 20

    def get(self, request, *args, **kwargs):
        try:
            self.q = clean_query(request.GET.get("q"))
            self.filtered = library_filter(library_entries(), request.GET)
        except ValidationError as exc:
            self.q, self.filtered, self.error = "", library_entries().none(), error_text(exc)
            response = super().get(request, *args, **kwargs)
            response.status_code = 400
            return response
        self.error = ""
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return library_search(self.filtered, self.q).select_related("organisation")

    def _link(self, key: str, value: str | None) -> str:
        """This page's query string with facet ``key`` set to ``value`` (``None``: cleared),
        back on the first page."""
        params = self.request.GET.copy()
        for name in ("page", "after", "before"):
            params.pop(name, None)
        params.pop(key, None)
        if value is not None:
            params[key] = value
        return "?" + params.urlencode()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        labels = dict(ProjectType.choices)
        chosen = {key: self.request.GET.get(key, "") for key, _f in FACETS}
        facets = []
        if not self.error:
            for key, rows in library_facets(self.get_queryset()).items():
                values = [
                    (
                        labels.get(value, value) if key == "project_type" else value,
                        n,
                        self._link(key, str(value)),
                        chosen[key] == str(value),
                    )
                    for value, n in rows
                ]
                facets.append((FACET_LABELS[key], values, self._link(key, None) if chosen[key] else ""))
        context.update(
            q=self.q,
            error=self.error,
            facets=facets,
            chosen=chosen,
            honoured=self.request.GET.get("honoured") == "1",
            most_adopted=most_adopted() if not (self.q or any(chosen.values())) else [],
        )
        return context


class LibraryDetailView(MembershipRequiredMixin, TemplateView):
    """One result: what it is (type, domain, industry, year, benefit in 万元, grade, tools,
    keywords, introduction), its report, its adoptions, similar results; the owner's sharing
    form and a unit's adoption form (POST ``action=share`` / ``action=adopt``)."""

    permission_required = "library:view"
    template_name = "evaluation/library_detail.html"

    def get_context_data(self, entry=None, adoption_form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        membership = self.request.membership
        entry = entry or _entry(self.kwargs["pk"])
        is_owner = entry.organisation_id == membership.organisation_id
        context.update(
            entry=entry,
            adoptions=adoptions_of(entry),
            similar=library_similar(entry),
            has_report=bool(entry.submission_id and entry.submission.result_report),
            share_form=ShareForm(initial={"sharing": entry.sharing})
            if is_owner and has_permission(membership, "library:share")
            else None,
            adoption_form=adoption_form
            if adoption_form is not None
            else (
                AdoptionForm(initial={"adopted_on": timezone.localdate()})
                if has_permission(membership, "library:adopt")
                else None
            ),
        )
        return context

    def post(self, request, *args, **kwargs):
        """Share (owner) or record an adoption (any unit that sees the result)."""
        entry = _entry(self.kwargs["pk"])
        if request.POST.get("action") == "share":
            form = ShareForm(request.POST)
            try:
                if not form.is_valid():
                    raise ValidationError(_("请选择有效的共享范围。"))
                entry_share(membership=request.membership, entry=entry, sharing=form.cleaned_data["sharing"])
            except ValidationError as exc:
                messages.error(request, error_text(exc))
            else:
                messages.success(request, _("已更新共享范围。"))
            return redirect("evaluation:library-detail", entry.pk)
        if not has_permission(request.membership, "library:adopt"):
            raise PermissionDenied
        form = AdoptionForm(request.POST)
        if form.is_valid():
            try:
                adoption_save(membership=request.membership, entry=entry, data=form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("已登记推广应用。"))
                return redirect("evaluation:library-detail", entry.pk)
        status = 409 if getattr(form, "conflict", False) else 400
        return self.render_to_response(self.get_context_data(entry=entry, adoption_form=form), status=status)


class AdoptionDeleteView(MembershipRequiredMixin, View):
    """POST: delete an adoption the acting unit recorded, back to the result's page."""

    permission_required = "library:adopt"
    http_method_names = ["post"]

    def post(self, request, pk):
        adoption = Adoption.objects.filter(pk=pk).first()
        if adoption is None:
            raise Http404
        adoption_delete(membership=request.membership, adoption=adoption)
        messages.success(request, _("已删除推广应用记录。"))
        return redirect("evaluation:library-detail", adoption.entry_id)


class LibraryReportView(MembershipRequiredMixin, View):
    """GET: the result report of an entry the acting membership may see (download recorded)."""

    permission_required = "library:view"

    def get(self, request, pk):
        entry = _entry(pk)
        if not (entry.submission_id and entry.submission.result_report):
            raise Http404
        field = entry.submission.result_report
        extension = field.name.rsplit(".", 1)[-1].lower() if "." in field.name else "pdf"
        return file_response(
            request, entry, field, filename=f"成果报告_{entry.title[:60]}.{extension}", kind="result_report"
        )
