"""Stage windows (阶段时间窗口): every campaign action belongs to a stage of the calendar
(seed 003, 二、活动安排) and is accepted only inside that stage's dates, or until an extension
granted to the acting organisation (issue 7, item 2). Dates are Asia/Shanghai
(``TIME_ZONE``); a window is inclusive of its first and last day.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from .choices import StageKind
from .models import Campaign, StageExtension


def extension_for(*, campaign: Campaign, organisation_id: int, stage: str) -> StageExtension | None:
    """The extension of ``stage`` granted to the organisation in ``campaign``, or ``None``.
    Read without the tenant scope's narrowing (the check runs for the acting organisation,
    whose own extension it is)."""
    return StageExtension._base_manager.filter(
        campaign=campaign, organisation_id=organisation_id, stage=stage
    ).first()


def window_refusal(
    *, campaign: Campaign, stage: str, organisation_id: int | None, today: dt.date | None = None
) -> str | None:
    """Why an action of ``stage`` is refused today for the organisation, or ``None``.

    Inputs: the campaign, the stage (a :class:`~promotion.choices.StageKind` value), the
    acting organisation's id (for its extension) and optionally the day (default: today in
    Asia/Shanghai). Output: ``None`` when today lies in the stage's window or before the end
    of an extension granted to the organisation; otherwise a Chinese message naming the
    window and its dates, e.g. 「不在“成果申报”阶段（2026-11-01 至 2026-11-30）内，该操作已关闭。」.
    A campaign without that stage in its calendar refuses with 「活动日程未设置“…”阶段」.
    """
    today = today or timezone.localdate()
    label = StageKind(stage).label
    window = campaign.stage_for(stage)
    if window is None:
        return _("活动日程未设置“%(stage)s”阶段，该操作暂不能办理。") % {"stage": label}
    if window.starts_on <= today <= window.ends_on:
        return None
    if organisation_id is not None:
        extension = extension_for(campaign=campaign, organisation_id=organisation_id, stage=stage)
        if extension is not None and window.starts_on <= today <= extension.until:
            return None
    if today < window.starts_on:
        return _("“%(stage)s”阶段（%(start)s 至 %(end)s）尚未开始，该操作将于 %(start)s 开放。") % {
            "stage": label,
            "start": window.starts_on.isoformat(),
            "end": window.ends_on.isoformat(),
        }
    return _("已过“%(stage)s”阶段（%(start)s 至 %(end)s），该操作已关闭；如需延期，请联系主办协会。") % {
        "stage": label,
        "start": window.starts_on.isoformat(),
        "end": window.ends_on.isoformat(),
    }


def window_open(*, campaign: Campaign, stage: str, organisation_id: int | None) -> bool:
    """True when an action of ``stage`` is accepted today for the organisation (see
    :func:`window_refusal`)."""
    return window_refusal(campaign=campaign, stage=stage, organisation_id=organisation_id) is None
