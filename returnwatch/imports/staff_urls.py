"""Workspace pages for imports under /staff/data/import/ (namespace `staff`, names data_import…)."""

from django.urls import path

from . import staff_views as v

urlpatterns = [
    path("import/", v.import_upload, name="data_import"),
    path("import/<int:pk>/", v.import_review, name="data_import_review"),
    path("import/<int:pk>/progress.json", v.import_progress, name="data_import_progress"),
]
