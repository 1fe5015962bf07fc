"""Root URL configuration: HTML pages per app, the API under /api/v1/.

Apps are included by module name (like ``INSTALLED_APPS``), never imported, so that imports
flow one way (``reports → evaluation → circles → promotion → qcportal``, checked by
import-linter); the API viewsets register themselves on ``qcportal.api.api_router``.
"""

from django.urls import include, path

urlpatterns = [
    path("", include("reports.home_urls")),
    path("", include("qcportal.web_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("reports.urls")),
    path("", include("promotion.urls")),
    path("evaluation/", include("evaluation.urls")),
    path("verify/", include("evaluation.urls_verify")),
    path("", include("circles.urls")),
    path("api/v1/", include("qcportal.api_urls")),
]
