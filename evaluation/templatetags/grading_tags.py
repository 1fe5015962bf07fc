"""Template tags of grading: an enterprise's published results (issue 8 item 7: published
results feed each enterprise's page)."""

from django import template

from ..grading import published_results
from ..models import Result

register = template.Library()

#: At most this many results on the enterprise's page (newest campaigns first).
ENTERPRISE_RESULTS_SHOWN = 20


@register.inclusion_tag("evaluation/grading/_enterprise_results.html")
def enterprise_results(organisation):
    """The published results of ``organisation`` (an enterprise) visible in the active scope:
    campaign, result, score, grade, rank; at most 20, one query."""
    rows = []
    if organisation is not None and organisation.kind == "enterprise":
        rows = list(
            published_results(scope_results=Result.objects.filter(organisation=organisation))[
                :ENTERPRISE_RESULTS_SHOWN
            ]
        )
    return {"results": rows, "organisation": organisation}
