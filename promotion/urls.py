"""HTML routes of the promotion app."""

from django.urls import path

from . import announcements, views, views_plans, views_reviews, views_trainings

app_name = "promotion"

urlpatterns = [
    path("campaigns/", views.CampaignListView.as_view(), name="campaign-list"),
    path("campaigns/new/", views.CampaignFormView.as_view(), name="campaign-create"),
    path("structure/", views.StructureView.as_view(), name="structure"),
    path(
        "structure/members/<int:pk>/remove/",
        views.StructureMemberRemoveView.as_view(),
        name="structure-member-remove",
    ),
    path("campaigns/<str:code>/", views.CampaignDetailView.as_view(), name="campaign-detail"),
    path("campaigns/<str:code>/edit/", views.CampaignFormView.as_view(), name="campaign-edit"),
    path("campaigns/<str:code>/stages/", views.CampaignStagesView.as_view(), name="campaign-stages"),
    path("campaigns/<str:code>/extensions/", views.ExtensionGrantView.as_view(), name="extension-grant"),
    path(
        "campaigns/<str:code>/extensions/<int:pk>/revoke/",
        views.ExtensionRevokeView.as_view(),
        name="extension-revoke",
    ),
    path("campaigns/<str:code>/sign-up/", views.EntryView.as_view(), name="entry"),
    # 年度推进计划 (issue 11, item 1): promotion/views_plans.py
    path("plans/", views_plans.PlanListView.as_view(), name="plan-list"),
    path("plans/new/", views_plans.PlanCreateView.as_view(), name="plan-create"),
    path("plans/<int:pk>/", views_plans.PlanDetailView.as_view(), name="plan-detail"),
    path("plans/<int:pk>/edit/", views_plans.PlanEditView.as_view(), name="plan-edit"),
    # 年度评价与改进清单 (issue 11, item 6): promotion/views_reviews.py
    path("reviews/", views_reviews.ReviewListView.as_view(), name="review-list"),
    path("reviews/<int:year>/", views_reviews.ReviewView.as_view(), name="review"),
    path("improvements/", views_reviews.ImprovementListView.as_view(), name="improvement-list"),
    path("improvements/new/", views_reviews.ImprovementFormView.as_view(), name="improvement-create"),
    path("improvements/<int:pk>/", views_reviews.ImprovementDetailView.as_view(), name="improvement-detail"),
    path("improvements/<int:pk>/edit/", views_reviews.ImprovementFormView.as_view(), name="improvement-edit"),
    # 宣传培训与企业年度数据 (issue 11, item 2): promotion/views_trainings.py
    path("trainings/", views_trainings.TrainingListView.as_view(), name="training-list"),
    path("trainings/new/", views_trainings.TrainingFormView.as_view(), name="training-create"),
    path("trainings/<int:pk>/edit/", views_trainings.TrainingFormView.as_view(), name="training-edit"),
    path("trainings/<int:pk>/delete/", views_trainings.TrainingDeleteView.as_view(), name="training-delete"),
    path("annual-figures/", views_trainings.AnnualFiguresView.as_view(), name="annual-figures"),
    # 通知公告 (issue 7, item 10): promotion/announcements.py
    path("announcements/", announcements.AnnouncementListView.as_view(), name="announcement-list"),
    path("announcements/new/", announcements.AnnouncementFormView.as_view(), name="announcement-create"),
    path(
        "announcements/<int:pk>/", announcements.AnnouncementDetailView.as_view(), name="announcement-detail"
    ),
    path(
        "announcements/<int:pk>/edit/", announcements.AnnouncementFormView.as_view(), name="announcement-edit"
    ),
    path(
        "announcements/<int:pk>/publish/",
        announcements.AnnouncementPublishView.as_view(action="publish"),
        name="announcement-publish",
    ),
    path(
        "announcements/<int:pk>/unpublish/",
        announcements.AnnouncementPublishView.as_view(action="unpublish"),
        name="announcement-unpublish",
    ),
    path(
        "announcements/attachments/<int:pk>/",
        announcements.AnnouncementAttachmentDownloadView.as_view(),
        name="announcement-attachment",
    ),
    path(
        "announcements/attachments/<int:pk>/delete/",
        announcements.AnnouncementAttachmentDeleteView.as_view(),
        name="announcement-attachment-delete",
    ),
]
