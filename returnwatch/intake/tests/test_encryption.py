"""Encryption at rest of what submitters write, and key rotation."""

from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection

from returnwatch.incidents.encryption import _fernet
from returnwatch.incidents.models import Person
from returnwatch.intake import submissions
from returnwatch.intake.models import Tip, TipNote

pytestmark = pytest.mark.django_db

OLD, NEW = Fernet.generate_key().decode(), Fernet.generate_key().decode()


def raw(table: str, column: str, pk: int) -> str:
    qn = connection.ops.quote_name
    with connection.cursor() as cur:
        cur.execute(f"SELECT {qn(column)} FROM {qn(table)} WHERE id = %s", [pk])
        return cur.fetchone()[0]


def test_contact_narrative_and_the_rest_are_stored_encrypted(researcher: Any) -> None:
    tip, _code = submissions.create_tip(
        {"narrative": "NARRATIVE-MARK", "contact": "CONTACT-MARK", "city_other": "PLACE-MARK"}
    )
    submissions.add_follow_up(tip, "FOLLOWUP-MARK")
    note = TipNote.objects.create(tip=tip, author=researcher, text="NOTE-MARK")
    for table, column, pk, mark in (
        ("intake_tip", "narrative", tip.pk, "NARRATIVE-MARK"),
        ("intake_tip", "contact", tip.pk, "CONTACT-MARK"),
        ("intake_tip", "city_other", tip.pk, "PLACE-MARK"),
        ("intake_tipfollowup", "text", tip.follow_ups.get().pk, "FOLLOWUP-MARK"),
        ("intake_tipnote", "text", note.pk, "NOTE-MARK"),
    ):
        value = raw(table, column, pk)
        assert value.startswith("fernet:") and mark not in value
    assert Tip.objects.get().contact == "CONTACT-MARK"


def test_rotate_encryption_key_reencrypts_tips_and_persons(
    settings: Any, make_incident: Any, researcher: Any
) -> None:
    settings.FIELD_ENCRYPTION_KEY = OLD
    tip, _code = submissions.create_tip({"narrative": "rotate me", "contact": "+52 1"})
    TipNote.objects.create(tip=tip, author=researcher, text="a note")
    person = Person.objects.create(incident=make_incident(), name="Jane Doe", a_number="A123")
    before = raw("intake_tip", "contact", tip.pk)
    assert Fernet(OLD.encode()).decrypt(before[7:].encode()) == b"+52 1"

    settings.FIELD_ENCRYPTION_KEY = f"{NEW},{OLD}"  # new key first, old still readable
    call_command("rotate_encryption_key", stdout=(out := _Out()))
    assert "rotated" in out.text and "intake.Tip.contact: 1" in out.text
    assert "incidents.Person.name: 1" in out.text

    settings.FIELD_ENCRYPTION_KEY = NEW  # the old key is gone: everything still reads
    _fernet.cache_clear()
    tip = Tip.objects.get(pk=tip.pk)
    assert (tip.narrative, tip.contact) == ("rotate me", "+52 1")
    assert tip.notes.get().text == "a note"
    assert Person.objects.get(pk=person.pk).name == "Jane Doe"
    after = raw("intake_tip", "contact", tip.pk)
    assert after != before
    assert Fernet(NEW.encode()).decrypt(after[7:].encode()) == b"+52 1"
    person_raw = raw("incidents_person", "a_number", person.pk)
    assert Fernet(NEW.encode()).decrypt(person_raw[7:].encode()) == b"A123"
    # Running again is harmless.
    call_command("rotate_encryption_key", stdout=_Out())
    assert Tip.objects.get(pk=tip.pk).contact == "+52 1"


def test_generate_prints_a_usable_key() -> None:
    call_command("rotate_encryption_key", "--generate", stdout=(out := _Out()))
    Fernet(out.text.strip().encode())


class _Out:
    def __init__(self) -> None:
        self.text = ""

    def write(self, s: str, *a: Any, **k: Any) -> None:
        self.text += s

    def flush(self) -> None:
        pass
