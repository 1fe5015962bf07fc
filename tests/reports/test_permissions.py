"""Permission matrix of the reports app (official forms, report runs), as data
(tests/security/matrix.py). Only association staff generate forms, write work summaries and
build the national package; association roles read report runs and work summaries. The fixture's PA run has no file yet, so its download answers 404 to those
who may read it."""

import pytest

from ..security.matrix import Row, run

pytestmark = pytest.mark.django_db

SUMMARY = {"code": "CAQ-T", "kind": "annual"}
ANNEX3_PA = {"form": "annex3", "file_format": "xlsx", "organisation": "PA"}

MATRIX = [
    #   route                        admin staff lead unit exec coord cleader judge anon
    Row("reports:campaign-forms", "403 200 403 403 403 403 403 403 302", lambda n: {"code": "CAQ-T"}),
    Row(
        "reports:campaign-forms",
        "403 302 403 403 403 403 403 403 302",
        lambda n: {"code": "CAQ-T"},
        "POST",
        ANNEX3_PA,
    ),
    Row("reports:run-list", "200 200 200 403 403 403 403 403 302"),
    Row("reports:run-detail", "200 200 200 403 403 403 403 403 302", lambda n: {"pk": n.runs.pa.pk}),
    Row("reports:run-download", "404 404 404 403 403 403 403 403 302", lambda n: {"pk": n.runs.pa.pk}),
    Row("api:reportrun-list", "200 200 200 403 403 403 403 403 401"),
    Row(
        "api:reportrun-list",
        "403 202 403 403 403 403 403 403 401",
        method="POST",
        data={"campaign": "CAQ-T", **ANNEX3_PA},
    ),
    Row("api:reportrun-detail", "200 200 200 403 403 403 403 403 401", lambda n: {"pk": n.runs.pa.pk}),
    Row("api:reportrun-download", "404 404 404 403 403 403 403 403 401", lambda n: {"pk": n.runs.pa.pk}),
    # Issue 7: work summaries (reports:view reads, reports:export writes) and the national package.
    Row("reports:work-summary", "200 200 200 403 403 403 403 403 302", lambda n: SUMMARY),
    Row(
        "reports:work-summary",
        "403 302 403 403 403 403 403 403 302",
        lambda n: SUMMARY,
        "POST",
        {"basic_overall": "草稿", "action": "save"},
    ),
    Row("reports:national-package", "403 200 403 403 403 403 403 403 302", lambda n: {"code": "CAQ-T"}),
    # The fixture's package is incomplete (no result reports, no Annex 2): staff get the list, 400.
    Row(
        "reports:national-package", "403 400 403 403 403 403 403 403 302", lambda n: {"code": "CAQ-T"}, "POST"
    ),
    Row("api:worksummary-list", "200 200 200 403 403 403 403 403 401", lambda n: {"campaign_code": "CAQ-T"}),
    Row(
        "api:worksummary-detail",
        "200 200 200 403 403 403 403 403 401",
        lambda n: {"campaign_code": "CAQ-T", "kind": "annual"},
    ),
    Row(
        "api:reportrun-national-package",
        "403 200 403 403 403 403 403 403 401",
        data={"campaign": "CAQ-T", "organisation": "PA"},
    ),
    Row(
        "api:reportrun-national-package",
        "403 400 403 403 403 403 403 403 401",
        method="POST",
        data={"campaign": "CAQ-T", "organisation": "PA"},
    ),
]


def test_permission_matrix(client, network, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        failures = run(client, network, MATRIX)
    assert not failures, "\n" + "\n".join(failures)
