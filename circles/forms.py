"""HTML forms of the circles app. They shape and type-check the input; the services hold
the rules (and re-check everything), so the page and the API refuse the same things."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qcportal.forms_base import BootstrapFormMixin, DateInput, MultipleFileField

from .choices import STATISTICAL_TOOLS, STEP_DATA, MemberRole, ProcedureStep, ProjectType, TargetKind


def _year_choices():
    year = timezone.localdate().year
    return [(y, str(y)) for y in (year, year + 1, year - 1)]


class CircleForm(BootstrapFormMixin, forms.Form):
    """A circle's name, department and registration year (DB43 §7.3)."""

    name = forms.CharField(label=_("QC小组名称"), max_length=100)
    department = forms.CharField(label=_("部门"), max_length=100, required=False)
    registration_year = forms.TypedChoiceField(label=_("注册年度"), choices=_year_choices, coerce=int)


class CircleEditForm(BootstrapFormMixin, forms.Form):
    """A circle's name and department (the year belongs to the registration)."""

    name = forms.CharField(label=_("QC小组名称"), max_length=100)
    department = forms.CharField(label=_("部门"), max_length=100, required=False)


class MemberForm(BootstrapFormMixin, forms.Form):
    """One member row: name, role, position, and optionally the login to link."""

    name = forms.CharField(label=_("姓名"), max_length=50, required=False)
    role = forms.ChoiceField(label=_("小组职务"), choices=MemberRole.choices, initial=MemberRole.MEMBER)
    position = forms.CharField(label=_("岗位/职务"), max_length=50, required=False)
    username = forms.CharField(label=_("登录账户（选填）"), max_length=150, required=False)


MemberFormSet = forms.formset_factory(MemberForm, extra=0, max_num=50, absolute_max=60)


def member_rows(formset) -> list[dict]:
    """The non-empty rows of a valid member formset, as service input."""
    return [
        {k: row.get(k, "") for k in ("name", "role", "position", "username")}
        for row in formset.cleaned_data
        if row and row.get("name")
    ]


class ProjectForm(BootstrapFormMixin, forms.Form):
    """A project application (立项申请, DB43 §7.3): title, type and target kind, reasons,
    indicator with baseline and target, planned dates."""

    title = forms.CharField(label=_("课题名称"), max_length=200)
    project_type = forms.ChoiceField(label=_("课题类型"), choices=ProjectType.choices)
    target_kind = forms.ChoiceField(
        label=_("目标类型（问题解决型）"), choices=[("", "—"), *TargetKind.choices], required=False
    )
    reasons = forms.CharField(label=_("选题理由"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))
    indicator = forms.CharField(
        label=_("课题指标"), max_length=100, required=False, help_text=_("如：砂眼不良率")
    )
    unit = forms.CharField(label=_("单位"), max_length=20, required=False, help_text=_("如：%、件、小时"))
    baseline_value = forms.CharField(label=_("现状值"), max_length=100, required=False)
    target_value = forms.CharField(label=_("目标值"), max_length=100, required=False)
    planned_start = forms.DateField(label=_("计划开始日期"), required=False, widget=DateInput())
    planned_end = forms.DateField(label=_("计划完成日期"), required=False, widget=DateInput())


class RecordForm(BootstrapFormMixin, forms.Form):
    """An activity record of one procedure step (DB43 §7.4.1): only the steps of the
    project's procedure are offered; data before/after only where the step has them."""

    step = forms.ChoiceField(label=_("活动步骤"))
    held_on = forms.DateField(label=_("活动日期"), widget=DateInput())
    participants = forms.MultipleChoiceField(
        label=_("参加人员"), required=False, widget=forms.CheckboxSelectMultiple
    )
    content = forms.CharField(label=_("活动内容"), max_length=5000, widget=forms.Textarea(attrs={"rows": 5}))
    tools = forms.MultipleChoiceField(
        label=_("使用的统计方法"),
        required=False,
        choices=[(t, t) for t in STATISTICAL_TOOLS],
        widget=forms.CheckboxSelectMultiple,
    )
    data_before = forms.CharField(label=_("改进前数据"), max_length=200, required=False)
    data_after = forms.CharField(label=_("改进后数据"), max_length=200, required=False)
    attachments = MultipleFileField(
        label=_("附件"),
        required=False,
        help_text=_("PDF、Word、Excel或图片，每个不超过10MB，每条记录最多10个。"),
    )

    def __init__(self, *args, project, with_attachments: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(ProcedureStep.choices)
        self.fields["step"].choices = [(s, labels[s]) for s in project.steps]
        self.fields["participants"].choices = [
            (str(m.pk), f"{m.name}（{m.get_role_display()}）")
            for m in project.circle.members.order_by("position_order", "id")
        ]
        self.step_data = {step: list(kinds) for step, kinds in STEP_DATA.items()}
        if not with_attachments:
            del self.fields["attachments"]


class CommentForm(BootstrapFormMixin, forms.Form):
    """A process-check comment (过程检查, DB43 §7.4.2)."""

    text = forms.CharField(label=_("检查意见"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


class AttachmentForm(BootstrapFormMixin, forms.Form):
    """Files to attach to a record."""

    attachments = MultipleFileField(label=_("附件"))


class ImportForm(BootstrapFormMixin, forms.Form):
    """The filled import template (.xlsx)."""

    file = forms.FileField(label=_("导入文件（.xlsx）"))
