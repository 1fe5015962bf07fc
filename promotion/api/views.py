"""API views of the promotion app."""

from rest_framework import viewsets

from qcportal.api import TenantViewSetMixin
from qcportal.permissions import HasAreaPermission

from ..models import Campaign
from ..selectors import campaign_list
from .serializers import CampaignSerializer


class CampaignViewSet(TenantViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Campaigns visible to the acting organisation, looked up by code (``/campaigns/CAQ-2020/``)."""

    serializer_class = CampaignSerializer
    schema_model = Campaign
    permission_classes = [HasAreaPermission]
    permission_required = "campaigns:view"
    lookup_field = "code"
    lookup_value_regex = "[^/]+"

    def scoped_queryset(self):
        return campaign_list().prefetch_related("domains", "stages")
