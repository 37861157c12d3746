from django.urls import path

from cases import codes

from . import views

codes.register()

urlpatterns = [
    path("dossiers/<dossier_code:code>/attachments/", views.AttachmentListCreate.as_view(),
         name="api-dossier-attachments"),
    path("dossiers/<dossier_code:code>/attachments/<int:pk>/content/", views.AttachmentContent.as_view(),
         name="api-attachment-content"),
]
