"""Rotating the field key: with the new key put first, `rotate_encryption_key` re-encrypts every
encrypted value and rebuilds the staff search index's keyed word hashes, batch by batch; then
the old key can be removed and staff search still finds restricted words."""

from io import StringIO
from typing import Any

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conftest import give_totp, totp_code
from returnwatch.incidents import encryption, search
from returnwatch.incidents.models import Incident, Person
from returnwatch.intake import submissions
from returnwatch.intake.models import Tip, TipNote

pytestmark = pytest.mark.django_db

OLD, NEW = Fernet.generate_key().decode(), Fernet.generate_key().decode()
NARRATIVE = "Ximena was held in a warehouse near Anapra"


def raw(table: str, column: str, pk: int) -> str:
    qn = connection.ops.quote_name
    with connection.cursor() as cur:
        cur.execute(f"SELECT {qn(column)} FROM {qn(table)} WHERE id = %s", [pk])
        return cur.fetchone()[0]


def opens_with(key: str, stored: str) -> str | None:
    try:
        return Fernet(key.encode()).decrypt(stored.removeprefix("fernet:").encode()).decode()
    except InvalidToken:
        return None


def rotate(*args: str) -> str:
    out = StringIO()
    call_command("rotate_encryption_key", *args, stdout=out)
    return out.getvalue()


def staff_finds(query: str) -> list[Incident]:
    return list(search.filter_text(Incident.objects.all(), query, scope="everything"))


@pytest.fixture
def world(settings: Any, make_incident: Any, researcher: Any) -> dict[str, Any]:
    """Restricted values of every kind, written under the OLD key."""
    settings.FIELD_ENCRYPTION_KEY = OLD
    incident = make_incident(title="Kidnapping near the border", narrative=NARRATIVE)
    person = Person.objects.create(incident=incident, name="Jane Doe", a_number="A123")
    tip, _code = submissions.create_tip({"narrative": "rotate me", "contact": "+52 1"})
    Tip.objects.filter(pk=tip.pk).update(status="declined", decline_reason="out of scope")
    note = TipNote.objects.create(tip=tip, author=researcher, text="a note")
    device = give_totp(researcher)
    return {"incident": incident, "person": person, "tip": tip, "note": note, "device": device}


def test_after_rotation_and_the_command_the_old_key_is_no_longer_needed(
    settings: Any, world: dict[str, Any], client: Any, researcher: Any
) -> None:
    incident, tip = world["incident"], world["tip"]
    assert staff_finds("anapra") == [incident]
    settings.FIELD_ENCRYPTION_KEY = f"{NEW},{OLD}"  # the new key first, the old still listed
    # Until the command runs, the index holds word hashes keyed with the old key.
    assert staff_finds("anapra") == []

    out = rotate()
    assert "intake.Tip.decline_reason: 1 checked, 1 re-encrypted" in out
    assert "intake.TipNote.text: 1 checked, 1 re-encrypted" in out
    assert "incidents.Incident.narrative: 1 checked, 1 re-encrypted" in out
    assert "incidents.Person.name: 1 checked, 1 re-encrypted" in out
    assert "staff search index: 1 checked, 1 rewritten" in out
    assert "otp_totp.TOTPDevice.key: 1 re-encrypted" in out

    settings.FIELD_ENCRYPTION_KEY = NEW  # the old key is gone
    # Staff search finds the restricted words and their prefixes, in the workspace too.
    for query in ("anapra", "Warehou", "ximena kidnapping"):
        assert staff_finds(query) == [incident], query
    client.force_login(researcher)
    page = client.get("/staff/", {"q": "Anapra"})
    assert incident.reference in page.content.decode()
    # Every value reads, and the stored tokens open with the new key alone.
    tip = Tip.objects.get(pk=tip.pk)
    assert (tip.narrative, tip.contact, tip.decline_reason) == (
        "rotate me",
        "+52 1",
        "out of scope",
    )
    assert TipNote.objects.get().text == "a note"
    assert Person.objects.get().name == "Jane Doe"
    assert Incident.objects.get(pk=incident.pk).narrative == NARRATIVE
    for table, column, pk in (
        ("intake_tip", "decline_reason", tip.pk),
        ("intake_tip", "contact", tip.pk),
        ("intake_tipnote", "text", world["note"].pk),
        ("incidents_incident", "narrative", incident.pk),
        ("incidents_person", "a_number", world["person"].pk),
    ):
        stored = raw(table, column, pk)
        assert opens_with(NEW, stored) is not None and opens_with(OLD, stored) is None, column
    # The authenticator still works; the row digests are still valid (they cover clear values).
    assert world["device"].verify_token(totp_code(world["device"]))
    from returnwatch.audit.integrity import verify_rows

    assert verify_rows()[0] == []


def test_running_it_again_changes_nothing(settings: Any, world: dict[str, Any]) -> None:
    settings.FIELD_ENCRYPTION_KEY = f"{NEW},{OLD}"
    rotate()
    before = raw("intake_tip", "decline_reason", world["tip"].pk)
    index = search.SearchEntry.objects.get().everything
    out = rotate()
    assert "re-encrypted 1 encrypted values; rewrote 0 search index entries" in out  # TOTP only
    assert raw("intake_tip", "decline_reason", world["tip"].pk) == before
    assert search.SearchEntry.objects.get().everything == index


def test_dry_run_counts_and_changes_nothing(settings: Any, world: dict[str, Any]) -> None:
    settings.FIELD_ENCRYPTION_KEY = f"{NEW},{OLD}"
    before = raw("intake_tip", "decline_reason", world["tip"].pk)
    out = rotate("--dry-run")
    assert "intake.Tip.decline_reason: 1 checked, 1 to re-encrypt" in out
    assert "would rewrite 1 search index entries" in out
    assert raw("intake_tip", "decline_reason", world["tip"].pk) == before
    assert staff_finds("anapra") == []


def test_each_batch_is_written_whole_or_not_at_all_and_a_second_run_resumes(
    settings: Any, monkeypatch: Any
) -> None:
    settings.FIELD_ENCRYPTION_KEY = OLD
    tips = [submissions.create_tip({"narrative": f"tip {i}"})[0] for i in range(7)]
    settings.FIELD_ENCRYPTION_KEY = f"{NEW},{OLD}"
    real, calls = encryption.rotate, {"n": 0}

    def failing(token: str) -> str:  # the machine dies during the second batch
        calls["n"] += 1
        if calls["n"] == 5:  # after the first update of that batch
            raise RuntimeError("power cut")
        return real(token)

    from returnwatch.intake.management.commands import rotate_encryption_key as command

    monkeypatch.setattr(command, "rotate", failing)
    with pytest.raises(RuntimeError):
        rotate("--batch-size", "3")
    opened = [opens_with(NEW, raw("intake_tip", "narrative", t.pk)) for t in tips]
    assert opened[:3] == ["tip 0", "tip 1", "tip 2"]  # the first batch committed
    assert opened[3:] == [None] * 4  # the second batch rolled back whole, the rest untouched

    monkeypatch.setattr(command, "rotate", real)
    out = rotate("--batch-size", "3")
    assert "intake.Tip.narrative: 7 checked, 4 re-encrypted" in out
    assert [opens_with(NEW, raw("intake_tip", "narrative", t.pk)) for t in tips] == [
        f"tip {i}" for i in range(7)
    ]


def test_it_reads_one_batch_at_a_time(settings: Any, make_incident: Any) -> None:
    """Memory stays one batch whatever the table's size: every read is a keyset page."""
    settings.FIELD_ENCRYPTION_KEY = OLD
    for i in range(5):
        make_incident(narrative=f"narrative {i}")
        submissions.create_tip({"narrative": f"tip {i}"})
    settings.FIELD_ENCRYPTION_KEY = f"{NEW},{OLD}"
    with CaptureQueriesContext(connection) as queries:
        rotate("--batch-size", "2")
    reads = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith("SELECT")
        and ("intake_tip" in q["sql"] or "incidents_incident" in q["sql"])
        and "searchentry" not in q["sql"]
    ]
    assert reads and all("LIMIT 2" in sql for sql in reads), reads
    settings.FIELD_ENCRYPTION_KEY = NEW
    assert staff_finds("narrative") and len(staff_finds("narrative")) == 5
