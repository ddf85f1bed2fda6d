"""Public data downloads under /exports/ (language-neutral; stable addresses, docs/data.md)."""

from django.urls import path, re_path

from . import views

app_name = "exports"

urlpatterns = [
    path("incidents.csv", views.incidents_csv, name="csv"),
    path("incidents.json", views.incidents_json, name="json"),
    path("incidents.geojson", views.incidents_geojson, name="geojson"),
    path("incidents.sqlite", views.incidents_sqlite, name="sqlite"),
    path("datapackage.zip", views.datapackage_zip, name="datapackage"),
    re_path(r"^vocabularies/(?P<name>[a-z_]+)\.csv$", views.vocabulary_csv, name="vocabulary"),
]
