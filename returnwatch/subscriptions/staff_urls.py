"""Workspace addresses of saved searches (namespace `staff`)."""

from django.urls import path

from . import staff_views as v

urlpatterns = [
    path("", v.saved_searches, name="saved_searches"),
    path("<int:pk>/delete/", v.saved_search_delete, name="saved_search_delete"),
]
