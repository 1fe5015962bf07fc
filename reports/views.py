"""HTML views of the reports app: role home pages (dashboards), the campaign's official
forms page (generate, progress, download), the list of report runs, the work-summary editor
and the national package."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView
from django_filters.views import FilterView
from django_ratelimit.decorators import ratelimit
from django_tables2 import SingleTableMixin

from circles.selectors import (
    circle_list_for_user,
    enterprise_overview,
)
from evaluation.selectors import score_sheet_list_for_user, submission_list
from promotion.models import Campaign
from promotion.selectors import (
    campaign_list,
    campaign_timeline,
    home_campaign_panel,
)
from qcportal.audit_events import file_response
from qcportal.cache import cached_figure
from qcportal.choices import OrganisationKind
from qcportal.db import replica_reads
from qcportal.exporters import contains_personal_data
from qcportal.models import Organisation
from qcportal.pagination import PaginatedListMixin
from qcportal.permissions import MembershipRequiredMixin, has_permission, require_permission
from qcportal.reauth import reauth_response
from qcportal.roles import Role
from qcportal.tenancy import visible_organisations
from qcportal.todos import todos_for

from .choices import FileFormat, FormKind, RunStatus
from .dashboards import key_figures
from .filtersets import ReportRunFilterSet
from .forms import ReportRunStartForm
from .models import ReportRun
from .package import national_package_missing
from .selectors import report_run_get, report_run_list, work_summary_get
from .services import report_run_start, work_summary_save
from .statistics import annex3_figures_cached, enterprise_home_figures
from .tables import ReportRunTable
from .worksummary import OUTLINES, count_characters, review_sections, strip_controls

ASSOCIATION_ROLES = {Role.ASSOCIATION_ADMIN, Role.ASSOCIATION_STAFF, Role.ASSOCIATION_LEADERSHIP}
#: The decision layer (决策层, seed 001 §5.2.1): their homes embed the dashboard's key figures.
DECISION_ROLES = {Role.ASSOCIATION_LEADERSHIP, Role.ENTERPRISE_EXECUTIVE}
ENTERPRISE_ROLES = {Role.ENTERPRISE_COORDINATOR, Role.ENTERPRISE_EXECUTIVE}


#: Announcements shown in the campaign panel of every home (issue 7, item 10).
HOME_ANNOUNCEMENTS = 5


class HomeView(MembershipRequiredMixin, TemplateView):
    """The home page of the acting role (domain.md §2): each role sees its own dashboard.

    Associations: key Annex 3 figures of the current campaign, circles per year, recent
    report runs. Recommending units: their enterprises' figures. Enterprises: their own
    figures and submissions. Circle leaders/members: their circles. Judges: their sheets.
    The homes of the decision layer (association leadership, enterprise executives) embed
    the dashboard's key figures of the latest year with their change over the year before
    and a link to the dashboard (issue 10 item 3). Every home opens with the campaign panel (``reports/home/_campaign.html``, issue 7 item
    10): the live campaign (:func:`promotion.selectors.campaign_live`), its stage timeline
    with the current stage and the countdown to the next deadline, and the newest
    announcements, kept in the cache until they change
    (:func:`promotion.selectors.home_campaign_panel`, R-SC-74).
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
        # the campaign panel, kept in the cache until a campaign or announcement changes (R-SC-74)
        panel = home_campaign_panel(membership=membership, announcements=HOME_ANNOUNCEMENTS)
        campaign = panel["campaign"]
        context["campaign"] = campaign
        context["timeline"] = campaign_timeline(campaign=campaign) if campaign is not None else None
        if has_permission(membership, "campaigns:view"):
            context["announcements"] = panel["announcements"]
        context["todos"] = todos_for(membership)
        role = membership.role
        if role in DECISION_ROLES and has_permission(membership, "dashboards:view"):
            context["key_figures"] = key_figures(organisation=organisation)  # issue 10 item 3
        if role in ASSOCIATION_ROLES and campaign is not None:
            # Cached figures (qcportal/cache.py): served with their computation time,
            # refreshed in the background when stale (issue 10 item 4).
            figures = annex3_figures_cached(campaign=campaign, association=organisation)
            by_year = cached_figure(
                "reports.circles_by_year", association_id=organisation.pk, preloaded=(organisation,)
            )
            context["figures"], context["figures_as_of"] = figures.value, figures.computed_at
            context["by_year"], context["by_year_as_of"] = by_year.value, by_year.computed_at
            if has_permission(membership, "reports:view"):
                context["runs"] = report_run_list()[:5]
            context["children"] = Organisation.objects.filter(parent=organisation).order_by("code")
        elif role == Role.UNIT_COORDINATOR and campaign is not None:
            enterprises = Organisation.objects.filter(
                parent=organisation, kind=OrganisationKind.ENTERPRISE
            ).values("pk")
            with replica_reads():  # figure reads: the replica when there is one (issue 10 item 6)
                context["enterprises"] = list(
                    enterprise_overview(
                        enterprises=enterprises,
                        period_start=campaign.period_start,
                        period_end=campaign.period_end,
                    )
                )
            context["submissions"] = submission_list(campaign=campaign).filter(recommending_unit=organisation)
        elif role in ENTERPRISE_ROLES and campaign is not None:
            # The enterprise's own id, not a (lineage-scoped) organisation subquery: every
            # statistic then filters its tables by ``organisation_id = <id>`` (rule R-SC-71).
            # kept in the cache until they change (R-SC-74; four queries when computed)
            context.update(enterprise_home_figures(enterprise_id=organisation.pk, campaign=campaign))
            context["submissions"] = submission_list(campaign=campaign).filter(organisation=organisation)
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
        reauth = reauth_response(
            self.request, needed=contains_personal_data(form.cleaned_data["form"]), next_url=self.request.path
        )
        if reauth is not None:  # issue 9 item 1: a form with personal data
            return reauth
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
    keyset_pagination = True  # runs accumulate year after year

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
        reauth = reauth_response(request, needed=contains_personal_data(run.form))
        if reauth is not None:  # issue 9 item 1: a form with personal data
            return reauth
        return file_response(
            request,
            run,
            run.file,
            filename=run.filename,
            kind="report_run",
            content_type=run.content_type,
        )


def _campaign_or_404(code: str) -> Campaign:
    campaign = campaign_list().filter(code=code).first()
    if campaign is None:
        raise Http404
    return campaign


def _errors_of(exc: ValidationError) -> tuple[dict[str, list[str]], list[str]]:
    """(messages per field, messages without a field) of a ``ValidationError``."""
    if hasattr(exc, "error_dict"):
        fields = {field: [str(m) for m in msgs] for field, msgs in exc.message_dict.items()}
        return fields, fields.pop(NON_FIELD_ERRORS, []) + fields.pop("sections", [])
    return {}, [str(m) for m in exc.messages]


class WorkSummaryView(MembershipRequiredMixin, TemplateView):
    """Write and export a work summary (seed 002 附件2; seed 003 附件5, ``kind`` promotion).

    GET shows the outline's sections and sub-points, one text area each, with a live
    character count (``static/js/work-summary.js``; the server counts the same way,
    :func:`reports.worksummary.count_characters`) and the minimum for export. With
    ``org`` in the URL an association reads the summary of an organisation in its share
    (another association's answers 404). POST (``reports:export``, own summary only) saves
    the draft; ``action=export_docx``/``export_pdf`` saves and then starts the export as a
    report run, refused with the Chinese count/minimum message below 3,000 characters.
    """

    permission_required = "reports:view"
    template_name = "reports/work_summary.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.membership is not None:
            self.campaign = _campaign_or_404(kwargs["code"])
            self.outline = OUTLINES.get(kwargs["kind"])
            if self.outline is None:
                raise Http404
            acting = request.membership.organisation
            code = kwargs.get("org")
            if code is None or code == acting.code:
                self.organisation = acting
            else:
                self.organisation = Organisation.objects.filter(
                    code=code, pk__in=visible_organisations(acting)
                ).first()
                if self.organisation is None:
                    raise Http404
        return super().dispatch(request, *args, **kwargs)

    @property
    def editable(self) -> bool:
        membership = self.request.membership
        return self.organisation.pk == membership.organisation_id and has_permission(
            membership, "reports:export"
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        summary = work_summary_get(
            campaign=self.campaign, organisation=self.organisation, kind=self.outline.kind
        )
        stored = kwargs.get("posted") or (summary.sections if summary else {})
        from_review = {}
        if not kwargs.get("posted") and self.editable:
            from_review = review_sections(
                organisation=self.organisation, year=self.campaign.year, kind=self.outline.kind, stored=stored
            )
            stored = {**stored, **from_review}
        errors = kwargs.get("field_errors", {})
        context.update(
            campaign=self.campaign,
            outline=self.outline,
            organisation=self.organisation,
            summary=summary,
            editable=self.editable,
            title=self.outline.title_for(self.campaign.year),
            form_label=FormKind(self.outline.form).label,
            sections=[
                {
                    "heading": s.heading,
                    "points": [
                        {
                            "key": p.key,
                            "heading": p.heading,
                            "text": strip_controls(stored.get(p.key, "") or ""),
                            "count": count_characters(strip_controls(stored.get(p.key, "") or "")),
                            "errors": errors.get(p.key, []),
                        }
                        for p in s.points
                    ],
                }
                for s in self.outline.sections
            ],
            count=sum(count_characters(v) for v in stored.values() if isinstance(v, str)),
            minimum=self.outline.min_characters,
            non_field_errors=kwargs.get("non_field_errors", []),
            from_review=bool(from_review),
            runs=report_run_list(campaign=self.campaign).filter(
                form=self.outline.form, organisation=self.organisation
            )[:5],
        )
        return context

    def post(self, request, *args, **kwargs):
        """Save the draft, then export when asked (``action``)."""
        if not self.editable:
            require_permission(request.membership, "reports:export")
            raise Http404
        posted = {key: request.POST.get(key, "") for key in self.outline.keys}
        try:
            work_summary_save(
                membership=request.membership,
                user=request.user,
                campaign=self.campaign,
                kind=self.outline.kind,
                sections=posted,
            )
        except ValidationError as exc:
            fields, others = _errors_of(exc)
            return self.render_to_response(
                self.get_context_data(posted=posted, field_errors=fields, non_field_errors=others), status=400
            )
        action = request.POST.get("action", "save")
        formats = {"export_docx": FileFormat.DOCX, "export_pdf": FileFormat.PDF}
        if action in formats:
            try:
                run = report_run_start(
                    membership=request.membership,
                    user=request.user,
                    campaign=self.campaign,
                    form=self.outline.form,
                    file_format=formats[action],
                    organisation=self.organisation,
                )
            except ValidationError as exc:
                fields, others = _errors_of(exc)
                messages.success(request, _("草稿已保存。"))
                return self.render_to_response(
                    self.get_context_data(non_field_errors=others + [m for v in fields.values() for m in v]),
                    status=400,
                )
            messages.success(request, _("草稿已保存，已开始导出：%(run)s") % {"run": run})
            return redirect("reports:run-detail", pk=run.pk)
        messages.success(request, _("草稿已保存。"))
        return redirect(request.path)


class NationalPackageView(MembershipRequiredMixin, TemplateView):
    """The national package (推荐全国材料包, seed 002) of the acting association for a campaign:
    the completeness checklist (each missing item in Chinese), the button that starts the
    package as a report run (rate limited; refused, with the list, while anything is
    missing), and the earlier package runs with their progress bars and downloads."""

    permission_required = "reports:export"
    template_name = "reports/national_package.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.membership is not None:
            self.campaign = _campaign_or_404(kwargs["code"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        association = self.request.membership.organisation
        problems = kwargs.get("problems")
        if problems is None:
            problems = national_package_missing(campaign=self.campaign, association=association)
        context.update(
            campaign=self.campaign,
            association=association,
            problems=problems,
            runs=report_run_list(campaign=self.campaign).filter(
                form=FormKind.PACKAGE, organisation=association
            )[:10],
        )
        return context

    @method_decorator(ratelimit(key="user", rate=settings.RATE_LIMITS["reports"], method="POST", block=True))
    def post(self, request, *args, **kwargs):
        """Start the package run, or list what is missing (400). The package holds personal
        data (Annexes 1 and 4): a recent re-authentication is needed first (issue 9 item 1)."""
        reauth = reauth_response(request, next_url=request.path)
        if reauth is not None:
            return reauth
        try:
            run = report_run_start(
                membership=request.membership,
                user=request.user,
                campaign=self.campaign,
                form=FormKind.PACKAGE,
                file_format=FileFormat.ZIP,
                organisation=request.membership.organisation,
            )
        except ValidationError as exc:
            fields, others = _errors_of(exc)
            problems = others + [m for v in fields.values() for m in v]
            return self.render_to_response(self.get_context_data(problems=problems), status=400)
        messages.success(request, _("已开始生成：%(run)s") % {"run": run})
        return redirect("reports:national-package", code=self.campaign.code)


class CertificatesZipView(MembershipRequiredMixin, View):
    """POST: start the background run that puts the acting organisation's certificates of a
    campaign into one zip (issue 11 item 5; the ``certificates`` exporter of the registry);
    the run's page shows its progress and the download."""

    permission_required = "certificates:issue"
    http_method_names = ["post"]

    @method_decorator(ratelimit(key="user", rate=settings.RATE_LIMITS["reports"], method="POST", block=True))
    def post(self, request, code):
        campaign = _campaign_or_404(code)
        try:
            run = report_run_start(
                membership=request.membership,
                user=request.user,
                campaign=campaign,
                form=FormKind.CERTIFICATES,
                file_format=FileFormat.ZIP,
                organisation=request.membership.organisation,
            )
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
            return redirect(f"{reverse('evaluation:certificate-list')}?campaign={campaign.code}")
        messages.success(request, _("已开始生成：%(run)s") % {"run": run})
        return redirect("reports:run-detail", pk=run.pk)
