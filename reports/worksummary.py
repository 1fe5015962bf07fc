"""Work summaries: the outlines of seed 002 附件2 and seed 003 附件5, the character count,
and the checks on what users type.

The outlines are data (one source of truth for the sections and sub-points): pages, API,
exporters and the national package all read :data:`OUTLINES`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from .choices import FormKind, WorkSummaryKind

#: Longest text accepted for one sub-point (characters). A 3,000-character summary spread
#: over eight sub-points needs far less; the cap keeps a paste accident from reaching the
#: database, the PDF renderer and the Word file.
MAX_POINT_CHARACTERS = 20000

#: Control characters refused in a summary (NUL and the C0/C1 controls except tab, line
#: feed and carriage return). They cannot be stored by PostgreSQL (NUL) or written into
#: Word's XML (the others) and are never typed on purpose.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class SubPoint:
    """One sub-point of an outline: its storage ``key`` and its heading as printed."""

    key: str
    heading: str


@dataclass(frozen=True)
class Section:
    """One numbered section (一、…) with its sub-points."""

    heading: str
    points: tuple[SubPoint, ...]


@dataclass(frozen=True)
class Outline:
    """The official outline of a kind of work summary.

    ``title`` is a format string taking the campaign year (``{year}``); ``filler_label`` is
    the label of the line filled with the writing organisation's name; ``annex`` the annex
    line above the title; ``form`` the :class:`~reports.choices.FormKind` that exports it;
    ``min_characters`` the length required before export (see :func:`count_characters`);
    ``requirement`` the instruction printed on the editor page; ``source`` the rule's source.
    """

    kind: str
    form: str
    annex: str
    title: str
    filler_label: str
    requirement: str
    min_characters: int
    sections: tuple[Section, ...]
    source: str

    @property
    def keys(self) -> tuple[str, ...]:
        """Every sub-point key in the official order."""
        return tuple(p.key for s in self.sections for p in s.points)

    def title_for(self, year: int) -> str:
        """The document title for ``year``, e.g. ``2020年质量管理小组活动总结``."""
        return self.title.format(year=year)


#: Seed 002 (中国质协字〔2020〕21号), 附件2 “质量管理小组活动工作总结要求”: three sections with
#: their sub-points exactly as the annex lists them (trailing “；” and “。” of the list dropped),
#: at least 3,000 characters (“字数 3000 字以上”).
ANNUAL = Outline(
    kind=WorkSummaryKind.ANNUAL,
    form=FormKind.ANNEX2,
    annex="附件 2",
    title="{year}年质量管理小组活动总结",
    filler_label="推荐省市、行业",
    requirement=(
        "要求：认真总结本省市、行业一年来质量管理小组活动的推进经验和具体做法，特色突出、数据详实，"
        "字数3000字以上。"
    ),
    min_characters=3000,
    sections=(
        Section(
            "一、基本情况",
            (
                SubPoint("basic_overall", "（一）年度QC小组活动开展的整体情况、重点创新工作等"),
                SubPoint("basic_conference", "（二）QC成果发表会情况"),
            ),
        ),
        Section(
            "二、推进经验和做法",
            (
                SubPoint("practice_measures", "（一）推进QC小组活动过程中采取的特色做法、措施和取得的效果"),
                SubPoint("practice_standard", "（二）组织宣贯《质量管理小组活动准则》的相关活动和效果"),
                SubPoint("practice_deeds", "（三）本省市、行业所属企业开展QC小组活动的突出事迹"),
            ),
        ),
        Section(
            "三、存在问题及改进方向",
            (
                SubPoint("issues_problems", "（一）年度活动推进存在的问题或遇到的困难"),
                SubPoint("issues_direction", "（二）未来改进方向和拟采取的措施"),
                SubPoint("issues_suggestions", "（三）需要中国质协支持或对今后活动推进的建议"),
            ),
        ),
    ),
    source="seed 002, 附件2",
)

#: Seed 003 (沪质协[2022]8号), 附件5 “2022年开展质量管理小组活动成果推进工作总结”. The seed gives
#: only the annex's title, neither its sections nor a length: the sections below are the
#: portal's choice (工作开展情况 / 主要做法和成效 / 存在问题和下一步打算, one text each) and the
#: only length rule is that the summary may not be empty (``min_characters=1``).
PROMOTION = Outline(
    kind=WorkSummaryKind.PROMOTION,
    form=FormKind.SH_ANNEX5,
    annex="附件 5",
    title="{year}年开展质量管理小组活动成果推进工作总结",
    filler_label="推荐单位",
    requirement="要求：总结本单位本年度开展质量管理小组活动、推进成果申报与推荐的工作情况。",
    min_characters=1,
    sections=(
        Section("一、工作开展情况", (SubPoint("work_overview", "工作开展情况"),)),
        Section("二、主要做法和成效", (SubPoint("work_practice", "主要做法和成效"),)),
        Section("三、存在问题和下一步打算", (SubPoint("work_next", "存在问题和下一步打算"),)),
    ),
    source="seed 003, 附件5",
)

OUTLINES: dict[str, Outline] = {ANNUAL.kind: ANNUAL, PROMOTION.kind: PROMOTION}
OUTLINE_BY_FORM: dict[str, Outline] = {o.form: o for o in OUTLINES.values()}


def outline_for(kind: str) -> Outline:
    """The outline of work-summary ``kind``; ``ValidationError`` (Chinese) if unknown."""
    try:
        return OUTLINES[kind]
    except KeyError:
        raise ValidationError(_("未知的工作总结类型：%(kind)s") % {"kind": str(kind)[:40]}) from None


def count_characters(text: str) -> int:
    """The length of ``text`` as seed 002 附件2 counts it (“字数 3000 字以上”).

    Input: any string. Output: the number of characters that are not whitespace — every
    Chinese character, every letter and digit and every punctuation mark (Chinese or ASCII)
    counts one; spaces, tabs, line breaks and full-width spaces (U+3000) count nothing.
    Source: seed 002 附件2 sets the minimum in 字 without defining the unit; this is the
    count of Word's “字数（不计空格）” for Chinese text, the count a Chinese reviewer checks
    with, except that a run of Latin letters counts per letter, not per word (the stricter
    reading is never more lenient for Chinese prose). ``static/js/work-summary.js`` counts the
    same way (``/\\S/u`` per code point), so page and server agree.
    """
    return sum(1 for ch in text if not ch.isspace())


def summary_character_count(sections: dict[str, str], outline: Outline) -> int:
    """The count of :func:`count_characters` over the texts of every sub-point of
    ``outline`` (headings, which the portal prints, are not counted)."""
    return sum(count_characters(sections.get(key, "")) for key in outline.keys)


def strip_controls(text: str) -> str:
    """``text`` without the control characters :func:`clean_sections` refuses (for showing
    refused input back to the user)."""
    return _CONTROL.sub("", text)


def clean_sections(raw, outline: Outline) -> dict[str, str]:
    """Validate what a user typed for the sub-points of ``outline``.

    Input: a mapping ``{sub-point key: text}`` (a draft may leave keys out). Output: a dict
    with every key of the outline (missing ones empty), line breaks normalised to ``\\n`` and
    trailing whitespace removed. Raises ``ValidationError`` with one Chinese message per bad
    key: not a mapping, unknown sub-point, text that is not a string, a control character
    such as NUL, or more than :data:`MAX_POINT_CHARACTERS` characters.
    """
    if not isinstance(raw, dict):
        raise ValidationError({"sections": [_("工作总结内容格式不正确：应为各小节文字的对象。")]})
    errors: dict[str, list[str]] = {}
    headings = {p.key: p.heading for s in outline.sections for p in s.points}
    for key in raw:
        if key not in headings:
            errors.setdefault("sections", []).append(
                _("未知的小节：%(key)s") % {"key": str(key)[:40].translate({0: None})}
            )
    cleaned: dict[str, str] = {}
    for key, heading in headings.items():
        value = raw.get(key, "")
        if value is None:
            value = ""
        if not isinstance(value, str):
            errors.setdefault(key, []).append(_("“%(h)s”的内容必须是文字。") % {"h": heading})
            continue
        if _CONTROL.search(value):
            errors.setdefault(key, []).append(
                _("“%(h)s”含有不可见的控制字符（如空字符），请删除后再保存。") % {"h": heading}
            )
            continue
        if len(value) > MAX_POINT_CHARACTERS:
            errors.setdefault(key, []).append(
                _("“%(h)s”共%(n)s个字符，超过每小节%(max)s个字符的上限。")
                % {"h": heading, "n": len(value), "max": MAX_POINT_CHARACTERS}
            )
            continue
        cleaned[key] = value.replace("\r\n", "\n").replace("\r", "\n").rstrip()
    if errors:
        raise ValidationError(errors)
    return cleaned


def export_problem(sections: dict[str, str] | None, outline: Outline) -> str | None:
    """Why a summary cannot be exported yet, as a Chinese message, or ``None``.

    Inputs: the stored sections (``None`` when nothing has been written) and the outline.
    Seed 002 附件2: below ``min_characters`` (3,000) the message gives the count and the
    minimum; seed 003 附件5: an empty summary is refused.
    """
    label = outline_label(outline)
    if sections is None:
        return _("%(label)s尚未填写。") % {"label": label}
    count = summary_character_count(sections, outline)
    if count < outline.min_characters:
        if outline.min_characters <= 1:
            return _("%(label)s内容为空，请填写后再导出。") % {"label": label}
        return _("%(label)s当前为%(count)s字，少于要求的%(min)s字（字数%(min)s字以上），请补充后再导出。") % {
            "label": label,
            "count": count,
            "min": outline.min_characters,
        }
    return None


def outline_label(outline: Outline) -> str:
    """The form label of an outline, e.g. ``附件2 质量管理小组活动总结`` (for messages)."""
    return str(FormKind(outline.form).label)


__all__ = [
    "ANNUAL",
    "MAX_POINT_CHARACTERS",
    "OUTLINES",
    "PROMOTION",
    "Outline",
    "clean_sections",
    "count_characters",
    "export_problem",
    "outline_for",
    "summary_character_count",
]


#: Which text of the yearly evaluation (issue 11 item 6) fills which sub-point of Annex 2.
REVIEW_POINTS = {
    "basic_overall": "results",
    "issues_problems": "problems",
    "issues_direction": "directions",
}


def review_sections(*, organisation, year: int, kind: str, stored: dict) -> dict[str, str]:
    """The sub-points of an association's Annex 2 still empty in ``stored`` that its yearly
    evaluation of ``year`` fills (issue 11 item 6, rule R-IM-01: 取得的成效 → (一)整体情况,
    存在的问题 → 三(一), 改进方向 → 三(二)), so what the association wrote once is not typed
    again. Output: ``{sub-point key: text}`` (empty for another kind of summary or without an
    evaluation)."""
    from promotion.models import YearlyReview

    if kind != WorkSummaryKind.ANNUAL:
        return {}
    review = YearlyReview._base_manager.filter(organisation=organisation, year=year).first()
    if review is None:
        return {}
    return {
        key: getattr(review, field)
        for key, field in REVIEW_POINTS.items()
        if getattr(review, field) and not (stored.get(key) or "").strip()
    }
