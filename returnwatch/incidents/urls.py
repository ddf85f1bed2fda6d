from django.urls import path, re_path

from . import views
from .references import PATTERN

app_name = "incidents"

urlpatterns = [
    path("", views.home, name="home"),
    path("incidents/", views.incident_list, name="list"),
    re_path(rf"^incidents/(?P<reference>{PATTERN})/$", views.incident_detail, name="detail"),
    path("stats/", views.stats_page, name="stats"),
    re_path(r"^stats/(?P<name>[a-z]+)\.csv$", views.stats_csv, name="stats_csv"),
]
