"""Audited models of the circles app."""

from auditlog.registry import auditlog


def register() -> None:
    """Register circles, members, projects and activity records."""
    from .models import ActivityRecord, Circle, CircleMember, Project

    for model in (Circle, CircleMember, Project, ActivityRecord):
        auditlog.register(model)
