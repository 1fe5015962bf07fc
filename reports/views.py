"""HTML views of the reports app: role home pages (dashboards), the campaign's official
forms page (generate, progress, download) and the list of report runs."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.generic import FormView, TemplateView
from django_filters.views import FilterView
from django_ratelimit.decorators import ratelimit
from django_tables2 import SingleTableMixin

from circles.selectors import (
    circle_counts_by_year,
    circle_list_for_user,
    circle_statistics,
    enterprise_overview,
)
from evaluation.selectors import score_sheet_list_for_user, submission_list
from promotion.selectors import (
    announcement_list,
    annual_figures_totals,
    campaign_list,
    campaign_live,
    campaign_timeline,
)
from qcportal.choices import OrganisationKind
from qcportal.models import Organisation
from qcportal.pagination import PaginatedListMixin
from qcportal.permissions import MembershipRequiredMixin, has_permission
from qcportal.roles import Role
from qcportal.todos import todos_for

from .choices import RunStatus
from .filtersets import ReportRunFilterSet
from .forms import ReportRunStartForm
from .models import ReportRun
from .selectors import report_run_get, report_run_list
from .services import report_run_start
from .statistics import annex3_figures_cached, reporting_enterprises
from .tables import ReportRunTable

ASSOCIATION_ROLES = {Role.ASSOCIATION_ADMIN, Role.ASSOCIATION_STAFF, Role.ASSOCIATION_LEADERSHIP}
ENTERPRISE_ROLES = {Role.ENTERPRISE_COORDINATOR, Role.ENTERPRISE_EXECUTIVE}


#: Announcements shown in the campaign panel of every home (issue 7, item 10).
HOME_ANNOUNCEMENTS = 5


class HomeView(MembershipRequiredMixin, TemplateView):
    """The home page of the acting role (domain.md §2): each role sees its own dashboard.

    Associations: key Annex 3 figures of the current campaign, circles per year, recent
    report runs. Recommending units: their enterprises' figures. Enterprises: their own
    figures and submissions. Circle leaders/members: their circles. Judges: their sheets.
    Every home opens with the campaign panel (``reports/home/_campaign.html``, issue 7 item
    10): the live campaign (:func:`promotion.selectors.campaign_live`), its stage timeline
    with the current stage and the countdown to the next deadline, and the newest
    announcements.
    """

    def get_template_names(self) -> list[str]:
        role = self.request.membership.role
        if role in ASSOCIATION_ROLES:
            return ["reports/home/association.html"]
        if role == Role.UNIT_COORDINATOR:
            return ["reports/home/unit.html"]
        if role in ENTERPRISE_ROLES:
            return ["reports/home/enterprise.html"]
        if role == Role.JUDGE:
            return ["reports/home/judge.html"]
        return ["reports/home/circle.html"]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        membership = self.request.membership
        organisation = membership.organisation
        campaign = campaign_live(organisation=organisation)
        context["campaign"] = campaign
        context["timeline"] = campaign_timeline(campaign=campaign) if campaign is not None else None
        if has_permission(membership, "campaigns:view"):
            context["announcements"] = list(
                announcement_list(membership=membership, limit=HOME_ANNOUNCEMENTS, include_drafts=False)
            )
        context["todos"] = todos_for(membership)
        role = membership.role
        if role in ASSOCIATION_ROLES and campaign is not None:
            context["figures"] = annex3_figures_cached(campaign=campaign, association=organisation)
            context["by_year"] = circle_counts_by_year(enterprises=reporting_enterprises(organisation))
            if has_permission(membership, "reports:view"):
                context["runs"] = report_run_list()[:5]
            context["children"] = Organisation.objects.filter(parent=organisation).order_by("code")
        elif role == Role.UNIT_COORDINATOR and campaign is not None:
            enterprises = Organisation.objects.filter(
                parent=organisation, kind=OrganisationKind.ENTERPRISE
            ).values("pk")
            context["enterprises"] = enterprise_overview(
                enterprises=enterprises, period_start=campaign.period_start, period_end=campaign.period_end
            )
            context["submissions"] = submission_list(campaign=campaign).filter(recommending_unit=organisation)
        elif role in ENTERPRISE_ROLES and campaign is not None:
            enterprises = Organisation.objects.filter(pk=organisation.pk).values("pk")
            context["stats"] = circle_statistics(
                enterprises=enterprises, period_start=campaign.period_start, period_end=campaign.period_end
            )
            context["annual"] = annual_figures_totals(enterprises=enterprises, year=campaign.year)
            context["submissions"] = submission_list(campaign=campaign).filter(organisation=organisation)
            context["by_year"] = circle_counts_by_year(enterprises=enterprises)
        elif role == Role.JUDGE:
            context["sheets"] = score_sheet_list_for_user(user=self.request.user)[:50]
        else:
            context["circles"] = circle_list_for_user(user=self.request.user)
        return context


class CampaignFormsView(MembershipRequiredMixin, FormView):
    """The campaign's official forms: choose form, format and association, press generate,
    watch the progress bar of the new run and download the file (seed 002 Annexes 1, 3–5)."""

    permission_required = "reports:export"
    template_name = "reports/campaign_forms.html"
    form_class = ReportRunStartForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.membership is not None:
            self.campaign = campaign_list().filter(code=kwargs["code"]).first()
            if self.campaign is None:
                raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "acting": self.request.membership.organisation,
            "campaign": self.campaign,
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["campaign"] = self.campaign
        context["runs"] = report_run_list(campaign=self.campaign)[:20]
        return context

    @method_decorator(ratelimit(key="user", rate=settings.RATE_LIMITS["reports"], method="POST", block=True))
    def post(self, request, *args, **kwargs):
        """Start a run (rate limited per user: report generation is expensive)."""
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            run = report_run_start(
                membership=self.request.membership,
                user=self.request.user,
                campaign=self.campaign,
                form=form.cleaned_data["form"],
                file_format=form.cleaned_data["file_format"],
                organisation=form.cleaned_data["organisation"],
                submission=form.cleaned_data["submission"],
            )
        except ValidationError as exc:
            for field, errors in (
                exc.message_dict.items() if hasattr(exc, "error_dict") else [(None, exc.messages)]
            ):
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
            return self.form_invalid(form)
        messages.success(self.request, _("已开始生成：%(run)s") % {"run": run})
        return redirect("reports:campaign-forms", code=self.campaign.code)


class ReportRunListView(MembershipRequiredMixin, PaginatedListMixin, SingleTableMixin, FilterView):
    """Earlier report runs in the scope, filterable and sortable, 25 a page."""

    permission_required = "reports:view"
    template_name = "reports/run_list.html"
    table_class = ReportRunTable
    filterset_class = ReportRunFilterSet
    paginate_by = 25

    def get_queryset(self):
        return report_run_list()


class ReportRunDetailView(MembershipRequiredMixin, TemplateView):
    """One report run with a live progress bar and, when done, the download link."""

    permission_required = "reports:view"
    template_name = "reports/run_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        try:
            context["run"] = report_run_get(pk=self.kwargs["pk"])
        except ReportRun.DoesNotExist:
            raise Http404 from None
        return context


class ReportRunDownloadView(MembershipRequiredMixin, TemplateView):
    """Stream the file of a finished run (404 for a foreign or unfinished run)."""

    permission_required = "reports:view"

    def get(self, request, *args, **kwargs):
        try:
            run = report_run_get(pk=kwargs["pk"])
        except ReportRun.DoesNotExist:
            raise Http404 from None
        if run.status != RunStatus.SUCCEEDED or not run.file:
            raise Http404(_("文件尚未生成。"))
        return FileResponse(
            run.file.open("rb"), as_attachment=True, filename=run.filename, content_type=run.content_type
        )
