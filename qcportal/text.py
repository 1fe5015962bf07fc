"""Text that users send: one normalisation for every input, and validation of free text.

The one mechanism (issue 9 item 3, rules R-SC-20 and R-SC-21):

- :func:`normalise_text` — Unicode NFC; invisible *format* characters removed (bidi
  embeddings, overrides and isolates U+202A–U+202E and U+2066–U+2069, LRM/RLM/ALM, zero-width
  space, word joiner, BOM, soft hyphen, tag characters: every character of category Cf except
  the zero-width joiner and non-joiner that emoji sequences and some scripts need); lone
  surrogates (which JSON can carry and UTF-8 cannot store) removed. Control characters are
  NOT removed from text that is stored: they are refused (below).
- It is applied once, where input enters: :class:`qcportal.middleware.InputNormalisationMiddleware`
  for query strings and HTML form bodies (and upload file names), the API's parsers
  (``qcportal.api.NormalisingJSONParser`` and friends) for API bodies, and :func:`clean_text`
  for text read from files (Excel imports) or passed to services directly.
- Control characters: C0 controls except tab, newline and carriage return, DEL and the C1
  controls. In text that is stored (form fields, API bodies, imported cells) they are refused
  with a Chinese message naming the field — on the page inline (``CleanInputMixin`` of every
  form), in the API a 400 ``{"detail", "errors"}`` (the parsers). In query parameters (search,
  filters, paging: never stored) they are dropped, so such a parameter filters as if typed
  without them; in a URL path segment the segment names nothing (404).
- Passwords are never normalised (they are compared as typed): keys containing ``password``.
"""

from __future__ import annotations

import re
import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# C0 control characters except tab, newline and carriage return, DEL, and the C1 controls.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
#: Format characters kept: zero-width non-joiner and joiner (emoji sequences, some scripts).
_KEPT_FORMAT = frozenset("\u200c\u200d")
#: The message for a control character in a stored text field (forms and API).
CONTROL_MESSAGE = gettext_lazy("含有不允许的控制字符。")


def has_control_characters(value: str) -> bool:
    """True when ``value`` holds a NUL or another control character (tab/newline/CR allowed)."""
    return bool(_CONTROL.search(value))


def strip_control_characters(value: str) -> str:
    """``value`` without its control characters (tab, newline and CR kept): for query
    parameters, which are never stored (R-SC-21)."""
    return _CONTROL.sub("", value)


def _removed(ch: str) -> bool:
    category = unicodedata.category(ch)
    return category == "Cs" or (category == "Cf" and ch not in _KEPT_FORMAT)


def has_invisible_characters(value: str) -> bool:
    """True when ``value`` holds a character :func:`normalise_text` removes (a format
    character such as a bidi override, or a lone surrogate)."""
    return not value.isascii() and any(_removed(ch) for ch in value)


def normalise_text(value: str) -> str:
    """``value`` in NFC without format characters and lone surrogates (see the module
    docstring; R-SC-20). Control characters are left for the caller to refuse or drop.

    Input: a string. Output: the normalised string (the same object when nothing changes, so
    ASCII input costs one check).
    """
    if value.isascii():
        return value
    if any(_removed(ch) for ch in value):
        value = "".join(ch for ch in value if not _removed(ch))
    return unicodedata.normalize("NFC", value)


def is_password_key(key) -> bool:
    """True for a field name whose value is a password (never normalised)."""
    return isinstance(key, str) and "password" in key.lower()


def normalise_data(data, *, controls: str = "keep"):
    """Apply :func:`normalise_text` to every string of a parsed body (dicts, lists, nested),
    keys included, except values under a password key.

    ``controls="keep"`` leaves control characters (the caller refuses them, see
    :func:`control_character_paths`); ``"strip"`` drops them (query parameters).
    Output: a new structure of the same shape; other values (numbers, booleans, ``None``,
    uploaded files) unchanged.
    """

    def text(value: str) -> str:
        value = normalise_text(value)
        return strip_control_characters(value) if controls == "strip" else value

    def walk(value):
        if isinstance(value, str):
            return text(value)
        if isinstance(value, dict):
            return {
                (text(k) if isinstance(k, str) else k): (v if is_password_key(k) else walk(v))
                for k, v in value.items()
            }
        if isinstance(value, list | tuple):
            return type(value)(walk(v) for v in value)
        return value

    return walk(data)


def normalise_querydict(data, *, strip: bool = False):
    """An immutable ``QueryDict`` copy of ``data`` (a ``QueryDict``) with keys and values
    normalised (password values as sent); control characters dropped when ``strip`` (query
    parameters). An empty ``data`` is returned as it is."""
    from django.http import QueryDict

    if not data:
        return data

    def text(value: str) -> str:
        value = normalise_text(value)
        return strip_control_characters(value) if strip else value

    result = QueryDict(mutable=True, encoding=getattr(data, "encoding", None))
    for key, values in data.lists():
        result.setlist(text(key), values if is_password_key(key) else [text(v) for v in values])
    result._mutable = False
    return result


def clean_file_name(name):
    """An upload's file name normalised and without control characters (``"file"`` if
    nothing is left); a non-string is returned as it is."""
    if not isinstance(name, str):
        return name
    return strip_control_characters(normalise_text(name)) or "file"


def control_character_paths(data, prefix: str = "") -> list[str]:
    """The paths (``"members.0.name"``) of the strings of a parsed body that hold control
    characters, password values excepted; ``[]`` when none. A key with one counts as its path."""
    found = []
    if isinstance(data, str):
        if has_control_characters(data):
            found.append(prefix or "non_field_errors")
    elif isinstance(data, dict):
        for key, value in data.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            if isinstance(key, str) and has_control_characters(key):
                found.append(strip_control_characters(path) or "non_field_errors")
            elif not is_password_key(key):
                found.extend(control_character_paths(value, path))
    elif isinstance(data, list | tuple):
        for index, value in enumerate(data):
            found.extend(control_character_paths(value, f"{prefix}.{index}" if prefix else str(index)))
    return found


def clean_text(value, *, field: str, max_length: int, label: str, multiline: bool = True) -> str:
    """The normalised, stripped text, or ``ValidationError({field: message})`` (Chinese).

    Inputs: the raw value (``None`` gives ``""``), the field name for the error, the
    maximum length in characters and the field's Chinese label. ``multiline=False`` also
    refuses line breaks. Output: the string after :func:`normalise_text` and ``strip()``.
    Refuses control characters (R-SC-21) and text longer than ``max_length``.
    """
    text = "" if value is None else normalise_text(str(value)).strip()
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
    """A form ``CharField`` that normalises its text (:func:`normalise_text`) and refuses NUL
    and control characters with a Chinese message."""

    def to_python(self, value):
        """Django's conversion, then :func:`normalise_text`."""
        value = super().to_python(value)
        return normalise_text(value) if isinstance(value, str) else value

    def validate(self, value):
        """Django's checks plus the control-character check."""
        super().validate(value)
        if value and has_control_characters(value):
            raise ValidationError(CONTROL_MESSAGE, code="control_characters")
