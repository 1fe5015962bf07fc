"""Reads of the reports app."""

from __future__ import annotations

from django.db.models import QuerySet

from promotion.models import Campaign

from .models import ReportRun


def report_run_list(*, campaign: Campaign | None = None) -> QuerySet[ReportRun]:
    """Report runs visible in the active scope, newest first, with their relations joined."""
    qs = ReportRun.objects.select_related("organisation", "campaign", "requested_by", "submission")
    if campaign is not None:
        qs = qs.filter(campaign=campaign)
    return qs.order_by("-created_at", "-id")


def report_run_get(*, pk: int) -> ReportRun:
    """The visible report run ``pk``; raises ``ReportRun.DoesNotExist`` (→ 404) otherwise."""
    return report_run_list().get(pk=pk)
