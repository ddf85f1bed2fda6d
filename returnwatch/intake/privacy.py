"""Flood control without keeping anyone's address, and upload limits enforced while reading.

The client address is hashed with a random salt that lives only in the cache and is replaced
every day, so the counters cannot be joined to an address, nor across days; every key expires
within a day. Nothing here is written to the database or to a log.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import HttpRequest

from .files import max_file_bytes, max_total_bytes

DAY = 24 * 3600


def _daily_salt() -> str:
    key = f"intake:salt:{dt.date.today().isoformat()}"
    cache.add(key, secrets.token_hex(32), DAY)
    return str(cache.get(key))


def _address(request: HttpRequest) -> str:
    if getattr(settings, "TIP_TRUST_X_FORWARDED_FOR", False):
        # Behind our own proxy: the address it appended last (earlier ones can be forged).
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "")


def client_key(request: HttpRequest) -> str:
    return hashlib.sha256(f"{_daily_salt()}|{_address(request)}".encode()).hexdigest()


def allow(request: HttpRequest, bucket: str, limit: int, window: int = 3600) -> bool:
    """Count one attempt for this client; False once it has made `limit` within the window."""
    key = f"intake:rate:{bucket}:{client_key(request)}"
    cache.add(key, 0, min(window, DAY))
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, min(window, DAY))
        count = 1
    return count <= limit


class TipUploadLimits(FileUploadHandler):
    """Skips (without reading on) any file over the per-file or per-tip limit.

    The rest of the form is still parsed, so the person's answers come back with a message.
    The names of skipped files are left on `request.intake_oversized`.
    """

    def __init__(self, request: Any = None) -> None:
        super().__init__(request)
        self.total = 0
        request.intake_oversized = []

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.current = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.current += len(raw_data)
        self.total += len(raw_data)
        if self.current > max_file_bytes() or self.total > max_total_bytes():
            self.total -= self.current
            self.request.intake_oversized.append(self.file_name or "")
            raise SkipFile
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None
