"""The signed head of the audit chain, kept outside the database (AUDIT_CHECKPOINT_FILE).

Written after every committed change, so entries cut off the end of the log, or a chain
rewritten from some entry on, no longer reach the head it names. The file is signed with
AUDIT_SIGNING_KEY: an edited checkpoint is caught too. Writers on several workers take a
file lock and only ever move the head forward.
"""

from __future__ import annotations

import fcntl
import json
import os
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from . import signing

FORMAT = "returnwatch-audit-checkpoint/1"


def _signed_bytes(data: dict[str, Any]) -> bytes:
    body = {k: data[k] for k in ("format", "seq", "hash", "written_at")}
    return json.dumps(body, sort_keys=True).encode()


def read(path: str) -> tuple[dict[str, Any] | None, str]:
    """(checkpoint, "") when it verifies; (None, why) when it is missing or does not."""
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except FileNotFoundError:
        return None, "missing"
    except (OSError, ValueError) as e:
        return None, f"unreadable: {e}"
    try:
        ok = data.get("format") == FORMAT and signing.verify(
            _signed_bytes(data), data.get("signature", "")
        )
    except (KeyError, TypeError, AttributeError):
        ok = False
    return (data, "") if ok else (None, "its signature does not verify")


def write(path: str, seq: int, hash_: str) -> None:
    """Sign and write this head unless the file already holds a later one."""
    if not path:
        return
    with open(f"{path}.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        current, _ = read(path)
        if current and current["seq"] >= seq:
            return
        data: dict[str, Any] = {
            "format": FORMAT,
            "seq": seq,
            "hash": hash_,
            "written_at": timezone.now().isoformat(),
        }
        data["signature"] = signing.sign(_signed_bytes(data))
        tmp = f"{path}.{os.getpid()}.tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=1)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)


def export() -> None:
    """Write the committed head of the chain to AUDIT_CHECKPOINT_FILE."""
    path = settings.AUDIT_CHECKPOINT_FILE
    if not path:
        return
    from .models import Entry

    head = Entry.objects.order_by("-seq").values_list("seq", "hash").first()
    if head:
        write(path, *head)


def export_on_commit() -> None:
    """After the transaction that appended entries commits (later writers of the same head
    find the file up to date and return)."""
    if settings.AUDIT_CHECKPOINT_FILE:
        # robust: the change is committed; a checkpoint that cannot be written is logged and
        # moved forward by the next change or verify_integrity, not turned into an error page.
        transaction.on_commit(export, robust=True)
