"""Reads of the circles app."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from .choices import CommentStatus, MemberRole, ProjectStatus, ProjectType
from .models import (
    ActivityRecord,
    Circle,
    CircleImport,
    CircleMember,
    Project,
    RecordAttachment,
    RecordComment,
)

#: Project states in which a passed planned end date makes the project overdue.
ACTIVE_STATES = (ProjectStatus.REGISTERED, ProjectStatus.IN_PROGRESS)


def overdue_condition() -> Q:
    """A project in activity whose planned completion date has passed (before today)."""
    return Q(status__in=ACTIVE_STATES, planned_end__lt=timezone.localdate())


def overdue_projects() -> QuerySet[Project]:
    """Projects in activity whose planned completion date has passed (scoped)."""
    return Project.objects.filter(overdue_condition())


def _count_of(model, link: str, **filters):
    return Coalesce(
        Subquery(
            model._base_manager.filter(**{link: OuterRef("pk")}, **filters)
            .order_by()
            .values(link)
            .annotate(n=Count("id"))
            .values("n")[:1]
        ),
        0,
    )


def circle_list(*, enterprises: QuerySet | None = None) -> QuerySet[Circle]:
    """Circles visible in the active scope (its cost grows with the tenant's own circles),
    optionally limited to ``enterprises`` (a queryset of organisation pks).

    Output: circles with the enterprise joined and, computed per output row after any
    LIMIT (correlated subqueries, no GROUP BY over the tenant), ``member_count``,
    ``leader_name`` and ``open_projects``. Default order: newest registration first.
    """
    leader = CircleMember._base_manager.filter(circle=OuterRef("pk"), role=MemberRole.LEADER).values("name")[
        :1
    ]
    qs = Circle.objects.select_related("organisation").annotate(
        member_count=_count_of(CircleMember, "circle"),
        leader_name=Subquery(leader),
    )
    if enterprises is not None:
        qs = qs.filter(organisation__in=enterprises)
    return qs.order_by(F("registered_on").desc(nulls_first=True), "-id")


def circle_get(*, pk) -> Circle:
    """The visible circle ``pk`` with its members (logins joined); raises ``Circle.DoesNotExist``."""
    return (
        Circle.objects.select_related("organisation", "previous")
        .prefetch_related(Prefetch("members", queryset=CircleMember.objects.select_related("user")))
        .get(pk=pk)
    )


def project_list() -> QuerySet[Project]:
    """Projects visible in the active scope with circle and enterprise joined, and
    ``record_count`` and ``open_comments`` per output row. Newest application first."""
    return (
        Project.objects.select_related("circle", "organisation")
        .annotate(
            record_count=_count_of(ActivityRecord, "project"),
            open_comments=_count_of(RecordComment, "record__project", status=CommentStatus.OPEN),
        )
        .order_by("-applied_on", "-id")
    )


def project_get(*, pk) -> Project:
    """The visible project ``pk`` with circle and enterprise; raises ``Project.DoesNotExist``."""
    return Project.objects.select_related("circle", "organisation", "accepted_by").get(pk=pk)


def record_list() -> QuerySet[ActivityRecord]:
    """Activity records visible in the active scope with project and circle joined and
    ``open_comments`` per row. Newest first."""
    return (
        ActivityRecord.objects.select_related("project", "circle", "organisation")
        .annotate(open_comments=_count_of(RecordComment, "record", status=CommentStatus.OPEN))
        .order_by("-held_on", "-id")
    )


def record_get(*, pk) -> ActivityRecord:
    """The visible record ``pk`` with project, circle, participants, attachments and comments."""
    return (
        ActivityRecord.objects.select_related("project", "circle", "organisation", "created_by")
        .prefetch_related(
            "participants",
            Prefetch("attachments", queryset=RecordAttachment.objects.order_by("id")),
            Prefetch("comments", queryset=RecordComment.objects.select_related("author", "resolved_by")),
        )
        .get(pk=pk)
    )


def step_progress(*, project: Project) -> list[dict]:
    """The project's procedure steps in order (T/CAQ 10201-2020) with the number of records
    of each: ``[{"step": value, "label": 选择课题, "records": 2}, …]`` (one GROUP BY query)."""
    from .choices import ProcedureStep

    counts = dict(
        ActivityRecord.objects.filter(project=project)
        .values("step")
        .annotate(n=Count("id"))
        .values_list("step", "n")
    )
    labels = dict(ProcedureStep.choices)
    return [{"step": s, "label": labels[s], "records": counts.get(s, 0)} for s in project.steps]


def comment_list(*, record: ActivityRecord) -> QuerySet[RecordComment]:
    """The comments of a visible record, oldest first, authors joined."""
    return (
        RecordComment.objects.filter(record=record)
        .select_related("author", "resolved_by")
        .order_by("created_at", "id")
    )


def import_list() -> QuerySet[CircleImport]:
    """Bulk imports visible in the scope, newest first."""
    return CircleImport.objects.select_related("requested_by").order_by("-created_at", "-id")


def todo_counts(*, membership) -> dict[str, int]:
    """What awaits the membership's action in the circles app now (待办事项), counted in SQL
    within the scope: ``circles_to_review`` (待注册审核), ``projects_to_review`` (待立项评审),
    ``acceptances`` (待验收), ``open_comments`` (检查意见 on the membership's own circles),
    ``returned_projects``/``returned_circles`` (returned applications the leader must answer), ``to_record``
    (projects in activity of the user's circles), ``overdue`` (projects past their plan)."""
    from qcportal.permissions import has_permission

    from .choices import CircleStatus

    counts: dict[str, int] = {}
    enterprise = membership.organisation_id
    if has_permission(membership, "circles:manage"):
        counts["circles_to_review"] = Circle.objects.filter(
            organisation=enterprise, status=CircleStatus.PENDING
        ).count()
    # the enterprise's projects awaiting review or acceptance and those overdue: one query
    project_counts = {}
    if has_permission(membership, "projects:review"):
        project_counts["projects_to_review"] = Count("id", filter=Q(status=ProjectStatus.APPLIED))
        project_counts["overdue"] = Count("id", filter=overdue_condition())
    if has_permission(membership, "projects:accept"):
        project_counts["acceptances"] = Count("id", filter=Q(status=ProjectStatus.COMPLETED))
    if project_counts:
        counts.update(Project.objects.filter(organisation=enterprise).aggregate(**project_counts))
    if has_permission(membership, "circles:record"):
        mine = CircleMember._base_manager.filter(
            user_id=membership.user_id, organisation_id=enterprise
        ).values("circle")
        counts["open_comments"] = RecordComment.objects.filter(
            circle__in=mine, status=CommentStatus.OPEN
        ).count()
        counts["to_record"] = Project.objects.filter(circle__in=mine, status__in=ACTIVE_STATES).count()
    if has_permission(membership, "circles:lead"):
        led = CircleMember._base_manager.filter(
            user_id=membership.user_id, organisation_id=enterprise, role=MemberRole.LEADER
        ).values("circle")
        counts["returned_projects"] = Project.objects.filter(
            circle__in=led, status=ProjectStatus.RETURNED
        ).count()
        counts["returned_circles"] = Circle.objects.filter(pk__in=led, status=CircleStatus.RETURNED).count()
    return counts


def has_open_comments() -> Exists:
    """``Exists`` expression: the record has an open process-check comment."""
    return Exists(RecordComment._base_manager.filter(record=OuterRef("pk"), status=CommentStatus.OPEN))


def circle_statistics(*, enterprises, period_start: dt.date, period_end: dt.date) -> dict:
    """Aggregate circle figures of ``enterprises`` for a statistical period, in SQL.

    Inputs: ``enterprises``, the reporting enterprises as a queryset of organisation pks or a
    collection of ids (an enterprise's home passes ``[its id]``); the period bounds
    (inclusive). Output dict (counts are plain integers, money in 万元 as Decimal):

    - ``circles_cumulative``: circles registered on or before ``period_end`` (历年来累计已登记注册);
    - ``circles_this_year``: circles registered within the period (本年度已登记注册);
    - ``members_this_year``: members of those circles (参加QC小组人数);
    - ``circles_active``: circles with activity records dated in the period (坚持活动, standard.md §6);
    - ``circles_with_results``: circles registered in the period with a project accepted in the
      period (取得成果小组数);
    - ``benefit_cumulative`` / ``benefit_this_year``: confirmed calculable economic benefit of
      projects accepted up to / within the period (万元; standard.md §6: only benefit confirmed
      by the finance department counts);
    - ``results_this_year``: projects accepted within the period (成果数), and for each
      ``ProjectType`` ``results_<type>`` (e.g. ``results_innovation``), those of that type.

    Four queries, each one aggregate over an indexed table (seed 002, Annex 3). Every table
    they read is filtered by the owning organisation before any join (rule R-SC-71): the
    members by their enterprise and by a subquery of the enterprises' circles registered in
    the period, the projects' circles by their enterprise too — so one enterprise's figures
    read its own rows only, never the circles registered in the period nationally.
    """
    owned = {"organisation__in": enterprises}
    in_period = Q(registered_on__gte=period_start, registered_on__lte=period_end)
    circles = Circle.objects.filter(**owned).aggregate(
        circles_cumulative=Count("id", filter=Q(registered_on__lte=period_end)),
        circles_this_year=Count("id", filter=in_period),
    )
    registered_in_period = Circle.objects.filter(in_period, **owned).values("pk")
    members = CircleMember.objects.filter(**owned, circle__in=registered_in_period).count()
    active = ActivityRecord.objects.filter(
        **owned, held_on__gte=period_start, held_on__lte=period_end
    ).aggregate(n=Count("circle", distinct=True))["n"]
    accepted_in_period = Q(accepted_on__gte=period_start, accepted_on__lte=period_end)
    projects = Project.objects.filter(
        **owned,
        circle__organisation__in=enterprises,
        status=ProjectStatus.ACCEPTED,
        accepted_on__lte=period_end,
    ).aggregate(
        benefit_cumulative=Sum("economic_benefit", filter=Q(benefit_confirmed=True)),
        benefit_this_year=Sum("economic_benefit", filter=Q(benefit_confirmed=True) & accepted_in_period),
        circles_with_results=Count(
            "circle",
            distinct=True,
            filter=accepted_in_period
            & Q(circle__registered_on__gte=period_start, circle__registered_on__lte=period_end),
        ),
        results_this_year=Count("id", filter=accepted_in_period),
        **{
            f"results_{kind}": Count("id", filter=accepted_in_period & Q(project_type=kind))
            for kind in ProjectType.values
        },
    )
    return {**circles, "members_this_year": members, "circles_active": active, **projects}


def circle_counts_by_year(*, enterprises) -> list[dict]:
    """Circles registered per year for ``enterprises`` (a queryset of organisation pks or a
    collection of ids): ``[{"year": 2019, "circles": 120}, …]`` ordered by year (one GROUP BY
    query over the enterprises' circles)."""
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
    Each subquery reads one enterprise's rows: the members' circles are filtered by the same
    enterprise as the members before the join (rule R-SC-71).
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
            members_this_year=count(
                CircleMember,
                circle__organisation=OuterRef("pk"),
                **{f"circle__{k}": v for k, v in in_period.items()},
            ),
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
