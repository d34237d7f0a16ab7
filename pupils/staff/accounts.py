"""Changes to a staff account that must end its sessions and leave a trail.

Whoever calls them (the user admin, the staff site's own password page, a
management command), each runs in one transaction, ends the account's
server-side sessions and writes one trail entry naming the field changed,
never its value.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from .. import audit
from ..models import AuditAction
from .sessions import end_sessions

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from ..audit import Actor


@transaction.atomic
def deactivate_staff(*, actor: Actor, user: User) -> None:
    """Untick *Active*: the account can no longer sign in, and every one of
    its sessions ends now."""
    type(user)._default_manager.filter(pk=user.pk).update(is_active=False)
    user.is_active = False
    end_sessions(user=user)
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=user,
        summary=_("Staff account deactivated; its sessions ended"),
        fields=["is_active"],
    )


@transaction.atomic
def reset_second_factor(*, actor: Actor, user: User) -> None:
    """Remove every second factor of ``user`` (lost phone) and end their
    sessions; their next sign-in sets up a new one."""
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    end_sessions(user=user)
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=user,
        summary=_("Second factor reset; the account must set up a new one"),
    )


@transaction.atomic
def set_password(
    *,
    actor: Actor,
    user: User,
    password: str | None,
    keep_session: str | None = None,
) -> None:
    """An administrator sets ``user``'s password (None: password sign-in is
    disabled). Every session of the account ends, except ``keep_session``
    (the administrator's own, when the account is theirs)."""
    if password is None:
        user.set_unusable_password()
    else:
        user.set_password(password)
    user.save(update_fields=["password"])
    end_sessions(user=user, keep=keep_session)
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=user,
        summary=_("Password set by an administrator; the account's sessions ended"),
        fields=["password"],
    )


@transaction.atomic
def change_own_password(*, user: User, password: str, keep_session: str | None) -> None:
    """A member of staff changes their own password: every other session of
    theirs ends (a thief's included); ``keep_session``, the one they changed
    it from, stays signed in."""
    user.set_password(password)
    user.save(update_fields=["password"])
    end_sessions(user=user, keep=keep_session)
    audit.record(
        actor=user,
        action=AuditAction.UPDATE,
        obj=user,
        summary=_("Password changed by its owner; their other sessions ended"),
        fields=["password"],
    )
