"""Permission matrix of the promotion app (campaigns), as data (tests/security/matrix.py)."""

import pytest

from ..security.matrix import Row, run

pytestmark = pytest.mark.django_db

MATRIX = [
    #   route                          admin staff lead unit exec coord cleader judge anon
    Row("promotion:campaign-list", "200 200 200 200 200 200 200 200 302"),
    Row("promotion:campaign-detail", "200 200 200 200 200 200 200 200 302", lambda n: {"code": "CAQ-T"}),
    Row("api:campaign-list", "200 200 200 200 200 200 200 200 401"),
    Row("api:campaign-detail", "200 200 200 200 200 200 200 200 401", lambda n: {"code": "CAQ-T"}),
]


def test_permission_matrix(client, network):
    failures = run(client, network, MATRIX)
    assert not failures, "\n" + "\n".join(failures)
