"""Flood control that cannot give back an address, and upload limits enforced while reading.

A counter's key is an HMAC of the client's network under a random key that exists only in
this process's memory (`_PROCESS_KEY`, made at import). It is never written to the cache,
the database, a file or a log, so whoever copies the cache (a locmem dump, the
`CACHE_LOCATION` directory, a Redis snapshot) holds counters keyed by 128-bit values that
cannot be tested against any guessed address: trying all 2^32 IPv4 addresses (or 2^40, or
any number short of guessing the 256-bit key) matches nothing. Counters expire with their
window (one hour). With gunicorn's `preload_app` the key is made once in the master before
the workers fork, so every worker computes the same counter keys and a shared cache makes
the limit exact; without it each worker counts on its own (docs/intake.md).

`allow()` is called at the very start of a POST, before the body is parsed, so a flood is
refused before any upload is read on or decoded (`TipUploadLimits(refuse_files=True)`).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import secrets
import time
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import HttpRequest

from .files import max_file_bytes, max_total_bytes

# Process memory only: never passed to the cache, the database or a log.
_PROCESS_KEY = secrets.token_bytes(32)
DAY = 24 * 3600


def _address(request: HttpRequest) -> str:
    if getattr(settings, "TIP_TRUST_X_FORWARDED_FOR", False):
        # Behind our own proxy: the address it appended last (earlier ones can be forged).
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "")


def _network(address: str) -> str:
    """IPv4 address as is; IPv6 as its /64 (one household or phone gets a whole /64)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def counter_key(request: HttpRequest, bucket: str, window: int, now: float) -> str:
    """The cache key of this client's counter for `bucket` in the window holding `now`."""
    slot = int(now // window)
    message = f"{bucket}|{window}|{slot}|{_network(_address(request))}".encode()
    digest = hmac.new(_PROCESS_KEY, message, hashlib.sha256).hexdigest()[:32]
    return f"intake:rate:{bucket}:{digest}"


def allow(request: HttpRequest, bucket: str, limit: int, window: int = 3600) -> bool:
    """Count one attempt for this client; False once it has made `limit` in this window."""
    window = min(window, DAY)
    now = time.time()
    key = counter_key(request, bucket, window, now)
    # Every counter of a window expires at the window's end, so an expiry time does not
    # tell when the first attempt was made.
    remaining = max(1, int(window - now % window) + 1)
    cache.add(key, 0, remaining)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, remaining)
        count = 1
    return count <= limit


class TipUploadLimits(FileUploadHandler):
    """Skips (without reading on) any file over the per-file or per-tip limit — or every file
    when `refuse_files` (the client is over its rate limit).

    The rest of the form is still parsed, so the person's answers come back with a message.
    The names of skipped files are left on `request.intake_oversized` (and
    `request.intake_files_refused` says they were refused for the rate limit, not their size).
    """

    def __init__(self, request: Any = None, refuse_files: bool = False) -> None:
        super().__init__(request)
        self.total = 0
        self.refuse_files = refuse_files
        self.oversized: list[str] = []
        request.intake_oversized = self.oversized
        request.intake_files_refused = refuse_files

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.current = 0
        if self.refuse_files:
            self.oversized.append(self.file_name or "")
            raise SkipFile

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.current += len(raw_data)
        self.total += len(raw_data)
        if self.current > max_file_bytes() or self.total > max_total_bytes():
            self.total -= self.current
            self.oversized.append(self.file_name or "")
            raise SkipFile
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None
