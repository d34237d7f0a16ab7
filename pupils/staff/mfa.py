"""The staff second factor: an authenticator app (TOTP) and recovery codes.

Enrolment is the weak point of any second factor: whoever first enrols holds
it. So a member of staff can enrol only while the account has never had a
confirmed second factor; after that, a lost phone needs a recovery code, or
the DPO resets the second factor
(``pupils.staff.accounts.reset_second_factor``, audited), which
opens enrolment again. Recovery codes are shown once, when they are made.

TOTP codes are checked by django-otp, which remembers the last time step
used (``last_t``) so a code cannot be replayed, and slows down repeated
wrong codes per device.
"""

from __future__ import annotations

import base64
import hashlib
import time

import segno
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp import devices_for_user
from django_otp.models import Device
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice, default_key

from .. import audit
from ..models import AuditAction

RECOVERY_CODE_COUNT = 10
APP_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"
DEMO_DEVICE_NAME = "Demo authenticator (demo data only)"


class EnrolmentClosed(Exception):
    """This account already has a second factor."""


def has_second_factor(user) -> bool:
    return any(True for _device in devices_for_user(user, confirmed=True))


def new_secret() -> str:
    """A new authenticator secret (hex), kept in the session until confirmed."""
    return default_key()


def enrolment_device(*, user, key: str) -> TOTPDevice:
    """The authenticator being set up, not saved until it is confirmed."""
    if has_second_factor(user):
        raise EnrolmentClosed
    return TOTPDevice(user=user, key=key, name=APP_DEVICE_NAME, confirmed=False)


@transaction.atomic
def confirm_enrolment(*, user, key: str, token: str) -> tuple[TOTPDevice, list[str]] | None:
    """Save the authenticator once a code from it is right; return it and new
    recovery codes (to show once), or None when the code is wrong."""
    # One enrolment at a time per account, even from two browsers at once.
    get_user_model()._default_manager.select_for_update().filter(pk=user.pk).first()
    device = enrolment_device(user=user, key=key)
    token = _normalise(token)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    if not (_is_app_code(token) and totp.verify(int(token), device.tolerance)):
        return None
    device.confirmed = True
    device.last_t = totp.t()  # the code used to set up cannot be used again
    device.drift = totp.drift
    device.save()
    codes = _new_recovery_codes(user)
    audit.record(
        actor=user,
        action=AuditAction.CREATE,
        obj=device,
        summary=_("Second factor set up (authenticator app and recovery codes)"),
    )
    return device, codes


def _new_recovery_codes(user) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    return codes


def _normalise(token: str) -> str:
    return "".join(token.split()).replace("-", "").lower()


def _is_app_code(token: str) -> bool:
    return len(token) == 6 and token.isdigit()


@transaction.atomic
def verify_second_factor(*, user, token: str) -> Device | None:
    """The device that accepts this code (a 6-digit authenticator code or a
    one-time recovery code), or None. A recovery code is used up."""
    token = _normalise(token)
    wanted = TOTPDevice if _is_app_code(token) else StaticDevice
    for device in devices_for_user(user, confirmed=True, for_verify=True):
        if isinstance(device, wanted) and device.verify_token(token):
            return device
    return None


def secret_for_display(device: TOTPDevice) -> str:
    secret = base64.b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_data_uri(device: TOTPDevice) -> str:
    """The otpauth:// URI as an SVG QR code (a data: URI, allowed by the CSP)."""
    return segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2)


def demo_device(*, user) -> TOTPDevice:
    """A confirmed authenticator with a secret anyone can derive from the
    username: demo data only (``seed_demo``)."""
    key = hashlib.sha256(f"demo-totp:{user.get_username()}".encode()).hexdigest()[:40]
    device, _created = TOTPDevice.objects.update_or_create(
        user=user, name=DEMO_DEVICE_NAME, defaults={"key": key, "confirmed": True}
    )
    return device
