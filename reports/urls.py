from django.urls import path

from . import views

urlpatterns = [
    path("bao-cao/tthc/", views.tthc, name="tthc"),
    path("bao-cao/tthc/chot-so-lieu/", views.tthc_close, name="tthc_close"),
    path("bang-dieu-hanh/", views.dashboard, name="dashboard"),
    path("giam-sat/", views.oversight, name="oversight"),
]
