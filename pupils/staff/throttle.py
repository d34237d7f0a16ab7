"""Throttling of failed staff sign-ins, in the cache shared by all processes.

Failures are counted per username and per client address (the policies
``staff-sign-in:*`` of ``pupils.ratelimit``). After a few failures each
further one adds a delay that doubles up to a ceiling, and a count is
forgotten after an hour without failures: a lock always expires, so nobody
can lock a member of staff out for good.

To stop an attacker keeping a real member of staff locked out by failing
once every few minutes, a browser that has completed a sign-in (both
factors) for a username carries a signed "known browser" cookie; its
attempts are counted under that cookie, not under the username, so the
attacker's failures do not slow it down (OWASP's device-cookie defence).
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core import signing

from .. import ratelimit
from ..clientaddr import client_address

BY_USERNAME = "staff-sign-in:username"
BY_BROWSER = "staff-sign-in:known-browser"
BY_ADDRESS = "staff-sign-in:address"
DEVICE_COOKIE = "staff_known_browser"
DEVICE_COOKIE_AGE = 90 * 24 * 3600
_SALT = "pupils.throttle.known-browser"  # unchanged, so issued cookies stay valid


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


def _buckets(request, username: str) -> list[tuple[str, str]]:
    """(policy name, key) pairs this attempt counts against; the address first."""
    browser = known_browser(request, username) if username else None
    buckets = [(BY_ADDRESS, client_address(request))]
    if browser:
        buckets.append((BY_BROWSER, browser))
    elif username:
        buckets.append((BY_USERNAME, username))
    return buckets


def seconds_to_wait(request, username: str) -> int:
    """0 when a sign-in may be tried now, else how long to wait."""
    return max(
        ratelimit.seconds_to_wait(policy, key) for policy, key in _buckets(request, username)
    )


def record_failure(request, username: str) -> None:
    for policy, key in _buckets(request, username):
        ratelimit.record_failure(policy, key)


def record_success(request, username: str) -> None:
    """A full sign-in clears this username's (or browser's) count, not the
    address's: one valid account must not reset an attacker's address."""
    for policy, key in _buckets(request, username)[1:]:
        ratelimit.clear(policy, key)
