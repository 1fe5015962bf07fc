"""Root URL configuration: HTML pages per app, the API under /api/v1/."""

from django.urls import include, path

from reports.views import HomeView

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path("", include("qcportal.web_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("reports.urls")),
    path("campaigns/", include("promotion.urls")),
    path("evaluation/", include("evaluation.urls")),
    path("api/v1/", include("qcportal.api_urls")),
]
