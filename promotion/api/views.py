"""API views of the promotion app."""

from rest_framework import viewsets

from qcportal.permissions import HasAreaPermission

from ..selectors import campaign_list
from .serializers import CampaignSerializer


class CampaignViewSet(viewsets.ReadOnlyModelViewSet):
    """Campaigns visible to the acting organisation, looked up by code (``/campaigns/CAQ-2020/``)."""

    serializer_class = CampaignSerializer
    permission_classes = [HasAreaPermission]
    permission_required = "campaigns:view"
    lookup_field = "code"
    lookup_value_regex = "[^/]+"

    def get_queryset(self):
        return campaign_list().prefetch_related("domains", "stages")
