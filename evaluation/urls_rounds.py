"""HTML routes of rounds, panels and assignments (issue 8, items 2 and 4), included by
``evaluation/urls.py`` under ``/evaluation/`` in the ``evaluation`` namespace."""

from django.urls import path

from . import views_rounds as v

urlpatterns = [
    path("campaigns/<str:code>/judging/settings/", v.JudgingSettingsView.as_view(), name="judging-settings"),
    path("campaigns/<str:code>/judging/rounds/new/", v.RoundCreateView.as_view(), name="round-create"),
    path("rounds/<int:pk>/", v.RoundDetailView.as_view(), name="round-detail"),
    path("rounds/<int:pk>/edit/", v.RoundEditView.as_view(), name="round-edit"),
    path("rounds/<int:pk>/delete/", v.RoundDeleteView.as_view(), name="round-delete"),
    path("rounds/<int:pk>/preview/", v.AssignmentPreviewView.as_view(), name="round-preview"),
    path("rounds/<int:pk>/apply/", v.AssignmentApplyView.as_view(), name="round-apply"),
    path("rounds/<int:pk>/panels/auto/", v.PanelsAutoView.as_view(), name="panels-auto"),
    path("rounds/<int:pk>/panels/new/", v.PanelCreateView.as_view(), name="panel-create"),
    path("rounds/<int:pk>/assignments/add/", v.AssignmentAddView.as_view(), name="assignment-add"),
    path("panels/<int:pk>/delete/", v.PanelDeleteView.as_view(), name="panel-delete"),
    path("assignments/<int:pk>/pin/", v.AssignmentPinView.as_view(), name="assignment-pin"),
    path("assignments/<int:pk>/swap/", v.AssignmentSwapView.as_view(), name="assignment-swap"),
    path("assignments/<int:pk>/unassign/", v.AssignmentRemoveView.as_view(), name="assignment-remove"),
]
