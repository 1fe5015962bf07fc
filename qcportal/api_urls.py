"""API routes under /api/v1/ (namespace ``api``)."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.routers import DefaultRouter

from promotion.api.views import CampaignViewSet
from reports.api.views import ReportRunViewSet

app_name = "api"

router = DefaultRouter()
router.register("campaigns", CampaignViewSet, basename="campaign")
router.register("report-runs", ReportRunViewSet, basename="reportrun")

urlpatterns = [
    path("auth/token/", obtain_auth_token, name="token"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("", include(router.urls)),
]
