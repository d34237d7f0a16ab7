"""A newcomer can sign in to the demo with the printed authenticator key."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from pupils import demo

from ..conftest import sign_in


@pytest.fixture
def demo_staff(db, settings):
    settings.DEBUG = True
    school, created = demo.seed_school()
    ctx = demo.DemoContext(school=school, created=created)
    demo.seed_staff(ctx)
    return ctx


def current_code(username: str) -> str:
    out = io.StringIO()
    call_command("demo_totp", username, stdout=out)
    return out.getvalue().splitlines()[0]


def test_demo_staff_get_an_authenticator_and_its_key_is_printed(demo_staff):
    device = TOTPDevice.objects.get(user__username="office", confirmed=True)

    printed = "\n".join(demo_staff.credentials)

    assert demo.DEMO_PASSWORDS["office"] in printed
    assert demo.mfa.secret_for_display(device) in printed
    assert "demo_totp office" in printed


def test_a_newcomer_signs_in_with_the_demo_code_twice_in_a_row(client, demo_staff):
    for _ in range(2):  # the second code is a fresh one, not a refused replay
        response = sign_in(client, "dpo", demo.DEMO_PASSWORDS["dpo"], current_code("dpo"))
        assert response.status_code == 302
        assert client.get(reverse("admin:index")).status_code == 200
        client.post(reverse("admin:logout"))


def test_seeding_again_keeps_one_demo_authenticator(demo_staff):
    demo.seed_staff(demo.DemoContext(school=demo_staff.school))

    assert TOTPDevice.objects.filter(user__username="office").count() == 1


def test_demo_codes_are_never_printed_for_a_real_authenticator(db, settings, office_user):
    settings.DEBUG = True
    TOTPDevice.objects.create(user=office_user, name="Phone", confirmed=True)

    with pytest.raises(CommandError, match="no demo authenticator"):
        call_command("demo_totp", "office", stdout=io.StringIO())


def test_demo_codes_are_never_printed_with_debug_off(demo_staff, settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DEBUG"):
        call_command("demo_totp", "office", stdout=io.StringIO())
