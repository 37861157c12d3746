from django.urls import path

from . import overdue_views, slips, views

urlpatterns = [
    path("ban-lam-viec/", views.desk, name="desk"),
    path("ho-so/", views.dossier_list, name="list"),
    path("ho-so/tiep-nhan/", views.intake, name="intake"),
    path("ho-so/<str:code>/", views.dossier_detail, name="detail"),
    path("ho-so/<str:code>/thao-tac/<str:action>/", views.dossier_action, name="action"),
    path("tra-cuu/", views.public_lookup, name="public_lookup"),
    *slips.urlpatterns,
    *overdue_views.urlpatterns,
]
