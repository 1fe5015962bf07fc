"""One pagination for every list (qcportal/pagination.py): out-of-range pages answer the last
page, the count is capped (one bounded COUNT), the page links keep the filters, and the API
does the same with ``count_capped`` in its response."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from qcportal.pagination import CappedPageNumberPagination, CappedPaginator
from qcportal.selectors import audit_entry_list
from qcportal.tenancy import no_tenant, tenant_scope
from qcportal.views import OrganisationListView
from reports.models import ReportRun
from tests.factories import api_token

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
    rows = first.context["table"].page.object_list
    assert len(rows) == 25
    # The run list pages by keys (R-SC-72): the next link names the last row shown.
    assert link_query(first.content.decode(), "page-next") == {
        "form": ["annex4"],
        "sort": ["-created_at"],
        "after": [str(list(rows)[-1].record.pk)],
    }
    second = client.get(reverse("reports:run-list"), link_query(first.content.decode(), "page-next"))
    assert len(second.context["table"].page.object_list) == 5
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
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(network.users.pa_staff)}")
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


# --- keys and estimates (issue 10 item 4, rule R-SC-72) ----------------------------------


def add_audit(network, count, organisation=None):
    """``count`` audit entries of ``organisation`` (default PA), one a minute, oldest first;
    some share a timestamp, so that the id breaks ties."""
    import datetime as dt

    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone

    from qcportal.models import AuditEntry, Organisation

    organisation = organisation or network.pa
    start = timezone.now() - dt.timedelta(days=1)
    content_type = ContentType.objects.get_for_model(Organisation)
    with no_tenant():
        AuditEntry.objects.bulk_create(
            AuditEntry(
                content_type=content_type,
                object_pk=str(organisation.pk),
                object_repr=f"条目{n}",
                action=1,
                organisation=organisation,
                timestamp=start + dt.timedelta(minutes=n // 2),
            )
            for n in range(count)
        )


def audit_ids(response) -> list[int]:
    return [entry.pk for entry in response.context["entries"]]


def follow(client, url, response, testid) -> object:
    return client.get(url, link_query(response.content.decode(), testid))


def test_keyset_columns_follow_the_lists_order(network):
    from circles.selectors import circle_list
    from qcportal.pagination import KeyColumn, keyset_columns
    from qcportal.selectors import audit_entry_list
    from reports.selectors import report_run_list

    with no_tenant():
        assert keyset_columns(audit_entry_list()) == [
            KeyColumn("timestamp", True, None),
            KeyColumn("id", True, None),
        ]
        assert keyset_columns(report_run_list()) == [
            KeyColumn("created_at", True, None),
            KeyColumn("id", True, None),
        ]
        # registered_on is NULL for pending circles: the list states they come first.
        assert keyset_columns(circle_list()) == [
            KeyColumn("registered_on", True, True),
            KeyColumn("id", True, None),
        ]
        # A nullable column without a stated NULL placement, or a related column: no keys.
        assert keyset_columns(circle_list().order_by("registered_on")) is None
        assert keyset_columns(circle_list().order_by("organisation__name")) is None
        assert keyset_columns(circle_list().order_by("name")) == [
            KeyColumn("name", False, None),
            KeyColumn("id", False, None),
        ]


def test_audit_list_pages_by_keys_in_the_lists_order(network, login):
    add_audit(network, 130)
    client = login(network.users.pa_admin)
    url = reverse("audit-list")
    first = client.get(url)
    page = first.context["page_obj"]
    assert page.keyset and page.has_next() and not page.has_previous()
    with tenant_scope(network.pa):
        expected = list(audit_entry_list().values_list("pk", flat=True))
    assert audit_ids(first) == expected[:50]
    assert 'data-testid="page-first"' not in first.content.decode()
    second = follow(client, url, first, "page-next")
    assert set(link_query(first.content.decode(), "page-next")) == {"after"}
    assert audit_ids(second) == expected[50:100]
    third = follow(client, url, second, "page-next")
    assert audit_ids(third) == expected[100:150]
    assert third.context["page_obj"].has_next() == (len(expected) > 150)
    back = follow(client, url, third, "page-previous")
    assert audit_ids(back) == expected[50:100]
    assert audit_ids(follow(client, url, back, "page-previous")) == expected[:50]
    home = follow(client, url, third, "page-first")
    assert audit_ids(home) == expected[:50]
    # A page number still pages by offset, with numbered links.
    numbered = client.get(url, {"page": "2"})
    assert audit_ids(numbered) == expected[50:100] and not getattr(
        numbered.context["page_obj"], "keyset", False
    )


def test_keys_keep_the_filters_and_a_foreign_or_bad_key_answers_the_first_page(network, login):
    add_audit(network, 60)
    add_audit(network, 3, organisation=network.pb)
    client = login(network.users.pa_admin)
    url = reverse("audit-list")
    first = client.get(url, {"action": "1"})
    assert link_query(first.content.decode(), "page-next")["action"] == ["1"]
    with no_tenant():
        from qcportal.models import AuditEntry

        foreign = AuditEntry.objects.filter(organisation=network.pb).first().pk
    for bad in ("abc", "-3", "99999999999999999999", str(foreign), "１２"):
        response = client.get(url, {"after": bad})
        assert response.status_code == 200
        assert audit_ids(response) == audit_ids(client.get(url))


def test_a_keyset_page_reads_from_the_anchor_not_by_offset(network, login, django_assert_max_num_queries):
    add_audit(network, 120)
    client = login(network.users.pa_admin)
    url = reverse("audit-list")
    first = client.get(url)
    params = link_query(first.content.decode(), "page-next")
    client.get(url, params)
    with CaptureQueriesContext(connection) as captured:
        client.get(url, params)
    keys = [
        q["sql"]
        for q in captured.captured_queries
        if q["sql"].startswith('SELECT "qcportal_auditentry"."id" AS "pk"')
    ]
    assert len(keys) == 1
    assert "OFFSET" not in keys[0] and "LIMIT 51" in keys[0]
    assert '"qcportal_auditentry"."timestamp" <=' in keys[0]  # the index scan starts at the anchor
    # Same number of queries on the first page and on a later one.
    with CaptureQueriesContext(connection) as page_one:
        client.get(url)
    assert len(captured.captured_queries) <= len(page_one.captured_queries) + 1  # + the anchor


def test_circle_list_pages_by_keys_with_pending_circles_first(network, login, monkeypatch):
    from circles.views import CircleListView

    monkeypatch.setattr(CircleListView, "paginate_by", 2)
    client = login(network.users.pa_staff)
    url = reverse("circles:circle-list")
    offset = []
    for number in range(1, 50):
        response = client.get(url, {"page": str(number)})
        offset.extend(c.pk for c in response.context["page_obj"].object_list)
        if response.context["page_obj"].number < number:
            offset = offset[: -len(response.context["page_obj"].object_list)]
            break
    keyed, response = [], client.get(url)
    while True:
        keyed.extend(c.pk for c in response.context["page_obj"].object_list)
        if not response.context["page_obj"].has_next():
            break
        response = follow(client, url, response, "page-next")
    assert keyed == offset and len(keyed) > 4
    # Past the pending circles (NULL first) the scan starts at the anchor's date.
    last = keyed[-2]  # registered (the pending ones come first)
    with CaptureQueriesContext(connection) as captured:
        client.get(url, {"after": str(last)})
    keys = [
        q["sql"]
        for q in captured.captured_queries
        if q["sql"].startswith('SELECT "circles_circle"."id" AS "pk"')
    ]
    assert len(keys) == 1 and '"circles_circle"."registered_on" <=' in keys[0] and "OFFSET" not in keys[0]


def test_estimated_total_when_the_count_is_capped(network, login, settings):
    settings.PAGINATION_COUNT_CAP = 100
    add_audit(network, 1000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE qcportal_auditentry, qcportal_organisation")
    client = login(network.users.caq_admin)
    response = client.get(reverse("audit-list"))
    paginator = response.context["page_obj"].paginator
    assert paginator.count_capped and paginator.count_estimate and paginator.count_estimate > 100
    body = response.content.decode()
    total = body.split('data-testid="page-total">')[1].split("</span>")[0]
    assert total.startswith("约 ") and total.endswith(" 条"), total
    # Without an estimate larger than the cap the total stays "100+ 条".
    settings.PAGINATION_COUNT_CAP = 10**6 - 1
    response = client.get(reverse("audit-list"))
    assert "共 " in response.content.decode().split('data-testid="page-total">')[1][:20]


def test_api_lists_follow_keys_and_keep_their_response_keys(api, network, monkeypatch):
    monkeypatch.setattr(CappedPageNumberPagination, "page_size", 10)
    add_runs(network, 24)  # with the fixture's PA run: 25 runs
    url = reverse("api:reportrun-list")
    body = api.get(url, {"campaign": "CAQ-T"}).json()
    assert list(body) == ["count", "count_capped", "next", "previous", "results"]
    assert body["count"] == 25 and body["previous"] is None
    seen = [r["id"] for r in body["results"]]
    query = parse_qs(urlsplit(body["next"]).query)
    assert set(query) == {"campaign", "after"}
    while body["next"]:
        body = api.get(body["next"]).json()
        seen.extend(r["id"] for r in body["results"])
    assert len(seen) == 25 == len(set(seen))
    numbered = []
    for number in (1, 2, 3):
        numbered.extend(
            r["id"] for r in api.get(url, {"campaign": "CAQ-T", "page": number}).json()["results"]
        )
    assert seen == numbered
    previous = api.get(body["previous"]).json()
    assert [r["id"] for r in previous["results"]] == seen[10:20]


def test_api_audit_entries_page_by_keys(network, monkeypatch):
    monkeypatch.setattr(CappedPageNumberPagination, "page_size", 20)
    add_audit(network, 45)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(network.users.pa_admin)}")
    body = client.get(reverse("api:auditentry-list")).json()
    ids = [r["id"] for r in body["results"]]
    while body["next"]:
        assert "after=" in body["next"]
        body = client.get(body["next"]).json()
        ids.extend(r["id"] for r in body["results"])
    with tenant_scope(network.pa):
        assert ids == list(audit_entry_list().values_list("pk", flat=True))
    assert len(ids) == len(set(ids)) >= 45
