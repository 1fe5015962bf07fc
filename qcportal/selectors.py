"""Reads of the tenancy core: organisations, memberships, invitations, audit entries."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from .choices import AuditEvent, OrganisationKind
from .models import AuditEntry, Invitation, Membership, Organisation
from .tenancy import visible_organisations


def organisation_subtree(
    *, organisation: Organisation, kind: str = "", search: str = ""
) -> QuerySet[Organisation]:
    """Organisations of ``organisation``'s share (itself included), with parent joined and
    active memberships counted (``member_count``), in tree order. Optional filters: kind,
    search in name or code."""
    qs = (
        Organisation.objects.filter(pk__in=visible_organisations(organisation))
        .select_related("parent", "industry_association")
        .annotate(member_count=Count("memberships", filter=Q(memberships__is_active=True)))
        .order_by("path")
    )
    if kind:
        qs = qs.filter(kind=kind)
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(code__icontains=search))
    return qs


def organisation_get(*, code: str) -> Organisation:
    """The organisation ``code`` visible along the lineage; raises ``DoesNotExist``."""
    return Organisation.objects.select_related("parent", "industry_association").get(code=code)


def membership_list(
    *, organisation: Organisation | None = None, role: str = "", active: bool | None = True, search: str = ""
) -> QuerySet[Membership]:
    """Memberships in the scope (an administrator's subtree), with user and organisation."""
    qs = Membership.objects.select_related("user", "organisation").order_by(
        "organisation__path", "user__username"
    )
    if organisation is not None:
        qs = qs.filter(organisation=organisation)
    if role:
        qs = qs.filter(role=role)
    if active is not None:
        qs = qs.filter(is_active=active)
    if search:
        qs = qs.filter(Q(user__username__icontains=search) | Q(user__full_name__icontains=search))
    return qs


def invitation_list(*, organisation: Organisation | None = None) -> QuerySet[Invitation]:
    """Invitations in the scope, newest first."""
    qs = Invitation.objects.select_related("organisation", "invited_by").order_by("-created_at")
    return qs.filter(organisation=organisation) if organisation is not None else qs


def industry_associations() -> QuerySet[Organisation]:
    """All industry associations (a national registry, public to administrators choosing a
    行业直属 affiliation)."""
    return Organisation._base_manager.filter(kind=OrganisationKind.INDUSTRY_ASSOCIATION).order_by("code")


def audit_entry_list(
    *, model: str = "", action: str = "", actor: str = "", event: str = "", since=None, until=None
) -> QuerySet[AuditEntry]:
    """Audit entries of the scope's organisations, newest first, with actor and content type.

    Filters (each optional): the audited ``model`` (content type name), the ``action``, the
    actor's username, the ``event`` kind (an :class:`~qcportal.choices.AuditEvent` value;
    an unknown value filters nothing — rule R-SC-40), and a date range. Lists page it with
    the capped paginator (no count of the whole subtree)."""
    qs = AuditEntry.objects.select_related(
        "actor", "content_type", "acting_organisation", "organisation"
    ).order_by("-timestamp", "-id")
    if model:
        qs = qs.filter(content_type__model=model)
    if str(action) in {str(value) for value, _label in AuditEntry.Action.choices}:
        qs = qs.filter(action=int(action))
    if event in AuditEvent.values:
        qs = qs.filter(event=event)
    if actor:
        qs = qs.filter(actor__username=actor)
    if since:  # a range on the column (its index), not a date function of it
        qs = qs.filter(timestamp__gte=_day_start(since))
    if until:
        qs = qs.filter(timestamp__lt=_day_start(until + dt.timedelta(days=1)))
    return qs


def _day_start(day: dt.date) -> dt.datetime:
    """Midnight starting ``day`` in the portal's time zone (Asia/Shanghai)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))
