"""Workspace pages for data under /staff/data/ (namespace `staff`, names prefixed data_)."""

from django.urls import path

from . import staff_views as v

urlpatterns = [
    path("tokens/", v.tokens, name="data_tokens"),
    path("tokens/<int:pk>/revoke/", v.token_revoke, name="data_token_revoke"),
]
