"""Reads of the circles app."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from .choices import ProjectStatus
from .models import ActivityRecord, Circle, CircleMember, Project


def circle_list(*, enterprises: QuerySet | None = None) -> QuerySet[Circle]:
    """Circles visible in the active scope, optionally limited to ``enterprises`` (a queryset
    of organisation pks), with the enterprise joined and member count annotated."""
    qs = Circle.objects.select_related("organisation").annotate(member_count=Count("members"))
    if enterprises is not None:
        qs = qs.filter(organisation__in=enterprises)
    return qs


def circle_statistics(*, enterprises: QuerySet, period_start: dt.date, period_end: dt.date) -> dict:
    """Aggregate circle figures of ``enterprises`` for a statistical period, in SQL.

    Inputs: ``enterprises``, a queryset of organisation pks (the reporting enterprises);
    the period bounds (inclusive). Output dict (counts are plain integers, money in 万元 as
    Decimal):

    - ``circles_cumulative``: circles registered on or before ``period_end`` (历年来累计已登记注册);
    - ``circles_this_year``: circles registered within the period (本年度已登记注册);
    - ``members_this_year``: members of those circles (参加QC小组人数);
    - ``circles_active``: circles with activity records dated in the period (坚持活动, standard.md §6);
    - ``circles_with_results``: circles registered in the period with a project accepted in the
      period (取得成果小组数);
    - ``benefit_cumulative`` / ``benefit_this_year``: confirmed calculable economic benefit of
      projects accepted up to / within the period (万元; standard.md §6: only benefit confirmed
      by the finance department counts).

    Four queries, each one aggregate over an indexed table (seed 002, Annex 3).
    """
    in_period = Q(registered_on__gte=period_start, registered_on__lte=period_end)
    circles = Circle.objects.filter(organisation__in=enterprises).aggregate(
        circles_cumulative=Count("id", filter=Q(registered_on__lte=period_end)),
        circles_this_year=Count("id", filter=in_period),
    )
    members = CircleMember.objects.filter(
        organisation__in=enterprises,
        circle__registered_on__gte=period_start,
        circle__registered_on__lte=period_end,
    ).count()
    active = ActivityRecord.objects.filter(
        organisation__in=enterprises, held_on__gte=period_start, held_on__lte=period_end
    ).aggregate(n=Count("circle", distinct=True))["n"]
    accepted_in_period = Q(accepted_on__gte=period_start, accepted_on__lte=period_end)
    projects = Project.objects.filter(
        organisation__in=enterprises, status=ProjectStatus.ACCEPTED, accepted_on__lte=period_end
    ).aggregate(
        benefit_cumulative=Sum("economic_benefit", filter=Q(benefit_confirmed=True)),
        benefit_this_year=Sum("economic_benefit", filter=Q(benefit_confirmed=True) & accepted_in_period),
        circles_with_results=Count(
            "circle",
            distinct=True,
            filter=accepted_in_period
            & Q(circle__registered_on__gte=period_start, circle__registered_on__lte=period_end),
        ),
    )
    return {**circles, "members_this_year": members, "circles_active": active, **projects}


def circle_counts_by_year(*, enterprises: QuerySet) -> list[dict]:
    """Circles registered per year for ``enterprises``: ``[{"year": 2019, "circles": 120}, …]``
    ordered by year (one GROUP BY query)."""
    return list(
        Circle.objects.filter(organisation__in=enterprises)
        .values(year=F("registration_year"))
        .annotate(circles=Count("id"))
        .order_by("year")
    )


def enterprise_overview(*, enterprises: QuerySet, period_start: dt.date, period_end: dt.date) -> QuerySet:
    """Per-enterprise figures for the period, one query with correlated subqueries.

    Output: an ``Organisation`` queryset annotated with ``circles_this_year``,
    ``members_this_year`` and ``results_this_year`` (accepted projects), ordered by name.
    """
    from qcportal.models import Organisation

    def count(model, **filters):
        return Coalesce(
            Subquery(
                model.objects.filter(organisation=OuterRef("pk"), **filters)
                .order_by()
                .values("organisation")
                .annotate(n=Count("id"))
                .values("n")[:1]
            ),
            0,
        )

    in_period = {"registered_on__gte": period_start, "registered_on__lte": period_end}
    return (
        Organisation.objects.filter(pk__in=enterprises)
        .annotate(
            circles_this_year=count(Circle, **in_period),
            members_this_year=count(CircleMember, **{f"circle__{k}": v for k, v in in_period.items()}),
            results_this_year=count(Project, accepted_on__gte=period_start, accepted_on__lte=period_end),
        )
        .order_by("name")
    )


def circle_list_for_user(*, user) -> QuerySet[Circle]:
    """Circles in which ``user`` is a member (their own circles), newest first."""
    return (
        Circle.objects.filter(members__user=user)
        .select_related("organisation")
        .prefetch_related("projects")
        .distinct()
        .order_by("-registered_on")
    )
