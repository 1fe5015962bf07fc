"""FilterSets of the circles app, shared by the API, the HTML lists and the Excel exports.

Declared filters only (auto-generated ones would query the scoped managers at import).
Every filter narrows the scoped queryset in SQL; ``o`` sorts by a whitelisted column with
the primary key as the tie-breaker so that pages are stable. A filter on a related row's
column (a project's circle's department, a record's project title) is a subquery over the
related model's scoped manager, never a join: the related table is filtered by the tenant's
organisations first, so one enterprise's list never reads another's rows (rule R-SC-71).
"""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters.conf import settings as filter_settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from qcportal.filters import IdFilter
from qcportal.text import has_control_characters

from .choices import CircleStatus, ProcedureStep, ProjectStatus, ProjectType
from .models import ActivityRecord, Circle, Project
from .selectors import ACTIVE_STATES, has_open_comments

YEAR_CHOICES_SPAN = 12


@extend_schema_field(OpenApiTypes.INT)
class YearFilter(django_filters.TypedChoiceFilter):
    """A year (four digits) among the last twelve and the next."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("choices", _year_choices)
        kwargs.setdefault("coerce", int)
        super().__init__(*args, **kwargs)


def _year_choices():
    """A blank choice first (no filter; the list form submits it by default), then the years."""
    this_year = timezone.localdate().year
    return [
        ("", filter_settings.EMPTY_CHOICE_LABEL),
        *((y, str(y)) for y in range(this_year + 1, this_year - YEAR_CHOICES_SPAN, -1)),
    ]


def related_rows(queryset: QuerySet, path: str, **lookups) -> Q:
    """The condition "the row's related object at ``path`` matches ``lookups``", as a
    subquery over the related model's scoped manager (its tenant filter comes first).

    Inputs: the filtered queryset, a one-step relation path (``"circle"``) and the related
    model's lookups (``department="营销部"``). Output: ``Q(circle__in=<scoped subquery>)``."""
    related = queryset.model._meta.get_field(path).related_model
    return Q(**{f"{path}__in": related.objects.filter(**lookups).values("pk")})


class SearchFilter(django_filters.CharFilter):
    """Free-text search over several columns (case-insensitive containment), at most 50
    characters; control characters match nothing instead of erroring. A related column
    (``"circle__name"``) is searched by a subquery over the related model's scoped manager
    (:func:`related_rows`), not by a join."""

    def __init__(self, *args, fields: tuple[str, ...], **kwargs):
        kwargs.setdefault("label", _("搜索"))
        kwargs.setdefault("max_length", 50)
        super().__init__(*args, **kwargs)
        self.search_fields = fields

    def filter(self, qs, value):
        """Rows where any search field contains ``value``."""
        value = (value or "").strip()
        if not value:
            return qs
        if has_control_characters(value):
            return qs.none()
        # A value without letter case (Chinese, digits) finds the same rows case-sensitively:
        # ``column LIKE``, which PostgreSQL estimates from the column's statistics and checks ~3×
        # faster than icontains' ``UPPER(column) LIKE UPPER(…)``, whose unknown selectivity
        # makes it sort the tenant's whole share for a page (benchmarks/lists_scale.py).
        lookup = "contains" if value.upper() == value.lower() else "icontains"
        condition = Q()
        for name in self.search_fields:
            path, _sep, column = name.partition("__")
            if column:
                condition |= related_rows(qs, path, **{f"{column}__{lookup}": value})
            else:
                condition |= Q(**{f"{name}__{lookup}": value})
        return qs.filter(condition)


class RelatedCharFilter(django_filters.CharFilter):
    """Exact match on a related row's column (``field_name="circle__department"``), as a
    subquery over the related model's scoped manager (:func:`related_rows`)."""

    def filter(self, qs, value):
        """Rows whose related object's column equals ``value`` (blank: no filter)."""
        if value in ([], (), {}, "", None):
            return qs
        path, _sep, column = self.field_name.partition("__")
        return qs.filter(related_rows(qs, path, **{column: value}))


class OverdueFilter(django_filters.BooleanFilter):
    """``overdue=true``: rows with a project in activity past its planned completion date.

    ``link``: ``None`` for projects themselves, else ``(outer, inner)``: the row's column and
    the project column it matches (a circle: ``("pk", "circle")``; a record: ``("project",
    "pk")``). The overdue projects are a subquery over the scoped project manager, so only
    the tenant's projects are read (rule R-SC-71)."""

    def __init__(self, *args, link: tuple[str, str] | None, **kwargs):
        kwargs.setdefault("label", _("逾期"))
        kwargs.setdefault("widget", forms.CheckboxInput)
        super().__init__(*args, **kwargs)
        self.link = link

    def filter(self, qs, value):
        """Keep overdue rows when ``value`` is true."""
        if not value:
            return qs
        late = Q(status__in=ACTIVE_STATES, planned_end__lt=timezone.localdate())
        if self.link is None:
            return qs.filter(late)
        outer, inner = self.link
        return qs.filter(**{f"{outer}__in": Project.objects.filter(late).values(inner)})


class StableOrderingFilter(django_filters.OrderingFilter):
    """``OrderingFilter`` that appends the primary key, so equal values page stably."""

    def filter(self, qs, value):
        """Order by the chosen columns, then by ``id`` in the same direction."""
        qs = super().filter(qs, value)
        if value:
            ordering = list(qs.query.order_by)
            last = ordering[-1] if ordering else ""
            qs = qs.order_by(*ordering, "-id" if str(last).startswith("-") else "id")
        return qs


def _ordering(*pairs: tuple[str, str]) -> django_filters.OrderingFilter:
    return StableOrderingFilter(fields=pairs, label=_("排序"))


class CircleFilterSet(django_filters.FilterSet):
    """Circles by search text (name, registration number, department), enterprise code, registration year,
    department, status and overdue projects; ``o`` sorts by 注册日期, 名称, 注册号, 状态."""

    q = SearchFilter(fields=("name", "registration_number", "department"))
    org = django_filters.CharFilter(field_name="organisation__code", max_length=40, label=_("企业代码"))
    year = YearFilter(field_name="registration_year", label=_("注册年度"))
    department = django_filters.CharFilter(field_name="department", max_length=100, label=_("部门"))
    status = django_filters.ChoiceFilter(choices=CircleStatus.choices, label=_("状态"))
    overdue = OverdueFilter(link=("pk", "circle"))
    o = _ordering(
        ("registered_on", "registered_on"),
        ("name", "name"),
        ("registration_number", "registration_number"),
        ("status", "status"),
    )

    class Meta:
        model = Circle
        fields = ["q", "org", "year", "department", "status", "overdue"]


class ProjectFilterSet(django_filters.FilterSet):
    """Projects by search text (title, registration number, circle), year of application,
    department, status, type and overdue; ``o`` sorts by 申请日期, 课题名称, 状态, 计划完成."""

    q = SearchFilter(fields=("title", "registration_number", "circle__name"))
    org = django_filters.CharFilter(field_name="organisation__code", max_length=40, label=_("企业代码"))
    year = YearFilter(field_name="applied_on__year", label=_("申请年度"))
    department = RelatedCharFilter(field_name="circle__department", max_length=100, label=_("部门"))
    status = django_filters.ChoiceFilter(choices=ProjectStatus.choices, label=_("状态"))
    type = django_filters.ChoiceFilter(
        field_name="project_type", choices=ProjectType.choices, label=_("课题类型")
    )
    circle = IdFilter(field_name="circle_id", label=_("QC小组"))
    overdue = OverdueFilter(link=None)
    o = _ordering(
        ("applied_on", "applied_on"),
        ("title", "title"),
        ("status", "status"),
        ("planned_end", "planned_end"),
    )

    class Meta:
        model = Project
        fields = ["q", "org", "year", "department", "status", "type", "circle", "overdue"]


class ActivityRecordFilterSet(django_filters.FilterSet):
    """Activity records by search text (content, project title, circle), year, department,
    step, project, open comments and overdue projects; ``o`` sorts by 活动日期, 步骤."""

    q = SearchFilter(fields=("content", "project__title", "circle__name"))
    year = YearFilter(field_name="held_on__year", label=_("活动年度"))
    department = RelatedCharFilter(field_name="circle__department", max_length=100, label=_("部门"))
    step = django_filters.ChoiceFilter(choices=ProcedureStep.choices, label=_("活动步骤"))
    project = IdFilter(field_name="project_id", label=_("课题"))
    open_comments = django_filters.BooleanFilter(
        method="filter_open_comments", widget=forms.CheckboxInput, label=_("有待处理的检查意见")
    )
    overdue = OverdueFilter(link=("project", "pk"))
    o = _ordering(("held_on", "held_on"), ("step", "step"))

    class Meta:
        model = ActivityRecord
        fields = ["q", "year", "department", "step", "project", "open_comments", "overdue"]

    def filter_open_comments(self, qs, name, value):
        """Records with an open process-check comment when ``value`` is true."""
        return qs.filter(has_open_comments()) if value else qs
