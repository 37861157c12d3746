from django.urls import path

from .. import codes
from . import apology, rating, versions, views

codes.register()

urlpatterns = [
    path("procedures/", views.ProcedureList.as_view(), name="api-procedures"),
    path("dossiers/", views.DossierListCreate.as_view(), name="api-dossiers"),
    path("dossiers/<dossier_code:code>/", views.DossierDetail.as_view(), name="api-dossier"),
    path("dossiers/<dossier_code:code>/actions/<str:action>/", views.DossierAction.as_view(), name="api-dossier-action"),
    path("dossiers/<dossier_code:code>/events/", views.DossierEvents.as_view(), name="api-dossier-events"),
    path("public/dossiers/<dossier_code:code>/", views.PublicDossier.as_view(), name="api-public-dossier"),
    *apology.urlpatterns,
    *rating.urlpatterns,
    *versions.urlpatterns,
]
