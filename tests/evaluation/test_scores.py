"""Panel scores (standard.md §4): trimmed mean with ≥ min judges, half-up rounding — the
single-panel path (``submission_scores_aggregate``) on top of ``evaluation.scoring``."""

from decimal import Decimal

import pytest

from evaluation.scoring import trimmed_mean
from evaluation.services import submission_scores_aggregate
from qcportal.tenancy import tenant_scope

D = Decimal


@pytest.mark.parametrize(
    ("totals", "min_judges", "expected"),
    [
        (["80", "85", "90", "70", "95"], 5, "85.00"),  # drop 95 and 70
        (["81", "82.5", "84"], 5, "82.50"),  # fewer than 5 judges: plain mean
        (["85.00", "85.01"], 5, "85.01"),  # 85.005 rounds half-up, not to even
        (["90", "60", "75"], 3, "75.00"),  # threshold configured per campaign
        (["77.77"], 5, "77.77"),
    ],
)
def test_panel_score(totals, min_judges, expected):
    values = [D(t) for t in totals]
    score = trimmed_mean(
        n=len(values), total=sum(values), high=max(values), low=min(values), trim_min_judges=min_judges
    )
    assert score == D(expected)


def test_panel_score_needs_a_sheet():
    with pytest.raises(ValueError):
        trimmed_mean(n=0, total=D(0), high=D(0), low=D(0), trim_min_judges=5)


@pytest.mark.django_db
def test_aggregate_stores_scores_and_respects_campaign_threshold(network):
    s1 = network.submissions[0]
    with tenant_scope(network.caq):
        network.campaign.score_trim_min_judges = 6
        network.campaign.save()
        assert submission_scores_aggregate(campaign=network.campaign) == 2  # s1, s2 released; s3 not
        s1.refresh_from_db()
        assert s1.score == D("84.00")  # (80+85+90+70+95)/5 without trimming
