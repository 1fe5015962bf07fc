"""Audited models of the evaluation app."""

from auditlog.registry import auditlog


def register() -> None:
    """Register judges, submissions, assignments, score sheets and their items."""
    from .models import Judge, JudgeAssignment, ScoreItem, ScoreSheet, Submission

    for model in (Judge, Submission, JudgeAssignment, ScoreSheet, ScoreItem):
        auditlog.register(model)
    # Issue 8 items 1 and 3: the pool's qualifications, declared conflicts and waivers.
    from .models import ConflictDeclaration, ConflictWaiver, JudgeQualification

    for model in (JudgeQualification, ConflictDeclaration, ConflictWaiver):
        auditlog.register(model)
