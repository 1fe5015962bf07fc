"""Reads of the promotion app."""

from __future__ import annotations

from django.db.models import Count, QuerySet, Sum

from qcportal.choices import OrganisationKind
from qcportal.models import Organisation
from qcportal.permissions import has_permission

from .models import Campaign, CampaignEntry, EnterpriseAnnualFigures, PresentationConference, StageExtension


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


def campaign_get_for_manage(*, membership, code: str) -> Campaign:
    """The campaign ``code`` of the acting association, for its staff's pages and API
    (configuration, calendar, extensions). Another association's campaign, even one visible
    along the lineage, is "not found": raises ``Campaign.DoesNotExist`` (404)."""
    return (
        campaign_list()
        .prefetch_related("stages", "domains", "co_building_units")
        .get(code=str(code)[:40], organisation_id=membership.organisation_id)
    )


def parent_campaign_choices(*, association: Organisation) -> QuerySet[Campaign]:
    """Campaigns a campaign of ``association`` may feed (``parent``): those of its ancestor
    associations, e.g. the national association's for a provincial one (unscoped queryset
    narrowed to the lineage)."""
    return Campaign._base_manager.filter(organisation__code__in=association.ancestor_codes()).order_by(
        "-year", "code"
    )


def unit_choices(*, association: Organisation) -> QuerySet[Organisation]:
    """Recommending units under ``association`` (co-building units, fallback unit; seed 003
    三、2 and 二、3(2)), by name."""
    return Organisation._base_manager.filter(
        kind=OrganisationKind.RECOMMENDING_UNIT, path__startswith=association.path, is_active=True
    ).order_by("name")


def extension_organisation_choices(*, association: Organisation) -> QuerySet[Organisation]:
    """Organisations an extension may be granted to: enterprises and recommending units in
    the association's subtree (issue 7, item 2)."""
    return Organisation._base_manager.filter(
        kind__in=(OrganisationKind.RECOMMENDING_UNIT, OrganisationKind.ENTERPRISE),
        path__startswith=association.path,
        is_active=True,
    ).order_by("path")


def extension_list(*, campaign: Campaign, membership) -> QuerySet[StageExtension]:
    """The extensions of ``campaign`` the membership sees: all of them for the staff of the
    owning association (``campaigns:manage``), otherwise only its own organisation's."""
    qs = StageExtension._base_manager.filter(campaign=campaign).select_related("organisation", "granted_by")
    if not (
        membership.organisation_id == campaign.organisation_id
        and has_permission(membership, "campaigns:manage")
    ):
        qs = qs.filter(organisation_id=membership.organisation_id)
    return qs.order_by("stage", "organisation__name")


def entry_list(*, campaign: Campaign, membership) -> QuerySet[CampaignEntry]:
    """Sign-ups of ``campaign`` the membership sees (seed 003 附件2): the association's staff
    all of those in their scope, a recommending unit those signed up through it (including
    enterprises outside its subtree that chose it as fallback unit, seed 003 §二.3(2)), an
    enterprise its own."""
    qs = CampaignEntry.objects.filter(campaign=campaign).select_related("organisation", "recommending_unit")
    kind = membership.organisation.kind
    if kind == OrganisationKind.RECOMMENDING_UNIT:
        qs = qs.filter(recommending_unit_id=membership.organisation_id)
    elif kind == OrganisationKind.ENTERPRISE:
        qs = qs.filter(organisation_id=membership.organisation_id)
    return qs.order_by("recommending_unit__name", "id")


def entry_counts_by_unit(*, campaign: Campaign) -> list[dict]:
    """Sign-ups of ``campaign`` per recommending unit in the active scope, one aggregate
    query: ``[{"recommending_unit__name", "recommending_unit__code", "count"}]`` by name."""
    return list(
        CampaignEntry.objects.filter(campaign=campaign)
        .values("recommending_unit__code", "recommending_unit__name")
        .annotate(count=Count("id"))
        .order_by("recommending_unit__name")
    )


def entry_of(*, campaign: Campaign, organisation_id: int) -> CampaignEntry | None:
    """The sign-up of the organisation for ``campaign``, or ``None``."""
    return CampaignEntry._base_manager.filter(campaign=campaign, organisation_id=organisation_id).first()
