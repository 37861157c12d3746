from django.urls import path

from . import views

urlpatterns = [
    path("lich-lam-viec/", views.year_view, name="year"),
]
