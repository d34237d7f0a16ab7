"""Encryption at rest for free-text special category fields.

Values are encrypted with Fernet (AES-128-CBC + HMAC-SHA256, from the
``cryptography`` package) under the keys in settings.FIELD_ENCRYPTION_KEYS:
the first key encrypts, every key decrypts, so keys can be rotated
(``manage.py rotate_encryption_key``). Stored values start with a marker so a
half-finished rotation or a legacy plaintext row is recognised, never lost.
"""

import base64
import hashlib
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models

MARKER = "enc1:"


@cache
def _fernets_for(keys: tuple[str, ...]) -> tuple[Fernet, ...]:
    if not keys:
        # Development only (settings refuse DEBUG=off without keys): a key
        # derived from SECRET_KEY so a newcomer's first run works.
        digest = hashlib.sha256(f"field-encryption:{settings.SECRET_KEY}".encode()).digest()
        keys = (base64.urlsafe_b64encode(digest).decode(),)
    return tuple(Fernet(k.encode()) for k in keys)


def fernet() -> MultiFernet:
    return MultiFernet(list(_fernets_for(tuple(settings.FIELD_ENCRYPTION_KEYS))))


def is_current(stored: str) -> bool:
    """True when ``stored`` is empty or already encrypted under the first key."""
    if not stored:
        return True
    if not stored.startswith(MARKER):
        return False
    primary = _fernets_for(tuple(settings.FIELD_ENCRYPTION_KEYS))[0]
    try:
        primary.decrypt(stored[len(MARKER) :].encode())
    except InvalidToken:
        return False
    return True


def encrypt(plaintext: str) -> str:
    return MARKER + fernet().encrypt(plaintext.encode()).decode()


def decrypt(stored: str) -> str:
    if not stored.startswith(MARKER):
        return stored  # written before encryption was switched on
    try:
        return fernet().decrypt(stored[len(MARKER) :].encode()).decode()
    except InvalidToken as exc:
        raise ValueError("An encrypted field could not be decrypted with any key.") from exc


def rotate(stored: str) -> str:
    """Re-encrypt under the first key (plaintext rows get encrypted)."""
    if not stored.startswith(MARKER):
        return encrypt(stored) if stored else stored
    try:
        return MARKER + fernet().rotate(stored[len(MARKER) :].encode()).decode()
    except InvalidToken as exc:
        raise ValueError("An encrypted field could not be decrypted with any key.") from exc


class EncryptedTextField(models.TextField):
    """A TextField stored encrypted. It cannot be searched or ordered by."""

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(value)
