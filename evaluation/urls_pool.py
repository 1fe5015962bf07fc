"""HTML routes of the expert pool (专家库) and conflicts of interest (issue 8, items 1 and 3),
included from :mod:`evaluation.urls`."""

from django.urls import path

from . import views_pool as v

urlpatterns = [
    path("pool/", v.JudgePoolListView.as_view(), name="pool"),
    path("pool/new/", v.JudgeFormView.as_view(), name="pool-judge-create"),
    path("pool/organisations/", v.OrganisationSearchView.as_view(), name="pool-organisations"),
    path("pool/import/", v.ImportView.as_view(), name="pool-import"),
    path("pool/import/template/", v.ImportTemplateView.as_view(), name="pool-import-template"),
    path("pool/<int:pk>/", v.JudgeDetailView.as_view(), name="pool-judge"),
    path("pool/<int:pk>/edit/", v.JudgeFormView.as_view(), name="pool-judge-edit"),
    path("pool/<int:pk>/qualifications/", v.QualificationAddView.as_view(), name="pool-qualification-add"),
    path(
        "pool/qualifications/<int:pk>/remove/",
        v.QualificationRemoveView.as_view(),
        name="pool-qualification-remove",
    ),
    path("conflicts/declare/", v.ConflictDeclareView.as_view(), name="conflict-declare"),
    path("campaigns/<str:code>/conflicts/", v.JudgingConflictsView.as_view(), name="judging-conflicts"),
    path("conflicts/waivers/<int:pk>/revoke/", v.WaiverRevokeView.as_view(), name="waiver-revoke"),
]
