"""What researchers write about a tip (decline reasons, internal notes) is encrypted at rest
like what the submitter wrote, and every tip row the application writes carries a valid row
digest (audit/rows.py), so `verify_integrity` can tell a direct SQL edit from a real change."""

import importlib
from types import SimpleNamespace
from typing import Any

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse

from returnwatch.audit import rows
from returnwatch.incidents.models import Incident
from returnwatch.intake import submissions
from returnwatch.intake.models import Tip, TipAttachment, TipFollowUp, TipNote

from .conftest import png_bytes

pytestmark = pytest.mark.django_db

REASON = "Declined: Rosalba's cousin says it happened in Phoenix"
NOTE = "Called the shelter on Calle Coahuila: they remember her"


def raw(table: str, column: str, pk: int) -> str:
    qn = connection.ops.quote_name
    with connection.cursor() as cur:
        cur.execute(f"SELECT {qn(column)} FROM {qn(table)} WHERE id = %s", [pk])
        return cur.fetchone()[0]


def new_tip(**data: Any) -> Tip:
    data.setdefault("narrative", "They were kidnapped at the bus station after crossing.")
    tip, _code = submissions.create_tip(data, data.pop("files", ()))
    return tip


@pytest.fixture
def rita(client: Client, researcher: Any) -> Client:
    client.force_login(researcher)
    return client


def test_decline_reason_and_note_are_encrypted_in_the_table_and_shown_to_staff(
    rita: Client,
) -> None:
    tip = new_tip()
    rita.post(reverse("staff:tip_note", args=[tip.pk]), {"text": NOTE})
    rita.post(reverse("staff:tip_status", args=[tip.pk]), {"status": "declined", "reason": REASON})
    note = TipNote.objects.get(tip=tip)
    for table, column, pk, secret in (
        ("intake_tip", "decline_reason", tip.pk, "Phoenix"),
        ("intake_tipnote", "text", note.pk, "Coahuila"),
    ):
        stored = raw(table, column, pk)
        assert stored.startswith("fernet:") and secret not in stored
    page = rita.get(reverse("staff:tip_detail", args=[tip.pk])).content.decode()
    assert "Rosalba&#x27;s cousin says it happened in Phoenix" in page
    assert "Called the shelter on Calle Coahuila" in page
    # Reopening clears the reason: an empty value, not an encrypted empty string.
    rita.post(reverse("staff:tip_status", args=[tip.pk]), {"status": "review"})
    assert raw("intake_tip", "decline_reason", tip.pk) == ""
    assert Tip.objects.get(pk=tip.pk).decline_reason == ""


def test_the_migration_encrypts_existing_decline_reasons_and_seals_existing_rows() -> None:
    tip = new_tip(contact="+52 664 000")
    with connection.cursor() as cur:  # a row as it stood before migration 0004
        cur.execute(
            "UPDATE intake_tip SET decline_reason = %s, row_digest = '' WHERE id = %s",
            [REASON, tip.pk],
        )
    migration = importlib.import_module(
        "returnwatch.intake.migrations.0004_restricted_text_sealed_rows"
    )
    migration.encrypt_and_seal(apps, SimpleNamespace(connection=connection))
    stored = raw("intake_tip", "decline_reason", tip.pk)
    assert stored.startswith("fernet:") and "Phoenix" not in stored
    tip = Tip.objects.get(pk=tip.pk)
    assert tip.decline_reason == REASON and tip.contact == "+52 664 000"
    assert rows.check(tip) == []
    # Running it again changes nothing.
    migration.encrypt_and_seal(apps, SimpleNamespace(connection=connection))
    assert raw("intake_tip", "decline_reason", tip.pk) == stored


def test_every_way_the_application_writes_tip_rows_leaves_them_sealed(
    rita: Client, researcher: Any, make_user: Any, make_incident: Any
) -> None:
    photo = SimpleUploadedFile("me.png", png_bytes(), content_type="image/png")
    tip = new_tip(contact="a@example.org", files=[photo])
    submissions.add_follow_up(tip, "One more thing: the van was white")  # bumps the tip by update()
    other = make_user("other-researcher", "researcher")
    rita.post(reverse("staff:tip_assign", args=[tip.pk]), {"assignee": other.pk})
    rita.post(reverse("staff:tip_note", args=[tip.pk]), {"text": NOTE})
    rita.post(reverse("staff:tip_status", args=[tip.pk]), {"status": "declined", "reason": REASON})
    rita.post(reverse("staff:tip_status", args=[tip.pk]), {"status": "review"})
    rita.post(reverse("staff:tip_create_incident", args=[tip.pk]))
    second = new_tip()
    rita.post(
        reverse("staff:tip_link_incident", args=[second.pk]),
        {"reference": make_incident().reference},
    )
    TipNote.objects.create(tip=second, author=other, text="by someone who leaves")
    # Deletions that set a tip's columns to NULL: the assignee and a note's author leave,
    # a linked incident is deleted.
    other.delete()
    Incident.objects.get(pk=Tip.objects.get(pk=second.pk).incident_id).delete()

    tip, second = Tip.objects.get(pk=tip.pk), Tip.objects.get(pk=second.pk)
    assert tip.assignee is None and tip.incident is not None and second.incident is None
    assert tip.attachments.count() == 1 and tip.follow_ups.count() == 1
    for model in (Tip, TipAttachment, TipFollowUp, TipNote):
        objs = list(model._base_manager.all())
        assert objs, model
        for obj in objs:
            assert rows.check(obj) == [], (model, obj.pk)
