from django.urls import path

from . import views

urlpatterns = [
    path("reports/tthc/", views.TthcReport.as_view(), name="api-report-tthc"),
    path("reports/tthc/close/", views.TthcClose.as_view(), name="api-report-tthc-close"),
    path("dashboard/", views.Dashboard.as_view(), name="api-dashboard"),
]
