"""Person records: encrypted at rest, readable by researchers, absent from the history."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from returnwatch.audit import log
from returnwatch.audit.models import Entry
from returnwatch.incidents.models import Person

pytestmark = pytest.mark.django_db

NAME = "María Guadalupe Ejemplo-Ficticio"
A_NUMBER = "A201-555-017"
CONTACT = "+52 868 555 0199, WhatsApp"
NOTES = "Sister lives in Houston; do not call before noon."


def raw_row(pk: int) -> tuple[str, ...]:
    with connection.cursor() as cur:
        cur.execute(
            "SELECT name, a_number, contact, notes FROM incidents_person WHERE id = %s", [pk]
        )
        return tuple(cur.fetchone())


def test_add_edit_delete_person_through_the_workspace(researcher: Any, make_incident: Any) -> None:
    incident = make_incident(status="draft")
    c = Client()
    c.force_login(researcher)
    add = reverse("staff:person_add", args=[incident.reference])
    empty = c.post(add, {"name": "", "a_number": "", "contact": "", "notes": ""})
    assert empty.status_code == 200
    assert "Fill in at least one field." in empty.content.decode()

    response = c.post(add, {"name": NAME, "a_number": A_NUMBER, "contact": CONTACT, "notes": NOTES})
    assert response.status_code == 302
    person = Person.objects.get()
    assert (person.name, person.a_number, person.contact, person.notes) == (
        NAME,
        A_NUMBER,
        CONTACT,
        NOTES,
    )

    # Not one clear-text value in the database column.
    stored = raw_row(person.pk)
    for clear, cipher in zip((NAME, A_NUMBER, CONTACT, NOTES), stored, strict=True):
        assert cipher.startswith("fernet:")
        assert clear not in cipher
        assert clear.split()[0] not in cipher

    # Researchers read them on the incident's staff page.
    page = c.get(reverse("staff:incident_detail", args=[incident.reference])).content.decode()
    assert "María Guadalupe" in page and A_NUMBER in page

    edit = reverse("staff:person_edit", args=[incident.reference, person.pk])
    c.post(edit, {"name": NAME, "a_number": "A999-999-999", "contact": CONTACT, "notes": NOTES})
    person.refresh_from_db()
    assert person.a_number == "A999-999-999"
    assert "A999-999-999" not in raw_row(person.pk)[1]

    delete = reverse("staff:person_delete", args=[incident.reference, person.pk])
    assert c.post(delete).status_code == 302
    assert not Person.objects.exists()

    entries = list(log.history(incident))
    assert [(e.action, e.target_type) for e in entries] == [
        ("create", "incidents.person"),
        ("update", "incidents.person"),
        ("delete", "incidents.person"),
    ]
    assert entries[0].fields == ["a_number", "contact", "name", "notes"]
    assert entries[1].fields == ["a_number"]
    # The history holds names of fields, never their values.
    everything = b"".join(e.payload() for e in Entry.objects.all()).decode()
    for clear in (NAME, A_NUMBER, CONTACT, NOTES, "A999-999-999", "María"):
        assert clear not in everything


def test_person_pages_are_not_for_users_without_a_role(make_user: Any, make_incident: Any) -> None:
    incident = make_incident(status="draft")
    person = Person.objects.create(incident=incident, name=NAME)
    c = Client()
    c.force_login(make_user("nobody", ""))
    for url in (
        reverse("staff:person_add", args=[incident.reference]),
        reverse("staff:person_edit", args=[incident.reference, person.pk]),
        reverse("staff:incident_detail", args=[incident.reference]),
    ):
        response = c.get(url)
        assert response.status_code == 403
        assert NAME not in response.content.decode()


def test_person_of_another_incident_is_404(researcher: Any, make_incident: Any) -> None:
    one, other = make_incident(status="draft"), make_incident(status="draft")
    person = Person.objects.create(incident=other, name=NAME)
    c = Client()
    c.force_login(researcher)
    url = reverse("staff:person_edit", args=[one.reference, person.pk])
    assert c.get(url).status_code == 404
