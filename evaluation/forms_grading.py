"""Forms of the grading pages (issue 8 item 7): a grade preset, one grade level with its
places per domain, and the judging's aggregation settings."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from qcportal.forms_base import CleanInputMixin

from .choices import GradeMethod
from .grading import GRADE_PRESETS


class PresetForm(CleanInputMixin, forms.Form):
    """Replace the grade levels by a preset (standard.md §5)."""

    preset = forms.ChoiceField(
        label=_("等级方案"),
        choices=[(key, label) for key, (label, _levels) in GRADE_PRESETS.items()],
        error_messages={"required": _("请选择等级方案。"), "invalid_choice": _("请选择有效的等级方案。")},
    )


class GradeLevelForm(CleanInputMixin, forms.Form):
    """One grade level: name, order (1 = highest), lowest score of its band, overall places,
    and one places field per domain of the campaign (``domain_<id>``, empty = none)."""

    name = forms.CharField(label=_("等级"), max_length=40, error_messages={"required": _("请填写等级名称。")})
    position = forms.IntegerField(
        label=_("顺序"),
        min_value=1,
        max_value=20,
        error_messages={"invalid": _("顺序须为正整数。"), "required": _("请填写顺序。")},
    )
    min_score = forms.DecimalField(
        label=_("最低分数"),
        required=False,
        min_value=0,
        max_value=100,
        max_digits=5,
        decimal_places=2,
        error_messages={"invalid": _("请输入0到100之间的分数。")},
    )
    places = forms.IntegerField(
        label=_("总名额"),
        required=False,
        min_value=0,
        max_value=100000,
        error_messages={"invalid": _("名额须为整数。")},
    )

    def __init__(self, *args, domains=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.domains = list(domains)
        for domain in self.domains:
            self.fields[f"domain_{domain.pk}"] = forms.IntegerField(
                label=_("%(domain)s名额") % {"domain": domain.name},
                required=False,
                min_value=0,
                max_value=100000,
                error_messages={"invalid": _("名额须为整数。")},
            )

    def domain_places(self) -> dict[int, int | None]:
        """``{domain id: places or None}`` from the cleaned data."""
        return {d.pk: self.cleaned_data.get(f"domain_{d.pk}") for d in self.domains}


class SettingsForm(CleanInputMixin, forms.Form):
    """Aggregation settings of the judging (issue 8 item 6; standard.md §4)."""

    trim_min_judges = forms.IntegerField(
        label=_("去掉最高最低分所需的最少评委数"),
        min_value=3,
        max_value=15,
        error_messages={"min_value": _("至少为3。"), "invalid": _("请输入整数。")},
    )
    score_places = forms.IntegerField(
        label=_("分数保留小数位数"),
        min_value=0,
        max_value=3,
        error_messages={"invalid": _("请输入0到3之间的整数。")},
    )
    grade_method = forms.ChoiceField(label=_("定级方式"), choices=GradeMethod.choices)
