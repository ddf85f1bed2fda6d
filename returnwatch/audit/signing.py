"""The keys that make the record prove itself: Ed25519 signatures and a keyed row digest.

AUDIT_SIGNING_KEY holds one or more comma-separated Ed25519 private keys (the 32-byte seed,
base64); the first signs, every key verifies, so a key can be replaced by putting the new one
first. The key lives in the environment, never in the database or a backup: whoever can
change the database but does not hold the key cannot write an entry, a checkpoint or a row
digest that verifies. `manage.py audit_keygen` makes a key.

Row digests are HMAC-SHA256 with a key derived (HKDF) from the signing key, so one secret
covers both.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import cache

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register

# PUBLIC development key: anyone can sign with it. Production must set AUDIT_SIGNING_KEY.
DEV_AUDIT_SIGNING_KEY = "ZGV2LW9ubHktYXVkaXQta2V5LW5vdC1mb3ItcmVhbCE="


class Keys:
    def __init__(self, spec: str) -> None:
        seeds = [base64.b64decode(k.strip()) for k in spec.split(",") if k.strip()]
        if not seeds or any(len(s) != 32 for s in seeds):
            raise ValueError("AUDIT_SIGNING_KEY must hold base64 Ed25519 keys of 32 bytes")
        self.private = [Ed25519PrivateKey.from_private_bytes(s) for s in seeds]
        self.public = {key_id(k.public_key()): k.public_key() for k in self.private}
        self.signing_id = key_id(self.private[0].public_key())
        self.mac_keys = [
            HKDF(
                algorithm=hashes.SHA256(), length=32, salt=None, info=b"returnwatch row digest"
            ).derive(s)
            for s in seeds
        ]


def public_bytes(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(key: Ed25519PublicKey) -> str:
    return hashlib.sha256(public_bytes(key)).hexdigest()[:16]


@cache
def _keys(spec: str) -> Keys:
    return Keys(spec)


def keys() -> Keys:
    return _keys(settings.AUDIT_SIGNING_KEY)


def public_key_b64() -> str:
    """The current public key, for anyone who checks entries or checkpoints elsewhere."""
    return base64.b64encode(public_bytes(keys().private[0].public_key())).decode()


# ---------------------------------------------------------------------------- signatures


def sign(data: bytes) -> str:
    k = keys()
    return f"{k.signing_id}:{base64.b64encode(k.private[0].sign(data)).decode()}"


def verify(data: bytes, signature: str) -> bool:
    kid, _, sig = (signature or "").partition(":")
    public = keys().public.get(kid)
    if public is None:
        return False
    try:
        public.verify(base64.b64decode(sig), data)
    except (InvalidSignature, ValueError):
        return False
    return True


# ---------------------------------------------------------------------------- row digests


def mac(data: bytes) -> str:
    return hmac.new(keys().mac_keys[0], data, hashlib.sha256).hexdigest()


def mac_matches(data: bytes, digest: str) -> bool:
    return any(
        hmac.compare_digest(hmac.new(k, data, hashlib.sha256).hexdigest(), digest or "")
        for k in keys().mac_keys
    )


def generate() -> str:
    return base64.b64encode(
        Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )
    ).decode()


@register(Tags.security, deploy=True)
def check_signing_key(app_configs: object, **kwargs: object) -> list[CheckMessage]:
    spec = [k.strip() for k in str(settings.AUDIT_SIGNING_KEY).split(",")]
    problems: list[CheckMessage] = []
    if DEV_AUDIT_SIGNING_KEY in spec:
        problems.append(
            Warning(
                "AUDIT_SIGNING_KEY includes the public development key: anyone can forge the record.",
                hint="Generate one with `manage.py audit_keygen`; keep it out of the database and backups.",
                id="returnwatch.W010",
            )
        )
    if not settings.AUDIT_CHECKPOINT_FILE:
        problems.append(
            Warning(
                "AUDIT_CHECKPOINT_FILE is not set: entries cut off the end of the log go unnoticed.",
                hint="A file outside the database, ideally on another machine's mount.",
                id="returnwatch.W011",
            )
        )
    return problems
