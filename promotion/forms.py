"""HTML forms of the promotion app's campaigns: configuration, stage calendar, extension,
sign-up. Forms parse what the browser sends (dates, numbers, choices); the services in
``promotion/services.py`` hold the rules and give the Chinese messages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from qcportal.forms_base import BootstrapFormMixin, DateInput
from qcportal.text import CleanCharField

from . import selectors
from .choices import STAGE_ORDER, GradeScheme, StageKind
from .models import DEFAULT_DOMAINS, DEFAULT_SUBMISSION_QUOTA


class CampaignForm(BootstrapFormMixin, forms.Form):
    """A campaign's configuration (issue 7, item 1): the notice's data, domains (one per
    line, the five of seed 003 一、3 for a new campaign), parent campaign, grade scheme,
    quotas (seed 003 三、2), co-building units and the fallback unit (seed 003 二、3(2))."""

    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    code = CleanCharField(
        label=_("活动代码"), max_length=40, help_text=_("如 SAQ-2022，用于网址，保存后尽量不要修改。")
    )
    title = CleanCharField(label=_("活动名称"), max_length=200)
    document_number = CleanCharField(label=_("文号"), max_length=60, required=False)
    theme = CleanCharField(label=_("活动主题"), max_length=200, required=False)
    period_start = forms.DateField(label=_("统计期起"), widget=DateInput())
    period_end = forms.DateField(label=_("统计期止"), widget=DateInput())
    deadline = forms.DateField(label=_("材料报送截止日期"), required=False, widget=DateInput())
    domains = CleanCharField(
        label=_("领域"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=1100,
        help_text=_("每行一个领域。"),
    )
    parent = forms.ModelChoiceField(label=_("上级活动"), queryset=None, required=False)
    grade_scheme = forms.ChoiceField(label=_("成果分级"), choices=GradeScheme.choices)
    submission_quota = forms.IntegerField(
        label=_("每个参与单位申报名额"),
        min_value=1,
        max_value=1000,
        initial=DEFAULT_SUBMISSION_QUOTA,
        help_text=_("沪质协[2022]8号 三、2：各活动参与单位活动成果申报数量不超过2个。"),
    )
    recommendation_quota = forms.IntegerField(
        label=_("下级协会推荐名额"),
        min_value=0,
        max_value=1000,
        required=False,
        help_text=_("作为上级活动时，每个下级协会可推荐的成果数；留空为不限。"),
    )
    co_building_units = forms.ModelMultipleChoiceField(
        label=_("共建推荐单位"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("其推荐成果名额不受限制（沪质协[2022]8号 三、2）。"),
    )
    fallback_unit = forms.ModelChoiceField(
        label=_("兜底推荐单位"),
        queryset=None,
        required=False,
        help_text=_(
            "确无有关单位推荐的会员单位可选择的推荐单位，如“其他-市质协会员现场部”（沪质协[2022]8号 二、3(2)）。"
        ),
    )

    def __init__(self, *args, association, campaign=None, **kwargs):
        super().__init__(*args, **kwargs)
        parents = selectors.parent_campaign_choices(association=association)
        if campaign is not None:
            parents = parents.exclude(pk=campaign.pk)
        self.fields["parent"].queryset = parents
        units = selectors.unit_choices(association=association)
        self.fields["co_building_units"].queryset = units
        self.fields["fallback_unit"].queryset = units
        if campaign is None and not self.is_bound:
            self.initial.setdefault("domains", "\n".join(DEFAULT_DOMAINS))
            self.initial.setdefault("grade_scheme", GradeScheme.BENCHMARK_EXCELLENT)

    @staticmethod
    def initial_for(campaign) -> dict:
        """The form's initial values for an existing campaign."""
        return {
            "year": campaign.year,
            "code": campaign.code,
            "title": campaign.title,
            "document_number": campaign.document_number,
            "theme": campaign.theme,
            "period_start": campaign.period_start,
            "period_end": campaign.period_end,
            "deadline": campaign.deadline,
            "domains": "\n".join(d.name for d in campaign.domains.all()),
            "parent": campaign.parent_id,
            "grade_scheme": campaign.grade_scheme,
            "submission_quota": campaign.submission_quota,
            "recommendation_quota": campaign.recommendation_quota,
            "co_building_units": [u.pk for u in campaign.co_building_units.all()],
            "fallback_unit": campaign.fallback_unit_id,
        }

    def service_data(self) -> dict:
        """The cleaned data in the shape :func:`promotion.services.campaign_create` takes."""
        data = dict(self.cleaned_data)
        data["domains"] = data["domains"].splitlines()
        data["co_building_units"] = list(data["co_building_units"])
        return data


class StageCalendarForm(BootstrapFormMixin, forms.Form):
    """The stage calendar editor: the seven stages of seed 003 二、活动安排 (活动报名 …
    活动推广), each with start and end dates (Asia/Shanghai) and the responsible unit; a stage
    whose dates are both left empty is not in the calendar."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for kind in STAGE_ORDER:
            label = StageKind(kind).label
            self.fields[f"{kind}_starts_on"] = forms.DateField(
                label=_("%(stage)s 开始日期") % {"stage": label}, required=False, widget=DateInput()
            )
            self.fields[f"{kind}_ends_on"] = forms.DateField(
                label=_("%(stage)s 结束日期") % {"stage": label}, required=False, widget=DateInput()
            )
            self.fields[f"{kind}_responsible"] = CleanCharField(
                label=_("%(stage)s 责任单位") % {"stage": label}, max_length=100, required=False
            )

    def rows(self):
        """``[(label, starts_on field, ends_on field, responsible field)]`` in seed 003 order."""
        return [
            (StageKind(k).label, self[f"{k}_starts_on"], self[f"{k}_ends_on"], self[f"{k}_responsible"])
            for k in STAGE_ORDER
        ]

    @staticmethod
    def initial_for(campaign) -> dict:
        """Initial values from the campaign's current calendar."""
        initial = {}
        for stage in campaign.stages.all():
            initial[f"{stage.kind}_starts_on"] = stage.starts_on
            initial[f"{stage.kind}_ends_on"] = stage.ends_on
            initial[f"{stage.kind}_responsible"] = stage.responsible
        return initial

    def stages(self) -> list[dict]:
        """The filled stages as the list :func:`promotion.services.campaign_stages_save` takes;
        a stage with only one of its dates is passed on, so the service names the missing one."""
        result = []
        for kind in STAGE_ORDER:
            start = self.cleaned_data.get(f"{kind}_starts_on")
            end = self.cleaned_data.get(f"{kind}_ends_on")
            if start or end:
                result.append(
                    {
                        "kind": kind,
                        "starts_on": start,
                        "ends_on": end,
                        "responsible": self.cleaned_data.get(f"{kind}_responsible", ""),
                    }
                )
        return result


class ExtensionForm(BootstrapFormMixin, forms.Form):
    """An extension (延期) of one stage for one organisation until a date, with a reason."""

    organisation = forms.ModelChoiceField(label=_("单位"), queryset=None)
    stage = forms.ChoiceField(label=_("阶段"), choices=StageKind.choices)
    until = forms.DateField(label=_("延期至"), widget=DateInput())
    reason = CleanCharField(label=_("延期原因"), max_length=200)

    def __init__(self, *args, association, **kwargs):
        super().__init__(*args, prefix="ext", **kwargs)
        self.fields["organisation"].queryset = selectors.extension_organisation_choices(
            association=association
        )


class EntryForm(BootstrapFormMixin, forms.Form):
    """The sign-up form (报名表, seed 003 附件2): recommending unit, the enterprise's name as
    on its seal (seed 002 Annex 1 note 2), contact person, mobile, e-mail, address, postcode."""

    recommending_unit = forms.ChoiceField(label=_("推荐单位"), required=False)
    seal_name = CleanCharField(
        label=_("企业名称（以公章为准）"),
        max_length=200,
        help_text=_(
            "证书制作的依据：须用全称，不要挂上级部门，以公章为准（中国质协字〔2020〕21号 附件1 注2）。"
        ),
    )
    contact_person = CleanCharField(label=_("联系人"), max_length=50)
    contact_mobile = CleanCharField(label=_("手机"), max_length=20)
    contact_email = CleanCharField(label=_("邮箱"), max_length=254, required=False)
    address = CleanCharField(label=_("详细通信地址"), max_length=200, required=False)
    postcode = CleanCharField(label=_("邮编"), max_length=6, required=False)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recommending_unit"].choices = [(u.pk, u.name) for u in units]
