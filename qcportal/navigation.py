"""The main navigation, as data: (label, URL name, permission needed)."""

from django.utils.translation import gettext_lazy as _

#: Items shown in the top navigation when the acting membership holds the permission
#: (``None``: every member).
NAVIGATION = (
    (_("首页"), "home", None),
    (_("年度活动"), "promotion:campaign-list", "campaigns:view"),
    (_("评审任务"), "evaluation:task-list", "evaluation:score"),
    (_("报表记录"), "reports:run-list", "reports:view"),
    (_("组织管理"), "organisation-list", "organisations:view"),
    (_("用户管理"), "membership-list", "users:manage"),
    (_("审计日志"), "audit-list", "audit:view"),
)


def navigation_for(membership) -> list[tuple[str, str]]:
    """The (label, URL name) pairs the membership may see, in order."""
    if membership is None:
        return []
    return [
        (label, name) for label, name, perm in NAVIGATION if perm is None or perm in membership.permissions
    ]
