from django.urls import path

from . import views

urlpatterns = [
    path("notifications/", views.AlertList.as_view(), name="api-notifications"),
    path("notifications/read-all/", views.AlertReadAll.as_view(), name="api-notifications-read-all"),
    path("notifications/<int:pk>/read/", views.AlertRead.as_view(), name="api-notification-read"),
]
