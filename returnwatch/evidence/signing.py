"""The server's Ed25519 key, which signs every capture manifest.

The key is a PEM file (EVIDENCE_SIGNING_KEY_FILE). On a development machine it is created on
first use; production keeps its own key and backs it up. Anyone can check a signature with
the public key alone, e.g. `openssl pkeyutl -verify -pubin -inkey signing-key.pub.pem -rawin
-in manifest.json -sigfile manifest.json.sig` (docs/evidence.md).
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings


def private_key() -> Ed25519PrivateKey:
    path = Path(settings.EVIDENCE_SIGNING_KEY_FILE)
    if not path.exists():
        _create(path)
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path} is not an Ed25519 private key")
    return key


def _create(path: Path) -> None:
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    # Exclusive create: two workers starting at once never write two different keys.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(fd, "wb") as f:
        f.write(pem)


def public_key_pem() -> bytes:
    return (
        private_key()
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )


def key_id() -> str:
    """SHA-256 of the public key's PEM: names the key that signed a manifest."""
    return hashlib.sha256(public_key_pem()).hexdigest()


def sign(data: bytes) -> bytes:
    return private_key().sign(data)


def verify(data: bytes, signature: bytes, public_pem: bytes | None = None) -> bool:
    key = serialization.load_pem_public_key(public_pem or public_key_pem())
    if not isinstance(key, Ed25519PublicKey):
        return False
    try:
        key.verify(signature, data)
    except InvalidSignature:
        return False
    return True
