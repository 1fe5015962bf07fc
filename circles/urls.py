"""HTML routes of the circles app."""

from django.urls import path

from . import views

app_name = "circles"

urlpatterns = [
    path("circles/", views.CircleListView.as_view(), name="circle-list"),
    path("circles/new/", views.CircleCreateView.as_view(), name="circle-create"),
    path("circles/import/", views.ImportView.as_view(), name="import"),
    path("circles/import/template/", views.ImportTemplateView.as_view(), name="import-template"),
    path("circles/import/<int:pk>/", views.ImportDetailView.as_view(), name="import-detail"),
    path("circles/import/<int:pk>/report/", views.ImportReportView.as_view(), name="import-report"),
    path("circles/<int:pk>/", views.CircleDetailView.as_view(), name="circle-detail"),
    path("circles/<int:pk>/edit/", views.CircleEditView.as_view(), name="circle-edit"),
    path("circles/<int:pk>/reregister/", views.CircleReregisterView.as_view(), name="circle-reregister"),
    path("circles/<int:pk>/projects/new/", views.ProjectApplyView.as_view(), name="project-apply"),
    path("projects/", views.ProjectListView.as_view(), name="project-list"),
    path("projects/<int:pk>/", views.ProjectDetailView.as_view(), name="project-detail"),
    path("projects/<int:pk>/edit/", views.ProjectEditView.as_view(), name="project-edit"),
    path("projects/<int:pk>/records/new/", views.RecordCreateView.as_view(), name="record-create"),
    path("records/", views.RecordListView.as_view(), name="record-list"),
    path("records/<int:pk>/", views.RecordDetailView.as_view(), name="record-detail"),
    path("records/<int:pk>/edit/", views.RecordEditView.as_view(), name="record-edit"),
    path("records/<int:pk>/comments/", views.RecordCommentView.as_view(), name="record-comment"),
    path("records/<int:pk>/attachments/", views.AttachmentUploadView.as_view(), name="attachment-upload"),
    path("attachments/<int:pk>/", views.AttachmentDownloadView.as_view(), name="attachment-download"),
    path("attachments/<int:pk>/delete/", views.AttachmentDeleteView.as_view(), name="attachment-delete"),
    path("comments/<int:pk>/transition/", views.CommentTransitionView.as_view(), name="comment-transition"),
]
