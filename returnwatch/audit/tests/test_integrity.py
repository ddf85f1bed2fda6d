"""verify_integrity names each entry and file changed, removed or added behind the app's back."""

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from returnwatch.audit import integrity
from returnwatch.audit.log import record
from returnwatch.audit.models import AppendOnlyError, Entry

from .helpers import archived_document


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def run() -> tuple[bool, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("verify_integrity", stdout=out, stderr=err)
    except CommandError as e:
        return False, err.getvalue() + str(e)
    return True, out.getvalue()


@pytest.mark.django_db
def test_intact_record_passes(media: Path, make_incident: Any, editor: Any) -> None:
    incident = make_incident()
    record(editor, "create", incident, fields=["title", "narrative"])
    archived_document(b"a news report", editor)
    ok, out = run()
    assert ok, out
    assert "Integrity check passed" in out and "1 files checked" in out


@pytest.mark.django_db
def test_names_a_changed_entry_a_removed_entry_and_an_altered_file(
    media: Path, make_incident: Any, editor: Any
) -> None:
    incident = make_incident()
    for i in range(6):
        record(editor, "update", incident, fields=[f"field{i}"])
    doc = archived_document(b"the original report", editor)
    other = archived_document(b"another report", editor)
    entries = list(Entry.objects.order_by("seq"))
    changed, removed = entries[2], entries[4]
    with connection.cursor() as cur:  # behind the application's back
        cur.execute("UPDATE audit_entry SET note = %s WHERE id = %s", ["edited", changed.pk])
        cur.execute("DELETE FROM audit_entry WHERE id = %s", [removed.pk])
    path = Path(media, doc.file.name)
    path.chmod(0o644)
    path.write_bytes(b"the altered report")
    Path(media, other.file.name).unlink()
    Path(media, "archive", "stray.pdf").write_bytes(b"nobody knows me")

    ok, out = run()
    assert not ok
    assert f"CHANGED: audit entry {changed.seq}:" in out
    assert f"REMOVED: audit entry {removed.seq}:" in out
    assert f"CHANGED: incidents.document #{doc.pk} ({doc.file.name})" in out
    assert f"MISSING: incidents.document #{other.pk} ({other.file.name})" in out
    assert "UNKNOWN: archive/stray.pdf" in out
    # Each problem once: the removal does not also show up as a broken link.
    assert out.count("audit entry") == 2


@pytest.mark.django_db
def test_names_an_inserted_entry(media: Path, make_incident: Any, editor: Any) -> None:
    incident = make_incident()
    for _ in range(3):
        record(editor, "update", incident, fields=["title"])
    # Someone renumbers entries from 3 on and slips a forged, self-consistent entry 3 in.
    forged = Entry.objects.get(seq=3)
    with connection.cursor() as cur:
        cur.execute("UPDATE audit_entry SET seq = seq + 1000 WHERE seq >= 3")
        cur.execute("UPDATE audit_entry SET seq = seq - 999 WHERE seq >= 1000")
    entry = Entry(
        seq=3,
        created_at=forged.created_at,
        actor=None,
        actor_name="intruder",
        action="update",
        target_type=forged.target_type,
        target_id=forged.target_id,
        prev_hash=Entry.objects.get(seq=2).hash,
    )
    entry.hash = entry.compute_hash()
    entry.save()
    ok, out = run()
    assert not ok
    # The forgery is consistent but unsigned; the entries after it say they had other numbers.
    assert "FORGED: audit entry 3:" in out
    assert "REORDERED: audit entry 4: its content was written as entry 3" in out


@pytest.mark.django_db
def test_checkpoint_catches_a_cut_tail(media: Path, tmp_path: Path, make_incident: Any) -> None:
    incident = make_incident()
    for _ in range(4):
        record("test", "update", incident, fields=["title"])
    checkpoint = tmp_path / "audit-head.json"
    # Configured on an installation that has entries already: started on purpose.
    call_command(
        "verify_integrity", checkpoint=str(checkpoint), new_checkpoint=True, stdout=StringIO()
    )
    assert checkpoint.exists()
    with connection.cursor() as cur:
        cur.execute("DELETE FROM audit_entry WHERE seq >= 3")
    with pytest.raises(CommandError):
        call_command(
            "verify_integrity",
            checkpoint=str(checkpoint),
            stdout=StringIO(),
            stderr=(err := StringIO()),
        )
    assert "TRUNCATED: audit entries 3–4" in err.getvalue()


@pytest.mark.django_db
def test_entries_cannot_be_changed_or_deleted_through_the_app(make_incident: Any) -> None:
    entry = record("test", "create", make_incident(), fields=["title"])
    entry.note = "changed"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        Entry.objects.filter(pk=entry.pk).update(note="x")
    with pytest.raises(AppendOnlyError):
        Entry.objects.all().delete()


@pytest.mark.django_db
def test_admin_shows_the_log_read_only(client: Any, site_admin: Any, make_incident: Any) -> None:
    from conftest import verified_login

    entry = record("test", "create", make_incident(), fields=["title"])
    verified_login(client, site_admin)
    assert client.get("/admin/audit/entry/").status_code == 200
    page = client.get(f"/admin/audit/entry/{entry.pk}/change/")
    assert page.status_code == 200 and b'name="note"' not in page.content
    assert client.post(f"/admin/audit/entry/{entry.pk}/delete/").status_code == 403
    assert client.get("/admin/audit/entry/add/").status_code == 403


def test_discovers_every_model_with_a_hashed_file() -> None:
    labels = {m._meta.label_lower for m, _ in integrity.hashed_models()}
    assert "incidents.document" in labels
    try:
        from returnwatch.intake.models import TipAttachment
    except ImportError:
        return
    assert TipAttachment._meta.label_lower in labels
