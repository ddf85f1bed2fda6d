"""The captures part of an incident's evidence bundle (returnwatch/audit/evidence.py).

For each capture of a cited document: `captures/<id>/` with its files under plain names,
exactly as stored; `captures/signing-key.pub.pem` (the key that signs manifests) and
`captures/README.txt`, which says how to check everything with public tools.
"""

from __future__ import annotations

import zipfile
from typing import Any

from django.core.files.storage import default_storage

from returnwatch.audit import integrity

from . import signing
from .models import Capture, FileKind

NAMES: dict[str, str] = {
    FileKind.WACZ: "archive.wacz",
    FileKind.SCREENSHOT: "screenshot.png",
    FileKind.PDF: "page.pdf",
    FileKind.TEXT: "text.txt",
    FileKind.MANIFEST: "manifest.json",
    FileKind.SIGNATURE: "manifest.json.sig",
    FileKind.TIMESTAMP: "manifest.tsr",
}

README = """Web captures in this bundle
===========================

Each folder captures/<number>/ is one capture of a cited document's web address, made by
ReturnWatch with a real browser (Chromium driven by Playwright). Its files are exactly as
stored when the capture ran; none is ever changed afterwards.

  archive.wacz        the page and everything it loaded (WACZ: a zip with WARC records,
                      index and page list; https://specs.webrecorder.net/wacz/)
  screenshot.png      the whole page as the browser showed it
  page.pdf            the page printed by the browser
  text.txt            the main text (trafilatura)
  manifest.json       when, who asked, the address, redirects, HTTP status and headers,
                      the server's TLS certificate, the tool and versions, and the SHA-256
                      of each file above
  manifest.json.sig   Ed25519 signature of manifest.json by the server's key
  manifest.tsr        RFC 3161 time stamp of manifest.json (where an authority is set up)

How to check, with public tools
-------------------------------

1. The files are the ones the manifest names:
       sha256sum -c SHA256SUMS        (every file in this bundle)
   and each file's SHA-256 equals the "sha256" the capture's manifest.json gives for it.

2. The manifest was signed by this server's key (signing-key.pub.pem, beside this file;
   its SHA-256 is "signing_key_sha256" in every manifest):
       openssl pkeyutl -verify -pubin -inkey captures/signing-key.pub.pem -rawin \\
           -in captures/<n>/manifest.json -sigfile captures/<n>/manifest.json.sig
   It prints "Signature Verified Successfully".

3. The time stamp (if there is one) covers the manifest, with the authority's certificate:
       openssl ts -verify -data captures/<n>/manifest.json -in captures/<n>/manifest.tsr \\
           -CAfile <the time-stamp authority's CA certificate>
       openssl ts -reply -in captures/<n>/manifest.tsr -text     (shows the time)

4. The archive is a valid WACZ:
       pip install wacz && wacz validate -f captures/<n>/archive.wacz
   and it replays in any WACZ player (for example ReplayWeb.page, run locally).
"""


def add_captures(
    z: zipfile.ZipFile, document_ids: list[int]
) -> tuple[list[dict[str, Any]], list[str]]:
    """Write the captures of these documents into the zip: (manifest entries, SHA256SUMS lines)."""
    entries: list[dict[str, Any]] = []
    sums: list[str] = []
    captures = (
        Capture.objects.filter(document_id__in=document_ids)
        .select_related("requested_by")
        .prefetch_related("files")
        .order_by("id")
    )
    for capture in captures:
        files = []
        for f in capture.files.all():
            if not f.file.name or not default_storage.exists(f.file.name):
                files.append({"kind": f.kind, "sha256": f.sha256, "missing": True})
                continue
            path = f"captures/{capture.pk}/{NAMES.get(f.kind, f.kind)}"
            digest, _size = integrity.sha256_of(f.file.name)
            with default_storage.open(f.file.name, "rb") as src, z.open(path, "w") as dst:
                while chunk := src.read(integrity.CHUNK):
                    dst.write(chunk)
            sums.append(f"{digest}  {path}")
            files.append(
                {
                    "kind": f.kind,
                    "path": path,
                    "sha256": f.sha256,
                    "size": f.size,
                    "sha256_matches_record": digest == f.sha256,
                }
            )
        entries.append(
            {
                "capture": capture.pk,
                "document_id": capture.document_id,
                "url": capture.url,
                "status": capture.status,
                "reason": capture.reason,
                "requested_by": capture.requested_by.get_username()
                if capture.requested_by
                else None,
                "requested_at": capture.requested_at.isoformat(),
                "finished_at": capture.finished_at.isoformat() if capture.finished_at else None,
                "files": files,
            }
        )
    if entries:
        z.writestr("captures/signing-key.pub.pem", signing.public_key_pem())
        z.writestr("captures/README.txt", README)
    return entries, sums
