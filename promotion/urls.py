"""HTML routes of the promotion app."""

from django.urls import path

from . import views

app_name = "promotion"

urlpatterns = [
    path("", views.CampaignListView.as_view(), name="campaign-list"),
    path("<str:code>/", views.CampaignDetailView.as_view(), name="campaign-detail"),
]
