from django.urls import path

from . import views

urlpatterns = [
    path("feedback/", views.FeedbackList.as_view(), name="api-feedback"),
    path("feedback/<int:pk>/", views.FeedbackDetail.as_view(), name="api-feedback-item"),
    path("feedback/<int:pk>/actions/<str:action>/", views.FeedbackAction.as_view(), name="api-feedback-action"),
]
