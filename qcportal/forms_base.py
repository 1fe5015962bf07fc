"""Form helpers shared by the apps: Bootstrap classes on widgets, and text fields that
refuse control characters (Chinese messages), so forms render with ``{{ field }}`` in
``templates/includes/field.html`` and inline errors."""

from __future__ import annotations

from django import forms

from .text import has_control_characters


class BootstrapFormMixin:
    """Adds Bootstrap 5 classes to every widget (``is-invalid`` on fields with errors) and
    refuses NUL/control characters in every text input with a Chinese message."""

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
        """Django's cleaning, then control-character checks and ``is-invalid`` classes."""
        super().full_clean()
        if not self.is_bound:
            return
        from django.utils.translation import gettext as _

        for name in self.fields:
            raw = self.data.get(self.add_prefix(name)) if hasattr(self.data, "get") else None
            if isinstance(raw, str) and has_control_characters(raw) and name not in self.errors:
                self.add_error(name, _("含有不允许的控制字符。"))
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
