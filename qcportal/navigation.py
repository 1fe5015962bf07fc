"""The main navigation, as data: (label, URL name, permission needed).

Labels that name a list of objects carry the ``navigation`` context: in Chinese they are the
same words as the singular field labels, in English they are plurals (QC circles, Projects).
"""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

#: Items shown in the top navigation when the acting membership holds the permission
#: (``None``: every member; a tuple: any one of them).
NAVIGATION = (
    (_("首页"), "home", None),
    (_("数据看板"), "reports:dashboard", "dashboards:view"),
    (pgettext_lazy("navigation", "QC小组"), "circles:circle-list", ("circles:view", "circles:view_own")),
    (pgettext_lazy("navigation", "课题"), "circles:project-list", ("circles:view", "circles:view_own")),
    (pgettext_lazy("navigation", "活动记录"), "circles:record-list", ("circles:view", "circles:view_own")),
    (_("年度活动"), "promotion:campaign-list", "campaigns:view"),
    (pgettext_lazy("navigation", "成果申报"), "evaluation:submission-list", "submissions:view"),
    (_("推进计划"), "promotion:plan-list", "plans:view"),
    (_("宣传培训"), "promotion:training-list", "trainings:view"),
    (_("成果发表会"), "evaluation:conference-list", ("campaigns:manage", "campaigns:sign_up")),
    (_("成果知识库"), "evaluation:library", "library:view"),
    (_("表彰与证书"), "evaluation:honour-list", "honours:view"),
    (_("改进清单"), "promotion:improvement-list", "improvements:view"),
    (_("通知公告"), "promotion:announcement-list", "campaigns:view"),
    (
        _("推进组织"),
        "promotion:structure",
        ("structure:manage", "circles:view", "circles:view_own", "organisations:view"),
    ),
    (_("评审任务"), "evaluation:task-list", "evaluation:score"),
    (_("专家库"), "evaluation:pool", "evaluation:manage"),
    (_("报表记录"), "reports:run-list", "reports:view"),
    (_("组织管理"), "organisation-list", "organisations:view"),
    (_("用户管理"), "membership-list", "users:manage"),
    (_("审计日志"), "audit-list", "audit:view"),
)


def navigation_for(membership) -> list[tuple[str, str]]:
    """The (label, URL name) pairs the membership may see, in order."""
    if membership is None:
        return []

    def allowed(perm) -> bool:
        if perm is None:
            return True
        perms = perm if isinstance(perm, tuple) else (perm,)
        return any(p in membership.permissions for p in perms)

    return [(label, name) for label, name, perm in NAVIGATION if allowed(perm)]
