"""Repeated failed sign-ins are slowed down, never locked out for good, and logged."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from pupils import ratelimit
from pupils.models import AuditAction, AuditEvent
from pupils.staff import throttle

from ..conftest import sign_in, totp_code

BY_USERNAME = ratelimit.POLICIES[throttle.BY_USERNAME]
BY_ADDRESS = ratelimit.POLICIES[throttle.BY_ADDRESS]
FIRST_DELAY_SECONDS = BY_USERNAME.first_delay_seconds

PASSWORD = "correct horse battery"


@pytest.fixture
def clock(monkeypatch):
    class Clock:
        now = 1_900_000_000.0

        def advance(self, seconds):
            self.now += seconds

    clock = Clock()
    monkeypatch.setattr(ratelimit, "_now", lambda: clock.now)
    return clock


def fail(client, username="office", times=1):
    for _ in range(times):
        response = sign_in(client, username, "not the password")
    return response


def test_after_five_wrong_passwords_even_the_right_one_must_wait(client, office_user, clock):
    fail(client, times=5)

    response = sign_in(client, "office", PASSWORD)

    assert response.status_code == 200
    assert "Too many failed sign-ins" in response.content.decode()
    assert "admin:signin_code" not in response.get("Location", "")


def test_the_wait_expires_so_nobody_is_locked_out_for_good(
    client, office_user, authenticator, clock
):
    fail(client, times=5)
    clock.advance(FIRST_DELAY_SECONDS + 1)

    response = sign_in(client, "office", PASSWORD)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:signin_code"))


def test_each_further_failure_doubles_the_wait_up_to_a_ceiling(rf, db, clock):
    request = rf.post("/admin/login/")
    waits = []
    for _ in range(15):
        throttle.record_failure(request, "office")
        waits.append(throttle.seconds_to_wait(request, "office"))

    assert waits[:4] == [0, 0, 0, 0]
    assert waits[4:7] == [30, 60, 120]
    assert max(waits) == BY_USERNAME.max_delay_seconds


def test_failures_are_forgotten_after_an_hour_without_one(rf, db, monkeypatch):
    from django.core.cache import cache

    request = rf.post("/admin/login/")
    for _ in range(6):
        throttle.record_failure(request, "office")
    key = ratelimit.cache_key(BY_USERNAME, "office")
    assert cache.get(key)["n"] == 6

    # An hour later (the database cache compares its expiry with "now").
    later = timezone.now() + datetime.timedelta(seconds=BY_USERNAME.window_seconds + 1)
    monkeypatch.setattr("django.core.cache.backends.db.tz_now", lambda: later)

    assert cache.get(key) is None


def test_one_address_trying_many_usernames_is_slowed_down(client, db, clock):
    for n in range(BY_ADDRESS.limit):
        fail(client, username=f"guess{n}")

    response = fail(client, username="someone-else")

    assert "Too many failed sign-ins" in response.content.decode()


def test_an_attacker_cannot_lock_staff_out_of_a_browser_they_signed_in_from(
    client, office_user, authenticator, clock
):
    sign_in(client, "office", PASSWORD, totp_code(authenticator))  # known browser now
    client.post(reverse("admin:logout"))
    from django.test import Client

    attacker = Client(REMOTE_ADDR="203.0.113.9")
    fail(attacker, times=8)
    assert "Too many" in sign_in(attacker, "office", PASSWORD).content.decode()

    response = sign_in(client, "office", PASSWORD)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:signin_code"))


def test_every_failure_is_logged_with_the_username_only(client, office_user):
    fail(client)
    sign_in(client, "mistyped-secret-passphrase", "whatever")

    known, unknown = AuditEvent.objects.filter(action=AuditAction.SIGN_IN_FAILED).order_by("id")
    assert known.actor == office_user and known.actor_label == "office"
    assert "wrong username or password" in known.summary
    assert unknown.actor is None and unknown.actor_label == "unknown username"
    trail = " ".join(f"{e.actor_label} {e.summary} {e.fields}" for e in AuditEvent.objects.all())
    assert "not the password" not in trail
    assert "mistyped-secret-passphrase" not in trail
    assert "127.0.0.1" not in trail


def test_the_counts_in_the_cache_name_nobody(rf, office_user):
    from django.core.cache import cache

    request = rf.post("/admin/login/")
    throttle.record_failure(request, "office")

    key = ratelimit.cache_key(BY_USERNAME, "OFFICE")
    assert "office" not in key.lower()
    assert cache.get(f"ratelimit:{BY_USERNAME.name}:office") is None
    assert cache.get(key)["n"] == 1


def test_attempts_refused_while_waiting_do_not_make_the_wait_longer(
    client, office_user, authenticator, clock
):
    fail(client, times=5)
    for _ in range(10):  # refused without checking, and not counted
        fail(client)
    clock.advance(FIRST_DELAY_SECONDS + 1)

    response = sign_in(client, "office", PASSWORD)

    assert response["Location"].startswith(reverse("admin:signin_code"))
    refused = AuditEvent.objects.filter(summary__contains="too many attempts")
    assert refused.count() == 10  # but each refusal is on record
