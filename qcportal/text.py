"""Validation of free text that users type: no NUL or control characters, bounded length.

Used by services for inputs that do not pass through a Django form field (comments of
workflow transitions, API fields) and by forms through :class:`CleanCharField`, so that
malformed text always becomes a Chinese validation message, never a database error.
"""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# C0 control characters except tab, newline and carriage return, and DEL.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def has_control_characters(value: str) -> bool:
    """True when ``value`` holds a NUL or another control character (tab/newline allowed)."""
    return bool(_CONTROL.search(value))


def clean_text(value, *, field: str, max_length: int, label: str, multiline: bool = True) -> str:
    """The stripped text, or ``ValidationError({field: message})`` (Chinese).

    Inputs: the raw value (``None`` gives ``""``), the field name for the error, the
    maximum length in characters and the field's Chinese label. ``multiline=False`` also
    refuses line breaks. Output: the stripped string.
    """
    text = "" if value is None else str(value).strip()
    if has_control_characters(text) or (not multiline and ("\n" in text or "\r" in text)):
        raise ValidationError({field: _("“%(label)s”含有不允许的控制字符。") % {"label": label}})
    if len(text) > max_length:
        raise ValidationError(
            {
                field: _("“%(label)s”不能超过%(max)s个字（现为%(n)s个字）。")
                % {"label": label, "max": max_length, "n": len(text)}
            }
        )
    return text


class CleanCharField(forms.CharField):
    """A form ``CharField`` that refuses NUL and control characters with a Chinese message."""

    def validate(self, value):
        """Django's checks plus the control-character check."""
        super().validate(value)
        if value and has_control_characters(value):
            raise ValidationError(_("含有不允许的控制字符。"), code="control_characters")
