"""Grades, the selection board and publication of a judging (issue 8, item 7)."""

from __future__ import annotations

from django.db.models import OuterRef, Subquery
from django.utils import timezone

from .models import Judging, Result, Submission


def judging_publish_effect(judging: Judging, ctx) -> None:
    """What publishing a judging does besides its state (called by the ``publish`` transition
    of ``evaluation/workflow.py`` inside its transaction): every result's final score is
    copied to its submission (``Submission.score``, read by Annex 5 and the recommendation
    upward) and the scores are marked released. Input: the judging and the transition
    context. Output: none."""
    final = Result._base_manager.filter(submission=OuterRef("pk")).values("final_score")[:1]
    Submission._base_manager.filter(result__judging=judging, result__final_score__isnull=False).update(
        score=Subquery(final), scores_released_at=timezone.now(), scores_released_by=ctx.user
    )
