"""A parent answers, checks, sends, gets the receipt, then comes back and
withdraws one answer: in Chromium, through the live server."""

import pytest
from django.core import mail
from django.db import connections

from consent.forms import field_name
from consent.models import ConsentRecord
from consent.services import send_consent_requests

from ..browser import chromium, violations, watch_csp
from .helpers import link_from_outbox


@pytest.fixture
def browser():
    with chromium() as browser:
        yield browser


def answer(page, pupil, provider, value: str) -> None:
    base = f"#id_{field_name(pupil.pk, provider.pk)}"
    page.check(base if value == "yes" else f"{base}-no")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_parent_answers_for_two_children_then_withdraws_one_answer(
    family, office_user, live_server, settings, browser, monkeypatch
):
    # The live server answers each request in a new thread; with persistent
    # PostgreSQL connections those threads would leave connections open and
    # block dropping the test database.
    monkeypatch.setitem(connections.settings["default"], "CONN_MAX_AGE", 0)
    settings.PUBLIC_BASE_URL = live_server.url
    send_consent_requests(actor=office_user, pupils=family.children)
    mail.outbox.sort(key=lambda m: m.to[0] != family.mother.email)
    link = link_from_outbox(0)
    amy, ben = family.children
    maths, photos = family.providers

    # On a phone: open the link, take a look, send the form empty first.
    phone = browser.new_context(viewport={"width": 375, "height": 812}, is_mobile=True)
    page = phone.new_page()
    watch_csp(page)
    page.goto(link)
    assert page.url.endswith("/consent/form/")
    page.screenshot(path="/tmp/consent-form-phone.png", full_page=True)
    page.get_by_role("button", name="Continue").click()
    assert page.get_by_role("heading", name="There is a problem").is_visible()
    page.screenshot(path="/tmp/consent-form-phone-errors.png", full_page=True)
    # The error summary links to the first question (services in provider-name
    # order: Journal Co's Photo Journal comes first).
    page.locator(".error-summary a").first.click()
    assert page.evaluate("document.activeElement.id") == f"id_{field_name(amy.pk, photos.pk)}"
    # With the keyboard only: Space chooses the focused "Yes".
    page.keyboard.press("Space")
    answer(page, ben, photos, "no")
    answer(page, amy, maths, "yes")
    answer(page, ben, maths, "yes")
    page.get_by_role("button", name="Continue").click()
    assert page.get_by_role("heading", name="Check your answers before sending them").is_visible()
    page.screenshot(path="/tmp/consent-check-phone.png", full_page=True)
    assert ConsentRecord.objects.count() == 0
    mail.outbox.clear()
    page.get_by_role("button", name="Send my answers").click()
    assert page.get_by_role("heading", name="Your answers have been sent").is_visible()
    page.screenshot(path="/tmp/consent-done-phone.png", full_page=True)
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [family.mother.email]
    assert "Photo Journal, Ben Khan: No" in mail.outbox[0].body
    assert ConsentRecord.objects.current().filter(given=True).count() == 3
    assert violations(page) == []  # form, errors, check and confirmation: CSP intact
    phone.close()

    # Later, on a computer: the same link, to withdraw consent for Amy's maths.
    desktop = browser.new_context(viewport={"width": 1280, "height": 900})
    page = desktop.new_page()
    page.goto(link)
    page.screenshot(path="/tmp/consent-form-desktop.png", full_page=True)
    answer(page, amy, maths, "no")
    page.get_by_role("button", name="Continue").click()
    mail.outbox.clear()
    page.get_by_role("button", name="Send my answers").click()
    assert page.get_by_role("heading", name="Your answers have been sent").is_visible()
    desktop.close()

    history = ConsentRecord.objects.filter(pupil=amy, provider=maths).order_by("seq")
    assert [r.given for r in history] == [True, False]
    assert ConsentRecord.objects.current().get(pupil=amy, provider=maths).given is False
    assert ConsentRecord.objects.count() == 5
    assert "Maths Stars, Amy Khan: No" in mail.outbox[0].body


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_client_over_the_link_limit_reads_a_page_that_fits_and_passes_axe(
    family, live_server, browser, monkeypatch
):
    from django.core.cache import cache

    from pupils import ratelimit

    from ..browser import axe_violations

    monkeypatch.setitem(connections.settings["default"], "CONN_MAX_AGE", 0)
    cache.clear()
    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = phone.new_page()
    watch_csp(page)
    for n in range(ratelimit.POLICIES["consent-link:address"].limit):
        page.goto(f"{live_server.url}/consent/link/made-up-token-{n}/")
    response = page.goto(f"{live_server.url}/consent/link/made-up-token-again/")
    assert response.status == 429
    assert page.locator("h1").inner_text() == "Too many attempts"
    assert "links that do not work" in page.locator("main").inner_text()
    page.screenshot(path="/tmp/consent-too-many-phone.png", full_page=True)
    assert axe_violations(page) == []
    assert violations(page) == []
    page.get_by_role("link", name="Send me a new link").click()
    assert page.url.endswith("/consent/new-link/")
    cache.clear()
