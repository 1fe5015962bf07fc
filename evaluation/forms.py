"""HTML forms of the evaluation app."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ASSESSMENT_MAX_CHARS, Judge


class RecusalForm(forms.Form):
    """A judge's declaration of a conflict of interest."""

    reason = forms.CharField(label=_("回避原因"), max_length=200, widget=forms.Textarea(attrs={"rows": 2}))


class AssignForm(forms.Form):
    """Assign a judge of the association (scoped choices) to a submission."""

    judge = forms.ModelChoiceField(label=_("评委"), queryset=Judge._base_manager.none())
    is_panel_chair = forms.BooleanField(label=_("担任评审组长"), required=False)

    def __init__(self, *args, judges, **kwargs):
        """``judges``: the association's judges, a queryset evaluated in the request's scope."""
        super().__init__(*args, **kwargs)
        self.fields["judge"].queryset = judges


class ResultReportForm(forms.Form):
    """Upload of the result report (PDF or Word, ≤ 20 MB)."""

    result_report = forms.FileField(label=_("成果报告（PDF或Word，不超过20MB）"))


ASSESSMENT_HELP = _("优势/不足之处，限%(n)s字") % {"n": ASSESSMENT_MAX_CHARS}
