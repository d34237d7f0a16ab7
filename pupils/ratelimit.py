"""The one rate limiter, with named policies, on the shared cache (the
database cache in production, so every server process counts together).

A policy either allows ``limit`` attempts per fixed window (``hit``), or, with
a ``first_delay_seconds``, lets ``limit`` failures through and then makes
each further one add a wait that doubles up to ``max_delay_seconds``; such a
count is forgotten ``window_seconds`` after the last failure, so a wait
always ends (``record_failure``, ``seconds_to_wait``, ``clear``).

Keys are hashed (after lower-casing), so no e-mail address, username or
client address sits in the cache as such. Callers pass the client's address
from ``pupils.clientaddr.client_address``.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from django.core.cache import cache


@dataclass(frozen=True)
class Policy:
    name: str
    limit: int
    window_seconds: int
    first_delay_seconds: int = 0
    max_delay_seconds: int = 0


_HOUR = 60 * 60
_SIGN_IN_DELAY = {"window_seconds": _HOUR, "first_delay_seconds": 30, "max_delay_seconds": 15 * 60}

POLICIES: dict[str, Policy] = {
    policy.name: policy
    for policy in (
        # Failed staff sign-ins (pupils.staff.throttle): per username, or per
        # known browser instead when the attempt comes from one, and per address.
        Policy("staff-sign-in:username", limit=5, **_SIGN_IN_DELAY),
        Policy("staff-sign-in:known-browser", limit=5, **_SIGN_IN_DELAY),
        Policy("staff-sign-in:address", limit=20, **_SIGN_IN_DELAY),
        # Parents asking for a new consent link: generous enough for a family
        # trying a few addresses, tight enough that nobody can mail-bomb a
        # parent or probe many addresses.
        Policy("consent-new-link:email", limit=3, window_seconds=_HOUR),
        Policy("consent-new-link:address", limit=20, window_seconds=_HOUR),
        # Consent links (/consent/link/...) that do not exist or were edited,
        # per client: a family opens its own links, which are real (a family
        # with several children has one link for all of them; back, forward
        # and reopening an old, replaced or expired link are not counted),
        # so a few mistyped or cut-off links in an hour is the most a family
        # makes. A script guessing tokens is stopped after 20, for the rest
        # of the hour, on every link. Real links are not counted, so a
        # school hall full of parents behind one address is never stopped.
        Policy("consent-link:address", limit=20, window_seconds=_HOUR),
        # The public rights-request and complaint forms (sharing.rights): a
        # family sends one or two, perhaps after correcting a mistake; a flood
        # from one address is refused.
        Policy("privacy-request:address", limit=10, window_seconds=_HOUR),
        Policy("privacy-complaint:address", limit=10, window_seconds=_HOUR),
    )
}


def _now() -> float:
    return time.time()


def cache_key(policy: Policy, key: str) -> str:
    return f"ratelimit:{policy.name}:{hashlib.sha256(key.lower().encode()).hexdigest()}"


def hit(policy_name: str, key: str) -> bool:
    """Count one attempt for ``key``; True while within the policy's limit
    for the current window."""
    policy = POLICIES[policy_name]
    name = cache_key(policy, key)
    cache.add(name, 0, timeout=policy.window_seconds)
    try:
        count = cache.incr(name)
    except ValueError:  # expired between add and incr
        cache.set(name, 1, timeout=policy.window_seconds)
        count = 1
    return count <= policy.limit


def exceeded(policy_name: str, key: str) -> bool:
    """True when ``key`` has used up the policy's limit for the current
    window (``hit`` counts; this only looks)."""
    policy = POLICIES[policy_name]
    return (cache.get(cache_key(policy, key)) or 0) >= policy.limit


def seconds_to_wait(policy_name: str, key: str) -> int:
    """0 when ``key`` may try now, else how long it must wait."""
    state = cache.get(cache_key(POLICIES[policy_name], key))
    return max(0, int(state["until"] - _now() + 0.999)) if state else 0


def record_failure(policy_name: str, key: str) -> None:
    policy = POLICIES[policy_name]
    name = cache_key(policy, key)
    state = cache.get(name) or {"n": 0, "until": 0}
    state["n"] += 1
    over = state["n"] - policy.limit
    if over >= 0:
        delay = policy.first_delay_seconds * 2**over
        state["until"] = _now() + min(delay, policy.max_delay_seconds)
    cache.set(name, state, timeout=policy.window_seconds)


def clear(policy_name: str, key: str) -> None:
    cache.delete(cache_key(POLICIES[policy_name], key))
