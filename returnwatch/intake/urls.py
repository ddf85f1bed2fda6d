"""Public addresses: /report/ (send information) and /report/follow-up/ (receipt code)."""

from django.urls import path

from . import views

app_name = "intake"

urlpatterns = [
    path("", views.report, name="report"),
    path("follow-up/", views.follow_up, name="follow_up"),
]
