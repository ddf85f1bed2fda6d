"""Checks every file a submitter sends: type from content, size, and photo metadata removal.

A file is accepted only when its bytes say it is one of the allowed kinds (the name and the
browser's declared type are ignored), it is within the size limits, and — for photos —
Pillow can decode it, after which it is re-encoded from its pixels alone so no EXIF, GPS,
device, XMP or ICC data survives.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import filetype
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

# Media type (as detected from content) -> (extension used for storage, Pillow format or "").
ALLOWED: dict[str, tuple[str, str]] = {
    "image/jpeg": (".jpg", "JPEG"),
    "image/png": (".png", "PNG"),
    "image/webp": (".webp", "WEBP"),
    "application/pdf": (".pdf", ""),
    "audio/mpeg": (".mp3", ""),
    "audio/mp4": (".m4a", ""),
    "audio/ogg": (".ogg", ""),
    "audio/x-wav": (".wav", ""),
    "audio/amr": (".amr", ""),
    "audio/aac": (".aac", ""),
    "video/mp4": (".mp4", ""),
    "video/x-m4v": (".m4v", ""),
    "video/quicktime": (".mov", ""),
    "video/3gpp": (".3gp", ""),
    "video/webm": (".webm", ""),
}
# What the file picker offers (a hint only; the server decides from content).
ACCEPT_ATTRIBUTE = "image/jpeg,image/png,image/webp,application/pdf,audio/*,video/*"
# Pillow's own guard for every image this process opens (it warns above this and refuses
# above twice this); photos sent to us meet the stricter limits below before any decoding.
Image.MAX_IMAGE_PIXELS = min(Image.MAX_IMAGE_PIXELS or 50_000_000, 50_000_000)


def max_file_bytes() -> int:
    return int(getattr(settings, "TIP_MAX_FILE_BYTES", 20 * 1024 * 1024))


def max_total_bytes() -> int:
    return int(getattr(settings, "TIP_MAX_TOTAL_BYTES", 50 * 1024 * 1024))


def max_files() -> int:
    return int(getattr(settings, "TIP_MAX_FILES", 10))


def max_image_pixels() -> int:
    """Pixels one photo may have (40 MP: every phone camera's normal mode fits)."""
    return int(getattr(settings, "TIP_MAX_IMAGE_PIXELS", 40_000_000))


def max_tip_pixels() -> int:
    """Pixels all the photos of one tip or follow-up may have together."""
    return int(getattr(settings, "TIP_MAX_PIXELS_PER_TIP", 100_000_000))


def _megapixels(pixels: int) -> str:
    return f"{pixels / 1_000_000:.0f}"


class FileRefused(ValueError):
    """A file failed a check; the message is in the active language and names no content."""


@dataclass(frozen=True)
class PreparedFile:
    """A checked file, ready to store: `data` is what will be written."""

    original_name: str
    media_type: str
    extension: str
    data: bytes
    sha256: str
    received_sha256: str
    metadata_removed: bool

    @property
    def size(self) -> int:
        return len(self.data)


def _read(upload: Any) -> bytes:
    if hasattr(upload, "chunks"):
        return b"".join(upload.chunks())
    return upload.read()


def strip_image_metadata(data: bytes, pil_format: str) -> bytes:
    """Re-encode an image from its pixels only, after applying the EXIF orientation."""
    with Image.open(io.BytesIO(data)) as im:
        if im.width * im.height > max_image_pixels():  # checked before; a second guard
            raise ValueError("image too large")
        im.load()
        # Keep the picture the right way up once the orientation tag is gone.
        upright = ImageOps.exif_transpose(im) or im
        if upright.mode == "P":
            upright = upright.convert("RGBA")
        if pil_format == "JPEG" and upright.mode not in ("RGB", "L", "CMYK"):
            upright = upright.convert("RGB")
        # A fresh image holds pixels and nothing else: no info dict, EXIF, XMP or ICC profile.
        clean = Image.frombytes(upright.mode, upright.size, upright.tobytes())
    out = io.BytesIO()
    options: dict[str, Any] = {"JPEG": {"quality": 90}, "WEBP": {"quality": 90}}.get(pil_format, {})
    clean.save(out, format=pil_format, **options)
    return out.getvalue()


@dataclass(frozen=True)
class _Received:
    """A file read and its type sniffed, not yet decoded."""

    name: str
    label: str
    data: bytes
    media_type: str


def _receive(upload: Any) -> _Received:
    """Read one uploaded file and check its size and type (from content); no decoding."""
    name = str(getattr(upload, "name", "") or "")[:255]
    label = name.rsplit("/", 1)[-1] or _("file")
    limit = max_file_bytes()
    declared = getattr(upload, "size", None)
    if declared is not None and declared > limit:
        raise FileRefused(
            _("“%(name)s” is too large (%(size)s). Each file may be at most %(limit)s.")
            % {"name": label, "size": filesizeformat(declared), "limit": filesizeformat(limit)}
        )
    data = _read(upload)
    if len(data) > limit:
        raise FileRefused(
            _("“%(name)s” is too large (%(size)s). Each file may be at most %(limit)s.")
            % {"name": label, "size": filesizeformat(len(data)), "limit": filesizeformat(limit)}
        )
    if not data:
        raise FileRefused(_("“%(name)s” is empty.") % {"name": label})
    kind = filetype.guess(data)
    media_type = kind.mime if kind else ""
    if media_type not in ALLOWED:
        raise FileRefused(
            _(
                "“%(name)s” is not a kind of file we accept. Please send photos (JPEG, PNG, "
                "WebP), PDF documents, voice notes or short videos."
            )
            % {"name": label}
        )
    return _Received(name, label, data, media_type)


def _damaged(label: str) -> FileRefused:
    return FileRefused(
        _("“%(name)s” could not be opened as a picture. It may be damaged.") % {"name": label}
    )


def header_pixels(item: _Received) -> int:
    """A photo's width × height from its header alone (Image.open decodes no pixels); 0 for
    files that are not photos. A photo over the per-photo limit is refused here."""
    if not ALLOWED[item.media_type][1]:
        return 0
    try:
        with warnings.catch_warnings():  # over Pillow's warning size: refused just below
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(item.data)) as im:
                width, height = im.size
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise _damaged(item.label) from None
    pixels = width * height
    if pixels > max_image_pixels():
        raise FileRefused(
            _(
                "“%(name)s” is too large a picture (%(pixels)s megapixels). Each photo may have "
                "at most %(limit)s megapixels: please send a smaller copy or a screenshot."
            )
            % {
                "name": item.label,
                "pixels": _megapixels(pixels),
                "limit": _megapixels(max_image_pixels()),
            }
        )
    return pixels


def _finish(item: _Received) -> PreparedFile:
    """Decode and re-encode a photo (after its header passed), hash what is stored."""
    extension, pil_format = ALLOWED[item.media_type]
    stored = item.data
    if pil_format:
        try:
            stored = strip_image_metadata(item.data, pil_format)
        except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
            raise _damaged(item.label) from None
    return PreparedFile(
        original_name=item.name,
        media_type=item.media_type,
        extension=extension,
        data=stored,
        sha256=hashlib.sha256(stored).hexdigest(),
        received_sha256=hashlib.sha256(item.data).hexdigest(),
        metadata_removed=bool(pil_format),
    )


def prepare(upload: Any) -> PreparedFile:
    """Check one uploaded file; raise FileRefused with a message for the submitter."""
    item = _receive(upload)
    header_pixels(item)
    return _finish(item)


def prepare_all(uploads: Iterable[Any]) -> list[PreparedFile]:
    """Check a set of files sent together (limits on count and total size apply)."""
    items = [u for u in uploads if u is not None]
    if len(items) > max_files():
        raise FileRefused(
            _("You can send at most %(count)d files at a time.") % {"count": max_files()}
        )
    ready = [u for u in items if isinstance(u, PreparedFile)]
    received = [_receive(u) for u in items if not isinstance(u, PreparedFile)]
    # Every photo's size is read from its header, and the tip's budget checked, before any
    # photo is decoded: a decompression bomb costs a header read, not its pixels.
    pixels = sum(header_pixels(item) for item in received)
    if pixels > max_tip_pixels():
        raise FileRefused(
            _(
                "These photos are too large together (%(pixels)s megapixels). The limit is "
                "%(limit)s megapixels: please send fewer or smaller photos."
            )
            % {"pixels": _megapixels(pixels), "limit": _megapixels(max_tip_pixels())}
        )
    prepared = ready + [_finish(item) for item in received]
    total = sum(p.size for p in prepared)
    if total > max_total_bytes():
        raise FileRefused(
            _("These files are too large together (%(size)s). The limit is %(limit)s.")
            % {"size": filesizeformat(total), "limit": filesizeformat(max_total_bytes())}
        )
    return prepared
