from importlib import import_module
from importlib.util import find_spec

from django.urls import path

from . import views

urlpatterns = [
    path("ban-lam-viec/", views.desk, name="desk"),
    path("ho-so/", views.dossier_list, name="list"),
    path("ho-so/tiep-nhan/", views.intake, name="intake"),
    path("ho-so/<str:code>/", views.dossier_detail, name="detail"),
    path("ho-so/<str:code>/thao-tac/<str:action>/", views.dossier_action, name="action"),
    path("tra-cuu/", views.public_lookup, name="public_lookup"),
]

# Capabilities that live in their own modules add their pages here: slips (PDF/HTML), overdue and apology.
for module in ("cases.slips", "cases.overdue_views"):
    if find_spec(module) is not None:
        urlpatterns += import_module(module).urlpatterns
