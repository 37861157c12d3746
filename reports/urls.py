from django.urls import path

from . import views

urlpatterns = [
    path("bao-cao/tthc/", views.tthc, name="tthc"),
    path("bang-dieu-hanh/", views.dashboard, name="dashboard"),
    path("giam-sat/", views.oversight, name="oversight"),
]
