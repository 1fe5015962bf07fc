"""Audited models of the promotion app."""

from auditlog.registry import auditlog


def register() -> None:
    """Register campaigns, their stages and domains, enterprise figures and conferences."""
    from .models import (
        Campaign,
        CampaignDomain,
        CampaignStage,
        EnterpriseAnnualFigures,
        PresentationConference,
    )

    for model in (Campaign, CampaignDomain, CampaignStage, EnterpriseAnnualFigures, PresentationConference):
        auditlog.register(model)
