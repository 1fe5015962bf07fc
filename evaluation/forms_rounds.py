"""Forms of the round and assignment pages (issue 8, items 2 and 4). Fields are typed here;
the rules (ranges, sheet per kind, weights, entry) are checked by ``evaluation.rounds`` and
``evaluation.assignment``, whose Chinese errors are attached to the fields."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from promotion.models import CampaignDomain
from qcportal.forms_base import CleanInputMixin, DateInput

from .choices import GradeMethod, PresentationMode, RoundEntry, RoundKind
from .models import GradeLevel, Judge, Judging, SheetTemplate


class JudgingSettingsForm(CleanInputMixin, forms.Form):
    """Aggregation settings of a judging (issue 8, item 6)."""

    trim_min_judges = forms.IntegerField(label=_("去掉最高最低分所需的最少评委数"), min_value=3, max_value=15)
    score_places = forms.IntegerField(label=_("分数保留小数位数"), min_value=0, max_value=3)
    grade_method = forms.ChoiceField(label=_("定级方式"), choices=GradeMethod.choices)


class RoundForm(CleanInputMixin, forms.Form):
    """A round's configuration (issue 8, item 2)."""

    name = forms.CharField(label=_("名称"), max_length=60)
    kind = forms.ChoiceField(label=_("评审方式"), choices=RoundKind.choices)
    template = forms.ModelChoiceField(
        label=_("评分表"), queryset=SheetTemplate.objects.none(), required=False
    )
    innovation_template = forms.ModelChoiceField(
        label=_("创新型课题评分表（成果评审）"), queryset=SheetTemplate.objects.none(), required=False
    )
    presentation_mode = forms.ChoiceField(
        label=_("发表方式（发表评审）"), choices=[("", "—"), *PresentationMode.choices], required=False
    )
    video_minutes = forms.IntegerField(
        label=_("视频时长上限（分钟）"), required=False, min_value=1, max_value=60
    )
    starts_on = forms.DateField(label=_("开始日期"), widget=DateInput())
    ends_on = forms.DateField(label=_("结束日期"), widget=DateInput())
    judges_per_submission = forms.IntegerField(
        label=_("每项成果评委数"), min_value=1, max_value=15, initial=5
    )
    judge_cap = forms.IntegerField(label=_("每位评委最多评审成果数（空为不限）"), required=False, min_value=1)
    weight = forms.DecimalField(
        label=_("权重（%）"), min_value=0, max_value=100, decimal_places=2, initial=100
    )
    entry = forms.ChoiceField(label=_("参评范围"), choices=RoundEntry.choices)
    entry_score = forms.DecimalField(
        label=_("分数线"), required=False, min_value=0, max_value=100, decimal_places=2
    )
    entry_grade = forms.ModelChoiceField(
        label=_("推荐等级线"), queryset=GradeLevel.objects.none(), required=False
    )
    blind = forms.BooleanField(label=_("盲评（评委看不到企业、小组和成员名称）"), required=False)

    def __init__(self, *args, judging: Judging, **kwargs):
        super().__init__(*args, **kwargs)
        templates = SheetTemplate.objects.filter(
            Q(organisation__isnull=True) | Q(organisation_id=judging.organisation_id), is_active=True
        ).order_by("kind", "name", "version")
        self.fields["template"].queryset = templates
        self.fields["innovation_template"].queryset = templates.filter(kind="innovation_result")
        self.fields["entry_grade"].queryset = GradeLevel.objects.filter(judging=judging).order_by("position")


class PanelForm(CleanInputMixin, forms.Form):
    """A panel: name, domain, chair and judges (issue 8, item 4)."""

    name = forms.CharField(label=_("名称"), max_length=60)
    domain = forms.ModelChoiceField(label=_("领域"), queryset=CampaignDomain.objects.none(), required=False)
    chair = forms.ModelChoiceField(label=_("评审组长"), queryset=Judge.objects.none(), required=False)
    judges = forms.ModelMultipleChoiceField(
        label=_("评委"), queryset=Judge.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, judging: Judging, **kwargs):
        super().__init__(*args, **kwargs)
        pool = Judge.objects.filter(organisation_id=judging.organisation_id, is_active=True).order_by("name")
        self.fields["domain"].queryset = CampaignDomain.objects.filter(campaign_id=judging.campaign_id)
        self.fields["chair"].queryset = pool
        self.fields["judges"].queryset = pool


class JudgeChoiceForm(CleanInputMixin, forms.Form):
    """One judge of the association's pool (swap, add)."""

    judge = forms.ModelChoiceField(label=_("评委"), queryset=Judge.objects.none())
    submission = forms.IntegerField(label=_("成果"), required=False, min_value=1)

    def __init__(self, *args, organisation_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["judge"].queryset = Judge.objects.filter(organisation_id=organisation_id, is_active=True)
