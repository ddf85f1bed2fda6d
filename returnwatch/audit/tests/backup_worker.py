"""A separate process acting as the running site for the backup test: seeds, writes, dumps.

Run as `python -m returnwatch.audit.tests.backup_worker seed|write|dump ...` with
DATABASE_URL and MEDIA_ROOT pointing at the installation to act on.
"""

import csv
import datetime as dt
import io
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "returnwatch.settings")
django.setup()

from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from returnwatch.audit.log import record  # noqa: E402
from returnwatch.audit.tests.helpers import archived_document, cite  # noqa: E402
from returnwatch.incidents.models import City, Incident, ViolenceType  # noqa: E402


def add_incident(i: int, with_file: bool) -> None:
    with transaction.atomic():
        incident = Incident.objects.create(
            title=f"Case {i}",
            summary=f"Public summary {i}",
            narrative=f"restricted narrative {i}",
            status="published",
            published_at=timezone.now(),
            date=dt.date(2020, 1, 1) + dt.timedelta(days=i % 300),
            city=City.objects.order_by("id")[i % 3],
        )
        incident.violence_types.set(ViolenceType.objects.order_by("id")[i % 4 : i % 4 + 1])
        record("writer", "create", incident, fields=["title", "summary", "narrative"])
        if with_file:
            doc = archived_document(
                f"archived source {i} {time.time()}".encode(), title=f"Source {i}"
            )
            cite(incident, doc)


def seed(n: int) -> None:
    for i in range(n):
        add_incident(i, with_file=i % 2 == 0)


def write(stop: Path, progress: Path, start: int) -> None:
    deadline = time.monotonic() + 90
    i = start
    while not stop.exists() and time.monotonic() < deadline:
        add_incident(i, with_file=i % 3 == 0)
        i += 1
        progress.write_text(str(i - start))
    progress.write_text(str(i - start))


def dump() -> dict[str, Any]:
    """The public data: the CSV export when there is one, else the public projection."""
    from django.test import Client
    from django.urls import NoReverseMatch, reverse

    try:
        url = reverse("exports:csv")
    except NoReverseMatch:
        url = None
    if url:
        response = Client().get(url)
        if response.status_code == 200:
            body = response.getvalue()
            text = body.decode()
            rows = list(csv.DictReader(io.StringIO(text)))
            return {"source": "csv", "rows": sorted(rows, key=lambda r: r["reference"])}
    from returnwatch import public

    rows = [
        {k: str(v) for k, v in vars(p).items()} for p in public.project(list(public.incidents()))
    ]
    return {"source": "projection", "rows": sorted(rows, key=lambda r: r["reference"])}


def plant() -> dict[str, str]:
    """Secrets of every kind a thief would want, written as the site writes them."""
    import secrets

    from django.contrib.sessions.backends.db import SessionStore

    from returnwatch.accounts import twofactor
    from returnwatch.accounts.models import User
    from returnwatch.incidents.models import Person
    from returnwatch.intake.models import Tip, TipNote

    mark = secrets.token_hex(4)
    out = {
        "narrative": f"Narrative-secret-{mark} she was taken from the shelter",
        "person_name": f"Maria-Secret-{mark} Lopez",
        "person_contact": f"+52-664-{mark}",
        "tip_contact": f"tipster-{mark}@example.org",
        "tip_narrative": f"Tip-narrative-secret-{mark}",
        "decline_reason": f"Decline-secret-{mark}",
        "tip_note": f"Note-secret-{mark} called the shelter",
        "tip_attachment": f"Attached-secret-{mark} scanned deportation order",
    }
    with transaction.atomic():
        incident = Incident.objects.create(
            title="Planted", summary="Public summary", narrative=out["narrative"]
        )
        Person.objects.create(
            incident=incident, name=out["person_name"], contact=out["person_contact"]
        )
        tip = Tip.objects.create(
            narrative=out["tip_narrative"],
            contact=out["tip_contact"],
            receipt_hash=secrets.token_hex(32),
            status="declined",
            decline_reason=out["decline_reason"],
        )
        user = User.objects.create_user(f"editor{mark}", password=secrets.token_hex(16))
        TipNote.objects.create(tip=tip, author=user, text=out["tip_note"])
        device = twofactor.pending_totp(user)
        device.confirmed = True
        device.save()
        out["totp_seed"] = device.key  # hex, as django-otp keeps it
        out["recovery_code"] = twofactor.new_recovery_codes(user)[0]
        session = SessionStore()
        session["planted"] = True
        session.create()
        out["session_key"] = session.session_key
    # A document the submitter attached (stored as it arrived: a PDF is not re-encoded).
    from django.core.files.uploadedfile import SimpleUploadedFile

    from returnwatch.intake import submissions

    pdf = f"%PDF-1.4\n% {out['tip_attachment']}\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    submissions.create_tip(
        {"narrative": "see the attached order"},
        [SimpleUploadedFile("order.pdf", pdf.encode(), content_type="application/pdf")],
    )
    return out


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "plant":
        json.dump(plant(), sys.stdout)
    if cmd == "seed":
        seed(int(sys.argv[2]))
    elif cmd == "write":
        write(Path(sys.argv[2]), Path(sys.argv[3]), int(sys.argv[4]))
    elif cmd == "dump":
        json.dump(dump(), sys.stdout)
