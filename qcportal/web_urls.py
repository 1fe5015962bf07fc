"""HTML routes of the tenancy core (login, logout, switching membership)."""

from django.contrib.auth import views as auth_views
from django.urls import path

from .views import SwitchMembershipView

urlpatterns = [
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/switch/<int:pk>/", SwitchMembershipView.as_view(), name="switch-membership"),
]
