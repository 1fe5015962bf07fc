"""Choices of the tenancy core (labels in Chinese through gettext)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganisationKind(models.TextChoices):
    """Kinds of organisation in the promotion hierarchy (domain.md §3)."""

    NATIONAL_ASSOCIATION = "national_association", _("全国质量协会")
    REGIONAL_ASSOCIATION = "regional_association", _("省市质量协会")
    INDUSTRY_ASSOCIATION = "industry_association", _("行业质量协会")
    RECOMMENDING_UNIT = "recommending_unit", _("推荐单位")
    ENTERPRISE = "enterprise", _("企业")


ASSOCIATION_KINDS = (
    OrganisationKind.NATIONAL_ASSOCIATION,
    OrganisationKind.REGIONAL_ASSOCIATION,
    OrganisationKind.INDUSTRY_ASSOCIATION,
)

#: Which kind of organisation may sit directly under which (domain.md §3).
ALLOWED_PARENT_KINDS: dict[str, tuple[str, ...]] = {
    OrganisationKind.NATIONAL_ASSOCIATION: (),
    OrganisationKind.REGIONAL_ASSOCIATION: (OrganisationKind.NATIONAL_ASSOCIATION,),
    OrganisationKind.INDUSTRY_ASSOCIATION: (OrganisationKind.NATIONAL_ASSOCIATION,),
    OrganisationKind.RECOMMENDING_UNIT: (
        OrganisationKind.REGIONAL_ASSOCIATION,
        OrganisationKind.INDUSTRY_ASSOCIATION,
    ),
    OrganisationKind.ENTERPRISE: (OrganisationKind.RECOMMENDING_UNIT,),
}


class UnitKind(models.TextChoices):
    """What a recommending unit is (domain.md §2: a district, an industry bureau or a group company)."""

    DISTRICT = "district", _("区/市")
    INDUSTRY_BUREAU = "industry_bureau", _("行业主管部门")
    GROUP_COMPANY = "group_company", _("集团公司")
    OTHER = "other", _("其他")


class NotificationChannel(models.TextChoices):
    """How a user wants to be notified (``User.notify_by_email``; issue 7 item 9)."""

    EMAIL_AND_SITE = "email", _("邮件和站内通知")
    SITE_ONLY = "site", _("仅站内通知")


class AuditEvent(models.TextChoices):
    """The kind of an access or role event in the audit trail (``AuditEntry.event``; issue 9
    item 5, rules R-SC-40 … R-SC-43). Ordinary writes have no event kind (blank)."""

    LOGIN = "login", _("登录")
    LOGIN_FAILED = "login_failed", _("登录失败")
    LOCKOUT = "lockout", _("账户锁定")
    LOGOUT = "logout", _("退出登录")
    DOWNLOAD = "download", _("下载文件")
    EXPORT = "export", _("导出数据")
    ROLE_GRANTED = "role_granted", _("授予角色")
    ROLE_REVOKED = "role_revoked", _("撤销角色")
