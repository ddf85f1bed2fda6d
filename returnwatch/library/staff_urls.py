"""Workspace pages under /staff/library/, named `staff:library_…`."""

from django.urls import path

from . import staff_views

urlpatterns = [
    path("", staff_views.item_list, name="library_list"),
    path("add/", staff_views.item_create, name="library_add"),
    path("documents/", staff_views.mark_list, name="library_mark"),
    path("documents/<int:document_id>/", staff_views.mark_document, name="library_mark_document"),
    path("<int:pk>/", staff_views.item_detail, name="library_detail"),
    path("<int:pk>/edit/", staff_views.item_edit, name="library_edit"),
    path("<int:pk>/status/", staff_views.status_add, name="library_status_add"),
    path(
        "<int:pk>/status/<int:change_id>/delete/",
        staff_views.status_delete,
        name="library_status_delete",
    ),
    path("<int:pk>/filings/", staff_views.filing_add, name="library_filing_add"),
    path(
        "<int:pk>/filings/<int:filing_id>/remove/",
        staff_views.filing_remove,
        name="library_filing_remove",
    ),
]
