"""Scope providers of the promotion app (see :func:`qcportal.tenancy.register_scope_provider`)."""

from __future__ import annotations

from django.db.models import Q

from qcportal.models import Organisation

from .models import CampaignEntry


def unit_scope(membership) -> dict:
    """The ``tenant`` share of a recommending unit's coordinator: its subtree plus the
    enterprises that signed up for a campaign through it (seed 003 §二.3(2): an enterprise
    with no unit of its own signs up through the fallback unit 其他-市质协会员现场部, which
    then sees it and its results although it is outside the unit's subtree).

    Input: the membership (role ``unit_coordinator``). Output: ``{"tenant": <unscoped
    queryset of organisation pks>}``, one subquery."""
    unit = membership.organisation
    signed_up = CampaignEntry._base_manager.filter(recommending_unit_id=unit.pk).values("organisation_id")
    return {
        "tenant": Organisation._base_manager.filter(
            Q(path__startswith=unit.path) | Q(pk__in=signed_up)
        ).values("pk")
    }
