"""The lists' free-text search (``q``): case-insensitive containment with wildcards taken
literally; a value without letter case (Chinese, digits) is matched on the column itself
(``LIKE``, which PostgreSQL can estimate), the others through ``UPPER`` (Django's icontains)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from circles import selectors
from circles.filtersets import CircleFilterSet, ProjectFilterSet
from circles.models import Circle
from qcportal.tenancy import no_tenant

pytestmark = pytest.mark.django_db


def _found(filterset_class, selector, q):
    return {row.pk for row in filterset_class({"q": q}, queryset=selector()).qs}


def _sql(q):
    with CaptureQueriesContext(connection) as captured:
        _found(CircleFilterSet, selectors.circle_list, q)
    return captured.captured_queries[-1]["sql"]


def test_search_is_case_insensitive_and_literal(network):
    first, second = network.circles[0], network.circles[1]
    with no_tenant():
        Circle.objects.filter(pk=first.pk).update(name="Alpha_50%匠心小组")
        Circle.objects.filter(pk=second.pk).update(name="AlphaX500匠心小组")
        assert _found(CircleFilterSet, selectors.circle_list, "alpha_50%") == {first.pk}
        assert _found(CircleFilterSet, selectors.circle_list, "ALPHA") == {first.pk, second.pk}
        assert _found(CircleFilterSet, selectors.circle_list, "_50%匠心") == {first.pk}
        assert _found(CircleFilterSet, selectors.circle_list, "匠心小组") == {first.pk, second.pk}
        assert _found(CircleFilterSet, selectors.circle_list, first.registration_number.lower()) == {first.pk}
        projects = set(first.projects.values_list("pk", flat=True))
        assert projects and _found(ProjectFilterSet, selectors.project_list, "_50%匠心") == projects
        if connection.vendor == "postgresql":
            assert "UPPER(" not in _sql("匠心") and '"circles_circle"."name"::text LIKE' in _sql("匠心")
            assert 'UPPER("circles_circle"."name"::text) LIKE' in _sql("alpha")
