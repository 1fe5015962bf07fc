"""Audited models of the circles app."""

from auditlog.registry import auditlog


def register() -> None:
    """Register circles, members, projects, activity records, attachments and comments."""
    from .models import ActivityRecord, Circle, CircleMember, Project, RecordAttachment, RecordComment

    for model in (Circle, CircleMember, Project, ActivityRecord, RecordAttachment, RecordComment):
        auditlog.register(model, m2m_fields={"participants"} if model is ActivityRecord else None)
