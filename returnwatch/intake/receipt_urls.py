"""Signed tip receipts, under /report/: download, verify, and the public key (stable address)."""

from django.urls import path

from . import receipt_views

app_name = "receipts"

urlpatterns = [
    path("receipt/", receipt_views.download, name="download"),
    path("verify/", receipt_views.verify, name="verify"),
    path("verify/public-key.pem", receipt_views.public_key, name="public_key"),
]
