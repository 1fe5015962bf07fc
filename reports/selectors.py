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
