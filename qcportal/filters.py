"""Filters shared by the apps' FilterSets (django-filter)."""

from __future__ import annotations

import django_filters
from django import forms
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

#: The largest id a ``bigint`` primary key holds.
MAX_ID = 2**63 - 1


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(django_filters.NumberFilter):
    """An object id in a query parameter (``?circle=12``): a whole number from 1 to the
    ``bigint`` maximum. Anything else (``abc``, ``-1``, ``1.5``, ``99999999999999999999``)
    makes the filter form invalid — a 400 in the API's stable shape, an ignored filter on an
    HTML list — instead of reaching the database, where SQLite cannot even compare it
    (R-SC-27)."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)
