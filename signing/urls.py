from django.urls import path

from . import views

urlpatterns = [
    path("xac-thuc/", views.verify, name="verify"),
    path("xac-thuc/<uuid:token>/tai-ve/", views.download, name="download"),
]
