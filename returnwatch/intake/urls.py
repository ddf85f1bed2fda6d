"""Public addresses: /report/ (send information) and /report/follow-up/ (receipt code)."""

from django.urls import path

from . import views

app_name = "intake"

urlpatterns = [
    path("", views.report, name="report"),
    path("received/", views.receipt, name="receipt"),
    path("follow-up/", views.follow_up, name="follow_up"),
    path("follow-up/received/", views.follow_up_received, name="follow_up_received"),
]
