"""The home page route (``home``, outside the ``reports`` namespace): the role home pages live
in ``reports`` and the root URL configuration includes this module by name, so that
``qcportal`` imports no app above it."""

from django.urls import path

from .views import HomeView

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
]
