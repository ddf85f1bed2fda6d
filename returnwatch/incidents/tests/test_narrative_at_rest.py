"""Incident narratives are encrypted at rest, and staff full-text search still finds them
(the index holds keyed hashes of their words and prefixes, never the words)."""

from typing import Any

import pytest
from django.db import connection

from returnwatch.incidents import search
from returnwatch.incidents.models import Incident

pytestmark = pytest.mark.django_db

SECRET = "Ximena was held in a warehouse near Anapra"


def rows(sql: str) -> str:
    with connection.cursor() as cur:
        cur.execute(sql)
        return str(cur.fetchall())


def test_narrative_is_encrypted_in_the_table_and_absent_from_the_index(make_incident: Any) -> None:
    incident = make_incident(title="Kidnapping near the border", narrative=SECRET)
    assert Incident.objects.get(pk=incident.pk).narrative == SECRET
    stored = rows("SELECT narrative FROM incidents_incident")
    index = rows("SELECT public, everything FROM incidents_searchentry")
    for word in ("ximena", "warehouse", "anapra"):
        assert word not in stored.lower() and word not in index.lower()
    assert "fernet:" in stored


def test_staff_search_finds_narrative_words_and_prefixes_public_search_does_not(
    make_incident: Any, client: Any, researcher: Any
) -> None:
    incident = make_incident(title="Kidnapping near the border", narrative=SECRET)
    everything = Incident.objects.all()
    for query in ("anapra", "Anapra", "warehou", "ximena kidnapping", "anapra border"):
        found = search.filter_text(everything, query, scope="everything")
        assert list(found) == [incident], query
        ranked = list(search.order_by_relevance(found, query, scope="everything"))
        assert ranked == [incident], query
    assert not search.filter_text(everything, "anapra", scope="public").exists()
    assert not search.filter_text(everything, "anapras", scope="everything").exists()
    assert not search.filter_text(everything, "ana warehouse zz", scope="everything").exists()
    # Through the workspace, as a researcher searches.
    client.force_login(researcher)
    page = client.get("/staff/", {"q": "Anapra"})
    assert page.status_code == 200 and incident.reference in page.content.decode()
