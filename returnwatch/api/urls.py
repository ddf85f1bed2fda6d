"""The JSON API under /api/: version 1, its OpenAPI 3 schema and documentation page."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView

from . import docs, views

app_name = "api"


urlpatterns = [
    path("v1/", views.RootView.as_view(), name="root"),
    path("v1/incidents/", views.IncidentListView.as_view(), name="incidents"),
    path("v1/incidents/<str:reference>/", views.IncidentDetailView.as_view(), name="incident"),
    path(
        "v1/incidents/<str:reference>/citations/",
        views.CitationCreateView.as_view(),
        name="citations",
    ),
    path("v1/documents/", views.DocumentCreateView.as_view(), name="documents"),
    path("v1/statistics/", views.StatisticsView.as_view(), name="statistics"),
    path("v1/vocabularies/", views.VocabularyListView.as_view(), name="vocabularies"),
    path("v1/vocabularies/<str:name>/", views.VocabularyDetailView.as_view(), name="vocabulary"),
    path("v1/library/", views.LibraryListView.as_view(), name="library"),
    # <str:>, not <slug:>: any other text answers the API's JSON 404, not the site's page.
    path("v1/library/<str:slug>/", views.LibraryDetailView.as_view(), name="library_item"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # One server-rendered page from the same schema (light, no script; docs.py).
    path("docs/", docs.api_docs, name="docs"),
]
