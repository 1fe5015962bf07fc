"""The to-do list on every role's home page (待办事项): what awaits the acting membership's
action now, each item a link to the page where it is done.

Apps register providers (``provider(membership) -> list[Todo]``) from ``AppConfig.ready()``
so that the tenancy core imports nothing above it. Providers count in SQL inside the
membership's scope (the cost grows with the tenant's own data, never with the country's).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.http import urlencode


@dataclass(frozen=True)
class Todo:
    """One kind of waiting work: a label (Chinese), how many, and where to do it."""

    label: Promise | str
    count: int
    url: str
    icon: str = "bi-check2-square"


_PROVIDERS: list[Callable] = []


def list_url(name: str, **query) -> str:
    """The URL of list page ``name`` filtered by ``query`` (where a to-do item leads)."""
    return f"{reverse(name)}?{urlencode(query)}" if query else reverse(name)


def register_todo_provider(provider: Callable) -> None:
    """Add a provider ``provider(membership) -> list[Todo]`` (idempotent)."""
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)


def todos_for(membership) -> list[Todo]:
    """Every non-empty to-do item of the membership, in provider order."""
    if membership is None:
        return []
    items: list[Todo] = []
    for provider in _PROVIDERS:
        items.extend(todo for todo in provider(membership) if todo.count)
    return items
