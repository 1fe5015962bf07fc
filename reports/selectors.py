"""Reads of the reports app."""

from __future__ import annotations

from django.db.models import QuerySet

from promotion.models import Campaign
from qcportal.models import Organisation

from .models import ReportRun, WorkSummary


def report_run_list(*, campaign: Campaign | None = None) -> QuerySet[ReportRun]:
    """Report runs visible in the active scope, newest first, with their relations joined."""
    qs = ReportRun.objects.select_related("organisation", "campaign", "requested_by", "submission")
    if campaign is not None:
        qs = qs.filter(campaign=campaign)
    return qs.order_by("-created_at", "-id")


def report_run_get(*, pk: int) -> ReportRun:
    """The visible report run ``pk``; raises ``ReportRun.DoesNotExist`` (→ 404) otherwise."""
    return report_run_list().get(pk=pk)


def work_summary_get(*, campaign: Campaign, organisation: Organisation, kind: str) -> WorkSummary | None:
    """The work summary of ``organisation`` for ``campaign`` and ``kind`` (a
    ``WorkSummaryKind`` value) visible in the active scope, or ``None`` when none has been
    saved (or the organisation lies outside the scope)."""
    return (
        WorkSummary.objects.select_related("organisation", "campaign", "updated_by")
        .filter(campaign=campaign, organisation=organisation, kind=kind)
        .first()
    )


def dashboard_organisation_get(*, membership, code: str | None) -> Organisation:
    """The organisation whose dashboard ``membership`` asks for (issue 10 item 3): its own
    without a ``code``, else the organisation ``code`` in its share (its subtree, plus an
    industry association's directly affiliated enterprises: ``qcportal.tenancy``'s
    ``visible_organisations``). An ancestor, a sibling province or an unknown code raises
    ``Organisation.DoesNotExist`` (the page and the API answer 404)."""
    from qcportal.tenancy import visible_organisations

    acting = membership.organisation
    if not code or code == acting.code:
        return acting
    return Organisation.objects.get(code=str(code)[:40], pk__in=visible_organisations(acting))


def dashboard_trail(*, membership, organisation: Organisation) -> list[Organisation]:
    """The drill-down trail from the acting organisation down to ``organisation`` (the
    breadcrumb of the dashboard: 全国 → 省 → 推荐单位 → 企业), each visible to ``membership``.
    An industry association's directly affiliated enterprise from another subtree is reached
    in one step. One query."""
    acting = membership.organisation
    codes = [*organisation.ancestor_codes(), organisation.code]
    codes = codes[codes.index(acting.code) :] if acting.code in codes else [acting.code, organisation.code]
    found = {o.code: o for o in Organisation.objects.filter(code__in=codes)}
    return [found[c] for c in codes if c in found]
