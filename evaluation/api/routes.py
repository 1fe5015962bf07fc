"""API routes of the evaluation app, registered on :data:`qcportal.api.api_router`."""

from qcportal.api import register_api_viewset


def register() -> None:
    """Route ``/api/v1/submissions/``, ``/api/v1/score-sheets/``, the judges, rounds,
    assignments and results, ``/api/v1/conferences/``, ``/api/v1/conference-signups/``, ``/api/v1/library/``,
    ``/api/v1/adoptions/``, ``/api/v1/honours/`` and ``/api/v1/certificates/``."""
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
    from .conferences import ConferenceViewSet, SignUpViewSet

    register_api_viewset("conferences", ConferenceViewSet, basename="conference")
    register_api_viewset("conference-signups", SignUpViewSet, basename="conferencesignup")
    from .library import AdoptionViewSet, LibraryEntryViewSet

    register_api_viewset("library", LibraryEntryViewSet, basename="libraryentry")
    register_api_viewset("adoptions", AdoptionViewSet, basename="adoption")
    from .honours import CertificateViewSet, HonourViewSet

    register_api_viewset("honours", HonourViewSet, basename="honour")
    register_api_viewset("certificates", CertificateViewSet, basename="certificate")
