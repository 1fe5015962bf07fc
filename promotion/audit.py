"""Audited models of the promotion app."""

from auditlog.registry import auditlog


def register() -> None:
    """Register campaigns, stages, domains, sign-ups, extensions, figures, conferences and the promotion structure."""
    from .models import (
        Campaign,
        CampaignDomain,
        CampaignEntry,
        CampaignStage,
        EnterpriseAnnualFigures,
        PresentationConference,
        QualityCommittee,
        StageExtension,
        StructureMember,
    )

    for model in (
        Campaign,
        CampaignDomain,
        CampaignStage,
        CampaignEntry,
        StageExtension,
        EnterpriseAnnualFigures,
        PresentationConference,
        QualityCommittee,
        StructureMember,
    ):
        auditlog.register(model)
