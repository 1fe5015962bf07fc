"""The one pagination of every list: HTML list views (``ListView``, django-filter's
``FilterView``, django-tables2's ``SingleTableMixin``) and the API.

Lists must stay cheap at national scale (two million circles): the paginator counts at most
``PAGINATION_COUNT_CAP + 1`` rows (``SELECT COUNT(*) FROM (… LIMIT cap+1)``), never an
unbounded ``COUNT(*)``. When more rows match, the count is reported as the cap and flagged
``count_capped`` ("10,000+ 条"); pages beyond the cap are not offered (narrow the filters).
An out-of-range page answers the last page and a page that is not a number the first page
(``Paginator.get_page``), instead of 404.

Lists whose rows grow with history (the audit trail, report runs, circles, projects and
records) also page by keys (issue 10 item 4, rule R-SC-72): their views set
``keyset_pagination``; without a ``page`` parameter they answer the rows after
(``?after=<id>``) or before (``?before=<id>``) a row in the list's order, found through the
index from that row on — page 1,000 costs what page 1 costs, whatever the table's size —
and link to the next and previous pages that way. ``?page=N`` keeps working (by offset,
within the cap). A capped total is shown as the planner's estimate ("约 1,234,567 条",
EXPLAIN's row estimate of the filtered query) where the database gives one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db import connections
from django.db.models import F, OrderBy, Q, QuerySet
from django.utils.functional import cached_property
from django_tables2 import SingleTableMixin
from django_tables2.config import RequestConfig
from django_tables2.rows import BoundRows
from rest_framework import pagination as drf_pagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

#: Rows counted at most (plus one, to know there are more) unless settings say otherwise.
DEFAULT_COUNT_CAP = 10_000


def count_cap() -> int:
    """The configured cap (``settings.PAGINATION_COUNT_CAP``, default 10,000)."""
    return getattr(settings, "PAGINATION_COUNT_CAP", DEFAULT_COUNT_CAP)


def _queryset_of(object_list) -> QuerySet | None:
    """The queryset behind ``object_list``: itself, or the data of a django-tables2 table's
    rows (``BoundRows`` → ``TableQuerysetData`` → queryset); ``None`` for plain sequences."""
    if isinstance(object_list, QuerySet):
        return object_list
    if isinstance(object_list, BoundRows):
        data = getattr(object_list.data, "data", None)
        if isinstance(data, QuerySet):
            return data
    return None


def _defers_join(queryset: QuerySet) -> bool:
    """True for a model queryset whose page may be read by keys first (not ``values()``,
    not ``distinct()``, not sliced, no aggregate annotations)."""
    query = queryset.query
    return (
        queryset._iterable_class.__name__ == "ModelIterable"
        and not query.distinct
        and not query.is_sliced
        and not query.combinator
        and query.group_by is None
    )


@dataclass(frozen=True)
class KeyColumn:
    """One column of a list's order: its field name, direction, and whether ``NULL`` sorts
    before the other values (``None``: the column is never ``NULL``)."""

    name: str
    descending: bool
    nulls_first: bool | None

    def reversed(self) -> KeyColumn:
        """The same column in the opposite order (``NULL`` moves to the other end)."""
        return KeyColumn(
            self.name, not self.descending, None if self.nulls_first is None else not self.nulls_first
        )


def keyset_columns(queryset: QuerySet) -> list[KeyColumn] | None:
    """The order of ``queryset`` as key columns ending with the primary key, or ``None`` when
    it cannot be paged by keys: a column that is not a concrete field of the model, or a
    nullable one whose ``NULL`` placement the ordering does not state (databases differ).

    Inputs: a model queryset (its ``order_by``, else the model's ``Meta.ordering``). Output: the
    columns, the primary key appended (same direction as the last column) when missing."""
    meta = queryset.model._meta
    ordering = list(queryset.query.order_by) or list(meta.ordering)
    columns: list[KeyColumn] = []
    for item in ordering:
        if isinstance(item, str):
            descending = item.startswith("-")
            name, nulls_first = item.lstrip("-+"), None
        elif isinstance(item, OrderBy) and isinstance(item.expression, F):
            descending, name = item.descending, item.expression.name
            nulls_first = True if item.nulls_first else False if item.nulls_last else None
        else:
            return None
        name = meta.pk.name if name == "pk" else name
        try:
            field = meta.get_field(name)
        except Exception:
            return None
        if not getattr(field, "concrete", False) or field.is_relation and not field.many_to_one:
            return None
        if field.null and nulls_first is None:
            return None
        columns.append(KeyColumn(field.attname, descending, nulls_first if field.null else None))
    if not columns or columns[-1].name != meta.pk.attname:
        last = columns[-1].descending if columns else False
        columns.append(KeyColumn(meta.pk.attname, last, None))
    return columns


def _after(column: KeyColumn, value) -> Q | None:
    """Rows strictly after ``value`` in ``column``'s order (``None``: no row can be)."""
    if value is None:  # the anchor sits among the NULLs
        return Q(**{f"{column.name}__isnull": False}) if column.nulls_first else None
    beyond = Q(**{f"{column.name}__{'lt' if column.descending else 'gt'}": value})
    if column.nulls_first is False:  # NULLs come last: they are after any value
        beyond |= Q(**{f"{column.name}__isnull": True})
    return beyond


def _equal(column: KeyColumn, value) -> Q:
    return Q(**{f"{column.name}__isnull": True}) if value is None else Q(**{column.name: value})


def keyset_condition(columns: list[KeyColumn], anchor: dict) -> Q:
    """The rows after ``anchor`` (a dict of the columns' values) in the order of ``columns``:
    ``c1 after a1 OR (c1 = a1 AND c2 after a2) OR …``, plus a bound on the first column
    (``c1 <= a1`` for a descending column after whose values no ``NULL`` comes) so that the
    index scan starts at the anchor instead of filtering from the top of the list."""
    condition, prefix = Q(pk__in=[]), Q()
    for column in columns:
        value = anchor[column.name]
        beyond = _after(column, value)
        if beyond is not None:
            condition |= prefix & beyond
        prefix &= _equal(column, value)
    first, value = columns[0], anchor[columns[0].name]
    if value is not None and first.nulls_first is not False:  # no NULL can follow a value
        condition &= Q(**{f"{first.name}__{'lte' if first.descending else 'gte'}": value})
    return condition


def _order(columns: list[KeyColumn]) -> list:
    """``order_by`` arguments for ``columns`` (``NULL`` placement stated where it matters)."""
    order = []
    for c in columns:
        if c.nulls_first is None:
            order.append(f"-{c.name}" if c.descending else c.name)
        else:
            nulls = {"nulls_first": True} if c.nulls_first else {"nulls_last": True}
            order.append(OrderBy(F(c.name), descending=c.descending, **nulls))
    return order


def parse_key(value) -> int | None:
    """A row id from ``?after=`` / ``?before=``: a positive integer within ``bigint``, else ``None``."""
    from .filters import MAX_ID

    text = str(value or "").strip()
    if not text.isascii() or not text.isdigit() or len(text) > 19:
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None


class KeysetPage(Page):
    """A page found by keys: the rows after (or before) an anchor row, or the first rows.

    ``keyset`` is True; ``next_after`` / ``previous_before`` are the ids the next and previous
    links carry (``?after=`` / ``?before=``); there is no page number."""

    keyset = True

    def __init__(self, object_list, paginator, *, has_next: bool, has_previous: bool, first_id, last_id):
        super().__init__(object_list, 1, paginator)
        self._has_next, self._has_previous = has_next, has_previous
        self.next_after, self.previous_before = last_id, first_id

    def has_next(self) -> bool:
        """True when rows follow this page."""
        return self._has_next

    def has_previous(self) -> bool:
        """True when rows precede this page."""
        return self._has_previous

    def has_other_pages(self) -> bool:
        """True when rows precede or follow this page."""
        return self._has_next or self._has_previous


class CappedPaginator(Paginator):
    """A ``Paginator`` whose count is capped.

    Inputs: as Django's ``Paginator`` (``object_list`` may be a queryset, a sequence or a
    django-tables2 table's rows) plus ``cap`` (default :func:`count_cap`).
    ``count`` is the number of rows, at most ``cap``; ``count_capped`` tells whether more rows
    match. Counting a queryset runs one ``COUNT(*)`` over at most ``cap + 1`` rows.
    ``get_page`` (used by every list) never raises: out of range → last page, not a number →
    first page.
    """

    def __init__(self, object_list, per_page, orphans=0, allow_empty_first_page=True, *, cap=None, **kwargs):
        super().__init__(object_list, per_page, orphans, allow_empty_first_page, **kwargs)
        self.cap = count_cap() if cap is None else cap

    @cached_property
    def _bounded_count(self) -> int:
        """Rows counted, at most ``cap + 1``."""
        queryset = _queryset_of(self.object_list)
        if queryset is not None:
            # Without ORDER BY: counting needs no sort of the tenant's share (measured by
            # benchmarks/lists_scale.py: 52–83 ms → 2–5 ms for a province's circles); and,
            # for a plain model list, without the per-row annotations it does not filter on.
            counted = queryset.order_by()
            if _defers_join(counted):
                counted = counted.values("pk")
            return counted[: self.cap + 1].count()
        return len(self.object_list)

    def page(self, number):
        """The page ``number``. For a plain queryset the page's primary keys are chosen first
        (``LIMIT``/``OFFSET`` on the ordered ids) and the rows with their joins and per-row
        subqueries are read for those keys only (a deferred join: page 100 no longer computes
        the 2,475 rows it skips)."""
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        queryset = self.object_list
        if isinstance(queryset, QuerySet) and _defers_join(queryset):
            keys = list(queryset.values_list("pk", flat=True)[bottom:top])
            rows = {obj.pk: obj for obj in queryset.filter(pk__in=keys)}
            return self._get_page([rows[k] for k in keys if k in rows], number, self)
        return super().page(number)

    @cached_property
    def count(self) -> int:
        """The number of rows, at most ``cap``."""
        return min(self._bounded_count, self.cap)

    @property
    def count_capped(self) -> bool:
        """True when more than ``cap`` rows match (the count shown is then "cap+")."""
        return self._bounded_count > self.cap

    @property
    def count_display(self) -> str:
        """``count`` grouped by thousands with commas ("10,000"), in every language, as the
        pagination shows it ("共 1,234 条", "10,000+ 条")."""
        return f"{self.count:,}"

    @cached_property
    def count_estimate(self) -> int | None:
        """When the count is capped, the planner's estimate of the rows (PostgreSQL: the row
        estimate of ``EXPLAIN`` on the filtered query, no rows read), if it exceeds the cap;
        otherwise ``None`` (the pagination then shows "10,000+ 条")."""
        queryset = _queryset_of(self.object_list)
        if not self.count_capped or queryset is None:
            return None
        connection = connections[queryset.db]
        if connection.vendor != "postgresql":
            return None
        sql, params = queryset.order_by().values("pk").query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
            plan = cursor.fetchone()[0]
        plan = json.loads(plan) if isinstance(plan, str) else plan
        rows = int(plan[0]["Plan"]["Plan Rows"])
        return rows if rows > self.cap else None

    @property
    def estimate_display(self) -> str:
        """``count_estimate`` grouped by thousands ("1,234,567"; "" without an estimate)."""
        return f"{self.count_estimate:,}" if self.count_estimate else ""

    def keyset_ready(self) -> bool:
        """True when the rows can be paged by keys (a queryset whose order is a keyset, see
        :func:`keyset_columns`)."""
        queryset = _queryset_of(self.object_list)
        return queryset is not None and _defers_join(queryset) and keyset_columns(queryset) is not None

    def keyset_page(self, *, after: int | None = None, before: int | None = None) -> KeysetPage:
        """The ``per_page`` rows after the row ``after`` or before the row ``before`` in the
        list's order (neither, or an id not in the list: the first rows). Output: a
        :class:`KeysetPage` (rows of a django-tables2 table stay bound rows).

        Queries: one for the anchor's sort values, one for the page's ids (``LIMIT per_page + 1``
        from the anchor on, through the list's index), one for its rows."""
        source = self.object_list
        queryset = _queryset_of(source)
        columns = keyset_columns(queryset)
        anchor_id = after or before
        anchor = None
        if anchor_id:
            anchor = queryset.order_by().filter(pk=anchor_id).values(*(c.name for c in columns)).first()
        backwards = anchor is not None and not after
        order = [c.reversed() for c in columns] if backwards else columns
        keys_query = queryset.order_by(*_order(order))
        if anchor is not None:
            keys_query = keys_query.filter(keyset_condition(order, anchor))
        keys = list(keys_query.values_list("pk", flat=True)[: self.per_page + 1])
        more = len(keys) > self.per_page
        keys = keys[: self.per_page]
        if backwards:
            keys.reverse()
        rows = {obj.pk: obj for obj in queryset.filter(pk__in=keys)}
        objects = [rows[k] for k in keys if k in rows]
        if isinstance(source, BoundRows):
            objects = BoundRows(objects, table=source.table, pinned_data=source.pinned_data)
        return KeysetPage(
            objects,
            self,
            has_next=more if not backwards else True,
            has_previous=(anchor is not None) if not backwards else more,
            first_id=keys[0] if keys else None,
            last_id=keys[-1] if keys else None,
        )


class PaginatedListMixin:
    """View mixin for every HTML list: :class:`CappedPaginator` and ``get_page`` semantics.

    Works with ``ListView`` and django-filter's ``FilterView`` (``paginate_queryset``) and with
    django-tables2's ``SingleTableMixin``: the table's rows (sorted by the request's
    ``sort``) are paginated by the same paginator and fallback, and the context gets the same
    ``paginator``, ``page_obj`` and ``is_paginated`` as a plain list, for
    ``templates/includes/pagination.html``. Tables2's ``per_page`` request parameter is
    ignored (the view's ``paginate_by`` decides). Put it before the generic view in the bases.
    """

    paginate_by = 50
    paginator_class = CappedPaginator
    #: Page by keys (``?after=`` / ``?before=``) unless the request names a ``page``.
    keyset_pagination = False

    def paginated_page(self, paginator, number):
        """The requested page of ``paginator``: by keys for a keyset list when no ``page`` is
        asked for and its order allows it (:meth:`CappedPaginator.keyset_page`), else by
        number (``get_page``: never raises)."""
        g = self.request.GET
        if self.keyset_pagination and not number and paginator.keyset_ready():
            return paginator.keyset_page(after=parse_key(g.get("after")), before=parse_key(g.get("before")))
        return paginator.get_page(number)

    def paginate_queryset(self, queryset, page_size):
        """Paginate ``queryset``; returns ``(paginator, page, object_list, is_paginated)``.
        Never raises for a bad ``page`` parameter (last page / first page)."""
        paginator = self.get_paginator(
            queryset,
            page_size,
            orphans=self.get_paginate_orphans(),
            allow_empty_first_page=self.get_allow_empty(),
        )
        page = self.paginated_page(
            paginator, self.request.GET.get(self.page_kwarg) or self.kwargs.get(self.page_kwarg)
        )
        return paginator, page, page.object_list, page.has_other_pages()

    # --- django-tables2 -----------------------------------------------------------------

    def _paginates_table(self) -> bool:
        return isinstance(self, SingleTableMixin)

    def get_paginate_by(self, queryset):
        """The page size; ``None`` for the generic list pagination of a table view (the table
        paginates its own sorted rows instead, see :meth:`get_table`)."""
        if self._paginates_table():
            return None
        return super().get_paginate_by(queryset)

    def get_table(self, **kwargs):
        """The django-tables2 table, sorted from the request and paginated here (same
        paginator and fallback as the lists)."""
        table = self.get_table_class()(data=self.get_table_data(), **kwargs)
        RequestConfig(self.request, paginate=False).configure(table)
        table.paginator = self.get_paginator(
            table.rows, self.paginate_by, orphans=self.get_paginate_orphans(), allow_empty_first_page=True
        )
        table.page = self.paginated_page(table.paginator, self.request.GET.get(table.prefixed_page_field))
        return table

    def get_context_data(self, **kwargs):
        """The generic context plus, for a table view, ``paginator``/``page_obj``/
        ``is_paginated`` of the table."""
        context = super().get_context_data(**kwargs)
        if self._paginates_table():
            table = context[self.get_context_table_name(None)]
            context.update(
                paginator=table.paginator, page_obj=table.page, is_paginated=table.page.has_other_pages()
            )
        return context


class CappedPageNumberPagination(drf_pagination.PageNumberPagination):
    """The API's pagination (``DEFAULT_PAGINATION_CLASS``): page numbers over a
    :class:`CappedPaginator`.

    Response: ``{"count", "count_capped", "next", "previous", "results"}``: ``count`` is at
    most the cap, ``count_capped`` tells whether more rows match. An out-of-range ``page``
    answers the last page, a non-numeric one the first page (never 404). The page size is
    ``PAGE_SIZE`` of the REST framework settings.

    A viewset with ``keyset_pagination = True`` pages by keys when the request names no
    ``page``: ``?after=<id>`` / ``?before=<id>`` (the same keys as the HTML list), and its
    ``next`` / ``previous`` links carry them, so following ``next`` costs the same on every
    page (rule R-SC-72). The response keys stay the same.
    """

    django_paginator_class = CappedPaginator

    def paginate_queryset(self, queryset, request, view=None):
        """The rows of the requested page (a list), or ``None`` when pagination is off."""
        self.request = request
        page_size = self.get_page_size(request)
        if not page_size:
            return None
        paginator = self.django_paginator_class(queryset, page_size)
        number = request.query_params.get(self.page_query_param)
        if getattr(view, "keyset_pagination", False) and not number and paginator.keyset_ready():
            params = request.query_params
            self.page = paginator.keyset_page(
                after=parse_key(params.get("after")), before=parse_key(params.get("before"))
            )
            return list(self.page)
        number = number or 1
        if number in self.last_page_strings:
            number = paginator.num_pages
        self.page = paginator.get_page(number)
        if paginator.num_pages > 1 and self.template is not None:
            self.display_page_controls = True
        return list(self.page)

    def get_next_link(self):
        """The next page's URL: ``?after=<last id>`` for a keyset page, else DRF's."""
        if not getattr(self.page, "keyset", False):
            return super().get_next_link()
        if not self.page.has_next():
            return None
        url = remove_query_param(self.request.build_absolute_uri(), "before")
        return replace_query_param(url, "after", self.page.next_after)

    def get_previous_link(self):
        """The previous page's URL: ``?before=<first id>`` for a keyset page, else DRF's."""
        if not getattr(self.page, "keyset", False):
            return super().get_previous_link()
        if not self.page.has_previous():
            return None
        url = remove_query_param(self.request.build_absolute_uri(), "after")
        return replace_query_param(url, "before", self.page.previous_before)

    def get_paginated_response(self, data):
        """DRF's response shape plus ``count_capped``."""
        return Response(
            {
                "count": self.page.paginator.count,
                "count_capped": self.page.paginator.count_capped,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        """OpenAPI schema of the response (adds ``count_capped``)."""
        response = super().get_paginated_response_schema(schema)
        properties = response["properties"]
        response["properties"] = {
            "count": properties.pop("count"),
            "count_capped": {"type": "boolean", "example": False},
            **properties,
        }
        response["required"] = [*response["required"], "count_capped"]
        return response
