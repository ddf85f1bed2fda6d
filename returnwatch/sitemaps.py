"""/sitemap.xml: public pages and every published case, read through the public projection."""

from typing import Any

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from returnwatch import public


class PagesSitemap(Sitemap):
    i18n = True
    languages = ["en", "es"]

    def items(self) -> list[str]:
        return ["incidents:home", "incidents:list", "incidents:stats"]

    def location(self, item: str) -> str:
        return reverse(item)


class IncidentsSitemap(Sitemap):
    limit = 10000

    def items(self) -> Any:
        return public.incident_ids().only("reference", "published_at").order_by("id")

    def location(self, item: Any) -> str:
        return reverse("incidents:detail", args=[item.reference])

    def lastmod(self, item: Any) -> Any:
        return item.published_at


class LibrarySitemap(Sitemap):
    def items(self) -> Any:
        return public.library_items().order_by("pk")

    def location(self, item: Any) -> str:
        return reverse("library:detail", args=[item.slug])


SITEMAPS = {"pages": PagesSitemap, "incidents": IncidentsSitemap, "library": LibrarySitemap}
