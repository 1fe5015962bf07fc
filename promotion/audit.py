"""Audited models of the promotion app."""

from auditlog.registry import auditlog


def register() -> None:
    """Register campaigns, stages, domains, sign-ups, extensions, figures, conferences, the
    promotion structure, announcements with their attachments and the annual promotion plans, the trainings
    (their rows change only with the plan's content page, whose saves are the plan's)."""
    from .models import (
        Announcement,
        AnnouncementAttachment,
        Campaign,
        CampaignDomain,
        CampaignEntry,
        CampaignStage,
        EnterpriseAnnualFigures,
        PresentationConference,
        PromotionPlan,
        QualityCommittee,
        StageExtension,
        StructureMember,
        Training,
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
        PromotionPlan,
        QualityCommittee,
        StructureMember,
        Training,
    ):
        auditlog.register(model)
