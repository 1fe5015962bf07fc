"""API routes of the evaluation app, registered on :data:`qcportal.api.api_router`."""

from qcportal.api import register_api_viewset


def register() -> None:
    """Route ``/api/v1/submissions/`` and ``/api/v1/score-sheets/``."""
    from .views import ScoreSheetViewSet, SubmissionViewSet

    register_api_viewset("submissions", SubmissionViewSet, basename="submission")
    register_api_viewset("score-sheets", ScoreSheetViewSet, basename="scoresheet")
    from .results import ResultViewSet

    register_api_viewset("results", ResultViewSet, basename="result")
