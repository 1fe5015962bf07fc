"""Template helpers of the dashboard pages (``{% load dashboard_tags %}``)."""

from django import template

from ..dashboard_tables import cell_kind, format_cell

register = template.Library()


@register.simple_tag
def dashboard_cell(row: dict, column) -> str:
    """The formatted value of ``column`` in ``row`` (see
    :func:`reports.dashboard_tables.format_cell`)."""
    return format_cell(row.get(column.key), cell_kind(row, column))


@register.filter
def dashboard_format(value, kind: str) -> str:
    """Format one figure of the given kind (``int``, ``money``, ``rate``, ``change``,
    ``points``) as the tables do."""
    return format_cell(value, kind)
