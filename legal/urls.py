from django.urls import path

from . import views

urlpatterns = [
    path("can-cu-phap-ly/", views.basis_list, name="list"),
    path("can-cu-phap-ly/them/", views.basis_edit, name="add"),
    path("can-cu-phap-ly/<int:pk>/", views.basis_edit, name="edit"),
]
