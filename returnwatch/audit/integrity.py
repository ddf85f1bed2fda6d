"""Check the record against itself: the audit chain and every stored file.

- The chain: each entry's hash must match its content, follow the hash of the entry before,
  and entries are numbered 1, 2, 3… without gaps. A changed entry, a removed one and one
  slipped in are each named. A checkpoint (the last verified head, kept outside the
  database) also catches entries cut off the end.
- The files: every model with a FileField and a `sha256` field (archived documents, tip
  attachments, whatever comes next) is re-hashed; files on disk that no record names are
  reported too.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.files.storage import default_storage
from django.db import models

from .log import GENESIS
from .models import Entry

CHUNK = 1024 * 1024


@dataclass(frozen=True)
class Problem:
    kind: str  # changed | removed | inserted | missing | unknown
    what: str  # "audit entry 12", "incidents.document #3 (archive/ab/ab…)"
    detail: str

    def __str__(self) -> str:
        return f"{self.kind.upper()}: {self.what}: {self.detail}"


# ---------------------------------------------------------------------------- the chain


def verify_chain(checkpoint: dict[str, Any] | None = None) -> tuple[list[Problem], int, Any]:
    """Walk the chain in order. Returns (problems, entries checked, last entry)."""
    problems: list[Problem] = []
    prev: Entry | None = None
    count = 0
    seen_checkpoint = False
    for entry in Entry.objects.order_by("seq").iterator(chunk_size=2000):
        count += 1
        expected_seq = prev.seq + 1 if prev else 1
        expected_prev = prev.hash if prev else GENESIS
        gap = entry.seq > expected_seq
        if gap:
            missing = (
                str(expected_seq)
                if entry.seq == expected_seq + 1
                else f"{expected_seq}–{entry.seq - 1}"
            )
            problems.append(
                Problem("removed", f"audit entry {missing}", f"missing before entry {entry.seq}")
            )
        if entry.compute_hash() != entry.hash:
            problems.append(
                Problem(
                    "changed", f"audit entry {entry.seq}", "its content no longer matches its hash"
                )
            )
        if entry.prev_hash != expected_prev and not gap:
            problems.append(
                Problem(
                    "inserted",
                    f"audit entry {entry.seq}",
                    f"does not follow entry {expected_seq - 1} (an entry was inserted, or "
                    "the one before was rewritten)",
                )
            )
        if checkpoint and entry.seq == checkpoint["seq"]:
            seen_checkpoint = True
            if entry.hash != checkpoint["hash"]:
                problems.append(
                    Problem(
                        "changed",
                        f"audit entry {entry.seq}",
                        "differs from the last verified checkpoint",
                    )
                )
        prev = entry
    if checkpoint and not seen_checkpoint:
        last = prev.seq if prev else 0
        problems.append(
            Problem(
                "removed",
                f"audit entries {last + 1}–{checkpoint['seq']}",
                "the last verified checkpoint is no longer in the chain",
            )
        )
    return problems, count, prev


def read_checkpoint(path: str) -> dict[str, Any] | None:
    if not path or not os.path.exists(path):
        return None
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def write_checkpoint(path: str, last: Entry | None) -> None:
    if not path or last is None:
        return
    tmp = f"{path}.tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump({"seq": last.seq, "hash": last.hash}, f)
    os.replace(tmp, path)


# ---------------------------------------------------------------------------- the files


def file_fields(model: type[models.Model]) -> list[str]:
    return [f.name for f in model._meta.concrete_fields if isinstance(f, models.FileField)]


def hashed_models() -> list[tuple[type[models.Model], str]]:
    """(model, file field) for every model that records the SHA-256 of a stored file."""
    out = []
    for model in apps.get_models():
        names = {f.name for f in model._meta.concrete_fields}
        if "sha256" in names:
            for field in file_fields(model):
                out.append((model, field))
    return out


def sha256_of(name: str, storage: Any = default_storage) -> tuple[str, int]:
    h = hashlib.sha256()
    size = 0
    with storage.open(name, "rb") as f:
        while chunk := f.read(CHUNK):
            h.update(chunk)
            size += len(chunk)
    return h.hexdigest(), size


def verify_files(storage: Any = default_storage) -> tuple[list[Problem], int]:
    """Re-hash every recorded file; report changed, missing and unknown files."""
    problems: list[Problem] = []
    checked = 0
    for model, field in hashed_models():
        label = model._meta.label_lower
        rows = (
            model._default_manager.exclude(**{field: ""})
            .exclude(**{f"{field}__isnull": True})
            .values_list("pk", field, "sha256")
        )
        for pk, name, recorded in rows.iterator(chunk_size=2000):
            what = f"{label} #{pk} ({name})"
            if not storage.exists(name):
                problems.append(Problem("missing", what, "the file is gone"))
                continue
            digest, _ = sha256_of(name, storage)
            checked += 1
            if digest != recorded:
                problems.append(
                    Problem("changed", what, f"SHA-256 is {digest}, recorded {recorded}")
                )
    problems.extend(unknown_files(storage))
    return problems, checked


def known_names() -> set[str]:
    names: set[str] = set()
    for model in apps.get_models():
        for field in file_fields(model):
            qs = model._default_manager.exclude(**{field: ""}).values_list(field, flat=True)
            names.update(n for n in qs.iterator(chunk_size=5000) if n)
    return names


def stored_files(storage: Any = default_storage, prefix: str = "") -> Iterator[str]:
    """Every stored file, as a storage name (forward slashes): local disk or object storage."""
    try:
        dirs, files = storage.listdir(prefix)
    except FileNotFoundError:  # no file stored yet
        return
    for filename in files:
        yield f"{prefix}{filename}"
    for d in dirs:
        yield from stored_files(storage, f"{prefix}{d}/")


def unknown_files(storage: Any = default_storage) -> list[Problem]:
    known = known_names()
    return [
        Problem("unknown", name, "a stored file that no record names")
        for name in sorted(stored_files(storage))
        if name not in known
    ]
