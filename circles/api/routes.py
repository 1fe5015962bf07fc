"""API routes of the circles app, registered on :data:`qcportal.api.api_router`."""

from qcportal.api import register_api_viewset


def register() -> None:
    """Route ``/api/v1/circles/``, ``/projects/``, ``/activity-records/`` and ``/record-comments/``."""
    from .views import ActivityRecordViewSet, CircleViewSet, ProjectViewSet, RecordCommentViewSet

    register_api_viewset("circles", CircleViewSet, basename="circle")
    register_api_viewset("projects", ProjectViewSet, basename="project")
    register_api_viewset("activity-records", ActivityRecordViewSet, basename="activityrecord")
    register_api_viewset("record-comments", RecordCommentViewSet, basename="recordcomment")
