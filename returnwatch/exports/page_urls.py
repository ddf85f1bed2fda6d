"""The data page, under the language prefix (/data/, /es/data/)."""

from django.urls import path

from . import views

app_name = "data"

urlpatterns = [
    path("data/", views.data_page, name="page"),
]
