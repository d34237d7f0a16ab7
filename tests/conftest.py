import os
import shutil

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


# --- providers ---------------------------------------------------------------
@pytest.fixture
def in_use_provider(school, dpo_user):
    """A provider approved by a published assessment and in use."""
    from providers import services

    from .factories import ProviderFactory

    provider = ProviderFactory(school=school, service="Bug Club", name="Pearson Education Ltd")
    services.record_assessment(
        provider=provider, answers={}, decision="approve", actor=dpo_user, notes=""
    )
    return services.set_provider_status(provider=provider, status="in_use", actor=dpo_user)
