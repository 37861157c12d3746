from django.urls import path

from . import views

urlpatterns = [
    path("dong-bo/", views.health, name="health"),
    path("dong-bo/cach-ly/<int:pk>/thu-lai/", views.quarantine_retry, name="quarantine-retry"),
]
