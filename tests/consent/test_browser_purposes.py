"""In Chromium: a parent's form with photograph uses and biometrics on a
phone, and the staff "who may be photographed" list on a computer; axe-core
finds no serious or critical WCAG 2.2 A/AA problem on either."""

import os
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core import mail
from django.db import connections
from django.urls import reverse

from consent.forms import field_name
from consent.models import ConsentMethod
from consent.services import record_consent, send_consent_requests
from providers.models import PurposeKind

from ..browser import axe_violations, chromium, violations, watch_csp
from ..conftest import staff_client
from ..factories import InUseProviderFactory
from .helpers import link_from_outbox

# Where the screenshots go (looked at by hand; nothing asserts on them).
SHOTS = Path(os.environ.get("CONSENT_SHOTS", "/tmp"))


@pytest.fixture
def browser():
    with chromium() as browser:
        yield browser


def _purposes(family):
    for service, purpose in (
        ("Photos: school website", "Photos of school life on the school's website."),
        ("Photos: press", "Photos given to local newspapers."),
    ):
        InUseProviderFactory(
            school=family.school,
            service=service,
            name="The school",
            kind=PurposeKind.PHOTOGRAPHS,
            purpose=purpose,
            data_categories=["name", "photos"],
            offline_alternative="Your child is not photographed for this use.",
        )
    return InUseProviderFactory(
        school=family.school,
        service="Fingerprint meals",
        name="Cashless Catering Ltd",
        kind=PurposeKind.BIOMETRIC,
        purpose="Paying for meals with a fingerprint reader.",
        data_categories=["name", "dietary", "biometric"],
        offline_alternative="A named meal card.",
    )


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_form_with_photo_and_biometric_questions_and_the_staff_list_are_accessible(
    family, office_user, live_server, settings, browser, monkeypatch
):
    monkeypatch.setitem(connections.settings["default"], "CONN_MAX_AGE", 0)
    settings.PUBLIC_BASE_URL = live_server.url
    meals = _purposes(family)
    send_consent_requests(actor=office_user, pupils=family.children)
    mail.outbox.sort(key=lambda m: m.to[0] != family.mother.email)

    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = phone.new_page()
    watch_csp(page)
    page.goto(link_from_outbox(0))
    assert page.get_by_text("This is explicit consent.").first.is_visible()
    ben = family.children[1]
    assert page.locator(f"#id_{field_name(ben.pk, meals.pk)}-no").is_visible()
    assert axe_violations(page) == []
    page.screenshot(path=str(SHOTS / "form-photos-biometrics-390.png"), full_page=True)
    page.get_by_role("button", name="Continue").click()
    assert page.get_by_role("heading", name="There is a problem").is_visible()
    assert axe_violations(page) == []
    assert violations(page) == []
    phone.close()

    # Staff: who may be photographed, on a computer.
    amy = family.children[0]
    website = family.school.providers.get(service="Photos: school website")
    record_consent(
        actor=office_user,
        pupil=amy,
        provider=website,
        given=True,
        given_by_contact=family.mother,
        method=ConsentMethod.PAPER,
    )
    record_consent(
        actor=office_user,
        pupil=ben,
        provider=website,
        given=False,
        given_by_contact=family.mother,
        method=ConsentMethod.PAPER,
    )
    session = staff_client(office_user).cookies[django_settings.SESSION_COOKIE_NAME].value
    desktop = browser.new_context(viewport={"width": 1280, "height": 800})
    desktop.add_cookies(
        [{"name": django_settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
    )
    page = desktop.new_page()
    page.goto(live_server.url + reverse("admin:consent_photographs"))
    assert page.get_by_role("heading", name="Who may be photographed").is_visible()
    assert axe_violations(page) == []
    page.screenshot(path=str(SHOTS / "may-be-photographed-1280.png"), full_page=True)
    desktop.close()
