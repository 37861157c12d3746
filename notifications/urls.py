from django.urls import path

from . import views

urlpatterns = [
    path("thong-bao/", views.alert_list, name="list"),
    path("thong-bao/da-doc-het/", views.alert_read_all, name="read_all"),
    path("thong-bao/<int:pk>/da-doc/", views.alert_read, name="read"),
]
