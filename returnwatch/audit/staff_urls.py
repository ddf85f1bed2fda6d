from django.urls import path

from . import views

urlpatterns = [
    # The old address of the bundle (built in the request): leads to the bundle page now.
    path("incidents/<str:reference>/evidence.zip", views.evidence_bundle, name="evidence_bundle"),
    path("incidents/<str:reference>/evidence/", views.evidence_bundles, name="evidence_bundles"),
    path(
        "incidents/<str:reference>/evidence/<int:pk>/",
        views.evidence_bundle_job,
        name="evidence_bundle_job",
    ),
    path(
        "incidents/<str:reference>/evidence/<int:pk>/progress.json",
        views.evidence_bundle_progress,
        name="evidence_bundle_progress",
    ),
    path(
        "incidents/<str:reference>/evidence/<int:pk>/evidence.zip",
        views.evidence_bundle_download,
        name="evidence_bundle_download",
    ),
    path("audit/", views.audit_log, name="audit_log"),
]
