"""Capture files: hashed, named by their SHA-256, renamed into place only when complete,
made read-only, and never changed afterwards."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

from django.core.files.storage import default_storage

from returnwatch.audit import integrity

from .models import Capture, CaptureFile

SUFFIX = {
    "application/wacz": ".wacz",
    "image/png": ".png",
    "application/pdf": ".pdf",
    "text/plain": ".txt",
    "application/json": ".json",
    "application/octet-stream": ".bin",
    "application/timestamp-reply": ".tsr",
}


def sha256_file(path: Path) -> tuple[str, int]:
    h = hashlib.sha256()
    size = 0
    with open(path, "rb") as f:
        while chunk := f.read(integrity.CHUNK):
            h.update(chunk)
            size += len(chunk)
    return h.hexdigest(), size


def keep(capture: Capture, kind: str, source: Path, media_type: str) -> CaptureFile:
    """Move a finished file from the work directory into storage and record it."""
    digest, size = sha256_file(source)
    name = f"captures/{digest[:2]}/{digest}{SUFFIX.get(media_type, '')}"
    final = Path(default_storage.path(name))
    if not final.exists():
        final.parent.mkdir(parents=True, exist_ok=True)
        partial = final.with_name(final.name + ".partial")
        shutil.copyfile(source, partial)
        os.chmod(partial, 0o444)
        os.replace(partial, final)  # atomic: the hash name only ever holds a whole file
    return CaptureFile.objects.create(
        capture=capture, kind=kind, file=name, sha256=digest, size=size, media_type=media_type
    )


def keep_bytes(
    capture: Capture, kind: str, data: bytes, media_type: str, work: Path
) -> CaptureFile:
    path = work / f"{kind}.tmp"
    path.write_bytes(data)
    return keep(capture, kind, path, media_type)


def read(f: CaptureFile) -> bytes:
    assert f.file.name, "a kept capture file has a name"
    with default_storage.open(f.file.name, "rb") as fh:
        return fh.read()
