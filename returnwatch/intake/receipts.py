"""Signed receipts: proof, for the person who sent a tip, of what they sent and when.

A receipt holds the receipt code, the time the tip was received, a SHA-256 of the text and of
each file as they arrived, an optional note the sender adds, and the server's Ed25519
signature over all of it. It holds nothing of what the person wrote: whoever finds a receipt
learns only that something was sent, when, and (if they already have it) whether a given text
or file is what was sent.

    receipt = for_tip(tip, code)           # built again, identically, whenever it is asked for
    text = to_text(receipt)                # the .txt; to_pdf(receipt) embeds the same text
    result = verify(parse(text))           # checks the signature, offline, no database

The signed part is a block of "Label: value" lines between BEGIN and END lines, in English
whatever the page language, so the same receipt verifies anywhere (`manage.py verify_receipt`).
The key comes from the RECEIPT_SIGNING_KEY setting or environment variable (a base64 Ed25519
private key of 32 bytes, or a PEM); without it a published DEVELOPMENT key signs, and receipts
say so. Old public keys (after a rotation) stay trusted through RECEIPT_OLD_PUBLIC_KEYS.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import io
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import IO, Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings

FORMAT = "returnwatch-receipt/1"
BEGIN = "-----BEGIN RETURNWATCH RECEIPT-----"
END = "-----END RETURNWATCH RECEIPT-----"
ATTACHMENT_NAME = "returnwatch-receipt.txt"
NOTE_MAX = 200
# DEVELOPMENT ONLY: anyone can derive this key from the source, so receipts it signs prove
# nothing. Production sets RECEIPT_SIGNING_KEY (see docs/intake.md, "Signed receipts").
DEVELOPMENT_SEED = hashlib.sha256(
    b"ReturnWatch DEVELOPMENT receipt key - public, never use in production"
).digest()


class ReceiptError(ValueError):
    """A receipt that cannot be read at all (not a receipt, or cut short)."""


# ---------------------------------------------------------------------------- keys


def _setting(name: str) -> str:
    return str(getattr(settings, name, "") or os.environ.get(name, "") or "").strip()


def _load_private(value: str) -> Ed25519PrivateKey:
    if value.startswith("-----BEGIN"):
        key = serialization.load_pem_private_key(value.encode(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError("RECEIPT_SIGNING_KEY is not an Ed25519 key")
        return key
    return Ed25519PrivateKey.from_private_bytes(base64.b64decode(value))


def load_public_key(value: str) -> Ed25519PublicKey:
    value = value.strip()
    if value.startswith("-----BEGIN"):
        key = serialization.load_pem_public_key(value.encode())
        if not isinstance(key, Ed25519PublicKey):
            raise ValueError("not an Ed25519 public key")
        return key
    return Ed25519PublicKey.from_public_bytes(base64.b64decode(value))


def uses_development_key() -> bool:
    return not _setting("RECEIPT_SIGNING_KEY")


def signing_key() -> Ed25519PrivateKey:
    value = _setting("RECEIPT_SIGNING_KEY")
    return _load_private(value) if value else Ed25519PrivateKey.from_private_bytes(DEVELOPMENT_SEED)


def _raw(public: Ed25519PublicKey) -> bytes:
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(public: Ed25519PublicKey) -> str:
    return "ed25519:" + hashlib.sha256(_raw(public)).hexdigest()[:16]


def public_key() -> Ed25519PublicKey:
    return signing_key().public_key()


def public_key_pem(public: Ed25519PublicKey | None = None) -> str:
    public = public or public_key()
    return public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


def trusted_keys(extra: Iterable[Ed25519PublicKey] = ()) -> dict[str, Ed25519PublicKey]:
    """The current key and the old ones still trusted, by key id."""
    keys = [public_key(), *extra]
    old = _setting("RECEIPT_OLD_PUBLIC_KEYS")
    # PEM blocks or base64 keys, separated by commas or blank lines.
    for chunk in re.split(r",|\n\s*\n", old) if old else []:
        if chunk.strip():
            keys.append(load_public_key(chunk))
    return {key_id(k): k for k in keys}


# ---------------------------------------------------------------------------- hashing


def text_digest(text: str) -> str:
    """SHA-256 of a tip's text as the form sends it, with line endings and the blank space
    around it made uniform (a browser sends CRLF; a copy kept in a file may have LF)."""
    normalized = "\n".join((text or "").strip().replace("\r\n", "\n").split("\n"))
    return hashlib.sha256(normalized.encode("utf-8")).hexdigest()


def file_digest(stream: IO[bytes] | bytes) -> tuple[str, int]:
    """SHA-256 and size of a file's bytes, read in chunks."""
    if isinstance(stream, bytes):
        return hashlib.sha256(stream).hexdigest(), len(stream)
    digest, size = hashlib.sha256(), 0
    for chunk in iter(lambda: stream.read(1 << 16), b""):
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


# ---------------------------------------------------------------------------- the receipt


@dataclass
class Receipt:
    code: str
    received: dt.datetime
    text_sha256: str
    files: list[tuple[str, int]] = field(default_factory=list)  # (sha256, size) as received
    note: str = ""
    key: str = ""
    signature: str = ""
    development: bool = False

    def signed_lines(self) -> list[str]:
        lines = [
            f"Format: {FORMAT}",
            f"Receipt code: {self.code}",
            f"Received (UTC): {self.received.strftime('%Y-%m-%dT%H:%M:%SZ')}",
            f"Text SHA-256: {self.text_sha256}",
            f"Files: {len(self.files)}",
        ]
        for n, (sha, size) in enumerate(self.files, 1):
            lines.append(f"File {n} SHA-256: {sha} ({size} bytes)")
        if self.note:
            lines.append(f"Note from the sender: {self.note}")
        if self.development:
            lines.append("Signed with: DEVELOPMENT KEY (proves nothing)")
        lines.append(f"Key: {self.key}")
        return lines

    def message(self) -> bytes:
        return ("\n".join(self.signed_lines()) + "\n").encode("utf-8")

    def block(self) -> str:
        return "\n".join([BEGIN, *self.signed_lines(), f"Signature: {self.signature}", END])


def clean_note(note: str) -> str:
    return " ".join((note or "").split())[:NOTE_MAX]


def for_tip(tip: Any, code: str, note: str = "") -> Receipt:
    """The signed receipt of `tip` (its first submission). Ed25519 signatures are
    deterministic, so asking again gives the same receipt, byte for byte."""
    from .submissions import normalize_code

    symbols = normalize_code(code)
    code = "-".join(symbols[i : i + 4] for i in range(0, len(symbols), 4))
    files = [
        (a.received_sha256, a.size)
        for a in tip.attachments.filter(follow_up__isnull=True).order_by("id")
    ]
    received = tip.created_at.astimezone(dt.UTC).replace(microsecond=0)
    receipt = Receipt(
        code=code,
        received=received,
        text_sha256=text_digest(tip.narrative),
        files=files,
        note=clean_note(note),
        development=uses_development_key(),
    )
    return sign(receipt)


def sign(receipt: Receipt, key: Ed25519PrivateKey | None = None) -> Receipt:
    key = key or signing_key()
    receipt.key = key_id(key.public_key())
    receipt.signature = base64.b64encode(key.sign(receipt.message())).decode()
    return receipt


# ---------------------------------------------------------------------------- reading back

LINE = re.compile(r"^([A-Za-z0-9 ()\-]+): (.*)$")
FILE_LINE = re.compile(r"^File (\d+) SHA-256$")
FILE_VALUE = re.compile(r"^([0-9a-f]{64}) \((\d+) bytes\)$")
HEX64 = re.compile(r"^[0-9a-f]{64}$")
LABELS = {
    "Format",
    "Receipt code",
    "Received (UTC)",
    "Text SHA-256",
    "Files",
    "Note from the sender",
    "Signed with",
    "Key",
    "Signature",
}


def parse(text: str) -> Receipt:
    """The receipt in `text` (a whole .txt, an e-mail with it pasted in, …)."""
    text = (text or "").replace("\r\n", "\n")
    start, end = text.find(BEGIN), text.find(END)
    if start < 0 or end < start:
        raise ReceiptError("no receipt found")
    fields: dict[str, str] = {}
    files: dict[int, tuple[str, int]] = {}
    for line in text[start + len(BEGIN) : end].strip("\n").split("\n"):
        match = LINE.match(line.rstrip())
        if not match:
            raise ReceiptError("a line of the receipt cannot be read")
        label, value = match.groups()
        file_label = FILE_LINE.match(label)
        if file_label:
            value_match = FILE_VALUE.match(value)
            if not value_match:
                raise ReceiptError("a file line cannot be read")
            files[int(file_label.group(1))] = (value_match.group(1), int(value_match.group(2)))
        elif label not in LABELS:
            raise ReceiptError("a line of the receipt is not part of the format")
        elif label in fields:
            raise ReceiptError("a line is repeated")
        else:
            fields[label] = value
    try:
        if fields["Format"] != FORMAT:
            raise ReceiptError("unknown receipt format")
        received = dt.datetime.strptime(fields["Received (UTC)"], "%Y-%m-%dT%H:%M:%SZ")
        count = int(fields["Files"])
        receipt = Receipt(
            code=fields["Receipt code"],
            received=received.replace(tzinfo=dt.UTC),
            text_sha256=fields["Text SHA-256"],
            files=[files[n] for n in range(1, count + 1)],
            note=fields.get("Note from the sender", ""),
            key=fields["Key"],
            signature=fields["Signature"],
            development="Signed with" in fields,
        )
    except (KeyError, ValueError) as error:
        raise ReceiptError("the receipt is incomplete") from error
    if len(files) != count or not HEX64.match(receipt.text_sha256):
        raise ReceiptError("the receipt is incomplete")
    return receipt


def text_from_pdf(data: bytes) -> str:
    """The receipt embedded in a receipt PDF (its attached .txt)."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        attachments = PdfReader(io.BytesIO(data)).attachments
        found = attachments.get(ATTACHMENT_NAME) or []
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError) as error:
        raise ReceiptError("the PDF cannot be read") from error
    if not found:
        raise ReceiptError("the PDF holds no receipt")
    return found[0].decode("utf-8", errors="replace")


def read(data: bytes) -> Receipt:
    """A receipt from an uploaded file: the PDF or the .txt."""
    if data.startswith(b"%PDF"):
        return parse(text_from_pdf(data))
    return parse(data.decode("utf-8", errors="replace"))


@dataclass
class Verification:
    valid: bool
    reason: str  # "valid", "changed", "unknown-key"
    receipt: Receipt


def verify(receipt: Receipt, keys: dict[str, Ed25519PublicKey] | None = None) -> Verification:
    """Whether the server signed exactly this receipt (offline: keys only, no database)."""
    keys = trusted_keys() if keys is None else keys
    public = keys.get(receipt.key)
    if public is None:
        return Verification(False, "unknown-key", receipt)
    try:
        public.verify(base64.b64decode(receipt.signature, validate=True), receipt.message())
    except (InvalidSignature, binascii.Error, ValueError):
        return Verification(False, "changed", receipt)
    return Verification(True, "valid", receipt)


def matches(
    receipt: Receipt, text: str | None = None, files: Iterable[tuple[str, int]] = ()
) -> dict[str, Any]:
    """Whether a text and files someone kept are those the receipt names."""
    out: dict[str, Any] = {}
    if text is not None and text.strip():
        out["text"] = text_digest(text) == receipt.text_sha256
    kept = set(receipt.files)
    out["files"] = [(sha, size, (sha, size) in kept) for sha, size in files]
    return out


# ---------------------------------------------------------------------------- documents


def to_text(receipt: Receipt) -> str:
    from django.template.loader import render_to_string

    return render_to_string("intake/receipt.txt", _context(receipt))


def to_pdf(receipt: Receipt) -> bytes:
    """A one-page tagged PDF showing the receipt, with the .txt embedded for verification."""
    from django.template.loader import render_to_string

    from returnwatch.tagged_pdf import FONT_FACES, html_to_pdf

    html = render_to_string("intake/receipt_pdf.html", {**_context(receipt), "fonts": FONT_FACES})
    text = to_text(receipt).encode("utf-8")
    return html_to_pdf(html, [(ATTACHMENT_NAME, text, "The signed receipt, to verify")])


def _context(receipt: Receipt) -> dict[str, Any]:
    from django.conf import settings as conf
    from django.urls import reverse
    from django.utils import translation

    site = conf.SITE_URL.rstrip("/")
    with translation.override(conf.LANGUAGE_CODE):  # the stable, unprefixed addresses
        verify_url = site + reverse("receipts:verify")
        key_url = site + reverse("receipts:public_key")
    return {
        "receipt": receipt,
        "block": receipt.block(),
        "verify_url": verify_url,
        "key_url": key_url,
        "language": (translation.get_language() or "en")[:2],
    }
