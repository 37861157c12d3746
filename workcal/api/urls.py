from django.urls import path

from . import views, years

urlpatterns = [
    path("calendar/", views.YearCalendarView.as_view(), name="api-calendar-year"),
    path("calendar/due-date/", views.DueDateView.as_view(), name="api-calendar-due-date"),
    path("calendar/years/", years.CalendarYearsView.as_view(), name="api-calendar-years"),
]
