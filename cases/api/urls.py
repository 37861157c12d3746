from django.urls import path

from . import apology, versions, views

urlpatterns = [
    path("procedures/", views.ProcedureList.as_view(), name="api-procedures"),
    path("dossiers/", views.DossierListCreate.as_view(), name="api-dossiers"),
    path("dossiers/<str:code>/", views.DossierDetail.as_view(), name="api-dossier"),
    path("dossiers/<str:code>/actions/<str:action>/", views.DossierAction.as_view(), name="api-dossier-action"),
    path("dossiers/<str:code>/events/", views.DossierEvents.as_view(), name="api-dossier-events"),
    path("public/dossiers/<str:code>/", views.PublicDossier.as_view(), name="api-public-dossier"),
    *apology.urlpatterns,
    *versions.urlpatterns,
]
