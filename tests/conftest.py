import datetime
import os
import shutil
import time
from types import SimpleNamespace

import pytest
from django.test import Client
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from pupils.roles import DPO, OFFICE_STAFF
from pupils.staff.sessions import stamp_signed_in

from .browser import CHROMIUM
from .factories import SchoolFactory, UserFactory


def pytest_collection_modifyitems(config, items):
    """Browser tests need Debian's Chromium. `make test` skips them, saying so
    plainly, when it is not installed; CI (REQUIRE_BROWSER=1) fails instead."""
    if shutil.which(CHROMIUM):
        return
    browser_items = [i for i in items if "browser" in i.keywords]
    if not browser_items:
        return
    if os.environ.get("REQUIRE_BROWSER") == "1":
        raise pytest.UsageError(f"{CHROMIUM} is missing and REQUIRE_BROWSER=1: install chromium.")
    reason = f"Chromium is not installed ({CHROMIUM}): browser tests skipped."
    print(f"\n*** {reason} Install it with: apt-get install chromium ***")
    for item in browser_items:
        item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture
def school(db):
    return SchoolFactory(name="Crook Primary School")


@pytest.fixture
def other_school(db):
    return SchoolFactory(name="Elsewhere Academy")


@pytest.fixture
def office_user(school):
    return UserFactory(username="office", role=OFFICE_STAFF, school=school)


@pytest.fixture
def dpo_user(school):
    return UserFactory(username="dpo", role=DPO, school=school)


@pytest.fixture
def other_school_dpo(other_school):
    return UserFactory(username="elsewhere-dpo", role=DPO, school=other_school)


def staff_client(user) -> Client:
    """A client signed in as this member of staff (password and second factor).

    It signs in as the sign-in views leave a session (a verified authenticator
    in the session, signed in now) without writing sign-in entries to the
    audit trail, which tests of other features count. The real sign-in views
    are tested in tests/pupils/test_signin.py."""
    client = Client()
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Test authenticator", confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    stamp_signed_in(session)
    session.save()
    return client


@pytest.fixture
def office_client(office_user):
    return staff_client(office_user)


@pytest.fixture
def dpo_client(dpo_user):
    return staff_client(dpo_user)


@pytest.fixture
def other_school_client(other_school_dpo):
    return staff_client(other_school_dpo)


# --- Staff sign-in (password and second factor) --------------------------------


def totp_code(device, *, steps_ahead: int = 0) -> str:
    """The code the member of staff's authenticator app shows now."""
    from django_otp.oath import TOTP

    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def sign_in(client: Client, username: str, password: str, code: str | None = None, next=""):
    """Go through the real sign-in views: password, then (if given) the code.
    Returns the last response."""
    data = {"username": username, "password": password}
    if next:
        data["next"] = next
    response = client.post(reverse("admin:login"), data)
    if code is None or response.status_code != 302:
        return response
    return client.post(response["Location"], {"code": code})


@pytest.fixture
def authenticator(office_user):
    """The office user's confirmed authenticator app."""
    return TOTPDevice.objects.create(user=office_user, name="Phone", confirmed=True)


@pytest.fixture
def deactivated_client(school):
    """A member of staff who was signed in (both factors) and then deactivated."""
    user = UserFactory(username="leaver", role=OFFICE_STAFF, school=school)
    client = staff_client(user)
    user.is_active = False
    user.save()
    return client


# --- Consent (consent branch) -------------------------------------------------


@pytest.fixture
def family(school):
    """A mother and father with parental responsibility for two children at
    the school, two cloud services needing consent and a published notice."""
    from .factories import (
        ContactFactory,
        InUseProviderFactory,
        PublishedNoticeFactory,
        PupilContactFactory,
        PupilFactory,
    )

    school.is_default = True
    school.save()
    mother = ContactFactory(school=school, forename="Sarah", surname="Khan")
    father = ContactFactory(school=school, forename="Imran", surname="Khan")
    amy = PupilFactory(school=school, legal_forename="Amy", legal_surname="Khan")
    ben = PupilFactory(
        school=school,
        legal_forename="Ben",
        legal_surname="Khan",
        nc_year="R",
        date_of_birth=datetime.date(2021, 2, 3),
    )
    for child in (amy, ben):
        PupilContactFactory(pupil=child, contact=mother)
        PupilContactFactory(pupil=child, contact=father, relationship="PAF", priority=2)
    providers = [
        InUseProviderFactory(school=school, service="Maths Stars", name="Stars Learning Ltd"),
        InUseProviderFactory(
            school=school,
            service="Photo Journal",
            name="Journal Co",
            data_categories=["name", "photos"],
            offline_alternative="A paper learning journal you can look at in school.",
        ),
    ]
    notice = PublishedNoticeFactory(school=school)
    return SimpleNamespace(
        school=school,
        mother=mother,
        father=father,
        children=[amy, ben],
        providers=providers,
        notice=notice,
    )


@pytest.fixture(scope="session", autouse=True)
def _no_stray_connections_at_teardown(django_db_setup, django_db_blocker):
    """A live-server thread still answering Chromium's last request when a
    browser test ends can hold a PostgreSQL connection open, and PostgreSQL
    then refuses to drop the test database. End such connections first."""
    yield
    with django_db_blocker.unblock():
        from django.db import connection

        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
