"""Machinery of the generated bad-input test (tests/security/test_bad_input.py): malformed
values per kind of field, the OpenAPI operations of a URL, and requests that each run in a
savepoint rolled back afterwards (every case starts from the same data)."""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass, field
from functools import cache

from django import forms
from django.db import transaction
from django.forms.formsets import BaseFormSet

#: Text no field may turn into a server error: NUL, other control characters, bidi overrides
#: and isolates, 10,000 characters, a decomposed accent with a BOM (NFC), a lone surrogate
#: (JSON only: a query string cannot carry one).
BAD_TEXT = (
    "坏\x00字符",
    "\x07响铃\x1b[0m\x85",
    "\u202e反转\u2066文字\u2069\u200b",
    "长" * 10_000,
    "e\u0301\ufeff",
)
BAD_DATES = ("2021-02-31", "99999-01-01", "2021-13-01T25:61:00")
BAD_NUMBERS = ("abc", "99999999999999999999", "-1", "1e400", "NaN")
BAD_CHOICES = ("不存在的选项", "99999999999999999999")
#: Values every query parameter gets.
BAD_QUERY = (*BAD_TEXT, "2021-02-31", "99999999999999999999", "-1", "abc", "-id")
#: Query parameters tried on every GET besides those the view's filters and the schema know.
GENERIC_PARAMS = ("q", "page", "o", "ordering", "sort", "org", "year", "status", "kind", "campaign", "format")
#: Replacements of an integer id in a URL, and of a text code.
BAD_INT_SEGMENTS = ("99999999999999999999", "-1", "0", "abc")
BAD_STR_SEGMENTS = ("%00", "%07x", "x" * 300, "%E2%80%AE", "PB-T%00", "..")
#: Malformed JSON bodies (raw text).
BAD_JSON_BODIES = (
    "{",
    "[]",
    "null",
    '"文字"',
    "1e400",
    '{"a": NaN}',
    "[" * 3000 + "]" * 3000,
    '{"a": "\\ud800"}',
    b'{"a": "\xff\xfe"}',
)


@dataclass
class Tally:
    """Cases tried and the server errors met (each with its route and case)."""

    cases: int = 0
    failures: list[str] = field(default_factory=list)
    statuses: dict[int, int] = field(default_factory=dict)

    def check(self, response, what: str) -> None:
        self.cases += 1
        self.statuses[response.status_code] = self.statuses.get(response.status_code, 0) + 1
        if response.status_code >= 500:
            exc = getattr(response, "exc_info", None)
            reason = f"{exc[0].__name__}: {str(exc[1])[:200]}" if exc else ""
            self.failures.append(f"{what} → {response.status_code} {reason}")


def call(client, tally: Tally, what: str, method: str, url: str, **kwargs):
    """One request in a savepoint that is rolled back; the client's cookies are restored
    afterwards (a logout or a language switch does not leak into the next case)."""
    cookies = copy.deepcopy(client.cookies)
    with transaction.atomic():
        response = getattr(client, method)(url, **kwargs)
        transaction.set_rollback(True)
    client.cookies = cookies
    tally.check(response, f"{method.upper()} {url[:160]} {what}")
    return response


def bad_values_for_field(form_field) -> tuple:
    """Malformed values for one form field, by its kind."""
    if isinstance(form_field, forms.FileField):
        return ("不是文件", "坏\x00")
    if isinstance(form_field, forms.DateField | forms.DateTimeField | forms.TimeField):
        return (*BAD_DATES, "坏\x00")
    if isinstance(form_field, forms.IntegerField | forms.DecimalField | forms.FloatField):
        return (*BAD_NUMBERS, "坏\x00")
    if isinstance(form_field, forms.ChoiceField | forms.ModelChoiceField | forms.ModelMultipleChoiceField):
        return (*BAD_CHOICES, "坏\x00")
    if isinstance(form_field, forms.BooleanField | forms.NullBooleanField):
        return ("maybe", "坏\x00")
    return BAD_TEXT


def forms_in_context(response) -> list:
    """Every form (formsets: their management form and forms) the response rendered."""
    found, seen = [], set()
    contexts = response.context
    if contexts is None:
        return found
    if not isinstance(contexts, list):
        contexts = [contexts]

    def add(obj):
        if isinstance(obj, BaseFormSet):
            add(obj.management_form)
            for item in obj.forms:
                add(item)
        elif isinstance(obj, forms.BaseForm) and id(obj) not in seen:
            seen.add(id(obj))
            found.append(obj)

    for context in contexts:
        for layer in getattr(context, "dicts", [context]):
            if isinstance(layer, dict):
                for value in layer.values():
                    add(value)
    return found


def form_baseline(form) -> dict:
    """The values the form shows (its initial or bound values), as a browser would post them."""
    data = {}
    for name, form_field in form.fields.items():
        if isinstance(form_field, forms.FileField):
            continue
        bound = form[name]
        value = bound.value()
        if value is None or value is False:
            continue
        if value is True:
            data[bound.html_name] = "on"
        elif isinstance(value, list | tuple):
            data[bound.html_name] = [str(v) for v in value]
        else:
            data[bound.html_name] = str(value)
    return data


# --- OpenAPI ------------------------------------------------------------------------------


@cache
def openapi_schema() -> dict:
    """The OpenAPI description of /api/v1/ (drf-spectacular, as served at api:schema)."""
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


@cache
def _path_patterns() -> list[tuple[re.Pattern, dict]]:
    patterns = []
    for template, item in openapi_schema()["paths"].items():
        regex = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$"
        patterns.append((re.compile(regex), item))
    return patterns


def operations_for(url: str) -> dict:
    """``{method: operation}`` of the OpenAPI path matching ``url`` (empty if none)."""
    path = url.split("?")[0]
    for regex, item in _path_patterns():
        if regex.match(path):
            return {m: op for m, op in item.items() if m in ("get", "post", "put", "patch", "delete")}
    return {}


def resolve(schema: dict) -> dict:
    """``schema`` with ``$ref`` and a single ``allOf`` resolved."""
    components = openapi_schema().get("components", {}).get("schemas", {})
    while True:
        if "$ref" in schema:
            schema = components[schema["$ref"].rsplit("/", 1)[-1]]
        elif "allOf" in schema and len(schema["allOf"]) == 1:
            schema = schema["allOf"][0]
        else:
            return schema


def body_properties(operation: dict) -> dict:
    """The JSON request body's properties (writable ones) of an operation."""
    content = operation.get("requestBody", {}).get("content", {})
    media = content.get("application/json") or next(iter(content.values()), None)
    if not media or "schema" not in media:
        return {}
    schema = resolve(media["schema"])
    return {
        name: resolve(prop) for name, prop in schema.get("properties", {}).items() if not prop.get("readOnly")
    }


def query_parameters(operation: dict) -> list[str]:
    """The names of an operation's query parameters."""
    return [p["name"] for p in operation.get("parameters", []) if p.get("in") == "query"]


def bad_json_values(prop: dict) -> list:
    """Malformed JSON values for one body property, by its schema."""
    kind = prop.get("type")
    values: list = [None, {"嵌": ["套"]}]
    if "enum" in prop or kind == "string":
        values += [*BAD_TEXT, "\ud800孤", 12]
        if prop.get("format") in ("date", "date-time"):
            values += list(BAD_DATES)
        if "enum" in prop:
            values += list(BAD_CHOICES)
    elif kind in ("integer", "number"):
        values += ["abc", 99999999999999999999, -1, 1.5, "NaN", True]
    elif kind == "boolean":
        values += ["maybe", 2]
    elif kind == "array":
        values += ["x", [None], [["x"]], [BAD_TEXT[0]], list(range(2000))]
    else:
        values += ["x", [1], 99999999999999999999]
    return values


def raw_json(name: str, literal: str) -> str:
    """A JSON object text ``{"name": literal}`` with a literal JSON cannot express in Python."""
    return "{" + json.dumps(name) + ": " + literal + "}"


def lifted_rate_limits(monkeypatch, settings) -> None:
    """Rate limits and lockouts off for this test only: django-ratelimit, django-axes and the
    DRF throttles (whose rates are bound when DRF is imported, hence the patch)."""
    from rest_framework.throttling import SimpleRateThrottle

    settings.RATELIMIT_ENABLE = False
    settings.AXES_ENABLED = False
    monkeypatch.setattr(SimpleRateThrottle, "allow_request", lambda self, request, view: True)
