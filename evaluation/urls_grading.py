"""HTML routes of grading (issue 8 items 6, 7, 9), included from ``evaluation/urls.py``."""

from django.urls import path

from . import views_grading as v

urlpatterns = [
    path("campaigns/<str:code>/board/", v.BoardView.as_view(), name="board"),
    path("campaigns/<str:code>/board/compute/", v.ComputeView.as_view(), name="board-compute"),
    path("campaigns/<str:code>/board/preset/", v.PresetView.as_view(), name="board-preset"),
    path("campaigns/<str:code>/board/decide/", v.DecideView.as_view(), name="board-decide"),
    path("campaigns/<str:code>/board/undo/", v.UndoView.as_view(), name="board-undo"),
    path("campaigns/<str:code>/board/export/<str:kind>/", v.ExportView.as_view(), name="board-export"),
    path("campaigns/<str:code>/grades/", v.GradesView.as_view(), name="grades"),
    path("campaigns/<str:code>/calibration/", v.CalibrationView.as_view(), name="calibration"),
]
