"""Encryption at rest of what submitters write (key rotation: test_key_rotation.py)."""

from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection

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
