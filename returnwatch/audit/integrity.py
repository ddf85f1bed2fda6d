"""Check the record against itself: the audit chain, the rows it describes, every stored file.

Each kind of tampering is reported by name (the first word of each line):

- CHANGED: an entry whose content no longer matches its hash (or a file that no longer
  matches its recorded SHA-256);
- REMOVED: entries missing from the middle (numbers are 1, 2, 3… without gaps);
- TRUNCATED: entries cut off the end (the signed checkpoint names a later head);
- REORDERED: an entry whose content says it had another number;
- INSERTED: an entry that does not follow the one before it;
- REWRITTEN: entries whose hashes were recomputed after an edit: the chain is consistent,
  but the signatures (Ed25519, AUDIT_SIGNING_KEY) do not verify, or the checkpoint differs;
- FORGED: entries appended after the checkpoint without the signing key;
- ROW-CHANGED / ROW-INSERTED: a row of an incident, person, document, citation, tip, tip
  attachment, follow-up or tip note whose values no longer match its keyed digest, or that
  has none (audit/rows.py);
- REPLACED: a stored file swapped together with its recorded hash (the file columns'
  own digest no longer matches);
- MISSING / UNKNOWN: a recorded file that is gone, a file on disk that no record names;
- CHECKPOINT-FORGED / CHECKPOINT-MISSING: the checkpoint file does not verify, or is gone.

The files part: every model with a FileField and a `sha256` field (archived documents, tip
attachments, whatever comes next) is re-hashed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.files.storage import default_storage
from django.db import models

from . import checkpoint as checkpoints
from . import rows, signing
from .log import GENESIS
from .models import Entry

CHUNK = 1024 * 1024
REORDER_WINDOW = 64  # how far a moved entry is looked for, either way
REORDER_LOOKUPS = 1000  # after this many changed entries, stop looking (an edit, not a move)


@dataclass(frozen=True)
class Problem:
    kind: str
    what: str  # "audit entry 12", "incidents.document #3 (archive/ab/ab…)"
    detail: str

    def __str__(self) -> str:
        return f"{self.kind.upper()}: {self.what}: {self.detail}"


# ---------------------------------------------------------------------------- the chain


def _span(first: int, last: int) -> str:
    return f"audit entry {first}" if first == last else f"audit entries {first}–{last}"


def _original_seq(entry: Entry) -> int | None:
    """The number an entry's content was hashed with, when it is not its number now."""
    current = entry.seq
    try:
        for seq in range(max(1, current - REORDER_WINDOW), current + REORDER_WINDOW + 1):
            if seq != current:
                entry.seq = seq
                if entry.compute_hash() == entry.hash:
                    return seq
    finally:
        entry.seq = current
    return None


def verify_chain(checkpoint: dict[str, Any] | None = None) -> tuple[list[Problem], int, Any]:
    """Walk the chain in order. Returns (problems, entries checked, last entry)."""
    problems: list[Problem] = []
    unsigned: list[list[int]] = []  # runs of entries no valid signature covers
    pending: list[int] = []  # entries since the last signed one (a batch signs its last)
    prev: Entry | None = None
    prev_moved = False
    count = lookups = 0
    checkpoint_differs = False
    seen_checkpoint = False
    for entry in Entry.objects.order_by("seq").iterator(chunk_size=2000):
        count += 1
        expected_seq = prev.seq + 1 if prev else 1
        expected_prev = prev.hash if prev else GENESIS
        gap = entry.seq > expected_seq
        moved = False
        named = gap  # a problem already named for this entry
        if gap:
            problems.append(
                Problem(
                    "removed",
                    _span(expected_seq, entry.seq - 1),
                    f"missing before entry {entry.seq}",
                )
            )
        if entry.compute_hash() != entry.hash:
            named = True
            original = _original_seq(entry) if lookups < REORDER_LOOKUPS else None
            lookups += 1
            if original is not None:
                moved = True
                problems.append(
                    Problem(
                        "reordered",
                        f"audit entry {entry.seq}",
                        f"its content was written as entry {original}",
                    )
                )
            else:
                problems.append(
                    Problem(
                        "changed",
                        f"audit entry {entry.seq}",
                        "its content no longer matches its hash",
                    )
                )
        elif entry.prev_hash != expected_prev and not gap and not prev_moved:
            named = True
            problems.append(
                Problem(
                    "inserted",
                    f"audit entry {entry.seq}",
                    f"does not follow entry {expected_seq - 1} (an entry was inserted, or "
                    "the one before was rewritten)",
                )
            )
        if named:
            pass  # named already; only a valid signature on an intact link vouches for pending
        elif not entry.signature:
            pending.append(entry.seq)  # covered by a later signature, or by nothing
        elif signing.verify(entry.signed_bytes(), entry.signature):
            pending = []
        else:
            run = [*pending, entry.seq]
            pending = []
            if unsigned and unsigned[-1][-1] == run[0] - 1:
                unsigned[-1] += run
            else:
                unsigned.append(run)
        if checkpoint and entry.seq == checkpoint["seq"]:
            seen_checkpoint = True
            checkpoint_differs = entry.hash != checkpoint["hash"]
        prev, prev_moved = entry, moved

    if pending:  # no signature after them: nothing vouches for these entries
        if unsigned and unsigned[-1][-1] == pending[0] - 1:
            unsigned[-1] += pending
        else:
            unsigned.append(pending)
    covered = False
    for run in unsigned:
        first, last = run[0], run[-1]
        if checkpoint and first <= checkpoint["seq"]:
            covered = covered or last >= checkpoint["seq"]
            problems.append(
                Problem(
                    "rewritten",
                    _span(first, last),
                    "rehashed without the signing key: their signatures do not verify",
                )
            )
        else:
            problems.append(
                Problem(
                    "forged",
                    _span(first, last),
                    "not written by this installation: the signature does not verify",
                )
            )
    if checkpoint and checkpoint_differs and not covered:
        problems.append(
            Problem(
                "rewritten",
                f"audit entry {checkpoint['seq']}",
                "differs from the signed checkpoint",
            )
        )
    if checkpoint and not seen_checkpoint:
        last_seq = prev.seq if prev else 0
        if checkpoint["seq"] > last_seq:
            problems.append(
                Problem(
                    "truncated",
                    _span(last_seq + 1, checkpoint["seq"]),
                    f"the signed checkpoint names entry {checkpoint['seq']}; the log ends at "
                    f"{last_seq}",
                )
            )
    return problems, count, prev


def load_checkpoint(path: str) -> tuple[dict[str, Any] | None, list[Problem]]:
    """The verified checkpoint, or the problem with it. No path: no checkpoint, no problem."""
    if not path:
        return None, []
    data, why = checkpoints.read(path)
    if data is not None:
        return data, []
    if why == "missing":
        if not Entry.objects.exists():
            return None, []
        return None, [Problem("checkpoint-missing", path, "the signed head of the chain is gone")]
    return None, [Problem("checkpoint-forged", path, why)]


# ---------------------------------------------------------------------------- the rows


def verify_rows() -> tuple[list[Problem], int]:
    """Every sealed row (audit/rows.py) against its keyed digest."""
    problems: list[Problem] = []
    checked = 0
    for model in rows.sealed_models():
        label = model._meta.label_lower
        for obj in model._base_manager.order_by("pk").iterator(chunk_size=2000):
            checked += 1
            for part in rows.check(obj):
                if part == "file":
                    problems.append(
                        Problem(
                            "replaced",
                            f"{label} #{obj.pk} ({obj.file.name})",  # type: ignore[attr-defined]  # "file" is reported only for a model with one
                            "its file's recorded name, hash or size were changed outside the "
                            "application",
                        )
                    )
                elif part == "unsealed":
                    problems.append(
                        Problem(
                            "row-inserted",
                            f"{label} #{obj.pk}",
                            "a row without a digest (written outside the application)",
                        )
                    )
                else:
                    problems.append(
                        Problem(
                            "row-changed",
                            f"{label} #{obj.pk}",
                            "its values no longer match its digest (changed outside the "
                            "application)",
                        )
                    )
    return problems, checked


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
