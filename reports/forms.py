"""HTML forms of the reports app."""

from django import forms
from django.utils.translation import gettext_lazy as _

from evaluation.models import Submission
from qcportal.choices import ASSOCIATION_KINDS
from qcportal.forms_base import CleanInputMixin
from qcportal.models import Organisation
from qcportal.tenancy import visible_organisations

from .choices import FileFormat, FormKind


class ReportRunStartForm(CleanInputMixin, forms.Form):
    """Choose form, format, the reporting association and (Annex 1) optionally one submission.

    The association choices are the associations in the acting organisation's share; the
    submission number is looked up inside the tenant scope, so a foreign one is "not found".
    """

    form = forms.ChoiceField(
        label=_("报表"),
        # The package has its own page (checklist first): reports/national_package.html; the
        # certificates theirs (evaluation/certificate_list.html).
        choices=[
            (value, label)
            for value, label in FormKind.choices
            if value not in (FormKind.PACKAGE, FormKind.CERTIFICATES)
        ],
        initial=FormKind.ANNEX3,
    )
    file_format = forms.ChoiceField(
        label=_("格式"),
        choices=[(value, label) for value, label in FileFormat.choices if value != FileFormat.ZIP],
        initial=FileFormat.XLSX,
        widget=forms.RadioSelect,
    )
    organisation = forms.ModelChoiceField(
        label=_("填报协会"), queryset=Organisation.objects.none(), to_field_name="code", empty_label=None
    )
    submission = forms.IntegerField(
        label=_("成果申报编号（仅附件1，可选）"),
        required=False,
        min_value=1,
        help_text=_("留空则为该协会推荐的全部成果批量生成申报表。"),
    )

    def __init__(self, *args, acting: Organisation, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        self.fields["organisation"].queryset = Organisation.objects.filter(
            kind__in=ASSOCIATION_KINDS, pk__in=visible_organisations(acting)
        ).order_by("depth", "code")
        self.fields["organisation"].initial = acting.code

    def clean_submission(self):
        """Resolve the submission number within the scope and the campaign."""
        number = self.cleaned_data.get("submission")
        if number is None:
            return None
        submission = Submission.objects.filter(pk=number, campaign=self.campaign).first()
        if submission is None:
            raise forms.ValidationError(_("在本活动中找不到编号为 %(n)s 的成果申报。"), params={"n": number})
        return submission
