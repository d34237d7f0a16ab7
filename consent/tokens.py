"""Tokens for parents' consent-form links.

A link carries ``signing.dumps(raw)`` salted by its purpose, where ``raw`` is
``secrets.token_urlsafe(32)`` (256 bits). The signature binds the token to
its purpose and carries its time; only ``sha256(raw)`` is stored, so the
database alone cannot open a form. A token signed for another purpose fails
the signature check, and so does any edited or made-up token.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core import signing

from .models import LinkPurpose


class InvalidToken(Exception):
    """Forged, damaged or for another purpose."""


class ExpiredToken(Exception):
    pass


@dataclass(frozen=True)
class IssuedToken:
    signed: str  # goes into the link, once, and is never stored
    digest: str  # stored


def _salt(purpose: str) -> str:
    return f"consent.tokens.{purpose}"


def link_lifetime() -> timedelta:
    return timedelta(days=settings.CONSENT_LINK_DAYS)


def digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def issue(purpose: str = LinkPurpose.CONSENT_FORM) -> IssuedToken:
    raw = secrets.token_urlsafe(32)
    signed = signing.dumps(raw, salt=_salt(purpose))
    return IssuedToken(signed=signed, digest=digest(raw))


def read(signed: str, purpose: str = LinkPurpose.CONSENT_FORM) -> str:
    """The digest to look the link up by; raises InvalidToken or ExpiredToken."""
    try:
        raw = signing.loads(signed, salt=_salt(purpose), max_age=link_lifetime())
    except signing.SignatureExpired as exc:
        raise ExpiredToken from exc
    except signing.BadSignature as exc:
        raise InvalidToken from exc
    if not isinstance(raw, str) or len(raw) < 43:
        raise InvalidToken
    return digest(raw)
