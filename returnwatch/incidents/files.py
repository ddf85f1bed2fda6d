"""Archived copies of documents: hashed when they arrive, named by their hash, never changed.

The media type is read from the file's content (magic numbers, via `filetype`), not from
its name or from what the browser claims, so a renamed executable is not taken for a PDF.
Text formats carry no magic numbers: a file that decodes as UTF-8 without control bytes is
text, and HTML when it starts like an HTML page.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from typing import IO, Any

import filetype
from django.conf import settings
from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Document, archive_path

CHUNK = 1024 * 1024
# Enough of the start for every matcher filetype has (it reads at most 8 KiB itself).
HEAD = 8192
HTML_START = re.compile(rb"^\s*(<!--.*?-->\s*)*(<!doctype\s+html|<html|<head|<body)", re.I | re.S)
TEXT_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0e-\x1f\x7f]")


class FileRefused(ValueError):
    """The file cannot be archived; the message says why, for the person who sent it."""


@dataclass(frozen=True)
class Inspected:
    sha256: str
    size: int
    media_type: str


def detect_media_type(head: bytes) -> str:
    """The media type from the first bytes of a file."""
    kind = filetype.guess(head)
    if kind is not None:
        return str(kind.mime)
    if not head:
        return "application/x-empty"
    if TEXT_CONTROL.search(head) is None and _is_utf8_prefix(head):
        return "text/html" if HTML_START.match(head) else "text/plain"
    return "application/octet-stream"


def _is_utf8_prefix(head: bytes) -> bool:
    # The head may end inside a multi-byte character: allow up to 3 trailing bytes to be cut.
    for cut in range(4):
        try:
            head[: len(head) - cut].decode("utf-8")
            return True
        except UnicodeDecodeError:
            continue
    return False


def _chunks(f: IO[bytes] | Any) -> Any:
    if hasattr(f, "chunks"):
        yield from f.chunks(CHUNK)
    else:
        while block := f.read(CHUNK):
            yield block


def inspect(f: Any) -> Inspected:
    """Hash, size and media type of an uploaded file; raises FileRefused when not acceptable.

    The size limit is checked before anything is read, so an oversized upload is refused
    without hashing it.
    """
    limit = settings.DOCUMENT_MAX_BYTES
    declared = getattr(f, "size", None)
    if declared is not None and declared > limit:
        raise FileRefused(too_large_message(declared, limit))
    if hasattr(f, "seek"):
        f.seek(0)
    digest = hashlib.sha256()
    size = 0
    head = b""
    for block in _chunks(f):
        if len(head) < HEAD:
            head += block[: HEAD - len(head)]
        digest.update(block)
        size += len(block)
        if size > limit:
            raise FileRefused(too_large_message(size, limit))
    if hasattr(f, "seek"):
        f.seek(0)
    if size == 0:
        raise FileRefused(_("The file is empty."))
    media_type = detect_media_type(head)
    if media_type not in settings.DOCUMENT_ALLOWED_TYPES:
        raise FileRefused(
            _("Files of type %(type)s cannot be archived. Allowed types: %(allowed)s.")
            % {"type": media_type, "allowed": ", ".join(allowed_labels())}
        )
    return Inspected(sha256=digest.hexdigest(), size=size, media_type=media_type)


def too_large_message(size: int, limit: int) -> str:
    return _("The file is %(size)s; the largest file that can be archived is %(limit)s.") % {
        "size": human_size(size),
        "limit": human_size(limit),
    }


def human_size(n: int) -> str:
    value = float(n)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{int(value)} {unit}" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{n} bytes"  # pragma: no cover


def allowed_labels() -> list[str]:
    return list(settings.DOCUMENT_ALLOWED_TYPES)


def attach(document: Document, f: Any, inspected: Inspected, user: Any) -> None:
    """Store the file under its hash and fill the document's archive fields (not saved yet).

    A file with this hash already on disk has, by definition, the same bytes: it is kept as
    it is and never written again, so an archived copy can never be overwritten.
    """
    if document.sha256:
        # A new file is a new document; the archive of an existing one never changes.
        raise FileRefused(_("This document already has an archived file."))
    document.sha256 = inspected.sha256
    document.size = inspected.size
    document.media_type = inspected.media_type
    document.original_filename = os.path.basename(getattr(f, "name", "") or "")[:255]
    document.captured_at = timezone.now()
    document.captured_by = user if getattr(user, "is_authenticated", False) else None
    name = archive_path(document, document.original_filename)
    if not default_storage.exists(name):
        if hasattr(f, "seek"):
            f.seek(0)
        stored = default_storage.save(name, f)
        if stored != name:
            # Another upload of the same bytes won the race: keep that one, drop ours.
            default_storage.delete(stored)
        _make_read_only(name)
    document.file.name = name


def _make_read_only(name: str) -> None:
    try:
        path = default_storage.path(name)
    except NotImplementedError:  # remote storage: immutability is the bucket's policy
        return
    if os.path.exists(path):
        os.chmod(path, 0o444)


def verify(document: Document) -> bool:
    """Whether the archived file still has the hash recorded when it arrived."""
    if not document.file.name:
        return True
    digest = hashlib.sha256()
    with default_storage.open(document.file.name, "rb") as f:
        for block in iter(lambda: f.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest() == document.sha256


def refuse_if_archived(sha256: str, user: Any) -> None:
    """Refuse a file already archived: one file, one document. The message names the
    document only if the user may see it (access.visible_documents)."""
    from django import forms

    from returnwatch import access

    existing = Document.objects.filter(sha256=sha256).only("pk").first()
    if existing is None:
        return
    shown = access.visible_documents(user).filter(pk=existing.pk).only("pk", "title").first()
    if shown is None:
        raise forms.ValidationError(
            _("This file is already archived in the workspace by another organization.")
        )
    raise forms.ValidationError(
        _("This file is already archived as document “%(title)s” (#%(id)s): cite that one.")
        % {"title": shown.title, "id": shown.pk}
    )
