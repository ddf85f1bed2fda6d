"""An incident's evidence bundle: its archived files and a manifest, for an investigator.

The zip holds `files/…` (each archived copy exactly as stored), `manifest.json` (per file:
SHA-256, size, media type, capture time, capturer, source URL; and the incident's change
history from the audit log with the entries' hashes) and `SHA256SUMS` (so `sha256sum -c
SHA256SUMS` checks the files with standard tools). Web captures of the cited documents go
under `captures/` with their signed manifests, time stamps and a README on checking them
(returnwatch/evidence/bundle.py).
"""

from __future__ import annotations

import json
import re
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import PurePosixPath
from typing import IO, Any

from django.core.files.storage import default_storage
from django.utils import timezone

from returnwatch import access
from returnwatch.evidence import bundle as capture_bundle
from returnwatch.incidents.models import Document, Incident

from . import integrity, log, signing
from .models import Entry

SAFE_SUFFIX = re.compile(r"^\.[A-Za-z0-9]{1,8}$")


def _iso(value: Any) -> str | None:
    return value.isoformat() if value else None


def _entry(e: Entry) -> dict[str, Any]:
    return {
        "seq": e.seq,
        "created_at": _iso(e.created_at),
        "actor": e.actor_name,
        "action": e.action,
        "record": f"{e.target_type}:{e.target_id}" if e.target_type else "",
        "record_label": e.target_label,
        "fields": e.fields,
        "note": e.note,
        "prev_hash": e.prev_hash,
        "hash": e.hash,
        "signature": e.signature,
    }


def documents_of(incident: Incident, user: Any) -> list[Document]:
    """The documents the incident cites that this user may see (access.visible_documents)."""
    return list(
        access.visible_documents(user)
        .filter(citations__incident=incident)
        .select_related("kind", "captured_by")
        .order_by("id")
        .distinct()
    )


def history_of(incident: Incident, documents: list[Document]) -> list[Entry]:
    keys = [log.key(incident)] + [log.key(d) for d in documents]
    return list(Entry.objects.filter(about__in=keys).order_by("seq"))


def zip_name(doc: Document) -> str:
    suffix = PurePosixPath(doc.original_filename or "").suffix.lower()
    return f"files/{doc.pk}-{doc.sha256[:16]}{suffix if SAFE_SUFFIX.match(suffix) else ''}"


def build(
    incident: Incident, user: Any, progress: Callable[[int, int], None] | None = None
) -> IO[bytes]:
    """Write the bundle to a temporary file (spooled to disk past 16 MB) and return it;
    `progress(done, total)` is told after each of the incident's documents."""
    documents = documents_of(incident, user)
    total = len(documents)
    if progress:
        progress(0, total)
    out = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)
    files: list[dict[str, Any]] = []
    without_copy: list[dict[str, Any]] = []
    sums: list[str] = []
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for n, doc in enumerate(documents):
            if progress and n:
                progress(n, total)
            meta = {
                "document_id": doc.pk,
                "title": doc.title,
                "kind": doc.kind.code,
                "publisher": doc.publisher,
                "source_url": doc.url,
                "date_published": _iso(doc.date_published),
            }
            if doc.file and not access.may(user, "read_file", doc):
                # The same rule as the file download: another organization's archived copy.
                without_copy.append({**meta, "reason": "archived by another organization"})
                continue
            if not doc.file.name or not default_storage.exists(doc.file.name):
                without_copy.append(
                    {**meta, "reason": "no archived copy" if not doc.file else "file missing"}
                )
                continue
            name = zip_name(doc)
            # Hash while copying: the manifest says whether the copy still matches the record.
            digest, size = integrity.sha256_of(doc.file.name)
            with default_storage.open(doc.file.name, "rb") as src, z.open(name, "w") as dst:
                while chunk := src.read(integrity.CHUNK):
                    dst.write(chunk)
            files.append(
                {
                    **meta,
                    "path": name,
                    "sha256": doc.sha256,
                    "size": doc.size if doc.size is not None else size,
                    "media_type": doc.media_type,
                    "original_filename": doc.original_filename,
                    "captured_at": _iso(doc.captured_at),
                    "captured_by": doc.captured_by.get_username() if doc.captured_by else None,
                    "sha256_matches_record": digest == doc.sha256,
                }
            )
            sums.append(f"{digest}  {name}")
        if progress:
            progress(total, total)
        captures, capture_sums = capture_bundle.add_captures(z, [d.pk for d in documents])
        sums += capture_sums
        head = Entry.objects.order_by("-seq").values("seq", "hash").first()
        manifest = {
            "format": "returnwatch-evidence-bundle/1",
            "incident": {
                "reference": incident.reference,
                "status": incident.status,
                "title": incident.title,
            },
            "generated_at": _iso(timezone.now()),
            "generated_by": user.get_username(),
            "files": files,
            "documents_without_archived_copy": without_copy,
            "captures": captures,
            "history": [_entry(e) for e in history_of(incident, documents)],
            "audit_chain_head": head,
            "audit_public_key": signing.public_key_b64(),
            "how_to_check": "sha256sum -c SHA256SUMS; each history entry's hash is the SHA-256 "
            "of its content and the previous entry's hash; a signature (key id:base64) is "
            "Ed25519 by audit_public_key over 'returnwatch audit entry\\n' + the hash "
            "(see docs/security.md). Web captures: captures/README.txt.",
        }
        z.writestr("manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False))
        z.writestr("SHA256SUMS", "\n".join(sums) + ("\n" if sums else ""))
    out.seek(0)
    return out
