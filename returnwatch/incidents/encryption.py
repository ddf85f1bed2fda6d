"""Field encryption at rest (Fernet, from `cryptography`) with the key from settings.

FIELD_ENCRYPTION_KEY holds one or more comma-separated keys: the first encrypts, every key
decrypts, so a key can be rotated by putting the new key first and re-saving the records.
"""

from functools import cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models

PREFIX = "fernet:"


@cache
def _fernet(keys: str) -> MultiFernet:
    return MultiFernet([Fernet(k.strip().encode()) for k in keys.split(",") if k.strip()])


def fernet() -> MultiFernet:
    return _fernet(settings.FIELD_ENCRYPTION_KEY)


def encrypt(value: str) -> str:
    return PREFIX + fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    if not token.startswith(PREFIX):
        raise InvalidToken("value is not encrypted")
    return fernet().decrypt(token[len(PREFIX) :].encode()).decode()


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
