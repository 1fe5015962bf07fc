"""HTML routes of score sheets, the panel page and sheet templates (issue 8, item 5);
included by ``evaluation/urls.py`` under the ``evaluation`` namespace."""

from django.urls import path

from . import views_sheets as v

urlpatterns = [
    path("rounds/<int:round_pk>/submissions/<int:pk>/sheet/", v.RoundSheetView.as_view(), name="round-sheet"),
    path("sheets/<int:pk>/", v.SheetDetailView.as_view(), name="sheet-detail"),
    path("assignments/<int:pk>/paper/", v.PaperSheetView.as_view(), name="paper-sheet"),
    path("panels/<int:pk>/", v.PanelView.as_view(), name="panel"),
    path("panels/<int:pk>/comments/", v.PanelCommentView.as_view(), name="panel-comment"),
    path("panels/<int:pk>/assessment/", v.PanelAssessmentView.as_view(), name="panel-assessment"),
    path("sheet-templates/", v.TemplateListView.as_view(), name="template-list"),
    path("sheet-templates/<int:pk>/", v.TemplateDetailView.as_view(), name="template-detail"),
    path("sheet-templates/<int:pk>/derive/", v.TemplateDeriveView.as_view(), name="template-derive"),
]
