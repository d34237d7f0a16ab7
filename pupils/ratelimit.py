"""A small fixed-window rate limit on the shared cache (the database cache in
production, so every server process counts together)."""

from __future__ import annotations

import hashlib

from django.core.cache import cache


def hit(key: str, *, limit: int, window_seconds: int) -> bool:
    """Count one attempt for ``key``; True while within ``limit`` per window.

    Keys are hashed, so an e-mail address or IP used as a key is never
    stored in the cache in clear."""
    cache_key = "ratelimit:" + hashlib.sha256(key.encode()).hexdigest()
    cache.add(cache_key, 0, timeout=window_seconds)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=window_seconds)
        count = 1
    return count <= limit
