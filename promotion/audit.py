"""Audited models of the promotion app."""

from auditlog.registry import auditlog


def register() -> None:
    """Register campaigns, stages, domains, sign-ups, extensions, figures, conferences and the promotion structure."""
    """Register campaigns, stages, domains, figures, conferences, the promotion structure and
    announcements with their attachments."""
    from .models import (
        Announcement,
        AnnouncementAttachment,
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
        Announcement,
        AnnouncementAttachment,
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
