"""HTML forms of the expert pool (专家库) and of conflicts of interest (issue 8, items 1 and
3). The forms only shape input; :mod:`evaluation.pool` validates and writes."""

from django import forms
from django.utils.translation import gettext_lazy as _

from circles.choices import ProjectType
from qcportal.forms_base import CleanInputMixin, DateInput

from .choices import JudgeLevel, QualificationKind


class JudgeForm(CleanInputMixin, forms.Form):
    """A judge's fields (issue 8 item 1). ``employer`` is an organisation code of the
    association's subtree (searchable), ``login`` a username or e-mail (optional),
    ``domains`` names separated by ；."""

    name = forms.CharField(label=_("姓名"), max_length=50)
    certificate_number = forms.CharField(label=_("评委证书编号"), max_length=40)
    level = forms.ChoiceField(label=_("评委级别"), choices=JudgeLevel.choices, initial=JudgeLevel.JUDGE)
    work_unit = forms.CharField(label=_("工作单位"), max_length=200)
    employer = forms.CharField(
        label=_("工作单位（系统内组织代码）"),
        max_length=40,
        required=False,
        help_text=_("输入名称或代码搜索本协会范围内的企业、推荐单位；用于自动回避。"),
    )
    mobile = forms.CharField(label=_("手机"), max_length=20, required=False)
    email = forms.EmailField(label=_("电子邮箱"), max_length=254, required=False)
    domains = forms.CharField(
        label=_("专业领域"),
        max_length=1000,
        required=False,
        help_text=_("多个领域用“；”分隔，例如：制造类；服务类。"),
    )
    topic_types = forms.MultipleChoiceField(
        label=_("擅长课题类型"),
        choices=ProjectType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("不选表示全部类型。"),
    )
    login = forms.CharField(
        label=_("登录账户"),
        max_length=254,
        required=False,
        help_text=_(
            "已在本协会担任评委角色的用户名或电子邮箱；没有账户的专家可留空，由工作人员代录纸质评分表。"
        ),
    )
    notes = forms.CharField(label=_("备注"), max_length=200, required=False)
    is_active = forms.BooleanField(label=_("有效"), required=False, initial=True)

    def service_data(self) -> dict:
        """The cleaned data in the shape :func:`evaluation.pool.clean_judge_data` takes."""
        return dict(self.cleaned_data)


class QualificationForm(CleanInputMixin, forms.Form):
    """One qualification row (kind, title, number, expiry)."""

    kind = forms.ChoiceField(label=_("资格类别"), choices=QualificationKind.choices)
    title = forms.CharField(label=_("证书名称"), max_length=100, required=False)
    number = forms.CharField(label=_("证书编号"), max_length=40)
    expires_on = forms.DateField(label=_("有效期至"), required=False, widget=DateInput())


class JudgeImportForm(CleanInputMixin, forms.Form):
    """The import upload (xlsx, ≤ 5 MB; checked by :func:`evaluation.pool.import_read`)."""

    file = forms.FileField(label=_("Excel文件"))


class ConflictDeclareForm(CleanInputMixin, forms.Form):
    """A judge's declaration: one submission (id) or one organisation (code), with a reason."""

    submission = forms.IntegerField(
        required=False, widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1
    )
    party = forms.CharField(
        label=_("相关单位代码"),
        max_length=40,
        required=False,
        help_text=_("与您有利害关系的企业或推荐单位的代码（不针对单个成果时填写）。"),
    )
    reason = forms.CharField(label=_("回避原因"), max_length=200, widget=forms.Textarea(attrs={"rows": 3}))


class WaiverForm(CleanInputMixin, forms.Form):
    """Staff waive one (judge, submission) conflict with a reason."""

    judge = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)
    submission = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)
    reason = forms.CharField(label=_("豁免理由"), max_length=200)
