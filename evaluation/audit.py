"""Audited models of the evaluation app."""

from auditlog.registry import auditlog


def register() -> None:
    """Register judges, submissions, assignments, score sheets and their items."""
    from .models import Judge, JudgeAssignment, ScoreItem, ScoreSheet, Submission

    for model in (Judge, Submission, JudgeAssignment, ScoreSheet, ScoreItem):
        auditlog.register(model)
