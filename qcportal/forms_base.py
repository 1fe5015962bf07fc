"""Form helpers shared by the apps: the input checks every form has, Bootstrap classes on
widgets, so forms render with ``{{ field }}`` in ``templates/includes/field.html`` and inline
errors."""

from __future__ import annotations

from django import forms

from .text import CONTROL_MESSAGE, has_control_characters, is_password_key


class CleanInputMixin:
    """The input check of every form of the project (R-SC-21): a field whose submitted value
    holds NUL or another control character gets the inline Chinese error
    “含有不允许的控制字符。”, whatever its type (text, choice, date, number), instead of a
    database error. The text was already normalised where it entered
    (``qcportal.middleware.InputNormalisationMiddleware``). Put it first in the bases;
    ``tests/security/test_bad_input.py::test_every_form_refuses_control_characters`` checks
    that every form has it."""

    def full_clean(self):
        """Django's cleaning, then the control-character check of every submitted value."""
        super().full_clean()
        if not self.is_bound:
            return
        for name, field in self.fields.items():
            if is_password_key(name) or name in self.errors:
                continue
            raw = field.widget.value_from_datadict(self.data, self.files, self.add_prefix(name))
            values = raw if isinstance(raw, list | tuple) else [raw]
            if any(isinstance(v, str) and has_control_characters(v) for v in values):
                self.add_error(name, str(CONTROL_MESSAGE))


class BootstrapFormMixin(CleanInputMixin):
    """Adds Bootstrap 5 classes to every widget (``is-invalid`` on fields with errors), with
    the input checks of :class:`CleanInputMixin`."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect | forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def full_clean(self):
        """The input checks, then ``is-invalid`` classes on the fields with errors."""
        super().full_clean()
        if not self.is_bound:
            return
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()


class MultipleFileInput(forms.ClearableFileInput):
    """A file input that accepts several files at once."""

    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """A form field holding a list of uploaded files (each checked by the service)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        """A list of files (possibly empty)."""
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class DateInput(forms.DateInput):
    """An HTML5 date picker (ISO dates)."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")
