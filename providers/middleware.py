"""Public pages served from this process's copy before the session layers.

The public pages are the same for every visitor, so once the whole stack
has produced one (CSP, frame options, language, cache headers, all of it)
this middleware keeps the finished response for ``cache.LOCAL_SECONDS`` and
answers the next visitors with a copy. It sits just inside
``SecurityMiddleware`` (HTTPS redirect, HSTS and the other security headers
still apply to every copy) and above sessions, language, CSRF, sign-in and
the staff-session rules, which have nothing to say about such a request.

Only a request that cannot be signed in (no session cookie), a plain GET
without a query string, is answered from the copy; only a response the view
marked shareable (``cache.mark_shareable``) that sets no cookie, does not vary
on cookies and used no CSP nonce is kept. ``cache.invalidate`` empties the
copies of this process at once; other processes drop theirs within
``cache.LOCAL_SECONDS``.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils import translation

from . import cache


class PublicPageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        key = self._key(request)
        if key is None:
            return self.get_response(request)
        kept = cache.local_response(key)
        if kept is not None:
            headers, body = kept
            return HttpResponse(body, headers=headers)
        response = self.get_response(request)
        if cache.shareable(response):
            assert isinstance(response, HttpResponse)  # shareable() checked it
            cache.keep_response(key, dict(response.items()), response.content)
        return response

    @staticmethod
    def _key(request: HttpRequest) -> tuple[str | None, ...] | None:
        meta = request.META
        if (
            request.method != "GET"
            or meta.get("QUERY_STRING")
            or settings.SESSION_COOKIE_NAME in request.COOKIES
            or settings.LANGUAGE_COOKIE_NAME in request.COOKIES  # a private choice of language
        ):
            return None
        # With one language every visitor gets the same page; with more, the
        # language chosen for this request is part of the key.
        language = (
            translation.get_language_from_request(request) if len(settings.LANGUAGES) > 1 else ""
        )
        return (
            request.scheme,
            meta.get("HTTP_HOST"),
            meta.get("HTTP_X_FORWARDED_HOST"),
            request.path_info,
            language,
        )
