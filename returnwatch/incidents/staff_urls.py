"""Workspace addresses for incidents, documents, citations and persons (namespace `staff`)."""

from django.urls import path

from . import casework_views
from . import staff_views as v

urlpatterns = [
    path("", v.home, name="home"),
    path("incidents/new/", v.incident_create, name="incident_create"),
    path("incidents/bulk/", v.bulk_apply, name="bulk_apply"),
    path("incidents/bulk/<int:pk>/undo/", v.bulk_undo, name="bulk_undo"),
    path("incidents/cells/", v.list_edit, name="list_edit"),
    path("incidents/<str:reference>/", v.incident_detail, name="incident_detail"),
    path("incidents/<str:reference>/edit/", v.incident_edit, name="incident_edit"),
    path("incidents/<str:reference>/delete/", v.incident_delete, name="incident_delete"),
    path("incidents/<str:reference>/status/", v.incident_transition, name="incident_transition"),
    path("incidents/<str:reference>/merge/", v.incident_merge, name="incident_merge"),
    path("incidents/<str:reference>/preview/", v.incident_preview, name="incident_preview"),
    path("incidents/<str:reference>/sources/add/", v.citation_add, name="citation_add"),
    path("incidents/<str:reference>/sources/<int:pk>/edit/", v.citation_edit, name="citation_edit"),
    path(
        "incidents/<str:reference>/sources/<int:pk>/remove/",
        v.citation_delete,
        name="citation_delete",
    ),
    path(
        "incidents/<str:reference>/accountability/",
        v.accountability_add,
        name="accountability_add",
    ),
    path(
        "incidents/<str:reference>/accountability/<int:pk>/delete/",
        v.accountability_delete,
        name="accountability_delete",
    ),
    path("incidents/<str:reference>/persons/new/", v.person_add, name="person_add"),
    path("incidents/<str:reference>/persons/<int:pk>/edit/", v.person_edit, name="person_edit"),
    path(
        "incidents/<str:reference>/persons/<int:pk>/delete/", v.person_delete, name="person_delete"
    ),
    path("casework/", casework_views.casework, name="casework_stats"),
    path("casework/<slug:name>.csv", casework_views.casework_csv, name="casework_csv"),
    path("documents/", v.document_list, name="document_list"),
    path("documents/new/", v.document_create, name="document_create"),
    path("documents/<int:pk>/", v.document_detail, name="document_detail"),
    path("documents/<int:pk>/edit/", v.document_edit, name="document_edit"),
    path("documents/<int:pk>/file/", v.document_file, name="document_file"),
]
