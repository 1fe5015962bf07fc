"""No input reaches a server error (issue 9 item 3), generated from the URL configuration.

Every route of the HTML UI and of the API is requested by an association administrator, an
association staff member and an enterprise coordinator, for an object of their own tenant
(the ``own`` objects of tests/security/test_isolation.py), with malformed input:

- every query parameter the view's FilterSet or its OpenAPI operation knows, and the generic
  ``q``, ``page``, ``o``, ``ordering``, ``sort`` …, set to NUL, control and bidi characters,
  10,000 characters, impossible dates, ids beyond bigint, negative and non-numeric values;
- the URL's path segments replaced (an id by 99999999999999999999, -1, 0, abc; a code by
  one holding %00, a bidi override or 300 characters);
- every HTML form the page renders posted field by field with bad values for its kind
  (text, date 2021-02-31, unknown choice, bad numbers), all fields over-long at once, an
  empty body, an upload named with NUL and bidi characters; POST-only routes with bad values
  for the fields they read;
- every API write operation with malformed JSON (truncated, wrong top-level type, NaN,
  1e400, 3,000 levels of nesting, a lone surrogate, bytes that are not UTF-8) and every body
  property with wrong types and bad values for its schema.

Each case runs in a savepoint that is rolled back, so every case starts from the same data.
The answer must be below 500; every server error is reported with its route and case in one
assertion message, and the number of cases tried is printed with the statuses met. One test
per group of routes (core, circles, evaluation, promotion, reports, api), so that xdist spreads
them: about 8,300 cases in all, some 7½ minutes on one busy core (about half on an idle one).
"""

from __future__ import annotations

import os
import re
import time
import unicodedata

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from qcportal.tenancy import no_tenant

from .bad_input import (
    BAD_INT_SEGMENTS,
    BAD_JSON_BODIES,
    BAD_QUERY,
    BAD_STR_SEGMENTS,
    BAD_TEXT,
    GENERIC_PARAMS,
    Tally,
    bad_json_values,
    bad_values_for_field,
    body_properties,
    call,
    form_baseline,
    forms_in_context,
    lifted_rate_limits,
    operations_for,
    query_parameters,
    raw_json,
)
from .routes import all_routes
from .test_isolation import CASES, _client

pytestmark = pytest.mark.django_db

REQUESTERS = ("pa_admin", "pa_staff", "e1_coord")

#: URL arguments of the public routes that take some (no tenant object behind them).
PUBLIC_KWARGS = {
    "password_reset_confirm": {"uidb64": "MQ", "token": "abc-123"},
    "invitation-accept": {"token": "not-a-token"},
    "session-end": {"pk": 1},
    "verify:certificate": {"number": "PA-2020-00001-ABCD"},
    "promotion:review": {"year": 2020},
}


def _route_view(name: str):
    """The view class (or function) of a named route."""
    from django.urls import get_resolver

    def walk(patterns, namespace=""):
        from django.urls import URLResolver

        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                ns = namespace
                if pattern.namespace:
                    ns = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
                yield from walk(pattern.url_patterns, ns)
            elif pattern.name:
                yield (f"{namespace}:{pattern.name}" if namespace else pattern.name), pattern.callback

    callback = dict(walk(get_resolver().url_patterns)).get(name)
    return getattr(callback, "view_class", None) or getattr(callback, "cls", None) or callback


def _filter_params(view) -> list[str]:
    filterset = getattr(view, "filterset_class", None)
    return list(filterset.base_filters) if filterset else []


def _url_and_kwargs(network, name: str) -> tuple[str, dict]:
    case = CASES.get(name)
    if case is not None and case.kind == "object":
        with no_tenant():
            kwargs = case.own(network)
    else:
        kwargs = PUBLIC_KWARGS.get(name, {})
    return reverse(name, kwargs=kwargs), kwargs


def _bad_paths(url: str, kwargs: dict) -> list[str]:
    """``url`` with each of its arguments replaced by malformed segments."""
    urls = []
    for value in kwargs.values():
        segment = f"/{value}/"
        if segment not in url:
            continue
        bad = BAD_INT_SEGMENTS if str(value).isdigit() else BAD_STR_SEGMENTS
        urls += [url.replace(segment, f"/{b}/", 1) for b in bad]
    return urls


def _query_cases(params, known) -> list[dict]:
    """Malformed query strings: every parameter (``params``: the generic ones and those the
    view knows) set to each bad value at once, then each parameter the view knows (``known``)
    alone with NUL and with 10,000 characters (so that an early refusal of one cannot hide
    another). A view that knows no parameter gets the few values that matter for any page."""
    params = list(dict.fromkeys(params))
    values = BAD_QUERY if known else (BAD_TEXT[1], BAD_TEXT[2], "99999999999999999999", "2021-02-31")
    cases = [dict.fromkeys(params, value) for value in values]
    for param in dict.fromkeys(known):
        cases += [{param: BAD_TEXT[0]}, {param: BAD_TEXT[3]}]
    return cases


def _html_route(client, tally, name, label, url, kwargs, page):
    """Every malformed case of an HTML route, for the requester of ``client`` whose GET
    answered ``page``."""
    case = CASES.get(name)
    method = case.method if case else "get"
    known = _filter_params(_route_view(name))
    for query in _query_cases([*GENERIC_PARAMS, *known], known):
        call(client, tally, f"{label} query {list(query)[:3]}", "get", url, data=query)
    for bad_url in _bad_paths(url, kwargs):
        call(client, tally, f"{label} bad path", method, bad_url)
    # Forms: every form the page renders, field by field.
    form_list = forms_in_context(page) if page.status_code == 200 else []
    baseline = {}
    for form in form_list:
        baseline.update(form_baseline(form))
    if case and case.data:
        baseline = {**case.data, **baseline}
    posts = [("empty body", {})]
    for form in form_list:
        for field_name, form_field in form.fields.items():
            html_name = form[field_name].html_name
            for value in bad_values_for_field(form_field):
                posts.append((f"field {html_name}={value[:12]!r}", {**baseline, html_name: value}))
        overlong = {form[n].html_name: "长" * 10_000 for n in form.fields}
        posts.append(("every field over-long", {**baseline, **overlong}))
        for field_name, form_field in form.fields.items():
            if form_field.widget.needs_multipart_form:
                upload = SimpleUploadedFile("坏\x00名\u202efdp.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")
                posts.append(("upload named with NUL", {**baseline, form[field_name].html_name: upload}))
    if not form_list:
        keys = [*(case.data if case else {}), "text", "reason", "comment", "transition", "action", "name"]
        for value in (*BAD_TEXT, *BAD_QUERY[5:]):
            posts.append((f"post-only body {value[:12]!r}", {**baseline, **dict.fromkeys(keys, value)}))
    for what, data in posts:
        call(client, tally, f"{label} {what}", "post", url, data=data)


def _api_route(client, tally, name, label, url, kwargs, detail):
    """Every malformed case of an API route, for the requester of ``client`` whose GET
    answered ``detail``."""
    operations = operations_for(url)
    known = [p for operation in operations.values() for p in query_parameters(operation)]
    for query in _query_cases([*GENERIC_PARAMS, *known], known):
        call(client, tally, f"{label} query {list(query)[:3]}", "get", url, data=query)
    for bad_url in _bad_paths(url, kwargs):
        for method in operations or {"get": None}:
            call(client, tally, f"{label} bad path", method, bad_url)
    baseline = {}
    if detail.status_code == 200 and detail.get("Content-Type", "").startswith("application/json"):
        body = detail.json()
        if isinstance(body, dict) and "results" not in body:
            baseline = body
    case = CASES.get(name)
    if case and case.data:
        baseline = {**baseline, **case.data}
    json_body = {"content_type": "application/json"}
    for method, operation in operations.items():
        if method == "get":
            continue
        for raw in BAD_JSON_BODIES:
            call(client, tally, f"{label} raw body {raw[:20]!r}", method, url, data=raw, **json_body)
        call(client, tally, f"{label} text/plain", method, url, data="文字", content_type="text/plain")
        properties = body_properties(operation)
        writable = {k: v for k, v in baseline.items() if k in properties}
        for prop_name, prop in properties.items():
            for value in bad_json_values(prop):
                data = {**writable, prop_name: value}
                call(
                    client,
                    tally,
                    f"{label} {prop_name}={str(value)[:12]!r}",
                    method,
                    url,
                    data=data,
                    **json_body,
                )
            if prop.get("type") in ("integer", "number"):
                for literal in ("1e400", "-1e400", "NaN", "123456789012345678901234567890"):
                    data = raw_json(prop_name, literal)
                    call(client, tally, f"{label} {prop_name}={literal}", method, url, data=data, **json_body)
        form_body = {p: BAD_TEXT[0] for p in properties} or {"x": BAD_TEXT[0]}
        call(client, tally, f"{label} form body", method, url, data=form_body)


#: The requesters tried, in order, to find one who can open a route (the first whose GET
#: answers 200 gets every case); the first three also get the page and the bad queries.
CANDIDATES = (*REQUESTERS, "e1_leader", "caq_staff", "pa_judge", "pa_leader", "caq_admin")
#: The routes in groups (one test each, so that xdist spreads them).
GROUPS = ("core", "circles", "evaluation", "promotion", "reports", "api")


def _group(name: str) -> str:
    namespace = name.split(":")[0] if ":" in name else "core"
    return namespace if namespace in GROUPS else "core"


@pytest.mark.parametrize("group", GROUPS)
def test_no_route_answers_a_server_error(network, monkeypatch, settings, group, capsys):
    """Every route × malformed input: status below 500 (the report lists every 500 with its
    route and case)."""
    lifted_rate_limits(monkeypatch, settings)
    api = group == "api"
    tally = Tally()
    clients = {}

    def client_for(requester):
        if requester not in clients:
            clients[requester] = _client(Client(raise_request_exception=False), network, requester, api=api)
        return clients[requester]

    only = re.compile(os.environ.get("BAD_INPUT_ROUTES", ".*"))  # to debug one route
    routes = [n for n in sorted(all_routes()) if _group(n) == group and only.search(n)]
    routes = [n for n in routes if n not in ("logout", "api:schema", "api:docs")]
    for name in routes:
        before, started = tally.cases, time.monotonic()
        url, kwargs = _url_and_kwargs(network, name)
        able = None
        for requester in CANDIDATES:
            if able and requester not in REQUESTERS:
                break
            page = call(client_for(requester), tally, f"[{requester}] {name}", "get", url)
            if requester in REQUESTERS:
                for value in (BAD_TEXT[0], BAD_TEXT[3]):  # NUL, 10,000 characters in every parameter
                    query = dict.fromkeys(GENERIC_PARAMS, value)
                    call(client_for(requester), tally, f"[{requester}] {name} query", "get", url, data=query)
            if page.status_code == 200 and able is None:
                able = requester
        able = able or REQUESTERS[0]
        page = call(client_for(able), tally, f"[{able}] {name}", "get", url)
        route_cases = _api_route if api else _html_route
        route_cases(client_for(able), tally, name, f"[{able}] {name}", url, kwargs, page)
        if os.environ.get("BAD_INPUT_PROGRESS"):
            with capsys.disabled():
                print(
                    f"{name} ({able}): {tally.cases - before} cases, {time.monotonic() - started:.1f} s, "
                    f"{len(tally.failures)} errors so far",
                    flush=True,
                )
    with capsys.disabled():
        print(
            f"\nbad input [{group}]: {len(routes)} routes, {tally.cases} cases, {len(tally.failures)} server errors; "
            f"statuses {dict(sorted(tally.statuses.items()))}"
        )
    assert not tally.failures, f"{len(tally.failures)} server errors:\n" + "\n".join(tally.failures[:200])
    assert tally.cases >= 20 * len(routes)


def test_every_form_refuses_control_characters():
    """Every form class of the project has the input check (``CleanInputMixin``)."""
    import importlib
    import pkgutil

    from django import forms

    from qcportal.forms_base import CleanInputMixin

    apps = ("qcportal", "circles", "evaluation", "promotion", "reports")
    for app in apps:
        package = importlib.import_module(app)
        for module in pkgutil.walk_packages(package.__path__, f"{app}."):
            if not any(part in module.name for part in (".migrations", ".management", ".settings")):
                importlib.import_module(module.name)

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    ours = {c for c in subclasses(forms.BaseForm) if c.__module__.split(".")[0] in apps}
    assert len(ours) > 40
    missing = sorted(f"{c.__module__}.{c.__name__}" for c in ours if not issubclass(c, CleanInputMixin))
    assert not missing, f"forms without CleanInputMixin: {missing}"


def test_every_api_view_parses_through_the_normalising_parsers():
    """Every API view's parsers normalise (a view naming its own parsers must use ours)."""
    from qcportal.parsers import NormalisingParserMixin

    for name in all_routes():
        if not name.startswith("api:"):
            continue
        view = _route_view(name)
        for parser in getattr(view, "parser_classes", []):
            assert issubclass(parser, NormalisingParserMixin), (name, parser)


def test_normalise_text():
    from qcportal.text import has_control_characters, normalise_text

    assert normalise_text("e\u0301") == "é" == unicodedata.normalize("NFC", "e\u0301")
    assert normalise_text("\u202e反转\u2066文字\u2069\u200b\ufeff") == "反转文字"
    assert normalise_text("孤\ud800") == "孤"
    assert normalise_text("👨\u200d👩") == "👨\u200d👩"  # the zero-width joiner stays
    assert normalise_text("a\x00b") == "a\x00b" and has_control_characters("a\x00b")
    assert not has_control_characters("行\n一\t二\r\n")


# --- The normalisation and the refusals, one by one --------------------------------------

BIDI_NAME = "\u202e攻关\u2066QC\u2069小组\u200b\ufeff"  # shows reversed and hides characters
NFD_NAME = "Cafe\u0301攻关QC小组"


def _circle_form(name):
    return {
        "name": name,
        "department": "铸造车间",
        "registration_year": str(timezone.localdate().year),
        "members-TOTAL_FORMS": "1",
        "members-INITIAL_FORMS": "0",
        "members-0-name": "组长",
        "members-0-role": "leader",
        "members-0-position": "",
    }


def test_text_is_stored_normalised_from_a_form_and_from_the_api(network, client):
    """NFC, bidi overrides, isolates, zero-width characters and BOM removed before storing."""
    from circles.models import Circle

    client.force_login(network.users.e1_coord)
    response = client.post(reverse("circles:circle-create"), _circle_form(BIDI_NAME))
    assert response.status_code == 302, response.content.decode()[:500]
    api = _client(Client(), network, "e1_coord", api=True)
    members = [{"name": "组\u202e长", "role": "leader"}]
    response = api.post(
        "/api/v1/circles/", {"name": NFD_NAME, "members": members}, content_type="application/json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["members"][0]["name"] == "组长"
    with no_tenant():
        names = set(Circle.objects.filter(organisation=network.e1).values_list("name", flat=True))
    assert "攻关QC小组" in names
    assert unicodedata.normalize("NFC", NFD_NAME) in names and NFD_NAME not in names


def test_control_characters_are_refused_inline_on_the_page(network, client):
    client.force_login(network.users.e1_coord)
    response = client.post(reverse("circles:circle-create"), _circle_form("坏\x07名字"))
    assert response.status_code in (200, 400)
    assert "含有不允许的控制字符" in response.content.decode()
    assert response.context["form"].errors["name"]


def test_control_characters_are_refused_by_the_api_in_the_stable_shape(network):
    api = _client(Client(), network, "e1_coord", api=True)
    body = {"name": "好名", "members": [{"name": "组\x00长", "role": "leader"}]}
    response = api.post("/api/v1/circles/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {
        "detail": "含有不允许的控制字符。",
        "errors": {"members.0.name": ["含有不允许的控制字符。"]},
    }


@pytest.mark.parametrize("raw", BAD_JSON_BODIES[:1] + BAD_JSON_BODIES[6:])
def test_malformed_json_is_a_400_in_the_stable_shape(network, raw):
    api = _client(Client(), network, "e1_coord", api=True)
    response = api.post("/api/v1/circles/", raw, content_type="application/json")
    assert response.status_code == 400
    assert set(response.json()) <= {"detail", "errors"} and response.json()["detail"]


@pytest.mark.parametrize(
    "url",
    [
        "/circles/99999999999999999999/",
        "/api/v1/circles/99999999999999999999/",
        "/api/v1/circles/" + "9" * 5000 + "/",
        "/circles/" + "9" * 5000 + "/",
        "/campaigns/CAQ-T%00/",
        "/campaigns/CAQ%E2%80%AE-T/",
        "/api/v1/campaigns/CAQ-T%00/",
        "/organisations/" + "x" * 300 + "/",
    ],
)
def test_bad_path_segments_answer_404(network, url):
    client = _client(Client(), network, "pa_admin", api=url.startswith("/api/"))
    assert client.get(url).status_code == 404


def test_query_parameters_lose_their_control_characters(network, client):
    """A search with NUL filters as if typed without it (query parameters are never stored)."""
    client.force_login(network.users.e1_coord)
    plain = client.get(reverse("circles:circle-list"), {"q": "甲攻关"})
    with_nul = client.get(reverse("circles:circle-list"), {"q": "甲\x00攻\u202e关"})
    assert with_nul.status_code == plain.status_code == 200
    assert "甲攻关QC小组" in with_nul.content.decode()


def test_a_download_whose_file_is_missing_answers_404(network, client):
    from circles.models import RecordAttachment

    from .test_isolation import A_PA

    with no_tenant():
        pk = A_PA(network)["pk"]
        assert not RecordAttachment.objects.get(pk=pk).file.storage.exists("records/none.pdf")
    client.force_login(network.users.e1_coord)
    response = client.get(reverse("circles:attachment-download", args=[pk]))
    assert response.status_code == 404


@pytest.mark.parametrize(
    "query",
    [
        {"status": "不存在的状态"},
        {"year": "2021-02-31"},
        {"o": "password"},
        {"circle": "99999999999999999999"},
        {"department": "长" * 10_000},
    ],
)
def test_bad_filters_are_a_400_on_the_api_and_ignored_on_the_page(network, client, query):
    """An invalid filter is a 400 in the stable shape on the API and leaves the HTML list as
    it is (the filter form shows the error, the list is not narrowed by it); paging never fails."""
    api = _client(Client(), network, "e1_coord", api=True)
    response = api.get("/api/v1/projects/", query)
    assert response.status_code == 400, response.content
    assert set(response.json()) == {"detail", "errors"}
    client.force_login(network.users.e1_coord)
    page = client.get(reverse("circles:project-list"), query)
    assert page.status_code == 200
    for paging in ({"page": "abc"}, {"page": "-1"}, {"page": "0"}, {"page": "99999999999999999999"}):
        assert api.get("/api/v1/projects/", paging).status_code == 200
        assert client.get(reverse("circles:project-list"), paging).status_code == 200
