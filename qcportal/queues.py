"""Celery queues (issue 10 item 6): each kind of work on its own queue, so that each scales on
its own workers and a burst of one (a national report run) never delays another (an e-mail).

========================  =========================================================
queue                     tasks
========================  =========================================================
``exports``               report runs (official forms, the national package), exports
                          and imports of files (long, memory-hungry)
``notifications``         e-mail notifications and the daily deadline reminders
``statistics``            dashboard cache refreshes and statistics summaries
``celery`` (the default)  maintenance: audit pruning, orphan-file sweep, anything else
========================  =========================================================

Routing is by task name (``CELERY_TASK_ROUTES``), with patterns so that new tasks land on their
queue by their name: ``*summar*``/``*statistic*`` tasks of ``reports`` go to ``statistics``.
The docker-compose file runs a worker per queue; a small installation runs one worker on all
of them (``celery -A qcportal worker -Q celery,exports,notifications,statistics``; ``make
worker`` does that). No Django import here: the settings import this module.
"""

from __future__ import annotations

import re

DEFAULT = "celery"
EXPORTS = "exports"
NOTIFICATIONS = "notifications"
STATISTICS = "statistics"

#: Every queue, the default first (what ``-Q`` lists for one worker consuming all).
QUEUES = (DEFAULT, EXPORTS, NOTIFICATIONS, STATISTICS)

#: (task name or pattern, queue), checked in this order after exact names.
_ROUTES: tuple[tuple[str | re.Pattern, str], ...] = (
    ("reports.tasks.form_render_task", EXPORTS),
    ("circles.tasks.circle_import_task", EXPORTS),
    ("qcportal.tasks.notification_emails_send_task", NOTIFICATIONS),
    ("evaluation.tasks.reminders_send_task", NOTIFICATIONS),
    ("qcportal.tasks.figure_refresh_task", STATISTICS),
    (re.compile(r"^reports\..*(summar|statistic|stats)"), STATISTICS),
    (re.compile(r"^[a-z_]+\.tasks\..*(export|render)"), EXPORTS),
    (re.compile(r"^[a-z_]+\.tasks\..*(notif|remind|mail)"), NOTIFICATIONS),
)


def queue_names(suffix: str = "") -> list[str]:
    """Every queue's name with ``suffix`` appended (the tests' private queues), default first."""
    return [name + suffix for name in QUEUES]


def task_routes(suffix: str = "") -> dict:
    """``CELERY_TASK_ROUTES``: ``{task name or compiled pattern: {"queue": name + suffix}}``.

    ``suffix`` (empty in the settings) lets a test run a worker on private copies of every
    queue on a shared Redis (tests/reports/test_worker.py).
    """
    return {pattern: {"queue": queue + suffix} for pattern, queue in _ROUTES}


def queue_for(task_name: str, suffix: str = "") -> str:
    """The queue ``task_name`` is routed to (the default queue when no route matches)."""
    for pattern, queue in _ROUTES:
        if pattern == task_name or (isinstance(pattern, re.Pattern) and pattern.search(task_name)):
            return queue + suffix
    return DEFAULT + suffix
