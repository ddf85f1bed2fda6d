"""Field encryption at rest (Fernet, from `cryptography`) with the key from settings.

FIELD_ENCRYPTION_KEY holds one or more comma-separated keys: the first encrypts, every key
decrypts, so a key can be rotated by putting the new key first and re-saving the records.
"""

import base64
import hashlib
import hmac
import os
from collections.abc import Iterator
from functools import cache
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.db import models

PREFIX = "fernet:"


@cache
def _fernet(keys: str) -> MultiFernet:
    return MultiFernet([Fernet(k.strip().encode()) for k in keys.split(",") if k.strip()])


def fernet() -> MultiFernet:
    return _fernet(settings.FIELD_ENCRYPTION_KEY)


@cache
def _first(keys: str) -> Fernet:
    return Fernet(next(k.strip() for k in keys.split(",") if k.strip()).encode())


def encrypt(value: str) -> str:
    return PREFIX + fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    if not token.startswith(PREFIX):
        raise InvalidToken("value is not encrypted")
    return fernet().decrypt(token[len(PREFIX) :].encode()).decode()


def current_key_decrypts(token: str) -> bool:
    """Whether a stored value is already encrypted with the first (current) key."""
    try:
        _first(settings.FIELD_ENCRYPTION_KEY).decrypt(token[len(PREFIX) :].encode())
    except InvalidToken:
        return False
    return True


def rotate(token: str) -> str:
    """The stored value re-encrypted with the first key (MultiFernet.rotate), clear text
    never handed back."""
    return PREFIX + fernet().rotate(token[len(PREFIX) :].encode()).decode()


def stored_batches(
    connection: Any, table: str, column: str, pk: str = "id", batch: int = 500, after: Any = None
) -> Iterator[list[tuple[Any, str]]]:
    """(pk, stored value) of the non-empty values of a column, as stored (raw SQL: a token
    stays a token, clear text of a column not yet encrypted stays clear), `batch` rows at a
    time in primary-key order, after `after`. Memory stays one batch whatever the table's size."""
    qn = connection.ops.quote_name
    last = after
    while True:
        with connection.cursor() as cur:
            where = f"{qn(column)} <> ''" + (f" AND {qn(pk)} > %s" if last is not None else "")
            cur.execute(
                f"SELECT {qn(pk)}, {qn(column)} FROM {qn(table)} WHERE {where} "
                f"ORDER BY {qn(pk)} LIMIT {int(batch)}",
                [last] if last is not None else [],
            )
            rows = cur.fetchall()
        if not rows:
            return
        last = rows[-1][0]
        yield rows


def encrypt_column(
    connection: Any, table: str, column: str, pk: str = "id", batch: int = 500
) -> int:
    """For the data migration that turns a plain text column into an EncryptedTextField:
    encrypt every value not encrypted yet (so running it twice changes nothing). Returns how
    many values it encrypted."""
    qn = connection.ops.quote_name
    count = 0
    for rows in stored_batches(connection, table, column, pk, batch):
        with connection.cursor() as cur:
            for row_pk, text in rows:
                if text and not text.startswith(PREFIX):
                    cur.execute(
                        f"UPDATE {qn(table)} SET {qn(column)} = %s WHERE {qn(pk)} = %s",
                        [encrypt(text), row_pk],
                    )
                    count += 1
    return count


class EncryptedTextField(models.TextField):
    """A text field stored encrypted; the clear text exists only in Python memory."""

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(value)


# ---------------------------------------------------------------------------- compact values
# For columns too short for a Fernet token (django-otp's 80-character TOTP key, its
# 16-character recovery codes): AES-GCM and HMAC with keys derived (HKDF) from each field key,
# so rotating FIELD_ENCRYPTION_KEY covers them too (every listed key still decrypts/matches).

COMPACT = "e1:"


@cache
def _derived(keys: str, purpose: bytes) -> list[bytes]:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    return [
        HKDF(
            algorithm=hashes.SHA256(), length=32, salt=None, info=b"returnwatch " + purpose
        ).derive(base64.urlsafe_b64decode(k.strip()))
        for k in keys.split(",")
        if k.strip()
    ]


def derived_keys(purpose: bytes) -> list[bytes]:
    return _derived(settings.FIELD_ENCRYPTION_KEY, purpose)


def encrypt_compact(data: bytes, purpose: bytes) -> str:
    """COMPACT + base64url(nonce, ciphertext, tag): 12 + len(data) + 16 bytes."""
    nonce = os.urandom(12)
    sealed = AESGCM(derived_keys(purpose)[0]).encrypt(nonce, data, purpose)
    return COMPACT + base64.urlsafe_b64encode(nonce + sealed).decode().rstrip("=")


def decrypt_compact(token: str, purpose: bytes) -> bytes:
    raw = base64.urlsafe_b64decode(token[len(COMPACT) :] + "=" * (-len(token) % 4))
    for key in derived_keys(purpose):
        try:
            return AESGCM(key).decrypt(raw[:12], raw[12:], purpose)
        except InvalidTag:
            continue
    raise InvalidToken("no FIELD_ENCRYPTION_KEY decrypts this value")


def keyed_hashes(value: str, purpose: bytes, length: int) -> list[str]:
    """HMAC-SHA256 of `value` under each derived key (the first is the current one), as
    base64url cut to `length` characters."""
    return [
        base64.urlsafe_b64encode(hmac.new(k, value.encode(), hashlib.sha256).digest()).decode()[
            :length
        ]
        for k in derived_keys(purpose)
    ]


# ---------------------------------------------------------------------------- search tokens
# Restricted text (incident narratives) is encrypted at rest, so the staff search index holds
# keyed hashes of its words instead of the words: "zz" + 16 hex digits of BLAKE2b keyed with
# a key derived from FIELD_ENCRYPTION_KEY, for each word and each of its prefixes of 3 letters
# or more (so "secuest" still finds "secuestro"). Without the field key the index is a bag of
# random-looking tokens; after a key rotation the index is rebuilt (search.rebuild).

TOKEN_PREFIX = "zz"
MIN_PREFIX = 3


@cache
def _token_base(keys: str) -> Any:
    return hashlib.blake2b(key=_derived(keys, b"search words")[0], digest_size=8)


def _token(base: Any, word: str) -> str:
    h = base.copy()  # the keyed state, made once
    h.update(word.encode())
    return TOKEN_PREFIX + h.hexdigest()


def search_token(word: str) -> str:
    return _token(_token_base(settings.FIELD_ENCRYPTION_KEY), word)


def search_tokens(words: list[str], memo: dict[str, str] | None = None) -> list[str]:
    """Tokens for folded words: each word and its prefixes, once each, in a stable order.

    `memo` (word -> token) is a bulk writer's, for one batch: the same words recur from one
    record to the next. It holds restricted words, so it lives no longer than the batch."""
    base = _token_base(settings.FIELD_ENCRYPTION_KEY)
    seen: dict[str, None] = {}
    for word in words:
        for end in range(min(MIN_PREFIX, len(word)), len(word) + 1):
            seen.setdefault(word[:end], None)
    if memo is None:
        return [_token(base, w) for w in seen]
    out = []
    for w in seen:
        token = memo.get(w)
        if token is None:
            token = memo[w] = _token(base, w)
        out.append(token)
    return out
