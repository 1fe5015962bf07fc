"""API routes under /api/v1/ (namespace ``api``)."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.routers import DefaultRouter
from rest_framework.throttling import ScopedRateThrottle

from evaluation.api.views import ScoreSheetViewSet, SubmissionViewSet
from promotion.api.views import CampaignViewSet
from reports.api.views import ReportRunViewSet

from .api_views import AuditEntryViewSet, OrganisationViewSet

app_name = "api"

router = DefaultRouter()
router.include_format_suffixes = False
router.register("campaigns", CampaignViewSet, basename="campaign")
router.register("report-runs", ReportRunViewSet, basename="reportrun")
router.register("organisations", OrganisationViewSet, basename="organisation")
router.register("submissions", SubmissionViewSet, basename="submission")
router.register("score-sheets", ScoreSheetViewSet, basename="scoresheet")
router.register("audit-entries", AuditEntryViewSet, basename="auditentry")


class TokenView(ObtainAuthToken):
    """POST username and password, get an API token; throttled like the login page and
    subject to the django-axes lockout."""

    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "login"


urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="token"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("", include(router.urls)),
]
