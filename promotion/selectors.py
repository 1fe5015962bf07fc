"""Reads of the promotion app."""

from __future__ import annotations

from django.db.models import QuerySet, Sum

from qcportal.models import Organisation

from .models import Campaign, EnterpriseAnnualFigures, PresentationConference


def campaign_list() -> QuerySet[Campaign]:
    """Campaigns visible along the active lineage (own association, ancestors, subtree)."""
    return Campaign.objects.select_related("organisation").order_by("-year", "code")


def campaign_get(*, code: str) -> Campaign:
    """The visible campaign with ``code``; raises ``Campaign.DoesNotExist`` otherwise."""
    return campaign_list().get(code=code)


def annual_figures_totals(*, enterprises: QuerySet, year: int) -> dict:
    """Sum the yearly figures of ``enterprises`` (a queryset of organisation pks) for ``year``.

    Output: ``{"total_employees": int | None, "qc_activity_spending": Decimal | None,
    "reward_spending": Decimal | None}`` (persons; 万元; ``None`` when nobody reported).
    One aggregate query (seed 002, Annex 3).
    """
    return EnterpriseAnnualFigures.objects.filter(organisation__in=enterprises, year=year).aggregate(
        total_employees=Sum("total_employees"),
        qc_activity_spending=Sum("qc_activity_spending"),
        reward_spending=Sum("reward_spending"),
    )


def conference_get(*, campaign: Campaign, organisation: Organisation) -> PresentationConference | None:
    """The presentation conference of ``organisation`` in ``campaign``, or ``None``."""
    return PresentationConference.objects.filter(campaign=campaign, organisation=organisation).first()
