"""Bulk actions on the workspace list (assign, tag, send to review, set a value), audited and
undoable as one step; only the records the user may change are touched."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from returnwatch.audit.models import Entry
from returnwatch.incidents.models import Incident

pytestmark = pytest.mark.django_db


def signed_in(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def bulk(c: Client, ids: list[int], action: str, value: str = "", **extra: str) -> Any:
    return c.post(
        "/staff/incidents/bulk/",
        {"ids": ids, "action": action, "value": value, **extra},
        follow=True,
    )


def test_assign_then_undo_as_one_step(researcher: Any, editor: Any, make_incident: Any) -> None:
    drafts = [make_incident(status="draft") for _ in range(3)]
    c = signed_in(researcher)
    page = bulk(c, [d.pk for d in drafts], "assign", editor.username).content.decode()
    assert "3 records changed" in page and "Undo the last bulk change" in page
    assert set(Incident.objects.values_list("assignee", flat=True)) == {editor.pk}
    assert Entry.objects.filter(note__startswith="bulk change #").count() == 3
    # One of them changed by hand since: the undo leaves it.
    Incident.objects.filter(pk=drafts[0].pk).update(assignee=researcher)
    undo = c.get("/staff/").context["last_bulk"]
    page = c.post(f"/staff/incidents/bulk/{undo.pk}/undo/", follow=True).content.decode()
    assert "Undone on 2 records (1 changed since were left as they are)" in page
    assert list(Incident.objects.order_by("pk").values_list("assignee", flat=True)) == [
        researcher.pk,
        None,
        None,
    ]
    assert c.get("/staff/").context["last_bulk"] is None


def test_tag_and_send_to_review_and_undo(researcher: Any, make_incident: Any) -> None:
    a, b = make_incident(status="draft"), make_incident(status="draft")
    c = signed_in(researcher)
    bulk(c, [a.pk, b.pk], "tag", tag="Bus Station")
    assert {t.name for t in a.tags.all()} == {"bus-station"}
    bulk(c, [a.pk, b.pk], "submit")
    assert set(Incident.objects.values_list("status", flat=True)) == {"review"}
    last = c.get("/staff/").context["last_bulk"]
    c.post(f"/staff/incidents/bulk/{last.pk}/undo/")
    assert set(Incident.objects.values_list("status", flat=True)) == {"draft"}


def test_records_the_user_may_not_change_are_left(
    make_user: Any, make_incident: Any, researcher: Any
) -> None:
    partner = make_user("pat", "researcher", org="Partner org")
    from returnwatch.accounts.models import Organization

    own = make_incident(status="draft", organization=Organization.objects.get(name="Partner org"))
    public = make_incident(status="published")
    page = bulk(signed_in(partner), [own.pk, public.pk], "city", "tijuana").content.decode()
    assert "1 records changed (1 you may not change were left as they are)" in page
    own.refresh_from_db()
    public.refresh_from_db()
    assert own.city.code == "tijuana" and public.city.code == "nuevo-laredo"


def test_a_bad_value_is_refused_with_a_message(researcher: Any, make_incident: Any) -> None:
    d = make_incident(status="draft")
    page = bulk(signed_in(researcher), [d.pk], "city", "atlantis").content.decode()
    assert "Choose a value from the list." in page
    assert not Entry.objects.filter(note__startswith="bulk").exists()
