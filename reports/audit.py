"""Audited models of the reports app."""

from auditlog.registry import auditlog


def register() -> None:
    """Register report runs (progress ticks are written with ``update()`` and not audited)."""
    from .models import ReportRun

    auditlog.register(ReportRun)
