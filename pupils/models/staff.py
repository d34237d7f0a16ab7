"""Staff sessions' table (the session store itself is ``pupils.staff.sessions``)."""

from __future__ import annotations

from importlib import import_module

from django.conf import settings
from django.contrib.sessions.base_session import AbstractBaseSession
from django.db import models
from django.utils.translation import gettext_lazy as _


class StaffSession(AbstractBaseSession):
    """A server-side session that knows whose it is, so that signing out,
    changing a password or deactivating an account can end every session of
    that member of staff with one indexed DELETE (``pupils.staff.sessions.end_sessions``)."""

    user_id = models.BigIntegerField(null=True, blank=True, db_index=True)

    class Meta(AbstractBaseSession.Meta):
        # The stubs type the parent Meta.verbose_name as str; Django takes a lazy string.
        verbose_name = _("staff session")  # type: ignore[assignment]

    @classmethod
    def get_session_store_class(cls):
        # The configured engine (pupils.staff.sessions), found the way
        # Django's SessionMiddleware finds it: so this module imports no
        # session code, and the session code can import the models freely.
        return import_module(settings.SESSION_ENGINE).SessionStore
