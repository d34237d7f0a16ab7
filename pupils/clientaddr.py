"""The one definition of the client's address, for rate limits and throttles."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """The client's address; behind our TLS proxy (BEHIND_TLS_PROXY), the one
    the proxy saw: the right-most X-Forwarded-For entry, which the proxy
    appends (entries to its left are whatever the client chose to send)."""
    if settings.BEHIND_TLS_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "")
