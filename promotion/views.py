"""HTML views of the promotion app: campaigns."""

from django.http import Http404
from django.views.generic import DetailView, ListView

from qcportal.permissions import MembershipRequiredMixin

from .models import Campaign
from .selectors import campaign_list


class CampaignListView(MembershipRequiredMixin, ListView):
    """The campaigns visible to the acting organisation (its own, its ancestors', its subtree's)."""

    permission_required = "campaigns:view"
    template_name = "promotion/campaign_list.html"
    context_object_name = "campaigns"
    paginate_by = 25

    def get_queryset(self):
        return campaign_list()


class CampaignDetailView(MembershipRequiredMixin, DetailView):
    """One campaign: document number, theme, period, deadline, stages and domains."""

    permission_required = "campaigns:view"
    template_name = "promotion/campaign_detail.html"
    context_object_name = "campaign"

    def get_object(self, queryset=None):
        try:
            return campaign_list().prefetch_related("stages", "domains").get(code=self.kwargs["code"])
        except Campaign.DoesNotExist:
            raise Http404 from None
