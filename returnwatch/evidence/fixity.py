"""The fixity check: re-hash every stored capture file and report any that changed or went."""

from __future__ import annotations

import logging

from django.core.files.storage import default_storage
from django.core.mail import mail_admins

from returnwatch.audit import integrity

from .models import CaptureFile

logger = logging.getLogger(__name__)


def check() -> tuple[list[str], int]:
    """(problems, files checked)."""
    problems: list[str] = []
    checked = 0
    for f in CaptureFile.objects.order_by("id").iterator(chunk_size=2000):
        what = f"capture #{f.capture_id} {f.kind} ({f.file.name})"
        if not f.file.name or not default_storage.exists(f.file.name):
            problems.append(f"missing: {what}")
            continue
        digest, size = integrity.sha256_of(f.file.name)
        checked += 1
        if digest != f.sha256 or size != f.size:
            problems.append(f"changed: {what}: SHA-256 is {digest}, recorded {f.sha256}")
    return problems, checked


def report(result: tuple[list[str], int]) -> None:
    problems, checked = result
    if not problems:
        logger.info("fixity check: %d capture files unchanged", checked)
        return
    text = "\n".join(problems)
    logger.error("fixity check: %d problem(s) in capture files:\n%s", len(problems), text)
    mail_admins("Capture fixity check found changed files", text, fail_silently=True)
