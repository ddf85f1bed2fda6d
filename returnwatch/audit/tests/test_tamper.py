"""The tamper matrix: each way of quietly rewriting the record, done by SQL behind the
application's back, and `verify_integrity` naming it (and exiting non-zero)."""

import hashlib
import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from returnwatch.audit import rows, signing
from returnwatch.audit.log import record
from returnwatch.audit.models import Entry
from returnwatch.incidents.models import Citation, Document, DocumentKind, Incident, Person

from .helpers import archived_document, cite


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def checkpoint_file(settings: Any, tmp_path: Path) -> Path:
    settings.AUDIT_CHECKPOINT_FILE = str(tmp_path / "audit-checkpoint.json")
    return Path(settings.AUDIT_CHECKPOINT_FILE)


@pytest.fixture
def history(
    media: Path,
    checkpoint_file: Path,
    make_incident: Any,
    editor: Any,
    django_capture_on_commit_callbacks: Any,
) -> dict[str, Any]:
    """A small record written as the application writes it: 9 entries (the first is the
    editor's account), an incident with a
    person, an archived document cited by it; the checkpoint exported after each change."""
    with django_capture_on_commit_callbacks(execute=True):
        incident = make_incident(narrative="what happened")
        record(editor, "create", incident, fields=["title", "narrative"])
        person = Person.objects.create(incident=incident, name="Ana Real", contact="+52 664 000")
        record(editor, "create", person, fields=["name", "contact"], about=incident)
        for i in range(3):
            incident.title = f"Title {i}"
            incident.save(update_fields=["title"])
            record(editor, "update", incident, fields=["title"])
        doc = archived_document(b"the original report", editor)
        citation = cite(incident, doc, editor)
        record(editor, "update", incident, fields=["verification"])
    assert Entry.objects.count() == 9
    return {"incident": incident, "person": person, "doc": doc, "citation": citation}


def run() -> tuple[bool, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("verify_integrity", stdout=out, stderr=err)
    except CommandError as e:
        return False, err.getvalue() + str(e)
    return True, out.getvalue()


def sql(statement: str, params: list[Any] | None = None) -> None:
    with connection.cursor() as cur:
        cur.execute(statement, params or [])


def rehash_from(seq: int) -> None:
    """What an intruder without the key can do: recompute every hash from `seq` on."""
    prev = Entry.objects.get(seq=seq - 1).hash if seq > 1 else "0" * 64
    for entry in Entry.objects.filter(seq__gte=seq).order_by("seq"):
        entry.prev_hash = prev
        entry.hash = prev = entry.compute_hash()
        sql(
            "UPDATE audit_entry SET prev_hash = %s, hash = %s WHERE id = %s",
            [entry.prev_hash, entry.hash, entry.pk],
        )


def test_an_untouched_record_passes(history: dict[str, Any], checkpoint_file: Path) -> None:
    ok, out = run()
    assert ok, out
    assert "9 audit entries" in out and "1 files checked" in out
    assert json.loads(checkpoint_file.read_text())["seq"] == 9


def test_edited_entry_is_named_changed(history: dict[str, Any]) -> None:
    sql("UPDATE audit_entry SET note = 'nothing to see' WHERE seq = 3")
    ok, out = run()
    assert not ok
    assert "CHANGED: audit entry 3: its content no longer matches its hash" in out
    assert "FAILED: 1 problem(s)" in out  # nothing else flagged


def test_deleted_middle_entry_is_named_removed(history: dict[str, Any]) -> None:
    sql("DELETE FROM audit_entry WHERE seq = 4")
    ok, out = run()
    assert not ok
    assert "REMOVED: audit entry 4: missing before entry 5" in out
    assert "FAILED: 1 problem(s)" in out  # nothing else flagged


def test_deleted_newest_entries_are_named_truncated(history: dict[str, Any]) -> None:
    sql("DELETE FROM audit_entry WHERE seq >= 8")
    ok, out = run()
    assert not ok
    assert "TRUNCATED: audit entries 8–9: the signed checkpoint names entry 9" in out


def test_swapped_entries_are_named_reordered(history: dict[str, Any]) -> None:
    sql("UPDATE audit_entry SET seq = 1000 WHERE seq = 3")
    sql("UPDATE audit_entry SET seq = 3 WHERE seq = 4")
    sql("UPDATE audit_entry SET seq = 4 WHERE seq = 1000")
    ok, out = run()
    assert not ok
    assert "REORDERED: audit entry 3: its content was written as entry 4" in out
    assert "REORDERED: audit entry 4: its content was written as entry 3" in out
    assert "FAILED: 2 problem(s)" in out  # nothing else flagged


def test_rewritten_and_rehashed_chain_is_named_rewritten(history: dict[str, Any]) -> None:
    sql("UPDATE audit_entry SET actor_name = 'someone else' WHERE seq = 5")
    rehash_from(5)
    ok, out = run()
    assert not ok
    # The hashes are consistent again: only the signatures (and the checkpoint) tell.
    assert "CHANGED" not in out and "INSERTED" not in out
    assert "REWRITTEN: audit entries 5–9: rehashed without the signing key" in out


def test_forged_appended_entry_is_named_forged(history: dict[str, Any]) -> None:
    last = Entry.objects.order_by("-seq").first()
    forged = Entry(
        seq=last.seq + 1,
        created_at=last.created_at,
        actor_name="eddie",
        action="delete",
        target_type="incidents.incident",
        target_id=str(history["incident"].pk),
        prev_hash=last.hash,
    )
    forged.hash = forged.compute_hash()
    forged.signature = signing.keys().signing_id + ":" + "A" * 88  # looks like one
    forged.save()
    ok, out = run()
    assert not ok
    assert "FORGED: audit entry 10: not written by this installation" in out
    assert "FAILED: 1 problem(s)" in out  # nothing else flagged


def test_file_replaced_with_its_recorded_hash_is_named_replaced(
    history: dict[str, Any], media: Path
) -> None:
    doc = history["doc"]
    other = b"a different report"
    digest = hashlib.sha256(other).hexdigest()
    path = Path(media, doc.file.name)
    path.chmod(0o644)
    path.write_bytes(other)
    sql(
        "UPDATE incidents_document SET sha256 = %s, size = %s WHERE id = %s",
        [digest, len(other), doc.pk],
    )
    ok, out = run()
    assert not ok
    assert f"REPLACED: incidents.document #{doc.pk} ({doc.file.name})" in out
    # The file itself matches the (new) recorded hash: only the seal tells.
    assert f"CHANGED: incidents.document #{doc.pk}" not in out


def test_incident_row_edited_by_sql_is_named_row_changed(history: dict[str, Any]) -> None:
    pk = history["incident"].pk
    sql("UPDATE incidents_incident SET victims_count = 0 WHERE id = %s", [pk])
    ok, out = run()
    assert not ok
    assert f"ROW-CHANGED: incidents.incident #{pk}: its values no longer match its digest" in out


def test_person_row_edited_by_sql_is_named_row_changed(history: dict[str, Any]) -> None:
    person = history["person"]
    # A valid ciphertext of another name: the intruder holds the field key, not the audit key.
    from returnwatch.incidents.encryption import encrypt

    sql("UPDATE incidents_person SET name = %s WHERE id = %s", [encrypt("Someone Else"), person.pk])
    ok, out = run()
    assert not ok
    assert f"ROW-CHANGED: incidents.person #{person.pk}" in out


def test_citation_row_edited_by_sql_is_named_row_changed(history: dict[str, Any]) -> None:
    citation = history["citation"]
    sql("UPDATE incidents_citation SET reliability = 'high' WHERE id = %s", [citation.pk])
    ok, out = run()
    assert not ok
    assert f"ROW-CHANGED: incidents.citation #{citation.pk}" in out


def test_row_inserted_by_sql_is_named_row_inserted(history: dict[str, Any]) -> None:
    incident = history["incident"]
    sql(
        "INSERT INTO incidents_person (incident_id, name, a_number, contact, notes, created_at, row_digest) "
        "VALUES (%s, '', '', '', '', %s, '')",
        [incident.pk, incident.created_at],
    )
    ok, out = run()
    assert not ok
    assert "ROW-INSERTED: incidents.person #" in out


@pytest.fixture
def tip_history(
    history: dict[str, Any], researcher: Any, django_capture_on_commit_callbacks: Any
) -> dict[str, Any]:
    """The record above, and a tip written as the site writes them: a photo, a decline reason
    and an internal note, each change in the audit log and the checkpoint."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from returnwatch.intake import submissions
    from returnwatch.intake.models import TipNote
    from returnwatch.intake.tests.conftest import png_bytes

    with django_capture_on_commit_callbacks(execute=True):
        photo = SimpleUploadedFile("me.png", png_bytes(), content_type="image/png")
        tip, _code = submissions.create_tip({"narrative": "taken at the station"}, [photo])
        tip.status, tip.decline_reason = "declined", "happened in Phoenix"
        tip.save(update_fields=["status", "decline_reason"])
        record(researcher, "tip.status.declined", tip, fields=["decline_reason", "status"])
        note = TipNote.objects.create(tip=tip, author=researcher, text="called the shelter")
        record(researcher, "tip.note", note, fields=["text"], about=tip)
    assert run()[0]
    return {**history, "tip": tip, "note": note, "attachment": tip.attachments.get()}


def test_tip_row_edited_by_sql_is_named_row_changed(tip_history: dict[str, Any]) -> None:
    tip = tip_history["tip"]
    # Reopened behind the application's back, with another (validly encrypted) reason.
    from returnwatch.incidents.encryption import encrypt

    sql(
        "UPDATE intake_tip SET status = 'review', decline_reason = %s WHERE id = %s",
        [encrypt("a reason nobody gave"), tip.pk],
    )
    ok, out = run()
    assert not ok
    assert f"ROW-CHANGED: intake.tip #{tip.pk}: its values no longer match its digest" in out
    assert "FAILED: 1 problem(s)" in out  # nothing else flagged


def test_tip_note_edited_by_sql_is_named_row_changed(tip_history: dict[str, Any]) -> None:
    note = tip_history["note"]
    from returnwatch.incidents.encryption import encrypt

    sql("UPDATE intake_tipnote SET text = %s WHERE id = %s", [encrypt("nothing found"), note.pk])
    ok, out = run()
    assert not ok
    assert f"ROW-CHANGED: intake.tipnote #{note.pk}" in out


def test_tip_attachment_replaced_with_its_recorded_hash_is_named_replaced(
    tip_history: dict[str, Any], media: Path
) -> None:
    attachment = tip_history["attachment"]
    other = b"another photo"
    path = Path(media, attachment.file.name)
    path.chmod(0o644)
    path.write_bytes(other)
    sql(
        "UPDATE intake_tipattachment SET sha256 = %s, size = %s WHERE id = %s",
        [hashlib.sha256(other).hexdigest(), len(other), attachment.pk],
    )
    ok, out = run()
    assert not ok
    assert f"REPLACED: intake.tipattachment #{attachment.pk} ({attachment.file.name})" in out


def test_deleted_stored_file_is_named_missing(history: dict[str, Any], media: Path) -> None:
    doc = history["doc"]
    Path(media, doc.file.name).unlink()
    ok, out = run()
    assert not ok
    assert f"MISSING: incidents.document #{doc.pk} ({doc.file.name}): the file is gone" in out


def test_edited_checkpoint_is_named_checkpoint_forged(
    history: dict[str, Any], checkpoint_file: Path
) -> None:
    # Cut the tail and move the checkpoint back to match: the signature gives it away.
    sql("DELETE FROM audit_entry WHERE seq >= 8")
    data = json.loads(checkpoint_file.read_text())
    data["seq"], data["hash"] = 7, Entry.objects.get(seq=7).hash
    checkpoint_file.write_text(json.dumps(data))
    ok, out = run()
    assert not ok
    assert f"CHECKPOINT-FORGED: {checkpoint_file}: its signature does not verify" in out


def test_deleted_checkpoint_is_named_checkpoint_missing(
    history: dict[str, Any], checkpoint_file: Path
) -> None:
    checkpoint_file.unlink()
    ok, out = run()
    assert not ok
    assert f"CHECKPOINT-MISSING: {checkpoint_file}" in out


# ---------------------------------------------------------------------------- honest writes


@pytest.mark.django_db
def test_every_way_the_application_writes_rows_leaves_them_sealed(
    make_incident: Any, editor: Any
) -> None:
    a, b = make_incident(), make_incident()
    a.title = "Changed"
    a.save(update_fields=["title"])  # the digest goes along
    Incident.objects.filter(pk=b.pk).update(victims_count=7)  # resealed from the new values
    Incident.objects.bulk_update([a], ["summary"])
    Person.objects.bulk_create([Person(incident=a, name="Bulk Person")])
    doc = Document.objects.create(kind=DocumentKind.objects.first(), title="t")
    Citation.objects.create(incident=b, document=doc)
    for model in rows.sealed_models():
        for obj in model._base_manager.all():
            assert rows.check(obj) == [], (model, obj.pk)


def test_the_digest_field_is_the_last_field_of_each_sealed_model() -> None:
    # auto_now fields set their value in pre_save; the digest must see the stored values.
    sealed = rows.sealed_models()
    assert {m._meta.label_lower for m in sealed} >= {
        "incidents.incident",
        "incidents.person",
        "incidents.document",
        "incidents.citation",
        "intake.tip",
        "intake.tipattachment",
        "intake.tipfollowup",
        "intake.tipnote",
    }
    for model in sealed:
        assert model._meta.concrete_fields[-1].name == rows.FIELD, model


@pytest.mark.django_db
def test_bulk_import_and_generated_incidents_verify(media: Path, researcher: Any) -> None:
    """The importer's one-statement inserts, its audit chain and `generate_incidents` write
    rows and entries that verify, through the same digest and signing code."""
    from returnwatch.imports import importer

    def apply(rows_: list[str]) -> None:
        data = ("ID,Título,Resumen,Fecha,Ciudad,Fuente\n" + "\n".join(rows_) + "\n").encode()
        table = importer.read_table(data, "cases.csv")
        report = importer.plan(table, importer.guess_mapping(table.headers), researcher)
        assert report.ok, report.describe()
        importer.apply(report, researcher)

    apply(
        [
            "A-1,Secuestro,Resumen uno,2019-10-03,Tijuana,https://example.org/a",
            "A-2,Agresión,Resumen dos,2019-10-04,Reynosa,https://example.org/b",
        ]
    )
    apply(["A-1,Secuestro en la central,Resumen uno,2019-10-03,Tijuana,https://example.org/c"])
    call_command("generate_incidents", count=30, stdout=StringIO())
    assert Incident.objects.count() == 32 and Citation.objects.count() == 3
    ok, out = run()
    assert ok, out


def test_rewrite_inside_a_bulk_batch_is_named_rewritten(
    history: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    """A bulk import signs only the last entry of its batch; its hash still covers the rest."""
    from returnwatch.audit import log

    incident = history["incident"]
    with django_capture_on_commit_callbacks(execute=True):
        batch = log.chain("importer", [("update", incident, ["title"], incident)] * 5, "import")
        Entry.objects.bulk_create(batch)
    assert [bool(e.signature) for e in batch] == [False] * 4 + [True]
    assert run()[0]
    sql("UPDATE audit_entry SET actor_name = 'someone else' WHERE seq = 12")
    rehash_from(12)
    ok, out = run()
    assert not ok
    assert "REWRITTEN: audit entries 10–14: rehashed without the signing key" in out


@pytest.mark.django_db
def test_rows_set_null_by_a_deletion_are_resealed(make_incident: Any) -> None:
    target, duplicate = make_incident(), make_incident()
    duplicate.merged_into = target
    duplicate.save()
    target.delete()  # Django sets duplicate.merged_into to NULL with an UPDATE
    duplicate.refresh_from_db()
    assert duplicate.merged_into is None and rows.check(duplicate) == []
