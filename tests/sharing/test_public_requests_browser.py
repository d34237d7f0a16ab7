"""In Chromium: a family's online request from a known and from an unknown
address (the same answer on screen), and a complaint with its
acknowledgement e-mail and 30-day deadline; WCAG 2.2 AA checked with axe on
a 390 px phone. Screenshots go to /tmp (and the staff list at 1280 px)."""

from __future__ import annotations

import datetime
import os
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.core.cache import cache
from django.db import connections

from pupils.roles import DPO
from sharing.access.models import AccessRequest
from sharing.rights import public_forms
from sharing.rights.models import Complaint, RightsRequest

from ..browser import axe_violations, chromium
from ..conftest import staff_client
from ..factories import UserFactory

SHOTS = Path(os.environ.get("SHOTS_DIR", "/tmp"))
SHOTS.mkdir(parents=True, exist_ok=True)
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True}


@pytest.fixture
def browser():
    with chromium() as browser:
        yield browser


@pytest.fixture
def live(family, live_server, settings, monkeypatch):
    monkeypatch.setitem(connections.settings["default"], "CONN_MAX_AGE", 0)
    # People take longer than this; the browser is quicker than a person.
    monkeypatch.setattr(public_forms, "MIN_SECONDS_TO_FILL", 0)
    settings.PUBLIC_BASE_URL = live_server.url
    cache.clear()
    return live_server.url


@pytest.fixture
def list_viewer(family):
    """A DPO signed in, for the screenshot of the staff list. An earlier
    transactional test may have flushed the roles (data migrations), so the
    group is made here and the permissions given directly (they are
    re-created on flush)."""
    Group.objects.get_or_create(name=DPO)
    user = UserFactory(username="list-dpo", role=DPO, school=family.school)
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="sharing"))
    return staff_client(user)


def fill_request(page, family, email: str) -> None:
    amy = family.children[0]
    page.get_by_label("Correct information that is wrong").check()
    page.get_by_label("Your full name").fill("Sarah Khan")
    page.get_by_label("Your e-mail address").fill(email)
    page.get_by_label("I am their parent").check()
    page.get_by_label("The pupil's full name").fill("Amy Khan")
    page.get_by_label("The pupil's date of birth").fill(amy.date_of_birth.isoformat())
    page.get_by_label("Tell us what you would like").fill("Her middle name is spelt wrongly.")
    page.get_by_role("button", name="Send my request").click()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_online_request_gives_the_same_answer_from_a_known_and_an_unknown_address(
    live, family, browser
):
    context = browser.new_context(**PHONE)
    page = context.new_page()
    page.goto(f"{live}/privacy")
    page.get_by_role(
        "link", name="Ask for a copy of information, or to correct, delete or stop using it"
    ).click()
    assert page.url.endswith("/privacy/request")
    assert axe_violations(page) == []
    page.screenshot(path=SHOTS / "request-form-390.png", full_page=True)

    # Sent empty: the error summary, whose links take the keyboard to the question.
    page.get_by_role("button", name="Send my request").click()
    assert page.get_by_role("heading", name="There is a problem").is_visible()
    assert axe_violations(page) == []
    page.screenshot(path=SHOTS / "request-form-errors-390.png", full_page=True)
    page.locator(".error-summary a").first.click()
    assert page.evaluate("document.activeElement.id") == "id_kind"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scroll

    fill_request(page, family, family.mother.email)
    known = page.locator("main").inner_text()
    page.goto(f"{live}/privacy/request")
    fill_request(page, family, "someone@elsewhere.example")
    unknown = page.locator("main").inner_text()
    assert known == unknown and "Your request has been sent" in known
    assert axe_violations(page) == []

    assert RightsRequest.objects.count() == 2
    assert RightsRequest.objects.filter(requester_contact=family.mother).count() == 1
    assert [m.to for m in mail.outbox].count([family.mother.email]) == 1
    context.close()


def ask_for_a_copy(page, family, email: str) -> None:
    amy = family.children[0]
    page.get_by_label("Get a copy of the information the school holds").check()
    page.get_by_label("Your full name").fill("Sarah Khan")
    page.get_by_label("Your e-mail address").fill(email)
    page.get_by_label("I am their parent").check()
    page.get_by_label("The pupil's full name").fill("Amy Khan")
    page.get_by_label("The pupil's date of birth").fill(amy.date_of_birth.isoformat())
    page.get_by_label("Tell us what you would like").fill("All of Amy's records, please.")
    page.get_by_role("button", name="Send my request").click()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_copy_asked_for_online_gives_the_same_answer_from_a_known_and_an_unknown_address(
    live, family, browser
):
    context = browser.new_context(**PHONE)
    page = context.new_page()
    page.goto(f"{live}/privacy/request")
    ask_for_a_copy(page, family, family.mother.email)
    page.wait_for_url("**/privacy/request/sent")
    known = page.locator("main").inner_text()
    page.screenshot(path=SHOTS / "access-request-sent-390.png", full_page=True)
    page.goto(f"{live}/privacy/request")
    ask_for_a_copy(page, family, "someone@elsewhere.example")
    page.wait_for_url("**/privacy/request/sent")
    unknown = page.locator("main").inner_text()
    assert known == unknown and "Your request has been sent" in known
    assert axe_violations(page) == []

    assert AccessRequest.objects.count() == 2 and not RightsRequest.objects.exists()
    assert AccessRequest.objects.filter(requester_contact=family.mother).count() == 1
    visitors = [m.to for m in mail.outbox if m.to != [family.school.dpo_email]]
    assert visitors == [[family.mother.email]]  # the one link, to the address on record

    # The mother follows her link and presses the button: identity recorded.
    link = next(m.body for m in mail.outbox if m.to == [family.mother.email])
    page.goto(link.split("open this link and press the button: ")[1].split()[0])
    page.get_by_role("button", name="Yes, I made this request").click()
    page.wait_for_load_state()
    mine = AccessRequest.objects.get(requester_contact=family.mother)
    assert mine.identity_check == "registered_contact"
    assert AccessRequest.objects.exclude(pk=mine.pk).get().identity_check == ""
    context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_complaint_form_is_acknowledged_by_email_with_its_30_day_deadline(
    live, family, browser, list_viewer
):
    context = browser.new_context(**PHONE)
    page = context.new_page()
    page.goto(f"{live}/privacy/complaint")
    assert axe_violations(page) == []
    page.screenshot(path=SHOTS / "complaint-form-390.png", full_page=True)
    page.get_by_label("Your full name").fill("Sarah Khan")
    page.get_by_label("Your e-mail address").fill("sarah@family.example")
    page.get_by_label("Your complaint").fill("Amy's photo was on the website after I said no.")
    page.keyboard.press("Tab")  # to the button, by keyboard
    page.keyboard.press("Enter")
    page.wait_for_url("**/privacy/complaint/sent")
    assert page.get_by_role("heading", name="Your complaint has been sent").is_visible()
    assert axe_violations(page) == []
    complaint = Complaint.objects.get()
    assert complaint.acknowledge_by == complaint.received_on + datetime.timedelta(days=29)
    [ack] = [m for m in mail.outbox if m.to == ["sarah@family.example"]]
    assert "Information Commissioner" in ack.body
    context.close()

    # The DPO's list of rights requests, at 1280 px, signed in as the DPO.
    from tests.sharing.test_rights import at, open_request

    today = complaint.received_on
    for days in (40, 27, 3):
        open_request(family.school, received=at(today - datetime.timedelta(days=days)))
    desktop = browser.new_context(viewport={"width": 1280, "height": 800})
    desktop.add_cookies(
        [{"name": c.key, "value": c.value, "url": live} for c in list_viewer.cookies.values()]
    )
    page = desktop.new_page()
    page.goto(f"{live}/admin/sharing/rightsrequest/")
    assert page.locator(".sar-overdue").count() == 1
    page.screenshot(path=SHOTS / "rights-list-1280.png", full_page=True)
    page.goto(f"{live}/admin/sharing/complaint/")
    page.screenshot(path=SHOTS / "complaints-list-1280.png", full_page=True)

    # Every kind by due date, at both laptop widths: no column cut.
    from tests.sharing.test_requests_due import access

    access(family.school, 35, name="Mrs Evelyn Longname-Hyphenated")
    for width in (1280, 1366):
        page.set_viewport_size({"width": width, "height": 800})
        page.goto(f"{live}/admin/sharing/rightsrequest/due/")
        assert page.locator("tr.request-row").count() == 5
        assert page.locator(".tag--overdue").count() >= 2
        fits = page.evaluate(
            "() => { const t = document.querySelector('table.requests-due');"
            " return t.scrollWidth <= t.parentElement.clientWidth"
            " && document.documentElement.scrollWidth <= window.innerWidth; }"
        )
        assert fits
        page.screenshot(path=SHOTS / f"requests-due-{width}.png", full_page=True)
    assert axe_violations(page) == []
    page.goto(f"{live}/admin/sharing/disclosure/")
    assert page.get_by_role("link", name="Download the disclosure log summary (CSV)").is_visible()
    page.screenshot(path=SHOTS / "disclosure-log-1280.png")
    desktop.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("code", ["pl", "ro", "ur"])
def test_the_forms_read_in_each_language_on_a_phone(live, family, browser, code):
    context = browser.new_context(
        **PHONE, locale=code, extra_http_headers={"Accept-Language": code}
    )
    page = context.new_page()
    for form in ("request", "complaint"):
        page.goto(f"{live}/privacy/{form}")
        assert page.evaluate("document.documentElement.lang") == code
        direction = "rtl" if code == "ur" else "ltr"
        assert page.evaluate("document.documentElement.dir") == direction
        assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scroll
        assert axe_violations(page) == []
        page.screenshot(path=SHOTS / f"{form}-form-{code}-390.png", full_page=True)
    context.close()
