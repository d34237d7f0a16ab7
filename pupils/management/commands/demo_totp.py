"""Print the current authenticator code of a demo member of staff."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from pupils.staff.mfa import DEMO_DEVICE_NAME


class Command(BaseCommand):
    help = "Prints the current sign-in code of a demo user (demo data only, DEBUG on)."

    def add_arguments(self, parser):
        parser.add_argument("username", help="office or dpo")

    def handle(self, *args, username: str, **options):
        if not settings.DEBUG:
            raise CommandError("demo_totp only runs with DEBUG on: it is for demo data.")
        user = get_user_model().objects.filter(username=username).first()
        # Only the demo authenticator made by seed_demo, never a real one.
        device = TOTPDevice.objects.filter(user=user, name=DEMO_DEVICE_NAME).first()
        if user is None or device is None:
            raise CommandError(f"{username!r} has no demo authenticator: run seed_demo first.")
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        # A code works once: if this time step's code was used, the next
        # step's is already accepted (django-otp allows one step of drift).
        if device.last_t >= totp.t():
            totp.time += device.step
        self.stdout.write(f"{totp.token():0{device.digits}d}")
        self.stdout.write(f"otpauth URI (for an authenticator app): {device.config_url}")
