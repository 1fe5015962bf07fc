"""The promotion app's to-do items (待办事项): annual promotion plans waiting for the acting
membership (issue 11 item 1) — to approve for the decision layer (``plans:approve``), to
revise after a return for the management layer (``plans:draft``) — and the acting user's
overdue improvement items (issue 11 item 6). One query each, inside the membership's own
organisation."""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from qcportal.todos import Todo, list_url

from .choices import PlanStatus


def promotion_todos(membership) -> list[Todo]:
    """``[Todo]`` of the membership's plans to approve or to revise (none without the
    permissions; counts of the acting organisation's plans only)."""
    from .models import PromotionPlan

    approve = "plans:approve" in membership.permissions
    draft = "plans:draft" in membership.permissions
    if not (approve or draft):
        return []
    counts = PromotionPlan.objects.filter(organisation_id=membership.organisation_id).aggregate(
        submitted=Count("id", filter=Q(status=PlanStatus.SUBMITTED)),
        returned=Count("id", filter=Q(status=PlanStatus.RETURNED)),
    )
    items = []
    if approve:
        items.append(
            Todo(
                _("待审批的年度推进计划"),
                counts["submitted"],
                list_url("promotion:plan-list"),
                "bi-clipboard-check",
            )
        )
    if draft:
        items.append(
            Todo(
                _("被退回修改的年度推进计划"),
                counts["returned"],
                list_url("promotion:plan-list"),
                "bi-arrow-return-left",
            )
        )
    return items


def improvement_todos(membership) -> list[Todo]:
    """The acting user's overdue improvement items in the acting organisation (issue 11 item
    6, rule R-IM-02): past their deadline, neither done nor cancelled. One query; none
    without ``improvements:view``."""
    from .reviews import overdue_count

    if "improvements:view" not in membership.permissions:
        return []
    return [
        Todo(
            _("已逾期的改进事项"),
            overdue_count(membership),
            list_url("promotion:improvement-list", mine=1, overdue=1),
            "bi-alarm",
        )
    ]
