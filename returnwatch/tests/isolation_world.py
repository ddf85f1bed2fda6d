"""A coalition for the partner-isolation tests: the lead and two partners, each with a
researcher and an editor (second factor enrolled), and each holding one of every kind of object.

Every object's text carries a marker (`SECRET-<org>-<what>`) so a test can check that no page
shows another organization's restricted words.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from conftest import give_totp
from returnwatch.accounts.models import Organization, User
from returnwatch.api.models import ApiToken
from returnwatch.imports.models import ImportBatch
from returnwatch.incidents import files
from returnwatch.incidents.models import (
    BulkChange,
    Citation,
    City,
    Document,
    DocumentKind,
    Incident,
    Person,
    ViolenceType,
)
from returnwatch.intake import submissions
from returnwatch.intake.models import Tip, TipNote
from returnwatch.library.models import LibraryItem
from returnwatch.subscriptions.models import SavedSearch

ORGS = ("lead", "a", "b")


@dataclass
class Org:
    name: str
    organization: Organization
    researcher: User
    editor: User
    token: str = ""
    objects: dict[str, Any] = field(default_factory=dict)

    def __getitem__(self, key: str) -> Any:
        return self.objects[key]


def _png(seed: int) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (4, 4), (seed * 40 % 256, 10, 10)).save(buf, "PNG")
    return buf.getvalue()


def _document(kind: str, title: str, user: User, seed: int, with_file: bool) -> Document:
    doc = Document(
        kind=DocumentKind.objects.get(code=kind),
        title=title,
        publisher=f"{title} publisher",
        url=f"https://example.org/{title.lower()}",
        date_published=dt.date(2025, 3, 1),
        language="es",
        created_by=user,
    )
    if with_file:
        upload = SimpleUploadedFile(f"{title}.png", _png(seed), "image/png")
        files.attach(doc, upload, files.inspect(upload), user)
    doc.save()
    return doc


def build(seed_offset: int = 0) -> dict[str, Org]:
    world: dict[str, Org] = {}
    city = City.objects.get(code="reynosa")
    kidnapping = ViolenceType.objects.get(code="kidnapping")
    for n, key in enumerate(ORGS):
        organization = Organization.objects.create(name=f"Org {key} (test)", is_lead=key == "lead")
        researcher = User.objects.create_user(
            f"res-{key}", password="x", role="researcher", organization=organization
        )
        editor = User.objects.create_user(
            f"ed-{key}", password="x", role="editor", organization=organization
        )
        give_totp(editor)
        org = Org(key, organization, researcher, editor)
        marker = f"SECRET-{key.upper()}"

        def incident(status: str, what: str, org: Org = org, marker: str = marker) -> Incident:
            inc = Incident.objects.create(
                title=f"{marker}-{what} title",
                summary=f"{marker}-{what} summary",
                narrative=f"{marker}-{what} narrative zzunique{org.name}{what}",
                status=status,
                date=dt.date(2025, 3, 2),
                city=city,
                organization=org.organization,
                created_by=org.researcher,
                published_at=dt.datetime(2025, 3, 3, tzinfo=dt.UTC) if status != "draft" else None,
                retraction_reason="withdrawn" if status == "retracted" else "",
            )
            inc.violence_types.set([kidnapping])
            return inc

        o = org.objects
        o["draft"] = incident("draft", "draft")
        o["review"] = incident("review", "review")
        o["published"] = incident("published", "published")
        o["retracted"] = incident("retracted", "retracted")
        o["interview"] = _document(
            "interview", f"{marker}-interview", researcher, n + seed_offset, True
        )
        o["news"] = _document("news", f"{marker}-news", researcher, n + 10 + seed_offset, True)
        o["report"] = _document(
            "ngo-report", f"{marker}-report", researcher, n + 20 + seed_offset, False
        )
        o["citation"] = Citation.objects.create(incident=o["draft"], document=o["interview"])
        o["news_citation"] = Citation.objects.create(incident=o["draft"], document=o["news"])
        Citation.objects.create(incident=o["published"], document=o["report"])
        o["person"] = Person.objects.create(incident=o["draft"], name=f"{marker}-person name")
        tip, _code = submissions.create_tip(
            {
                "narrative": f"{marker}-tip narrative secuestro en la central",
                "city": "reynosa",
                "date": "2025-03-02",
                "violence_types": ["kidnapping"],
                "contact": f"{marker.lower()}@example.org",
            },
            [SimpleUploadedFile("photo.png", _png(n + 30 + seed_offset), "image/png")],
        )
        Tip.objects.filter(pk=tip.pk).update(assignee=researcher)
        tip.refresh_from_db()
        o["tip"] = tip
        o["note"] = TipNote.objects.create(tip=tip, author=researcher, text=f"{marker}-note")
        o["attachment"] = tip.attachments.get()
        o["item"] = LibraryItem.objects.create(
            document=o["report"],
            slug=f"report-{key}",
            kind="lawsuit",
            court="Demo court",
            listed=False,
        )
        o["status_change"] = o["item"].status_changes.create(
            date=dt.date(2025, 3, 4), status="pending", created_by=researcher
        )
        o["filing"] = o["item"].key_filings.create(document=o["news"], position=0)
        token, raw = ApiToken.issue(researcher, f"{key} tracker")
        o["token"] = token
        org.token = raw
        batch = ImportBatch(
            created_by=researcher, filename=f"{key}.csv", sha256="0" * 64, columns={}, options={}
        )
        batch.file.save(f"import-{key}", ContentFile(b"title\nSECRET row\n"), save=False)
        batch.save()
        o["import"] = batch
        from returnwatch.audit.models import BundleJob

        bundle = BundleJob(
            incident=o["draft"], requested_by=researcher, status="done", size=9, sha256="0" * 64
        )
        bundle.file.save(f"bundle-{key}.zip", ContentFile(b"SECRET zip"), save=False)
        bundle.save()
        o["bundle"] = bundle
        from returnwatch.evidence.models import Capture

        o["capture"] = Capture.objects.create(
            document=o["news"], url=o["news"].url, status="done", requested_by=researcher
        )
        o["bulk"] = BulkChange.objects.create(
            user=researcher,
            action="assign",
            changes=[{"id": o["draft"].pk, "before": None, "after": researcher.pk}],
        )
        o["saved"] = SavedSearch.objects.create(
            user=researcher, name=f"{marker}-saved search", query="status=draft"
        )
        world[key] = org
    return world


def snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """Every row a partner might try to change, as plain values (compared before and after)."""
    from returnwatch.library.models import KeyFiling, LawsuitStatusChange

    models = (
        Incident, Document, Citation, Person, Tip, TipNote, LibraryItem, ApiToken,
        LawsuitStatusChange, KeyFiling, BulkChange, SavedSearch,
    )  # fmt: skip
    out = {}
    for model in models:
        fields = [f.attname for f in model._meta.concrete_fields if f.attname != "updated_at"]
        out[model.__name__] = sorted(model.objects.values_list(*fields))
    return out
