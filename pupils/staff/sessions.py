"""Staff sessions, stored server-side with their owner.

``SessionStore`` is Django's database session engine with one extra column,
the user id, so that ``end_sessions`` can end every session of a member of
staff at once (sign-out, password change, deactivation, second factor reset).
The limits every session is held to are enforced by
``pupils.staff.middleware.StaffSessionMiddleware``.
"""

from __future__ import annotations

import time

from django.contrib import auth
from django.contrib.sessions.backends.db import SessionStore as DBStore

from ..models import StaffSession

SIGNED_IN_AT = "_staff_signed_in_at"
LAST_SEEN = "_staff_last_seen"


class SessionStore(DBStore):
    @classmethod
    def get_model_class(cls):
        return StaffSession

    def create_model_instance(self, data):
        obj = super().create_model_instance(data)
        assert isinstance(obj, StaffSession)  # get_model_class() above
        user_id = data.get(auth.SESSION_KEY)
        obj.user_id = int(user_id) if user_id is not None else None
        return obj


def end_sessions(*, user, keep: str | None = None) -> int:
    """End every server-side session of ``user`` (except ``keep``, a session key)."""
    sessions = StaffSession.objects.filter(user_id=user.pk)
    if keep:
        sessions = sessions.exclude(session_key=keep)
    deleted, _by_model = sessions.delete()
    return deleted


def stamp_signed_in(session, *, now: float | None = None) -> None:
    """Mark a session as fully signed in (both factors) now."""
    now = time.time() if now is None else now
    session[SIGNED_IN_AT] = now
    session[LAST_SEEN] = now
