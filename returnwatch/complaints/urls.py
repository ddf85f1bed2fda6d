"""/complaint/ (the assistant), /complaint/document/ (downloads), /complaint/where/ (addresses)."""

from django.urls import path

from . import views

app_name = "complaints"

urlpatterns = [
    path("", views.assistant, name="assistant"),
    path("document/", views.document, name="document"),
    path("where/", views.where, name="where"),
]
