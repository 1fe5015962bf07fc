"""HTML routes of the tenancy core: login, switching membership, administration, audit."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django_ratelimit.decorators import ratelimit

from . import health, security_views, token_views, views

login_view = ratelimit(key="ip", rate=settings.RATE_LIMITS["login"], method="POST", block=True)(
    auth_views.LoginView.as_view(redirect_authenticated_user=True)
)

# Password reset by e-mail (Django's single-use tokens, valid PASSWORD_RESET_TIMEOUT
# seconds). The same page answers whether the address exists or not; its POST is
# rate-limited per address like the login. Links point at SITE_URL, not the request's host.
password_reset_view = ratelimit(
    key="ip", rate=settings.RATE_LIMITS["password_reset"], method="POST", block=True
)(auth_views.PasswordResetView.as_view(extra_email_context={"site_url": settings.SITE_URL}))

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.ReadyView.as_view(checks=health.readiness_checks()), name="readyz"),
    path("accounts/login/", login_view, name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/", include("qcportal.security_urls")),
    # Password change and reset end the user's other sessions (issue 9 item 1).
    path("accounts/password/change/", security_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "accounts/password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("accounts/password/reset/", password_reset_view, name="password_reset"),
    path(
        "accounts/password/reset/done/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/password/reset/<uidb64>/<token>/",
        security_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password/reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("accounts/switch/<int:pk>/", views.SwitchMembershipView.as_view(), name="switch-membership"),
    path("accounts/invitations/<str:token>/", views.InvitationAcceptView.as_view(), name="invitation-accept"),
    path("accounts/tokens/", token_views.TokenListView.as_view(), name="token-list"),
    path("accounts/tokens/new/", token_views.TokenCreateView.as_view(), name="token-create"),
    path("accounts/tokens/<int:pk>/revoke/", token_views.TokenRevokeView.as_view(), name="token-revoke"),
    path("organisations/", views.OrganisationListView.as_view(), name="organisation-list"),
    path("organisations/new/", views.OrganisationCreateView.as_view(), name="organisation-create"),
    path("organisations/<str:code>/", views.OrganisationDetailView.as_view(), name="organisation-detail"),
    path("organisations/<str:code>/edit/", views.OrganisationUpdateView.as_view(), name="organisation-edit"),
    path("users/", views.MembershipListView.as_view(), name="membership-list"),
    path("users/invite/", views.InvitationCreateView.as_view(), name="invitation-create"),
    path("users/<int:pk>/deactivate/", views.UserDeactivateView.as_view(), name="user-deactivate"),
    path("users/tokens/", token_views.ManagedTokenListView.as_view(), name="managed-token-list"),
    path(
        "users/tokens/<int:pk>/revoke/",
        token_views.ManagedTokenRevokeView.as_view(),
        name="managed-token-revoke",
    ),
    path("memberships/<int:pk>/revoke/", views.MembershipRevokeView.as_view(), name="membership-revoke"),
    path("invitations/<int:pk>/revoke/", views.InvitationRevokeView.as_view(), name="invitation-revoke"),
    path("notifications/", views.NotificationListView.as_view(), name="notification-list"),
    path(
        "notifications/preferences/",
        views.NotificationPreferenceView.as_view(),
        name="notification-preferences",
    ),
    path("notifications/<int:pk>/", views.NotificationOpenView.as_view(), name="notification-open"),
    path("audit/", views.AuditListView.as_view(), name="audit-list"),
    path("audit/<int:pk>/", views.AuditDetailView.as_view(), name="audit-detail"),
]
