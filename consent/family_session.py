"""Where a parent is in the consent form, kept in a signed cookie of its own.

Parents have no account and need none of the staff session machinery (the
session table, its idle and absolute limits, the second factor): the pages
only need to know which link was opened, the answers waiting on the check
page, the key of this sending of the form and whether it was sent. That
fits in a cookie signed with the site's key (``django.core.signing``, its
own salt), so it cannot be forged or moved to another purpose, and it is
refused ``SESSION_IDLE_SECONDS`` after it was last written (the staff
sessions' idle limit). No server row is read or written: a parent reading a
page writes nothing, and a page that changes something sends a new cookie.
The cookie holds database ids and "yes"/"no", never a name; it is HttpOnly,
Secure outside development, SameSite=Lax, limited to /consent/ and ends
when the browser closes.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse

COOKIE = "consent_form"
_SALT = "consent.family_session"
PATH = "/consent/"


class FamilySession:
    def __init__(self, request: HttpRequest) -> None:
        self._data: dict[str, Any] = {}
        self.modified = False
        raw = request.COOKIES.get(COOKIE)
        if raw:
            try:
                data = signing.loads(raw, salt=_SALT, max_age=settings.SESSION_IDLE_SECONDS)
            except signing.BadSignature:  # edited, for something else, or too old
                data = None
            if isinstance(data, dict):
                self._data = data

    def start(self, consent_request_id: int) -> None:
        """A link was opened: forget everything else."""
        self._data = {"request": consent_request_id}
        self.modified = True

    def get(self, key: str, default: Any = None) -> Any:
        return self._data.get(key, default)

    def __setitem__(self, key: str, value: Any) -> None:
        self._data[key] = value
        self.modified = True

    def pop(self, key: str) -> None:
        if key in self._data:
            del self._data[key]
            self.modified = True

    def write(self, response: HttpResponse) -> None:
        if not self.modified:
            return
        response.set_cookie(
            COOKIE,
            signing.dumps(self._data, salt=_SALT, compress=True),
            path=PATH,
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )
