"""Workspace pages for data under /staff/data/ (namespace `staff`, names prefixed data_)."""

from django.urls import path

from . import staff_views as v

urlpatterns = [
    path("import/", v.import_upload, name="data_import"),
    path("import/<int:pk>/", v.import_review, name="data_import_review"),
]
