from django.urls import path

from . import views

app_name = "library"

urlpatterns = [
    path("", views.item_list, name="list"),
    path("<slug:slug>/", views.item_detail, name="detail"),
]
