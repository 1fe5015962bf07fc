"""Runner for the permission matrices (one per app, as data: role, method, route, status).

Each app's matrix lists, per route, the expected status for every role in :data:`ROLES`
(as one acting user of the small network's own tenant, PA). All cases of an app run in one
test on one network, each inside a savepoint that is rolled back, so a POST that changes
state does not leak into the next case.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.urls import reverse

from qcportal.tenancy import no_tenant
from tests.factories import api_token

ROLES = (
    "association_admin",
    "association_staff",
    "association_leadership",
    "unit_coordinator",
    "enterprise_executive",
    "enterprise_coordinator",
    "circle_leader",
    "judge",
    "anonymous",
)
ROLE_USERS = {
    "association_admin": "pa_admin",
    "association_staff": "pa_staff",
    "association_leadership": "pa_leader",
    "unit_coordinator": "ru1_coord",
    "enterprise_executive": "e1_exec",
    "enterprise_coordinator": "e1_coord",
    "circle_leader": "e1_leader",
    "judge": "pa_judge",
    "anonymous": None,
}


@dataclass(frozen=True)
class Row:
    """One route and method with the expected status of each role, in :data:`ROLES` order."""

    route: str
    statuses: str
    kwargs: Callable | None = None
    method: str = "GET"
    data: Callable | dict | None = None

    def expanded(self):
        """The (role, method, route, expected status) cases of this row."""
        codes = [int(code) for code in self.statuses.split()]
        assert len(codes) == len(ROLES), f"{self.route}: {len(codes)} statuses for {len(ROLES)} roles"
        return [(role, self.method, self.route, code) for role, code in zip(ROLES, codes, strict=True)]


def cases(matrix: list[Row]) -> list[tuple[str, str, str, int]]:
    """All (role, method, route, expected) cases of a matrix."""
    return [case for row in matrix for case in row.expanded()]


def run(client, network, matrix: list[Row]) -> list[str]:
    """Request every case; return the mismatches as readable lines (empty when all pass)."""
    failures = []
    tokens = {}
    for row in matrix:
        with no_tenant():
            kwargs = row.kwargs(network) if row.kwargs else {}
            data = row.data(network) if callable(row.data) else (row.data or {})
        url = reverse(row.route, kwargs=kwargs)
        api = row.route.startswith("api:")
        for role, method, route, expected in row.expanded():
            username = ROLE_USERS[role]
            client.logout()
            client.defaults.pop("HTTP_AUTHORIZATION", None)
            if username is not None:
                user = getattr(network.users, username)
                if api:
                    if username not in tokens:
                        tokens[username] = api_token(user)
                    client.defaults["HTTP_AUTHORIZATION"] = f"Token {tokens[username]}"
                else:
                    client.force_login(user)
            with transaction.atomic():
                response = getattr(client, method.lower())(
                    url, data, **({"format": "json"} if api and method != "GET" else {})
                )
                transaction.set_rollback(True)
            if response.status_code != expected:
                failures.append(
                    f"{role:<24} {method:<5} {route:<32} expected {expected}, got {response.status_code}"
                )
    return failures
