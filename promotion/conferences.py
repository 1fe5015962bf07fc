"""Result presentation conferences (成果发表会; issue 11 item 2; seed 001 §7.5.2; seed 002
Annex 3): the hosting association announces one per campaign and records what happened.
The sign-ups of circles and the choice of presenters are the evaluation app's
(:mod:`evaluation.conferences`), which counts them into the conference's Annex 3 fields.

Writes take the acting membership, check ``campaigns:manage`` for the association that runs
the campaign and refuse bad input in Chinese (``ValidationError``).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from qcportal.choices import ASSOCIATION_KINDS
from qcportal.permissions import require_permission

from .choices import CampaignStatus
from .models import Campaign, PresentationConference
from .selectors import lineage_codes

#: The fields of a conference the host writes (the counts are the sign-ups').
CONFERENCE_FIELDS = ("title", "held", "held_on", "place", "signup_deadline", "attendance")


def conference_list() -> QuerySet[PresentationConference]:
    """The conferences visible along the active lineage (the acting association's own and its
    subtree's, and those of the associations above an enterprise), newest campaign first,
    with their campaign and host."""
    return PresentationConference.objects.select_related("campaign", "organisation").order_by(
        "-campaign__year", "organisation__path", "-id"
    )


def conference_is_open(conference: PresentationConference, today: dt.date | None = None) -> bool:
    """Sign-ups are open until the deadline (inclusive) and before the conference's day, when
    those are set (rule R-CF-01)."""
    today = today or timezone.localdate()
    if conference.signup_deadline and today > conference.signup_deadline:
        return False
    return not (conference.held_on and today >= conference.held_on)


def conference_campaigns(*, membership) -> QuerySet[Campaign]:
    """The campaigns (not drafts) of the acting association and the associations above it
    for which it has no conference yet, newest first: those it may announce one for."""
    hosted = PresentationConference.objects.filter(organisation_id=membership.organisation_id)
    return (
        Campaign.objects.filter(organisation__code__in=lineage_codes(membership.organisation))
        .exclude(status=CampaignStatus.DRAFT)
        .exclude(pk__in=hosted.values("campaign_id"))
        .order_by("-year", "code")
    )


def conference_save(
    *, membership, campaign: Campaign, data: dict, conference: PresentationConference | None = None
) -> PresentationConference:
    """Announce the acting association's conference of ``campaign`` or change it.

    Inputs: the membership (``campaigns:manage`` of an association) and a campaign of that
    association or of one above it (a province holds its conference in the national
    campaign, whose Annex 3 it reports),
    ``data`` with the keys of :data:`CONFERENCE_FIELDS` (missing ones keep their value):
    ``held`` (是否组织发表会), ``held_on`` and ``place`` (required once held), ``attendance``
    (参会人数, ≥ 0), ``signup_deadline`` (on or before the day). Output: the conference.
    Raises ``PermissionDenied`` or ``ValidationError`` (Chinese; one conference per campaign
    and association).
    """
    require_permission(membership, "campaigns:manage")
    organisation = membership.organisation
    if (
        organisation.kind not in ASSOCIATION_KINDS
        or campaign.organisation.code not in lineage_codes(organisation)
        or campaign.status == CampaignStatus.DRAFT
        or (conference is not None and conference.organisation_id != organisation.pk)
    ):
        raise PermissionDenied(_("成果发表会由协会为本协会或上级协会的年度活动组织。"))
    conference = conference or PresentationConference(
        organisation_id=membership.organisation_id, campaign=campaign
    )
    for field in CONFERENCE_FIELDS:
        if field in data:
            value = data[field]
            setattr(conference, field, "" if value is None and field in ("title", "place") else value)
    errors: dict[str, list[str]] = {}
    try:
        conference.full_clean(
            exclude=["organisation", "campaign", "signed_up_circles", "presented_circles"],
            validate_unique=False,
            validate_constraints=False,
        )
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if conference.signup_deadline and conference.held_on and conference.signup_deadline > conference.held_on:
        errors.setdefault("signup_deadline", []).append(_("报名截止日期不能晚于发表会时间。"))
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            # the counts are the sign-ups' (evaluation.conferences.conference_recount): never
            # written back from a form loaded earlier
            conference.save(update_fields=CONFERENCE_FIELDS if conference.pk else None)
    except IntegrityError as exc:
        raise ValidationError(
            {"campaign": [_("本协会在该年度活动中已有成果发表会，请修改原发表会。")]}
        ) from exc
    return conference
