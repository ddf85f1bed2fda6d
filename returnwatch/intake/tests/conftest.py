"""Fixtures for the intake tests: a private media folder, a clean cache, test images."""

import io
from typing import Any

import pytest
from django.core.cache import cache
from PIL import Image


@pytest.fixture(autouse=True)
def media(tmp_path: Any, settings: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def clean_cache() -> Any:
    # Rate-limit counters live in the cache; every test starts from zero.
    cache.clear()
    yield
    cache.clear()


def png_bytes(color: str = "red") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), color).save(out, "PNG")
    return out.getvalue()


def gps_jpeg() -> bytes:
    """A JPEG carrying GPS coordinates, a camera make and model, and a comment in EXIF."""
    im = Image.new("RGB", (64, 48), "blue")
    exif = im.getexif()
    exif[0x010F] = "SpyPhone Inc"  # Make
    exif[0x0110] = "SpyPhone 12 Pro"  # Model
    exif[0x0131] = "SpyCamera 1.0"  # Software
    exif[0x8825] = {1: "N", 2: (32.0, 31.0, 4.5), 3: "W", 4: (117.0, 1.0, 59.0)}
    out = io.BytesIO()
    im.save(out, "JPEG", exif=exif)
    return out.getvalue()


EXECUTABLE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 400
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def bomb_png(width: int = 7680, height: int = 7680) -> bytes:
    """A valid RGB PNG of width × height black pixels (59 megapixels by default) that weighs
    a few hundred kilobytes: rows of zeros deflate to almost nothing. Built by hand, row by
    row, so making it never holds the pixels in memory."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    deflate = zlib.compressobj(9)
    row = b"\x00" * (1 + 3 * width)  # filter byte "none" + black pixels
    idat = b"".join(deflate.compress(row) for _ in range(height)) + deflate.flush()
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    )
