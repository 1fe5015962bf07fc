"""HTML forms of score sheets, sheet templates and the panel page (issue 8, item 5)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from qcportal.forms_base import BootstrapFormMixin, CleanInputMixin
from qcportal.text import CleanCharField

from .models import ASSESSMENT_MAX_CHARS
from .sheets import COMMENT_MAX_CHARS


class TemplateDeriveForm(BootstrapFormMixin, forms.Form):
    """Derive a variant of a sheet template: its name and version."""

    name = CleanCharField(label=_("名称"), max_length=100)
    version = CleanCharField(label=_("版本"), max_length=40, help_text=_("例如：2025版。"))


class PanelCommentForm(BootstrapFormMixin, forms.Form):
    """A remark in the panel's discussion (≤1000 characters)."""

    text = CleanCharField(
        label=_("讨论内容"), max_length=COMMENT_MAX_CHARS, widget=forms.Textarea(attrs={"rows": 2})
    )


class PanelAssessmentForm(CleanInputMixin, forms.Form):
    """The panel's assessment of one submission (≤300 characters, seed 002 Annex 5)."""

    submission = forms.IntegerField(min_value=1, max_value=2**31 - 1)
    text = CleanCharField(
        label=_("评审组意见（优势/不足之处，限300字）"),
        max_length=ASSESSMENT_MAX_CHARS,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
