"""Reads of the promotion app."""

from __future__ import annotations

import datetime as dt

from django.db.models import Case, Count, F, Q, QuerySet, Sum, Value, When
from django.utils import timezone

from qcportal.cache import cached_until_changed, generation_bump
from qcportal.choices import OrganisationKind
from qcportal.models import Organisation
from qcportal.permissions import has_permission
from qcportal.tenancy import ORGANISATIONS_GENERATION

from .choices import STAGE_ORDER, CampaignStatus
from .models import (
    Announcement,
    AnnouncementAttachment,
    Campaign,
    CampaignEntry,
    CampaignStage,
    EnterpriseAnnualFigures,
    PresentationConference,
    StageExtension,
)


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


def lineage_codes(organisation: Organisation) -> list[str]:
    """Codes of ``organisation`` and of the associations above it: its ancestors and, for a
    directly affiliated enterprise (行业直属), its industry association and that one's
    ancestors. Campaigns and announcements addressed to the organisation come from these."""
    codes = [*organisation.ancestor_codes(), organisation.code]
    affiliation_id = organisation.industry_association_id
    if affiliation_id:
        affiliation = Organisation._base_manager.only("code", "path").get(pk=affiliation_id)
        codes += [*affiliation.ancestor_codes(), affiliation.code]
    return codes


def campaign_live(*, organisation: Organisation) -> Campaign | None:
    """The campaign the home pages show to ``organisation`` (issue 7, item 10).

    Input: the acting organisation (any kind); the choice does not depend on the date (the
    stages follow the calendar in :func:`campaign_timeline`). Output: among the campaigns of
    the organisation itself and of the associations above it (never those of its subtree or
    of a sibling province), the newest open one (by year); within a year the one of the
    nearest association (a provincial campaign before its national parent); when none is
    open, the newest closed one (the historical demo campaign CAQ-2020), which the panel
    marks 「已结束」; drafts never. ``None`` when there is none. Stages are prefetched
    (seed 003 二), so :meth:`Campaign.current_stage` and :meth:`Campaign.next_deadline` cost
    no query. Queries: one for the campaign, one for its stages (one more for a directly
    affiliated enterprise's industry association).
    """
    return (
        Campaign.objects.filter(organisation__code__in=lineage_codes(organisation))
        .exclude(status=CampaignStatus.DRAFT)
        .select_related("organisation")
        .prefetch_related("stages")
        .order_by(
            Case(When(status=CampaignStatus.OPEN, then=Value(0)), default=Value(1)),
            "-year",
            "-organisation__depth",
            "-pk",
        )
        .first()
    )


#: The generation (``qcportal.cache``) of campaigns, their stages and announcements: bumped by
#: every save or delete of them (:func:`connect_home_cache`).
CAMPAIGNS_GENERATION = "campaigns"


def home_campaign_panel(*, membership, announcements: int) -> dict:
    """What the campaign panel of every home shows ``membership``'s organisation (issue 7,
    item 10), kept in the cache until a campaign, stage, announcement or organisation changes
    (rule R-SC-74: two cache reads instead of three queries per home).

    Inputs: the acting membership (the panel depends on its organisation alone) and how many
    ``announcements`` to list. Output: ``{"campaign": Campaign | None, "announcements":
    [Announcement]}`` — :func:`campaign_live` (its stages prefetched, so the timeline costs no
    query) and the newest published :func:`announcement_list` entries of the organisation's
    lineage (drafts never).
    """
    organisation = membership.organisation

    def compute() -> dict:
        return {
            "campaign": campaign_live(organisation=organisation),
            "announcements": list(
                announcement_list(membership=membership, limit=announcements, include_drafts=False)
            ),
        }

    return cached_until_changed(
        f"home-campaign:{organisation.pk}:{announcements}",
        depends_on=(CAMPAIGNS_GENERATION, ORGANISATIONS_GENERATION),
        compute=compute,
    )


def _campaigns_changed(sender, **kwargs) -> None:
    generation_bump(CAMPAIGNS_GENERATION)


def connect_home_cache() -> None:
    """Connect the receivers that make :func:`home_campaign_panel` stale: saves and deletions
    of campaigns, their stages and announcements (organisations' are the tenancy core's).
    Called from ``PromotionConfig.ready``."""
    from django.db.models.signals import post_delete, post_save

    for model in (Campaign, CampaignStage, Announcement):
        for name, signal in (("save", post_save), ("delete", post_delete)):
            signal.connect(_campaigns_changed, sender=model, dispatch_uid=f"home-{model.__name__}-{name}")


def campaign_timeline(*, campaign: Campaign, today: dt.date | None = None) -> dict:
    """The stage timeline of ``campaign`` for the home pages (seed 003 二、活动安排).

    Inputs: a campaign with prefetched ``stages`` (see :func:`campaign_live`) and ``today``
    (default: ``timezone.localdate()``, Asia/Shanghai). Output: ``{"stages": [{"kind", "label",
    "starts_on", "ends_on", "state"}], "current": CampaignStage | None, "deadline": {"stage",
    "date", "days"} | None, "closed": bool}`` — the seven stages in the order of
    :data:`STAGE_ORDER` (missing ones left out), each ``state`` ``"done"``, ``"current"`` or
    ``"upcoming"``; ``deadline`` is the nearest stage end on or after today with the whole days
    left (``0``: it ends today). A closed campaign has no current stage and no deadline.
    No query.
    """
    today = today or timezone.localdate()
    closed = campaign.status == CampaignStatus.CLOSED
    current = None if closed else campaign.current_stage(today)
    upcoming = None if closed else campaign.next_deadline(today)
    order = {kind: position for position, kind in enumerate(STAGE_ORDER)}
    stages = []
    for stage in sorted(campaign.stages.all(), key=lambda s: (order.get(s.kind, 99), s.starts_on)):
        if current is not None and stage.pk == current.pk:
            state = "current"
        elif closed or stage.ends_on < today:
            state = "done"
        else:
            state = "upcoming"
        stages.append(
            {
                "kind": stage.kind,
                "label": stage.get_kind_display(),
                "starts_on": stage.starts_on,
                "ends_on": stage.ends_on,
                "state": state,
            }
        )
    deadline = None
    if upcoming is not None:
        stage, date = upcoming
        deadline = {
            "stage": stage,
            "label": stage.get_kind_display(),
            "date": date,
            "days": (date - today).days,
        }
    return {"stages": stages, "current": current, "deadline": deadline, "closed": closed}


def announcement_list(
    *, membership, limit: int | None = None, include_drafts: bool = True
) -> QuerySet[Announcement]:
    """The announcements (通知公告) ``membership`` may read, pinned first, newest first.

    Input: the acting membership; ``limit`` slices the result (the homes take 5). Output: a
    queryset (organisation and campaign joined) of the published announcements of the acting
    organisation and of the associations above it (lineage: an enterprise reads its
    province's and the national association's; a sibling province's never, nor a subtree's),
    plus the drafts of the acting association when the membership holds ``campaigns:manage``
    (drafts are its staff's alone) and ``include_drafts`` (the homes show published ones only).
    """
    organisation = membership.organisation
    visible = Q(published_at__isnull=False)
    if include_drafts and has_permission(membership, "campaigns:manage"):
        visible |= Q(organisation_id=organisation.pk)
    queryset = (
        Announcement.objects.filter(organisation__code__in=lineage_codes(organisation))
        .filter(visible)
        .select_related("organisation", "campaign")
        .order_by("-pinned", F("published_at").desc(nulls_first=True), "-id")
    )
    return queryset[:limit] if limit else queryset


def announcement_get(*, membership, pk: int) -> Announcement:
    """One announcement ``membership`` may read (see :func:`announcement_list`), with its
    attachments prefetched. Raises ``Announcement.DoesNotExist`` otherwise (views answer 404)."""
    return announcement_list(membership=membership).prefetch_related("attachments").get(pk=pk)


def announcement_attachment_get(*, membership, pk: int) -> AnnouncementAttachment:
    """An attachment of an announcement ``membership`` may read. Raises
    ``AnnouncementAttachment.DoesNotExist`` otherwise (a draft's, a sibling province's)."""
    readable = announcement_list(membership=membership).values("pk")
    return AnnouncementAttachment.objects.select_related("announcement").get(pk=pk, announcement__in=readable)
