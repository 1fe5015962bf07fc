"""API routes of the evaluation app, registered on :data:`qcportal.api.api_router`."""

from qcportal.api import register_api_viewset


def register() -> None:
    """Route ``/api/v1/submissions/`` and ``/api/v1/score-sheets/``."""
    from .views import ScoreSheetViewSet, SubmissionViewSet

    register_api_viewset("submissions", SubmissionViewSet, basename="submission")
    register_api_viewset("score-sheets", ScoreSheetViewSet, basename="scoresheet")
    from .pool import JudgeViewSet

    register_api_viewset("judges", JudgeViewSet, basename="judge")
    from .rounds import AssignmentViewSet, RoundViewSet

    register_api_viewset("rounds", RoundViewSet, basename="round")
    register_api_viewset("assignments", AssignmentViewSet, basename="judgeassignment")
    from .results import ResultViewSet

    register_api_viewset("results", ResultViewSet, basename="result")
