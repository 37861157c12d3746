from django.urls import path

from cases import codes

from . import views

codes.register()

urlpatterns = [
    path("ho-so/<dossier_code:code>/tep/", views.upload, name="upload"),
    path("ho-so/<dossier_code:code>/tep/ket-qua/", views.generate_result, name="generate_result"),
    path("ho-so/<dossier_code:code>/tep/<int:pk>/tai-lai/", views.retry_fetch, name="retry"),
    path("tep/<str:token>/", views.signed, name="signed"),
]
