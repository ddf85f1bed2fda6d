"""Public addresses of followed searches (under the language prefix: /es/follow/…)."""

from django.urls import path

from . import views

app_name = "subscriptions"

urlpatterns = [
    path("", views.follow, name="follow"),
    path("sent/", views.sent, name="sent"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
