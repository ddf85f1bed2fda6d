"""The JSON API under /api/: version 1, its OpenAPI 3 schema and documentation page."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from returnwatch.security import CONTENT_SECURITY_POLICY

from . import api

app_name = "api"


class DocsView(SpectacularSwaggerSplitView):
    """Swagger UI, from this site only. Its stylesheet draws icons as data: images, which
    make no request anywhere; the rest of the site's policy stays as it is."""

    def finalize_response(self, request, response, *args, **kwargs):  # type: ignore[no-untyped-def]
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Content-Security-Policy"] = CONTENT_SECURITY_POLICY.replace(
            "img-src 'self'", "img-src 'self' data:"
        )
        return response


urlpatterns = [
    path("v1/", api.RootView.as_view(), name="root"),
    path("v1/incidents/", api.IncidentListView.as_view(), name="incidents"),
    path("v1/incidents/<str:reference>/", api.IncidentDetailView.as_view(), name="incident"),
    path(
        "v1/incidents/<str:reference>/citations/",
        api.CitationCreateView.as_view(),
        name="citations",
    ),
    path("v1/documents/", api.DocumentCreateView.as_view(), name="documents"),
    path("v1/statistics/", api.StatisticsView.as_view(), name="statistics"),
    path("v1/vocabularies/", api.VocabularyListView.as_view(), name="vocabularies"),
    path("v1/vocabularies/<str:name>/", api.VocabularyDetailView.as_view(), name="vocabulary"),
    path("v1/library/", api.LibraryListView.as_view(), name="library"),
    path("v1/library/<slug:slug>/", api.LibraryDetailView.as_view(), name="library_item"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # Swagger UI from drf-spectacular-sidecar; the split view keeps its script in a file
    # of its own (the site's Content-Security-Policy forbids inline scripts).
    path(
        "docs/",
        DocsView.as_view(url_name="api:schema", template_name="exports/api_docs.html"),
        name="docs",
    ),
]
