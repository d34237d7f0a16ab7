"""The public pages' cache: rendered pages in the shared cache, keyed by
school, made stale by a per-school version token.

Every change that can alter a school's public pages (a notice published, a
provider or assessment saved) calls ``invalidate``: it writes a new token,
so pages rendered under the old one are never served again. A token that
has been evicted is replaced by a new one, which also makes every page
rendered before it stale: the cache can lose entries but never serve a
stale page because of it. School details edited elsewhere (name, DPO) show
after at most PAGE_SECONDS.

In front of the shared cache each server process keeps the pages it served
for LOCAL_SECONDS, by host name: a visit within that time costs no query at
all (bench/bench_privacy.py). ``invalidate`` empties this process's copy at
once; other processes notice a change within LOCAL_SECONDS.

In front of that, ``providers.middleware.PublicPageMiddleware`` keeps the
finished responses (headers and body) the same LOCAL_SECONDS, so that a
visit answered from it skips the session, language and sign-in layers too.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable

from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse, HttpResponseBase
from django.utils.cache import patch_cache_control, patch_vary_headers

PAGE_SECONDS = 10 * 60
TOKEN_SECONDS = None  # tokens never expire on their own
LOCAL_SECONDS = 5.0
LOCAL_MAX_ENTRIES = 256

# Seconds a browser, reverse proxy or CDN may keep a public page.
SHARED_SECONDS = 60

_local: dict[tuple[str, str], tuple[float, bytes]] = {}
_responses: dict[tuple, tuple[float, dict[str, str], bytes]] = {}


def local_get(host: str, name: str) -> bytes | None:
    entry = _local.get((host, name))
    if entry is not None and entry[0] > time.monotonic():
        return entry[1]
    return None


def _make_room(store: dict) -> None:
    """Room for one more entry: expired copies go first, then the oldest
    (a trust's many schools and languages must not empty the whole store
    each time it fills)."""
    if len(store) < LOCAL_MAX_ENTRIES:
        return
    now = time.monotonic()
    for key in [key for key, entry in store.items() if entry[0] <= now]:
        del store[key]
    while len(store) >= LOCAL_MAX_ENTRIES:
        del store[next(iter(store))]  # insertion order: the oldest copy


def local_put(host: str, name: str, body: bytes) -> None:
    _make_room(_local)
    _local.pop((host, name), None)  # a renewed copy counts as the newest
    _local[(host, name)] = (time.monotonic() + LOCAL_SECONDS, body)


def clear_local() -> None:
    _local.clear()
    _responses.clear()


def mark_shareable(response: HttpResponse) -> None:
    """The same for every visitor: any cache may keep it SHARED_SECONDS."""
    patch_cache_control(response, public=True, max_age=SHARED_SECONDS)
    patch_vary_headers(response, ["Host"])
    response.shareable = True  # type: ignore[attr-defined]


def shareable(response: HttpResponseBase) -> bool:
    """Marked by the view, and nothing on the way out made it personal."""
    return (
        getattr(response, "shareable", False)
        and isinstance(response, HttpResponse)
        and response.status_code == 200
        and not response.cookies
        and "cookie" not in response.get("Vary", "").lower()
        and "'nonce-" not in response.get("Content-Security-Policy", "")
        and "public" in response.get("Cache-Control", "")
    )


def local_response(key: tuple) -> tuple[dict[str, str], bytes] | None:
    entry = _responses.get(key)
    if entry is not None and entry[0] > time.monotonic():
        return entry[1], entry[2]
    return None


def keep_response(key: tuple, headers: dict[str, str], body: bytes) -> None:
    _make_room(_responses)
    _responses.pop(key, None)
    _responses[key] = (time.monotonic() + LOCAL_SECONDS, headers, body)


def _token_key(school_id: int) -> str:
    return f"public:v1:token:{school_id}"


def _page_key(school_id: int, name: str) -> str:
    return f"public:v1:page:{school_id}:{name}"


def invalidate(school_id: int) -> None:
    """Make every cached public page of this school stale.

    Now (with the database cache this write commits or rolls back with the
    change itself) and again after commit, so that with any cache a reader
    who rendered the old data during the transaction cannot keep it."""

    def new_token() -> None:
        cache.set(_token_key(school_id), uuid.uuid4().hex, TOKEN_SECONDS)
        clear_local()

    new_token()
    transaction.on_commit(new_token)


def get_or_render(school_id: int, name: str, render: Callable[[], bytes]) -> bytes:
    """The cached page, or ``render()`` stored under the current token.
    One cache round trip when the page is there."""
    token_key, page_key = _token_key(school_id), _page_key(school_id, name)
    found = cache.get_many([token_key, page_key])
    token = found.get(token_key)
    entry = found.get(page_key)
    if token is not None and entry is not None and entry[0] == token:
        return entry[1]
    if token is None:
        token = uuid.uuid4().hex
        if not cache.add(token_key, token, TOKEN_SECONDS):
            token = cache.get(token_key) or token
    body = render()
    cache.set(page_key, (token, body), PAGE_SECONDS)
    return body
