"""The circles app's items of the home page's to-do list (待办事项)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from qcportal.todos import Todo, list_url, register_todo_provider

from .choices import CircleStatus, ProjectStatus
from .selectors import todo_counts


def circles_todos(membership) -> list[Todo]:
    """Registrations and projects to review, acceptance requests, overdue projects (管理层);
    returned applications to answer, open comments, projects to keep records for (执行层)."""
    counts = todo_counts(membership=membership)
    items = [
        Todo(
            _("QC小组注册待审核"),
            counts.get("circles_to_review", 0),
            list_url("circles:circle-list", status=CircleStatus.PENDING),
            "bi-people",
        ),
        Todo(
            _("课题立项待评审"),
            counts.get("projects_to_review", 0),
            list_url("circles:project-list", status=ProjectStatus.APPLIED),
            "bi-journal-check",
        ),
        Todo(
            _("课题待验收"),
            counts.get("acceptances", 0),
            list_url("circles:project-list", status=ProjectStatus.COMPLETED),
            "bi-award",
        ),
        Todo(
            _("课题已逾期"),
            counts.get("overdue", 0),
            list_url("circles:project-list", overdue="on"),
            "bi-alarm",
        ),
        Todo(
            _("课题立项申请被退回，待答复"),
            counts.get("returned_projects", 0),
            list_url("circles:project-list", status=ProjectStatus.RETURNED),
            "bi-reply",
        ),
        Todo(
            _("小组注册申请被退回，待修改"),
            counts.get("returned_circles", 0),
            list_url("circles:circle-list", status=CircleStatus.RETURNED),
            "bi-reply",
        ),
        Todo(
            _("检查意见待处理"),
            counts.get("open_comments", 0),
            list_url("circles:record-list", open_comments="on"),
            "bi-chat-left-dots",
        ),
        Todo(
            _("活动中的课题（填写活动记录）"),
            counts.get("to_record", 0),
            list_url("circles:project-list", status=ProjectStatus.IN_PROGRESS),
            "bi-pencil-square",
        ),
    ]
    return items


def register() -> None:
    """Register the provider."""
    register_todo_provider(circles_todos)
