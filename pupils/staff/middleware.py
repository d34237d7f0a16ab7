"""``StaffSessionMiddleware`` (after django_otp's OTPMiddleware) makes three
promises for every request in the project, not only the admin:

- a session signed in without a verified second factor is no sign-in at all
  (it is ended, and the request is anonymous), so no view anywhere can be
  reached with a password alone, even one that only checks ``is_staff``;
- a session ends after SESSION_IDLE_SECONDS without a request, and
  SESSION_ABSOLUTE_SECONDS after the sign-in however busy it is;
- responses to signed-in staff and every admin page are never stored by the
  browser (``Cache-Control: no-store``): they may show pupil data.

A request without a session cookie cannot be signed in, so it is left alone:
reading ``request.user`` would load an empty session and mark the response
``Vary: Cookie``, which stops a reverse proxy or CDN sharing public pages.

What being signed in costs each request (issue 17; pinned by
tests/pupils/test_request_queries.py): the session row, the user with their
second-factor device, staff profile and school (one query, see
``StaffOTPMiddleware`` and ``pupils.staff.backends``) and the permissions
(one query, when the page checks one). The session is written only when
something in it changed, and the idle clock (``LAST_SEEN``) is moved on at
most every ``SESSION_LAST_SEEN_EVERY_SECONDS`` (or a tenth of the idle
limit, if that is shorter: a short limit must not end a busy session): so a
session may end up to that long before ``SESSION_IDLE_SECONDS`` of real
idleness, never after.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import auth
from django.contrib.auth.models import AnonymousUser
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.middleware import OTPMiddleware

from ..models import AuditAction
from .backends import device_load, loading_device
from .sessions import LAST_SEEN, SIGNED_IN_AT
from .trail import record_staff_event


def _expiry_reason(session, now: float) -> str | None:
    signed_in_at = session.get(SIGNED_IN_AT)
    last_seen = session.get(LAST_SEEN)
    if signed_in_at is None or last_seen is None:
        return _("the session was never fully signed in")
    if now - signed_in_at > settings.SESSION_ABSOLUTE_SECONDS:
        return _("the session reached its time limit")
    if now - last_seen > settings.SESSION_IDLE_SECONDS:
        return _("the session was idle for too long")
    return None


def last_seen_every() -> float:
    """How stale the recorded last request may get before it is recorded
    again (and the session written)."""
    return min(settings.SESSION_LAST_SEEN_EVERY_SECONDS, settings.SESSION_IDLE_SECONDS / 10)


class StaffOTPMiddleware(OTPMiddleware):
    """django-otp's ``OTPMiddleware`` (in its place in MIDDLEWARE), reading
    the session's device in the same query as the user: the same checks
    (the device must exist, be confirmed and belong to the user), one query
    fewer on every signed-in request."""

    def _verify_user_sync(self, request, user):
        persistent_id = request.session.get(DEVICE_ID_SESSION_KEY)
        load = device_load(self._normalize_persistent_id(persistent_id)) if persistent_id else None
        with loading_device(load):
            self._init_user_fields(user)  # loads the (lazy) user: auth.get_user
        if user.is_authenticated:
            if load is None:  # no device named, or none that can exist
                device = None
            elif load.attempted:
                device = load.device  # None: no such device of this user's
            else:  # signed in through another backend: django-otp's own read
                device = self._device_from_persistent_id(persistent_id)
            user.otp_device = self._finalize_device(request, user, device)
        return user


class StaffSessionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.admin_prefix = "/admin/"

    def __call__(self, request):
        has_session = settings.SESSION_COOKIE_NAME in request.COOKIES
        signed_in = has_session and self._enforce_limits(request)
        response = self.get_response(request)
        if signed_in or request.path.startswith(self.admin_prefix):
            add_never_cache_headers(response)
        return response

    def _enforce_limits(self, request) -> bool:
        user = request.user
        if not user.is_authenticated:
            return False
        now = time.time()
        if not user.is_verified():
            # Signed in by some path that skipped the second factor (a
            # password-reset view, force_login...): not signed in at all.
            self._end(request)
            return False
        reason = _expiry_reason(request.session, now)
        if reason is not None:
            summary = _("Signed out: %(reason)s") % {"reason": reason}
            record_staff_event(user, AuditAction.SIGN_OUT, summary)
            self._end(request)
            return False
        if now - request.session[LAST_SEEN] >= last_seen_every():
            # Only now is the session written (SESSION_SAVE_EVERY_REQUEST is off).
            request.session[LAST_SEEN] = now
        return True

    @staticmethod
    def _end(request) -> None:
        auth.logout(request)  # flushes the session: its row is deleted
        anonymous = AnonymousUser()
        # What django_otp's OTPMiddleware sets on every request.user (not
        # declared on AnonymousUser).
        anonymous.otp_device = None  # type: ignore[attr-defined]
        anonymous.is_verified = lambda: False  # type: ignore[attr-defined]
        request.user = anonymous
