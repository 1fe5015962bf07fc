"""One pagination for every list (qcportal/pagination.py): out-of-range pages answer the last
page, the count is capped (one bounded COUNT), the page links keep the filters, and the API
does the same with ``count_capped`` in its response."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from qcportal.pagination import CappedPageNumberPagination, CappedPaginator
from qcportal.tenancy import no_tenant
from qcportal.views import OrganisationListView
from reports.models import ReportRun

pytestmark = pytest.mark.django_db

#: Every HTML list and a login that may see it.
LISTS = [
    ("promotion:campaign-list", "pa_staff"),
    ("evaluation:task-list", "pa_judge"),
    ("reports:run-list", "pa_staff"),
    ("organisation-list", "caq_staff"),
    ("membership-list", "pa_admin"),
    ("audit-list", "pa_admin"),
]


def add_runs(network, count, form="annex4"):
    with no_tenant():
        ReportRun.objects.bulk_create(
            ReportRun(
                organisation=network.pa,
                campaign=network.campaign,
                form=form,
                file_format="xlsx",
                requested_by=network.users.pa_staff,
            )
            for _ in range(count)
        )


def link_query(body: str, testid: str) -> dict:
    """The query parameters of the page link marked ``data-testid=testid``."""
    href = body.split(f'data-testid="{testid}"')[0].rsplit('href="', 1)[1].split('"')[0]
    return parse_qs(urlsplit(href.replace("&amp;", "&")).query)


def count_queries(captured) -> list[str]:
    return [q["sql"] for q in captured.captured_queries if "COUNT(" in q["sql"].upper()]


@pytest.mark.parametrize(("route", "username"), LISTS)
def test_every_list_answers_an_out_of_range_page_with_its_last_page(network, login, route, username):
    client = login(getattr(network.users, username))
    response = client.get(reverse(route), {"page": "999"})
    assert response.status_code == 200
    page = response.context["page_obj"]
    assert page.number == page.paginator.num_pages
    assert isinstance(page.paginator, CappedPaginator)
    assert "共" in response.content.decode() and "条" in response.content.decode()
    assert client.get(reverse(route), {"page": "abc"}).context["page_obj"].number == 1


@pytest.mark.parametrize(("route", "username"), LISTS)
def test_every_list_counts_with_a_limit(network, login, route, username):
    client = login(getattr(network.users, username))
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse(route)).status_code == 200
    counts = count_queries(captured)
    list_counts = [sql for sql in counts if "LIMIT 10001" in sql]
    assert len(list_counts) == 1, counts
    assert all("LIMIT" in sql.upper() for sql in counts if "django_session" not in sql), counts


def test_report_run_table_last_page_and_links_keep_filters_and_sort(network, login):
    add_runs(network, 30)  # 30 annex4 runs: two pages of 25
    client = login(network.users.pa_staff)
    params = {"form": "annex4", "sort": "-created_at"}
    response = client.get(reverse("reports:run-list"), {**params, "page": "999"})
    assert response.status_code == 200
    table = response.context["table"]
    assert table.page.number == 2 and len(table.page.object_list) == 5
    assert response.context["page_obj"] is table.page
    body = response.content.decode()
    assert body.count('data-testid="pagination"') == 1  # ours only, not django-tables2's own
    assert "共 30 条" in body

    first = client.get(reverse("reports:run-list"), params)
    assert len(first.context["table"].page.object_list) == 25
    assert link_query(first.content.decode(), "page-next") == {
        "form": ["annex4"],
        "sort": ["-created_at"],
        "page": ["2"],
    }
    assert link_query(body, "page-previous") == {"form": ["annex4"], "sort": ["-created_at"], "page": ["1"]}


def test_table_ignores_a_huge_per_page(network, login):
    add_runs(network, 30)
    response = login(network.users.pa_staff).get(reverse("reports:run-list"), {"per_page": "100000"})
    assert len(response.context["table"].page.object_list) == 25


def test_list_links_keep_filters(network, login, monkeypatch):
    monkeypatch.setattr(OrganisationListView, "paginate_by", 2)
    client = login(network.users.caq_staff)
    response = client.get(reverse("organisation-list"), {"kind": "enterprise", "q": "有限公司"})
    assert response.context["page_obj"].paginator.count == 4  # E1–E4
    assert link_query(response.content.decode(), "page-next") == {
        "kind": ["enterprise"],
        "q": ["有限公司"],
        "page": ["2"],
    }


def test_capped_count_shows_plus_and_the_last_page_is_the_caps(network, login, settings, monkeypatch):
    settings.PAGINATION_COUNT_CAP = 5
    monkeypatch.setattr(OrganisationListView, "paginate_by", 2)
    client = login(network.users.caq_staff)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("organisation-list"), {"page": "999"})
    paginator = response.context["page_obj"].paginator
    assert paginator.count_capped and paginator.count == 5 and paginator.num_pages == 3
    assert response.context["page_obj"].number == 3
    assert "5+ 条" in response.content.decode()
    assert any("LIMIT 6" in sql for sql in count_queries(captured))


def test_capped_paginator_on_sequences():
    paginator = CappedPaginator(list(range(25)), 10, cap=20)
    assert (paginator.count, paginator.count_capped, paginator.num_pages) == (20, True, 2)
    assert paginator.get_page(99).number == 2 and paginator.get_page("x").number == 1
    assert CappedPaginator(list(range(12_345)), 10, cap=20_000).count_display == "12,345"


@pytest.fixture
def api(network):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=network.users.pa_staff).key}")
    return client


def test_api_answers_an_out_of_range_page_with_its_last_page(api, network, monkeypatch):
    monkeypatch.setattr(CappedPageNumberPagination, "page_size", 10)
    add_runs(network, 24)  # with the fixture's PA run: 25 runs, three pages
    response = api.get(reverse("api:reportrun-list"), {"campaign": "CAQ-T", "page": "999"})
    assert response.status_code == 200
    body = response.json()
    assert list(body) == ["count", "count_capped", "next", "previous", "results"]
    assert body["count"] == 25 and body["count_capped"] is False
    assert len(body["results"]) == 5 and body["next"] is None
    previous = parse_qs(urlsplit(body["previous"]).query)
    assert previous == {"campaign": ["CAQ-T"], "page": ["2"]}
    first = api.get(reverse("api:reportrun-list"), {"campaign": "CAQ-T", "page": "x"}).json()
    assert parse_qs(urlsplit(first["next"]).query) == {"campaign": ["CAQ-T"], "page": ["2"]}


def test_api_count_is_capped_and_bounded(api, network, settings, monkeypatch):
    monkeypatch.setattr(CappedPageNumberPagination, "page_size", 10)
    settings.PAGINATION_COUNT_CAP = 12
    add_runs(network, 24)
    with CaptureQueriesContext(connection) as captured:
        body = api.get(reverse("api:reportrun-list"), {"page": "999"}).json()
    assert body["count"] == 12 and body["count_capped"] is True
    assert len(body["results"]) == 2  # the last page within the cap
    assert any("LIMIT 13" in sql for sql in count_queries(captured))


def test_api_schema_documents_count_capped(api):
    schema = api.get(reverse("api:schema"), {"format": "json"})
    assert schema.status_code == 200
    assert "count_capped" in schema.content.decode()
