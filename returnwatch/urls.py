"""Public addresses are stable: journalists link to them (see docs/data.md)."""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path

from returnwatch.sitemaps import SITEMAPS

# Language-neutral addresses: data, API, staff, admin.
urlpatterns = [
    path(
        "sitemap.xml",
        sitemap_views.index,
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap-section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        sitemap_views.sitemap,
        {"sitemaps": SITEMAPS},
        name="sitemap-section",
    ),
    path("admin/", admin.site.urls),
    path("staff/", include("returnwatch.staff_urls")),
    path("exports/", include("returnwatch.exports.urls")),
    path("api/", include("returnwatch.api.urls")),
    path("feeds/", include("returnwatch.exports.feed_urls")),
]

# Pages for people, English at the bare address and /es/… (and others) under a prefix.
urlpatterns += i18n_patterns(
    path("", include("returnwatch.incidents.urls")),
    path("resources/", include("returnwatch.library.urls")),
    path("report/", include("returnwatch.intake.urls")),
    path("report/", include("returnwatch.intake.receipt_urls")),  # signed receipts
    path("complaint/", include("returnwatch.complaints.urls")),
    path("", include("returnwatch.exports.page_urls")),
    path("", include("returnwatch.maps.urls")),
    path("follow/", include("returnwatch.subscriptions.urls")),
    prefix_default_language=False,
)
