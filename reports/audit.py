"""Audited models of the reports app."""

from auditlog.registry import auditlog


def register() -> None:
    """Register report runs and work summaries (progress ticks are written with ``update()`` and not audited)."""
    from .models import ReportRun, WorkSummary

    auditlog.register(ReportRun)
    auditlog.register(WorkSummary)
