"""Audited models of the promotion app."""

from auditlog.registry import auditlog


def register() -> None:
    """Register campaigns, stages, domains, figures, conferences and the promotion structure."""
    from .models import (
        Campaign,
        CampaignDomain,
        CampaignStage,
        EnterpriseAnnualFigures,
        PresentationConference,
        QualityCommittee,
        StructureMember,
    )

    for model in (
        Campaign,
        CampaignDomain,
        CampaignStage,
        EnterpriseAnnualFigures,
        PresentationConference,
        QualityCommittee,
        StructureMember,
    ):
        auditlog.register(model)
