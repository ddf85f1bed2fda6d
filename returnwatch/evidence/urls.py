"""Workspace addresses for web captures (namespace `staff`)."""

from django.urls import path

from . import views as v

urlpatterns = [
    path("documents/<int:pk>/capture/", v.capture_request, name="capture_request"),
    path("captures/<int:pk>/", v.capture_detail, name="capture_detail"),
    path("captures/<int:pk>/files/<str:kind>/", v.capture_file, name="capture_file"),
    path("captures/<int:pk>/replay/", v.capture_replay, name="capture_replay"),
    path("captures/<int:pk>/archive/", v.capture_archive, name="capture_archive"),
    path("captures/<int:pk>/diff/<int:other>/", v.capture_diff, name="capture_diff"),
]
