"""Account security routes under /accounts/ (issue 9 item 1): two-factor authentication,
re-authentication and the active sessions list (:mod:`qcportal.security_views`)."""

from django.urls import path

from . import security_views as views

urlpatterns = [
    path("2fa/", views.OTPManageView.as_view(), name="otp-manage"),
    path("2fa/setup/", views.OTPSetupView.as_view(), name="otp-setup"),
    path("2fa/verify/", views.OTPVerifyView.as_view(), name="otp-verify"),
    path("2fa/recovery/", views.OTPRecoveryView.as_view(), name="otp-recovery"),
    path("2fa/recovery-codes/", views.RecoveryCodesView.as_view(), name="otp-recovery-codes"),
    path("2fa/disable/", views.OTPDisableView.as_view(), name="otp-disable"),
    path("reauth/", views.ReauthView.as_view(), name="reauth"),
    path("sessions/", views.SessionListView.as_view(), name="session-list"),
    path("sessions/end-others/", views.SessionEndOthersView.as_view(), name="session-end-others"),
    path("sessions/<int:pk>/end/", views.SessionEndView.as_view(), name="session-end"),
]
