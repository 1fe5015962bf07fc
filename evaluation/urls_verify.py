"""The public certificate verification routes (issue 11 item 5, rule R-CT-02): no login,
rate-limited; ``/verify/<number>`` is the address in each certificate's QR code."""

from django.urls import path

from . import views_certificates

app_name = "verify"

urlpatterns = [
    path("", views_certificates.verify_home, name="home"),
    path("<str:number>", views_certificates.VerifyView.as_view(), name="certificate"),
]
