"""The one pagination of every list: HTML list views (``ListView``, django-filter's
``FilterView``, django-tables2's ``SingleTableMixin``) and the API.

Lists must stay cheap at national scale (two million circles): the paginator counts at most
``PAGINATION_COUNT_CAP + 1`` rows (``SELECT COUNT(*) FROM (… LIMIT cap+1)``), never an
unbounded ``COUNT(*)``. When more rows match, the count is reported as the cap and flagged
``count_capped`` ("10,000+ 条"); pages beyond the cap are not offered (narrow the filters).
An out-of-range page answers the last page and a page that is not a number the first page
(``Paginator.get_page``), instead of 404.
"""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property
from django_tables2 import SingleTableMixin
from django_tables2.config import RequestConfig
from django_tables2.rows import BoundRows
from rest_framework import pagination as drf_pagination
from rest_framework.response import Response

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
            # benchmarks/lists_scale.py: 52–83 ms → 2–5 ms for a province's circles).
            return queryset.order_by()[: self.cap + 1].count()
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

    def paginate_queryset(self, queryset, page_size):
        """Paginate ``queryset``; returns ``(paginator, page, object_list, is_paginated)``.
        Never raises for a bad ``page`` parameter (last page / first page)."""
        paginator = self.get_paginator(
            queryset,
            page_size,
            orphans=self.get_paginate_orphans(),
            allow_empty_first_page=self.get_allow_empty(),
        )
        page = paginator.get_page(self.request.GET.get(self.page_kwarg) or self.kwargs.get(self.page_kwarg))
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
        table.page = table.paginator.get_page(self.request.GET.get(table.prefixed_page_field))
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
    """

    django_paginator_class = CappedPaginator

    def paginate_queryset(self, queryset, request, view=None):
        """The rows of the requested page (a list), or ``None`` when pagination is off."""
        self.request = request
        page_size = self.get_page_size(request)
        if not page_size:
            return None
        paginator = self.django_paginator_class(queryset, page_size)
        number = request.query_params.get(self.page_query_param) or 1
        if number in self.last_page_strings:
            number = paginator.num_pages
        self.page = paginator.get_page(number)
        if paginator.num_pages > 1 and self.template is not None:
            self.display_page_controls = True
        return list(self.page)

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
