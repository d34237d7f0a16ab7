"""The staff site's authentication backend: Django's ``ModelBackend`` (same
passwords, same ``is_active`` rule, same permissions) with the reads every
signed-in request makes folded together (issue 17):

- the user, their staff profile and school, and the second-factor device
  named in the session are read in ONE query (the device with its user),
  when ``pupils.staff.middleware.StaffOTPMiddleware`` says which device the
  session names; otherwise the user with profile and school in one query;
- the user's own and their groups' permissions are read in ONE query (a
  UNION), still once per request and never kept longer than the request, so
  a permission taken away applies to the very next request.

Nothing is cached across requests: deactivation, a password change (the
session hash, checked by ``django.contrib.auth.get_user`` as before) and a
second factor reset take effect on the next request exactly as before.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.db.models import Value
from django_otp.models import Device

#: What the user query must bring with it (``config.admin_site`` and
#: ``pupils.models.tenancy`` read the profile and school on every page).
WITH_PROFILE = ("staff_profile__school",)


@dataclass
class DeviceLoad:
    """The session's device, to be read with the user (set by the middleware
    for the time the user is loaded, filled in by ``StaffBackend.get_user``)."""

    model: type[Device]
    pk: int
    attempted: bool = False
    device: Device | None = None


_session_device: ContextVar[DeviceLoad | None] = ContextVar("session_device", default=None)


def device_load(persistent_id: str) -> DeviceLoad | None:
    """The device a session names (django-otp's ``persistent_id``,
    ``app_label.model/pk``), or None when it names none that can exist."""
    try:
        label, pk = persistent_id.rsplit("/", 1)
        model = apps.get_model(label)
        return DeviceLoad(model=model, pk=int(pk)) if issubclass(model, Device) else None
    except (ValueError, LookupError):
        return None


@contextlib.contextmanager
def loading_device(load: DeviceLoad | None) -> Iterator[None]:
    """While the user is loaded, read ``load``'s device in the same query."""
    token = _session_device.set(load)
    try:
        yield
    finally:
        _session_device.reset(token)


class StaffBackend(ModelBackend):
    def get_user(self, user_id):
        user = None
        load = _session_device.get()
        if load is not None:
            load.attempted = True
            load.device = (
                load.model._default_manager.select_related(
                    *(f"user__{path}" for path in WITH_PROFILE)
                )
                .filter(pk=load.pk, user_id=user_id)
                .first()
            )
            if load.device is not None:
                user = load.device.user
        if user is None:
            user = (
                get_user_model()
                ._default_manager.select_related(*WITH_PROFILE)
                .filter(pk=user_id)
                .first()
            )
        return user if user is not None and self.user_can_authenticate(user) else None

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache") and not user_obj.is_superuser:
            self._load_permissions(user_obj)
        return super().get_all_permissions(user_obj, obj)

    @staticmethod
    def _load_permissions(user) -> None:
        """Fill ModelBackend's per-request caches (own and group permissions)
        from one query, as its two queries would."""
        if hasattr(user, "_user_perm_cache") or hasattr(user, "_group_perm_cache"):
            return

        def rows(source: str, **lookup):
            return (
                Permission.objects.filter(**lookup)
                .annotate(source=Value(source))
                .values_list("content_type__app_label", "codename", "source")
                .order_by()
            )

        own: set[str] = set()
        grouped: set[str] = set()
        both = rows("user", user=user).union(rows("group", group__user=user), all=True)
        for app_label, codename, source in both.order_by():
            (own if source == "user" else grouped).add(f"{app_label}.{codename}")
        user._user_perm_cache = own
        user._group_perm_cache = grouped
