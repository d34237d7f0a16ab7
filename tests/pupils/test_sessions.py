"""Staff sessions end after inactivity and after an absolute limit; staff
pages are never kept by the browser."""

import time

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from pupils.models import AuditAction, AuditEvent, StaffSession
from pupils.staff.sessions import LAST_SEEN, SIGNED_IN_AT

from ..conftest import staff_client


def age_session(client, *, signed_in_ago: float, idle_for: float) -> None:
    session = client.session
    now = time.time()
    session[SIGNED_IN_AT] = now - signed_in_ago
    session[LAST_SEEN] = now - idle_for
    session.save()


def test_a_session_idle_for_longer_than_the_limit_ends(office_user):
    client = staff_client(office_user)
    age_session(client, signed_in_ago=3600, idle_for=settings.SESSION_IDLE_SECONDS + 5)

    response = client.get(reverse("admin:index"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    assert not StaffSession.objects.filter(user_id=office_user.pk).exists()
    event = AuditEvent.objects.get(action=AuditAction.SIGN_OUT)
    assert "idle" in event.summary
    assert event.actor == office_user and event.school_id == office_user.staff_profile.school_id


def test_a_busy_session_stays_signed_in(office_user):
    client = staff_client(office_user)
    age_session(client, signed_in_ago=3600, idle_for=settings.SESSION_IDLE_SECONDS - 60)

    assert client.get(reverse("admin:index")).status_code == 200
    assert time.time() - client.session[LAST_SEEN] < 60  # the request counts as activity


def test_a_session_ends_at_the_absolute_limit_however_busy(office_user):
    client = staff_client(office_user)
    age_session(client, signed_in_ago=settings.SESSION_ABSOLUTE_SECONDS + 5, idle_for=10)

    response = client.get(reverse("admin:index"))

    assert response.status_code == 302
    assert "time limit" in AuditEvent.objects.get(action=AuditAction.SIGN_OUT).summary


def test_the_idle_limit_is_configurable(office_user, settings):
    settings.SESSION_IDLE_SECONDS = 60
    client = staff_client(office_user)
    age_session(client, signed_in_ago=120, idle_for=90)

    assert client.get(reverse("admin:index")).status_code == 302


def test_the_database_forgets_a_session_once_idle_too(office_user):
    # The server-side expiry slides with each request, so even a stolen
    # session key stops working after the idle limit.
    client = staff_client(office_user)
    client.get(reverse("admin:index"))
    row = StaffSession.objects.get(user_id=office_user.pk)

    remaining = row.expire_date.timestamp() - time.time()
    assert settings.SESSION_IDLE_SECONDS - 60 < remaining <= settings.SESSION_IDLE_SECONDS


def test_staff_pages_are_not_stored_by_the_browser(office_client, client):
    for response in (
        office_client.get(reverse("admin:index")),
        office_client.get(reverse("admin:pupils_pupil_changelist")),
        client.get(reverse("admin:login")),
    ):
        assert "no-store" in response["Cache-Control"]


def test_a_stored_session_reads_back_through_the_configured_engine(office_user):
    client = staff_client(office_user)

    stored = StaffSession.objects.get(session_key=client.session.session_key)

    assert stored.get_decoded()["_auth_user_id"] == str(office_user.pk)


# --- The idle clock, written at most once a minute (issue 17) ----------------


class Clock:
    """time.time() as the middleware sees it, moved on by hand."""

    def __init__(self, now: float):
        self.now = now

    def time(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch):
    fake = Clock(time.time())
    monkeypatch.setattr("pupils.staff.middleware.time", fake)
    return fake


def session_row(client) -> StaffSession:
    return StaffSession.objects.get(session_key=client.session.session_key)


def test_a_request_within_the_minute_writes_no_session(office_user, clock):
    client = staff_client(office_user)
    age_session(client, signed_in_ago=600, idle_for=0)
    before = session_row(client)
    stamped = client.session[LAST_SEEN]
    clock.now = stamped + settings.SESSION_LAST_SEEN_EVERY_SECONDS - 1

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("admin:password_change")).status_code == 200

    assert not [q for q in ctx.captured_queries if "UPDATE" in q["sql"]]
    assert client.session[LAST_SEEN] == stamped
    assert session_row(client).expire_date == before.expire_date


def test_the_idle_clock_and_the_database_expiry_move_on_after_a_minute(office_user, clock):
    client = staff_client(office_user)
    age_session(client, signed_in_ago=600, idle_for=settings.SESSION_LAST_SEEN_EVERY_SECONDS)
    clock.now = time.time()

    assert client.get(reverse("admin:password_change")).status_code == 200

    assert client.session[LAST_SEEN] == clock.now
    remaining = session_row(client).expire_date.timestamp() - time.time()
    assert settings.SESSION_IDLE_SECONDS - 60 < remaining <= settings.SESSION_IDLE_SECONDS


def test_the_idle_limit_ends_a_session_at_most_a_minute_early_never_late(office_user, clock):
    """Requests within the minute are not recorded, so idleness is counted
    from the last recorded one: a session may end up to a minute before the
    limit after its very last request, never after it."""
    client = staff_client(office_user)
    age_session(client, signed_in_ago=600, idle_for=0)
    recorded = client.session[LAST_SEEN]
    clock.now = recorded + settings.SESSION_LAST_SEEN_EVERY_SECONDS - 1
    assert client.get(reverse("admin:password_change")).status_code == 200  # not recorded

    clock.now = recorded + settings.SESSION_IDLE_SECONDS  # exactly the limit: still in
    assert client.get(reverse("admin:password_change")).status_code == 200
    clock.now = recorded + settings.SESSION_IDLE_SECONDS + 1
    assert client.session[LAST_SEEN] == recorded + settings.SESSION_IDLE_SECONDS
    clock.now += settings.SESSION_IDLE_SECONDS + 1  # idle past the limit of the last request

    assert client.get(reverse("admin:password_change")).status_code == 302
    assert not StaffSession.objects.filter(user_id=office_user.pk).exists()


# --- What is read with the user is never trusted beyond the request ---------


def test_a_deleted_second_factor_ends_the_session_on_the_next_request(office_user):
    client = staff_client(office_user)
    TOTPDevice.objects.filter(user=office_user).delete()  # no end_sessions here

    assert client.get(reverse("admin:password_change")).status_code == 302
    assert not StaffSession.objects.filter(user_id=office_user.pk).exists()


def test_an_unconfirmed_device_is_no_second_factor(office_user):
    client = staff_client(office_user)
    TOTPDevice.objects.filter(user=office_user).update(confirmed=False)

    assert client.get(reverse("admin:password_change")).status_code == 302


def test_a_session_naming_someone_elses_device_is_not_signed_in(office_user, dpo_user):
    client = staff_client(office_user)
    theirs = TOTPDevice.objects.create(user=dpo_user, name="Theirs", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = theirs.persistent_id
    session.save()

    assert client.get(reverse("admin:password_change")).status_code == 302


@pytest.mark.parametrize("bad", ["otp_totp.totpdevice/nope", "auth.user/1", "nonsense"])
def test_a_session_naming_no_device_is_not_signed_in(office_user, bad):
    client = staff_client(office_user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = bad
    session.save()

    assert client.get(reverse("admin:password_change")).status_code == 302


def test_deactivation_and_a_new_password_end_a_session_even_without_end_sessions(office_user):
    deactivated = staff_client(office_user)
    type(office_user).objects.filter(pk=office_user.pk).update(is_active=False)
    assert deactivated.get(reverse("admin:password_change")).status_code == 302

    type(office_user).objects.filter(pk=office_user.pk).update(is_active=True)
    repassworded = staff_client(office_user)
    office_user.set_password("a whole new passphrase")
    office_user.save(update_fields=["password"])
    assert repassworded.get(reverse("admin:password_change")).status_code == 302


def test_a_permission_taken_away_applies_to_the_next_request(office_user):
    client = staff_client(office_user)
    url = reverse("admin:pupils_pupil_changelist")
    assert client.get(url).status_code == 200

    office_user.groups.clear()

    assert client.get(url).status_code == 403


def test_a_session_of_another_listed_backend_still_has_its_device_checked(office_user, settings):
    settings.AUTHENTICATION_BACKENDS = [
        "pupils.staff.backends.StaffBackend",
        "django.contrib.auth.backends.ModelBackend",
    ]
    client = staff_client(office_user)
    session = client.session
    session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    session.save()
    assert client.get(reverse("admin:password_change")).status_code == 200

    TOTPDevice.objects.filter(user=office_user).delete()

    assert client.get(reverse("admin:password_change")).status_code == 302


def test_a_short_idle_limit_records_requests_more_often(office_user, settings, clock):
    """With a 100-second limit the last request is recorded once 10 seconds
    old (a tenth of the limit, not a minute), so the session can end at most
    10 seconds early."""
    settings.SESSION_IDLE_SECONDS = 100
    client = staff_client(office_user)
    age_session(client, signed_in_ago=30, idle_for=0)
    start = client.session[LAST_SEEN]
    for step in range(1, 11):
        clock.now = start + 20 * step
        assert client.get(reverse("admin:password_change")).status_code == 200
        assert client.session[LAST_SEEN] == clock.now
