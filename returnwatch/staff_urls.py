"""The researchers' workspace under /staff/: each app adds its own pages here."""

from django.urls import include, path

app_name = "staff"

urlpatterns = [
    path("", include("returnwatch.incidents.staff_urls")),
    path("", include("returnwatch.accounts.urls")),
    path("", include("returnwatch.audit.staff_urls")),
    path("", include("returnwatch.evidence.urls")),
    path("tips/", include("returnwatch.intake.staff_urls")),
    path("library/", include("returnwatch.library.staff_urls")),
    path("data/", include("returnwatch.api.staff_urls")),
    path("data/", include("returnwatch.imports.staff_urls")),
    path("searches/", include("returnwatch.subscriptions.staff_urls")),
]
