"""FilterSets of the reports app, shared by the API and the HTML lists."""

import django_filters
from django.utils.translation import gettext_lazy as _

from .choices import FileFormat, FormKind, RunStatus
from .models import ReportRun


class ReportRunFilterSet(django_filters.FilterSet):
    """Filter report runs by campaign code, form, format, status and organisation code."""

    campaign = django_filters.CharFilter(field_name="campaign__code", label=_("活动代码"))
    organisation = django_filters.CharFilter(field_name="organisation__code", label=_("填报单位代码"))
    form = django_filters.ChoiceFilter(choices=FormKind.choices, label=_("报表"))
    file_format = django_filters.ChoiceFilter(choices=FileFormat.choices, label=_("格式"))
    status = django_filters.ChoiceFilter(choices=RunStatus.choices, label=_("状态"))

    class Meta:
        model = ReportRun
        fields = ["campaign", "organisation", "form", "file_format", "status"]
