"""Permission matrix of the promotion app (campaigns), as data (tests/security/matrix.py):
reading for every role, configuring for the association's staff, signing up for the
enterprise coordinator; one row per declared transition of ``promotion.campaign``."""

import datetime as dt

import pytest

from promotion.choices import CampaignStatus
from promotion.models import Campaign, CampaignStage
from promotion.workflow import CAMPAIGN_WORKFLOW

from ..security.matrix import Row, run

pytestmark = pytest.mark.django_db


def _pa_campaign(n, status=CampaignStatus.OPEN):
    """A PA campaign in ``status`` with a one-stage calendar (built once per test)."""
    campaign, created = Campaign.objects.get_or_create(
        code=f"PA-M-{status}",
        defaults={
            "organisation": n.pa,
            "year": 2022,
            "title": f"矩阵活动 {status}",
            "period_start": dt.date(2021, 6, 1),
            "period_end": dt.date(2022, 5, 31),
            "status": status,
        },
    )
    if created:
        CampaignStage.objects.create(
            campaign=campaign,
            kind="registration",
            starts_on=dt.date(2022, 4, 1),
            ends_on=dt.date(2022, 4, 30),
        )
    return {"code": campaign.code}


STAFF_ONLY = "403 200 403 403 403 403 403 403 302"

MATRIX = [
    #   route                          admin staff lead unit exec coord cleader judge anon
    Row("promotion:campaign-list", "200 200 200 200 200 200 200 200 302"),
    Row("promotion:campaign-detail", "200 200 200 200 200 200 200 200 302", lambda n: {"code": "CAQ-T"}),
    Row("promotion:campaign-detail", "200 200 200 200 200 200 200 200 302", _pa_campaign),
    Row("api:campaign-list", "200 200 200 200 200 200 200 200 401"),
    Row("api:campaign-detail", "200 200 200 200 200 200 200 200 401", lambda n: {"code": "CAQ-T"}),
    Row("promotion:campaign-create", STAFF_ONLY),
    Row("promotion:campaign-edit", STAFF_ONLY, _pa_campaign),
    Row("promotion:campaign-stages", STAFF_ONLY, _pa_campaign),
    Row("promotion:entry", "403 403 403 403 403 200 403 403 302", _pa_campaign),
    Row("api:campaign-stages", "200 200 200 200 200 200 200 200 401", _pa_campaign),
    Row("api:campaign-entries", "200 200 200 200 200 200 200 200 401", _pa_campaign),
    Row("api:campaign-extensions", "200 200 200 200 200 200 200 200 401", _pa_campaign),
    # creating with an empty body: the staff get the Chinese 400, everyone else 403
    Row("api:campaign-list", "403 400 403 403 403 403 403 403 401", method="POST", data={}),
]

#: One row per declared transition of the campaign workflow: only the owning association's staff.
TRANSITION_ROWS = {
    "publish": (CampaignStatus.DRAFT, "403 200 403 403 403 403 403 403 401"),
    "close": (CampaignStatus.OPEN, "403 200 403 403 403 403 403 403 401"),
    "reopen": (CampaignStatus.CLOSED, "403 200 403 403 403 403 403 403 401"),
}


def test_permission_matrix(client, network):
    failures = run(client, network, MATRIX)
    assert not failures, "\n" + "\n".join(failures)


def test_every_declared_campaign_transition_has_a_row():
    assert set(CAMPAIGN_WORKFLOW.transitions) == set(TRANSITION_ROWS)


def test_campaign_transition_matrix(client, network):
    rows = [
        Row(
            "api:campaign-transitions",
            statuses,
            lambda n, state=state: _pa_campaign(n, state),
            method="POST",
            data={"transition": name, "comment": "矩阵测试"},
        )
        for name, (state, statuses) in TRANSITION_ROWS.items()
    ]
    failures = run(client, network, rows)
    assert not failures, "\n" + "\n".join(failures)
