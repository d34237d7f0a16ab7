import datetime
import os
import shutil
from types import SimpleNamespace

import pytest
from django.test import Client

from pupils.roles import DPO, OFFICE_STAFF

from .factories import SchoolFactory, UserFactory

CHROMIUM = "/usr/bin/chromium"


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
    """A client signed in as this member of staff (password and second factor)."""
    client = Client()
    client.force_login(user)
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


# --- Consent (consent branch) -------------------------------------------------


@pytest.fixture
def family(school):
    """A mother and father with parental responsibility for two children at
    the school, two cloud services needing consent and a published notice."""
    from .factories import (
        ContactFactory,
        PrivacyNoticeFactory,
        ProviderFactory,
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
        ProviderFactory(school=school, service="Maths Stars", name="Stars Learning Ltd"),
        ProviderFactory(
            school=school,
            service="Photo Journal",
            name="Journal Co",
            data_categories=["name", "photos"],
            offline_alternative="A paper learning journal you can look at in school.",
        ),
    ]
    notice = PrivacyNoticeFactory(school=school)
    return SimpleNamespace(
        school=school,
        mother=mother,
        father=father,
        children=[amy, ben],
        providers=providers,
        notice=notice,
    )
