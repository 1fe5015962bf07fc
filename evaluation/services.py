"""Writes of the evaluation app."""

from __future__ import annotations

from django.db import transaction

from promotion.models import Campaign
from qcportal.models import Organisation

from .models import Submission
from .selectors import panel_score, submission_score_totals


@transaction.atomic
def submission_scores_aggregate(*, campaign: Campaign, association: Organisation | None = None) -> int:
    """Store the panel score of every scored submission of ``campaign`` (standard.md §4).

    Aggregates the submitted sheets in SQL (count, sum, max, min per submission), combines
    them with :func:`~evaluation.selectors.panel_score` using the campaign's
    ``score_trim_min_judges``, and writes ``Submission.score`` (points out of 100, 2 places)
    in one bulk update. Input: the campaign and optionally one recommending association.
    Output: the number of submissions updated.
    """
    updates = [
        Submission(
            pk=row["pk"],
            score=panel_score(
                n=row["sheets_n"],
                total=row["sheets_sum"],
                high=row["sheets_max"],
                low=row["sheets_min"],
                min_judges=campaign.score_trim_min_judges,
            ),
        )
        for row in submission_score_totals(campaign=campaign, association=association)
    ]
    Submission.objects.bulk_update(updates, ["score"], batch_size=1000)
    return len(updates)
