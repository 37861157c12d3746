from django.urls import path

from . import views

urlpatterns = [
    path("calendar/", views.YearCalendarView.as_view(), name="api-calendar-year"),
    path("calendar/due-date/", views.DueDateView.as_view(), name="api-calendar-due-date"),
]
