"""HTML routes of the promotion app."""

from django.urls import path

from . import views

app_name = "promotion"

urlpatterns = [
    path("campaigns/", views.CampaignListView.as_view(), name="campaign-list"),
    path("structure/", views.StructureView.as_view(), name="structure"),
    path(
        "structure/members/<int:pk>/remove/",
        views.StructureMemberRemoveView.as_view(),
        name="structure-member-remove",
    ),
    path("campaigns/<str:code>/", views.CampaignDetailView.as_view(), name="campaign-detail"),
]
