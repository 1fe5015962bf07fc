"""FilterSets of the evaluation app (declared filters only: auto-generated ones would query
the scoped managers at import)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from qcportal.filters import IdFilter

from .choices import ScoreSheetStatus, SubmissionStatus
from .models import ScoreSheet, Submission


class SubmissionFilterSet(django_filters.FilterSet):
    """Filter submissions by campaign code, status and recommending association code."""

    campaign = django_filters.CharFilter(field_name="campaign__code", label=_("活动代码"))
    status = django_filters.ChoiceFilter(choices=SubmissionStatus.choices, label=_("状态"))
    association = django_filters.CharFilter(
        field_name="recommending_association__code", label=_("推荐省市、行业代码")
    )

    class Meta:
        model = Submission
        fields = ["campaign", "status", "association"]


class ScoreSheetFilterSet(django_filters.FilterSet):
    """Filter score sheets by submission id and status."""

    submission = IdFilter(field_name="submission_id", label=_("成果申报编号"))
    status = django_filters.ChoiceFilter(choices=ScoreSheetStatus.choices, label=_("状态"))

    class Meta:
        model = ScoreSheet
        fields = ["submission", "status"]
