import xml.etree.ElementTree as ET

import pytest

pytestmark = pytest.mark.django_db
NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def test_sitemap_lists_published_cases_only(client, make_incident):
    published = make_incident()
    draft = make_incident(status="draft")
    merged = make_incident(merged_into=published)
    index = ET.fromstring(client.get("/sitemap.xml").content)
    sections = [loc.text for loc in index.findall(".//s:loc", NS)]
    assert any(s.endswith("/sitemap-incidents.xml") for s in sections)
    urls = [
        loc.text
        for loc in ET.fromstring(client.get("/sitemap-incidents.xml").content).findall(
            ".//s:loc", NS
        )
    ]
    assert urls == [f"http://testserver/incidents/{published.reference}/"]
    assert draft.reference not in str(urls) and merged.reference not in str(urls)
    pages = client.get("/sitemap-pages.xml").content.decode()
    assert "/es/stats/" in pages
