"""Throttling of failed staff sign-ins, in the cache shared by all processes.

Failures are counted per username and per client address. After a few
failures each further one adds a delay that doubles up to a ceiling, and a
count is forgotten after an hour without failures: a lock always expires, so
nobody can lock a member of staff out for good.

To stop an attacker keeping a real member of staff locked out by failing
once every few minutes, a browser that has completed a sign-in (both
factors) for a username carries a signed "known browser" cookie; its
attempts are counted under that cookie, not under the username, so the
attacker's failures do not slow it down (OWASP's device-cookie defence).
"""

from __future__ import annotations

import hashlib
import secrets
import time

from django.conf import settings
from django.core import signing
from django.core.cache import cache

USER_FREE_FAILURES = 5
IP_FREE_FAILURES = 20
FIRST_DELAY_SECONDS = 30
MAX_DELAY_SECONDS = 15 * 60
FORGET_AFTER_SECONDS = 60 * 60
DEVICE_COOKIE = "staff_known_browser"
DEVICE_COOKIE_AGE = 90 * 24 * 3600
_SALT = "pupils.throttle.known-browser"


def _now() -> float:
    return time.time()


def client_ip(request) -> str:
    """The client's address; behind our TLS proxy, the one the proxy saw
    (the right-most X-Forwarded-For entry, which the proxy appends)."""
    if settings.BEHIND_TLS_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "")


def _hashed(kind: str, value: str) -> str:
    # Hashed so that no username or address sits in the cache table as such.
    return f"signin-fail:{kind}:{hashlib.sha256(value.lower().encode()).hexdigest()}"


def known_browser(request, username: str) -> str | None:
    """The known-browser id for ``username`` if this request carries one."""
    try:
        value = request.get_signed_cookie(DEVICE_COOKIE, salt=_SALT, max_age=DEVICE_COOKIE_AGE)
        owner, browser = value.split(":", 1)
    except (KeyError, signing.BadSignature, ValueError):
        return None
    return browser if owner.lower() == username.lower() else None


def remember_browser(response, username: str) -> None:
    response.set_signed_cookie(
        DEVICE_COOKIE,
        f"{username}:{secrets.token_urlsafe(16)}",
        salt=_SALT,
        max_age=DEVICE_COOKIE_AGE,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Strict",
    )


def _keys(request, username: str) -> list[tuple[str, int]]:
    browser = known_browser(request, username) if username else None
    keys = [(_hashed("ip", client_ip(request)), IP_FREE_FAILURES)]
    if browser:
        keys.append((_hashed("browser", browser), USER_FREE_FAILURES))
    elif username:
        keys.append((_hashed("user", username), USER_FREE_FAILURES))
    return keys


def seconds_to_wait(request, username: str) -> int:
    """0 when a sign-in may be tried now, else how long to wait."""
    now = _now()
    waits = [0]
    for key, _free in _keys(request, username):
        state = cache.get(key)
        if state:
            waits.append(int(state["until"] - now + 0.999))
    return max(waits)


def record_failure(request, username: str) -> None:
    now = _now()
    for key, free in _keys(request, username):
        state = cache.get(key) or {"n": 0, "until": 0}
        state["n"] += 1
        over = state["n"] - free
        if over >= 0:
            state["until"] = now + min(FIRST_DELAY_SECONDS * 2**over, MAX_DELAY_SECONDS)
        cache.set(key, state, timeout=FORGET_AFTER_SECONDS)


def record_success(request, username: str) -> None:
    """A full sign-in clears this username's (or browser's) count, not the
    address's: one valid account must not reset an attacker's address."""
    for key, _free in _keys(request, username)[1:]:
        cache.delete(key)
