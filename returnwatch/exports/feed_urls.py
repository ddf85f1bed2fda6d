"""The Atom feed at /feeds/incidents.atom (language-neutral)."""

from django.urls import path

from .feeds import IncidentFeed

app_name = "feeds"

urlpatterns = [
    path("incidents.atom", IncidentFeed(), name="incidents"),
]
