from django.urls import path

from . import views

urlpatterns = [
    path("phan-anh/", views.feedback_list, name="list"),
    path("phan-anh/<int:pk>/", views.feedback_detail, name="detail"),
    path("phan-anh/<int:pk>/thao-tac/<str:action>/", views.feedback_action, name="action"),
]
