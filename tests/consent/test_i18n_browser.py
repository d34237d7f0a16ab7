"""The consent journey in Polish and in Urdu (right to left), in Chromium, and
axe-core (WCAG 2.2 A and AA) on the consent pages in every language at phone
and desktop widths."""

import os
from pathlib import Path

import pytest
from django.core import mail
from django.core.cache import cache
from django.db import connections

from consent.forms import field_name
from consent.models import ConsentRecord
from consent.services import send_consent_requests
from providers.models import PurposeKind

from ..browser import axe_violations, chromium, violations, watch_csp
from ..factories import InUseProviderFactory
from .helpers import link_from_outbox

# Where the screenshots go (looked at by hand; nothing asserts on them).
SHOTS = Path(os.environ.get("CONSENT_SHOTS", "/tmp"))


@pytest.fixture
def browser():
    with chromium() as browser:
        yield browser


@pytest.fixture
def live(live_server, settings, monkeypatch):
    # As in test_browser.py: no persistent connections from live-server threads.
    monkeypatch.setitem(connections.settings["default"], "CONN_MAX_AGE", 0)
    settings.PUBLIC_BASE_URL = live_server.url
    # The rate limits count in the shared (database) cache, which a live
    # server's committed rows keep from one test to the next.
    cache.clear()
    return live_server


def _mothers_link(family, office_user, language: str = "") -> str:
    family.mother.preferred_language = language
    family.mother.save(update_fields=["preferred_language"])
    mail.outbox.clear()
    send_consent_requests(actor=office_user, pupils=family.children)
    mail.outbox.sort(key=lambda m: m.to[0] != family.mother.email)
    return link_from_outbox(0)


def _answer_all(page, family, value: str = "yes", providers=None) -> None:
    for pupil in family.children:
        for provider in providers or family.providers:
            base = f"#id_{field_name(pupil.pk, provider.pk)}"
            page.check(base if value == "yes" else f"{base}-no")


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / name), full_page=True)


def _box(page, selector: str) -> dict:
    return page.locator(selector).first.bounding_box()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_parent_answers_in_polish_on_a_phone(family, office_user, live, browser):
    link = _mothers_link(family, office_user, "pl")
    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = phone.new_page()
    watch_csp(page)
    page.goto(link)
    assert page.evaluate("document.documentElement.lang") == "pl"
    assert page.get_by_role("heading", level=1).inner_text() == "Twoje zgody"
    _shot(page, "consent-form-pl-390.png")
    # Sent empty: the error summary, in Polish, links to the first question.
    page.get_by_role("button", name="Dalej").click()
    summary = page.get_by_role("heading", name="Wystąpił problem")
    assert summary.is_visible()
    _shot(page, "consent-form-pl-390-errors.png")
    page.locator(".error-summary a").first.click()
    first = f"id_{field_name(family.children[0].pk, family.providers[1].pk)}"
    assert page.evaluate("document.activeElement.id") == first
    _answer_all(page, family)
    page.get_by_role("button", name="Dalej").click()
    assert page.get_by_role("heading", name="Sprawdź odpowiedzi przed wysłaniem").is_visible()
    assert page.get_by_text("Tak").count() == 4
    _shot(page, "consent-check-pl-390.png")
    page.get_by_role("button", name="Wyślij moje odpowiedzi").click()
    assert page.get_by_role("heading", name="Twoje odpowiedzi zostały wysłane").is_visible()
    assert ConsentRecord.objects.current().filter(given=True).count() == 4
    assert "Maths Stars, Amy Khan: Tak" in mail.outbox[-1].body
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert violations(page) == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_parent_answers_in_urdu_right_to_left(family, office_user, live, browser):
    link = _mothers_link(family, office_user, "ur")
    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = phone.new_page()
    watch_csp(page)
    page.goto(link)
    html = page.locator("html")
    assert html.get_attribute("lang") == "ur" and html.get_attribute("dir") == "rtl"
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    _shot(page, "consent-form-ur-390.png")
    # Laid out right to left: the heading's text and the button start at the
    # right edge of the page, and each radio button sits right of its label.
    main = _box(page, "main")
    right = main["x"] + main["width"]
    text = page.evaluate(
        """() => { const r = document.createRange();
                   r.selectNodeContents(document.querySelector('h1'));
                   const b = r.getBoundingClientRect(); return {x: b.x, right: b.right}; }"""
    )
    assert abs(text["right"] - right) < 2 and text["x"] > main["x"] + 20
    button = _box(page, "button[type=submit]")
    assert abs(button["x"] + button["width"] - right) < 2 and button["x"] > main["x"] + 20
    radio, label = _box(page, ".radios__item input"), _box(page, ".radios__item label")
    assert radio["x"] > label["x"] + label["width"] - 1
    page.get_by_role("button", name="جاری رکھیں").click()
    assert page.get_by_role("heading", name="ایک مسئلہ ہے").is_visible()
    # The error bar of a question is on its right (the start side in Urdu).
    group = page.locator(".form-group--error").first
    border = group.evaluate("e => getComputedStyle(e).borderRightWidth")
    assert border == "5px"
    assert group.evaluate("e => getComputedStyle(e).borderLeftWidth") == "0px"
    _shot(page, "consent-form-ur-390-errors.png")
    _answer_all(page, family, "no")
    page.get_by_role("button", name="جاری رکھیں").click()
    assert page.get_by_role("heading", name="بھیجنے سے پہلے اپنے جوابات چیک کریں").is_visible()
    _shot(page, "consent-check-ur-390.png")
    page.get_by_role("button", name="میرے جوابات بھیجیں").click()
    assert page.get_by_role("heading", name="آپ کے جوابات بھیج دیے گئے ہیں").is_visible()
    assert ConsentRecord.objects.current().filter(given=False).count() == 4
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert violations(page) == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_switcher_changes_the_language_of_the_form(family, office_user, live, browser):
    link = _mothers_link(family, office_user)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(link)
    assert page.evaluate("document.documentElement.lang") == "en-GB"
    page.get_by_role("navigation", name="Choose a language").get_by_role(
        "link", name="Română"
    ).click()
    assert page.url.endswith("/consent/form/")
    assert page.get_by_role("button", name="Continuați").is_visible()
    # The choice is kept in a cookie for the next pages.
    page.goto(f"{live.url}/privacy")
    assert page.evaluate("document.documentElement.lang") == "ro"


# --- axe-core on every consent page, in every language, at 390 and 1280 px ----


def _axe(page, where: str, shot: str = "") -> list[str]:
    """axe-core on the page as it is, at a phone's width and a desktop's."""
    found = []
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        found += [f"{where} at {width}px: {v}" for v in axe_violations(page)]
        if shot:
            _shot(page, f"{shot}-{width}.png")
    return found


def _photos_and_biometrics(family) -> list:
    """A photograph use and fingerprint meals besides the cloud services, so
    the per-use inset and the explicit-consent text are checked too."""
    photos = InUseProviderFactory(
        school=family.school,
        service="Photos: school website",
        name="The school",
        kind=PurposeKind.PHOTOGRAPHS,
        purpose="Photos of school life on the school's website.",
        data_categories=["name", "photos"],
        offline_alternative="Your child is not photographed for this use.",
    )
    meals = InUseProviderFactory(
        school=family.school,
        service="Fingerprint meals",
        name="Cashless Catering Ltd",
        kind=PurposeKind.BIOMETRIC,
        purpose="Paying for meals with a fingerprint reader.",
        data_categories=["name", "biometric"],
        offline_alternative="A named meal card.",
    )
    return [*family.providers, photos, meals]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["en-gb", "pl", "ro", "ur"])
def test_the_consent_pages_have_no_serious_accessibility_violations(
    family, office_user, live, browser, language
):
    providers = _photos_and_biometrics(family)
    link = _mothers_link(family, office_user, language)
    context = browser.new_context(viewport={"width": 390, "height": 900})
    # The new-link pages know no contact: their language comes from the switcher.
    context.add_cookies([{"name": "language", "value": language, "url": live.url}])
    page = context.new_page()
    page.goto(link)
    assert page.evaluate("document.documentElement.lang").lower() == language
    # Every purpose is asked about each child: 4 of each kind's questions.
    assert page.locator(".radios__item input").count() == 2 * 2 * len(providers)
    assert page.locator(".inset").first.is_visible()
    assert page.locator(".explicit-consent").first.is_visible()
    found = _axe(page, "form", shot=f"axe-form-{language}")
    page.locator("button[type=submit]").click()  # sent empty: the error summary
    # Waits for the page the click loads (is_visible alone reads the old one
    # on a busy machine).
    page.locator(".error-summary").wait_for(state="visible")
    found += _axe(page, "form with errors", shot=f"axe-form-errors-{language}")
    _answer_all(page, family, providers=providers)
    page.locator("button[type=submit]").click()
    assert page.url.endswith("/consent/check/")
    found += _axe(page, "check answers", shot=f"axe-check-{language}")
    page.locator("button[type=submit]").click()
    assert page.url.endswith("/consent/done/")
    found += _axe(page, "confirmation")
    page.goto(f"{live.url}/consent/new-link/")
    page.locator("button[type=submit]").click()
    page.locator(".error-summary").wait_for(state="visible")
    found += _axe(page, "new link with errors")
    page.fill("input[type=email]", "nobody@example.org")
    page.locator("button[type=submit]").click()
    assert page.url.endswith("/consent/new-link/sent/")
    found += _axe(page, "new link sent")
    _mothers_link(family, office_user, language)  # the first link is replaced
    page.goto(link)
    assert page.locator("h1").count() == 1
    found += _axe(page, "link replaced")
    assert found == []
