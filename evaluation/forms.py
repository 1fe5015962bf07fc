"""HTML forms of the evaluation app."""

from django import forms
from django.utils.translation import gettext_lazy as _

from circles.models import ActivityRecord, Project
from promotion.models import Campaign, CampaignDomain
from qcportal.forms_base import BootstrapFormMixin, CleanInputMixin

from .models import ASSESSMENT_MAX_CHARS, Judge


class RecusalForm(CleanInputMixin, forms.Form):
    """A judge's declaration of a conflict of interest."""

    reason = forms.CharField(label=_("回避原因"), max_length=200, widget=forms.Textarea(attrs={"rows": 2}))


class AssignForm(CleanInputMixin, forms.Form):
    """Assign a judge of the association (scoped choices) to a submission."""

    judge = forms.ModelChoiceField(label=_("评委"), queryset=Judge._base_manager.none())
    is_panel_chair = forms.BooleanField(label=_("担任评审组长"), required=False)

    def __init__(self, *args, judges, **kwargs):
        """``judges``: the association's judges, a queryset evaluated in the request's scope."""
        super().__init__(*args, **kwargs)
        self.fields["judge"].queryset = judges


class ResultReportForm(CleanInputMixin, forms.Form):
    """Upload of the result report (PDF or Word, ≤ 20 MB)."""

    result_report = forms.FileField(label=_("成果报告（PDF或Word，不超过20MB）"))


ASSESSMENT_HELP = _("优势/不足之处，限%(n)s字") % {"n": ASSESSMENT_MAX_CHARS}


class SubmissionCreateForm(BootstrapFormMixin, forms.Form):
    """成果申报, step 1: the campaign (open, signed up) and the accepted project to enter."""

    campaign = forms.ModelChoiceField(label=_("年度活动"), queryset=Campaign._base_manager.none())
    project = forms.ModelChoiceField(label=_("课题（已验收）"), queryset=Project._base_manager.none())

    def __init__(self, *args, campaigns, projects, **kwargs):
        """``campaigns``/``projects``: querysets evaluated in the request's scope."""
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = campaigns
        self.fields["project"].queryset = projects
        self.fields["project"].label_from_instance = lambda p: f"{p.title}（{p.circle.name}）"


class SubmissionEditForm(BootstrapFormMixin, forms.Form):
    """The Annex 1 data of a submission (seed 002 附件1), its domain and its evidence."""

    domain = forms.ModelChoiceField(
        label=_("领域"), queryset=CampaignDomain._base_manager.none(), required=False
    )
    seal_name = forms.CharField(
        label=_("企业名称（以公章为准）"),
        max_length=200,
        help_text=_("制作证书的依据，须用全称，不要挂上级部门（附件1 注2）。"),
    )
    address = forms.CharField(label=_("详细通信地址"), max_length=200, required=False)
    postcode = forms.CharField(label=_("邮编"), max_length=6, required=False)
    contact_department = forms.CharField(label=_("小组联系部门"), max_length=100, required=False)
    contact_person = forms.CharField(label=_("直接联系人"), max_length=50, required=False)
    contact_mobile = forms.CharField(label=_("手机"), max_length=20, required=False)
    introduction = forms.CharField(
        label=_("QC小组简介和主要活动过程及效果"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    benchmark_candidate = forms.BooleanField(label=_("申报标杆级成果遴选（须递交发表视频）"), required=False)
    evidence = forms.ModelMultipleChoiceField(
        label=_("活动记录（证实性材料）"),
        queryset=ActivityRecord._base_manager.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, domains, records, **kwargs):
        """``domains``: the campaign's domains; ``records``: the project's activity records."""
        super().__init__(*args, **kwargs)
        self.fields["domain"].queryset = domains
        self.fields["evidence"].queryset = records
        self.fields["evidence"].label_from_instance = lambda r: (
            f"{r.held_on} · {r.get_step_display()} · {r.content[:30]}"
        )


class RecommendationFormUploadForm(CleanInputMixin, forms.Form):
    """The unit's sealed recommendation form (PDF, JPEG or PNG, ≤ 20 MB)."""

    recommendation_form = forms.FileField(label=_("加盖公章的推荐表（PDF或图片，不超过20MB）"))


class VideoUploadForm(CleanInputMixin, forms.Form):
    """A benchmark candidate's presentation video (MP4, MOV or AVI, ≤ 500 MB)."""

    presentation_video = forms.FileField(label=_("发表视频（MP4/MOV/AVI，不超过500MB）"))
