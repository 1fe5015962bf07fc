"""Permission matrix of the evaluation app (submissions, judging), as data
(tests/security/matrix.py).

s1 is PA's released submission from E1 (unit RU1) of the circle the ``circle_leader`` leads;
s6 is PA's unreleased one of another circle, whose panel is 赵组长 (the ``judge`` column,
chair), 钱骨干 and 孙评委. Circle leaders do not see other circles at all (404) and may not
open submissions (403); only judges score; only association staff organise judging.
POSTs answer 302 once the permission check passed (the action or its Chinese error is then
shown on the page), 400 when the sheet form was refused.
"""

import pytest

from ..security.matrix import Row, run

pytestmark = pytest.mark.django_db

S1 = lambda n: {"pk": n.submissions[0].pk}  # noqa: E731
S6 = lambda n: {"pk": n.submissions[5].pk}  # noqa: E731

MATRIX = [
    #   route                            admin staff lead unit exec coord cleader judge anon
    Row("evaluation:task-list", "403 403 403 403 403 403 403 200 302"),
    Row("evaluation:submission-detail", "200 200 200 200 200 200 403 200 302", S1),
    Row("evaluation:submission-detail", "200 200 200 200 200 200 404 200 302", S6),
    Row("evaluation:sheet-save", "403 403 403 403 403 403 404 302 302", S6, "POST", {"action": "save"}),
    Row("evaluation:sheet-save", "403 403 403 403 403 403 403 400 302", S1, "POST", {"action": "save"}),
    Row(
        "evaluation:recuse",
        "403 403 403 403 403 403 404 302 302",
        S6,
        "POST",
        {"reason": "与申报企业有合作关系"},
    ),
    Row(
        "evaluation:assign",
        "403 302 403 403 403 403 404 403 302",
        S6,
        "POST",
        lambda n: {"judge": n.judges[3].pk},
    ),
    Row("evaluation:report-upload", "403 403 403 403 403 302 403 403 302", S1, "POST"),
    Row("evaluation:report-download", "404 404 404 404 404 404 403 404 302", S1),
    Row(
        "evaluation:unassign",
        "403 302 403 403 403 403 403 403 302",
        lambda n: {"pk": n.submissions[5].assignments.get(judge=n.judges[2]).pk},
        "POST",
    ),
    Row(
        "evaluation:sheet-withdraw",
        "403 302 403 403 403 403 403 403 302",
        lambda n: {"pk": n.submissions[0].score_sheets.get(judge=n.judges[0]).pk},
        "POST",
    ),
    Row("evaluation:judging", "403 200 403 403 403 403 403 403 302", lambda n: {"code": "CAQ-T"}),
    Row("api:submission-list", "200 200 200 200 200 200 403 200 401"),
    Row("api:submission-detail", "200 200 200 200 200 200 403 200 401", S1),
    Row("api:scoresheet-list", "403 200 403 403 403 403 403 200 401"),
    Row(
        "api:scoresheet-detail",
        "403 200 403 403 403 403 403 200 401",
        lambda n: {"pk": n.submissions[0].score_sheets.get(judge=n.judges[0]).pk},
    ),
]


def test_permission_matrix(client, network):
    failures = run(client, network, MATRIX)
    assert not failures, "\n" + "\n".join(failures)
