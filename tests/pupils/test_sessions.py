"""Staff sessions end after inactivity and after an absolute limit; staff
pages are never kept by the browser."""

import time

from django.conf import settings
from django.urls import reverse

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
