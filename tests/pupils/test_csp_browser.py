"""In a real browser: a member of staff signs in with a TOTP code, and the
admin pages run under the Content-Security-Policy with nothing blocked."""

import contextlib

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Error as PlaywrightError

from ..browser import chromium, violations, watch_csp
from ..conftest import totp_code
from ..factories import MedicalConditionFactory, PupilFactory, SchoolFactory, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def browser_page():
    with chromium() as browser:
        page = browser.new_page()
        watch_csp(page)
        yield page


def test_staff_sign_in_with_a_totp_code_and_no_admin_page_breaks_the_csp(live_server, browser_page):
    school = SchoolFactory(name="Crook Primary School")
    # A superuser, not a role: a transactional test before this one may have
    # flushed the roles' groups (which migrations create) away.
    user = UserFactory(username="dpo", school=school, is_superuser=True)
    device = TOTPDevice.objects.create(user=user, name="Phone", confirmed=True)
    pupil = PupilFactory(school=school)
    MedicalConditionFactory(pupil=pupil)
    page = browser_page
    seen = {}

    page.goto(live_server.url + reverse("admin:index"))
    page.fill("#id_username", "dpo")
    page.fill("#id_password", "correct horse battery")
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/login/code/**")
    seen["code page"] = violations(page)
    page.screenshot(path="/tmp/security-code-step.png", full_page=True)
    page.fill("#id_code", totp_code(device))
    page.click("input[type=submit]")
    page.wait_for_url(live_server.url + reverse("admin:index"))
    assert page.locator("#user-tools").is_visible()
    seen["index"] = violations(page)

    pages = {
        "pupil list": reverse("admin:pupils_pupil_changelist"),
        "pupil": reverse("admin:pupils_pupil_change", args=[pupil.pk]),
        "add pupil": reverse("admin:pupils_pupil_add"),
        "contacts": reverse("admin:pupils_contact_changelist"),
        "school": reverse("admin:pupils_school_change", args=[school.pk]),
        "audit trail": reverse("admin:pupils_auditevent_changelist"),
        "staff accounts": reverse("admin:auth_user_changelist"),
        "staff account": reverse("admin:auth_user_change", args=[user.pk]),
        "password change": reverse("admin:password_change"),
    }
    for name, url in pages.items():
        page.goto(live_server.url + url)
        page.wait_for_load_state("networkidle")
        seen[name] = violations(page)
    page.goto(live_server.url + reverse("admin:pupils_pupil_change", args=[pupil.pk]))
    page.wait_for_load_state("networkidle")
    page.screenshot(path="/tmp/security-pupil-page.png", full_page=True)
    # The admin's own scripts ran (they were allowed by the nonce): the
    # "Add another" links of the record's tables are added by inlines.js.
    # (Dates use the browser's own date picker, not the admin's calendar.js.)
    assert page.locator(".add-row a").count() > 0
    assert page.locator("input#id_date_of_birth[type=date]").count() == 1

    assert {name: v for name, v in seen.items() if v} == {}
    # The listener does hear violations: an inline script is blocked.
    with contextlib.suppress(PlaywrightError):
        page.add_script_tag(content="window.injected = true")
    assert page.evaluate("window.injected === undefined")
    assert any("script-src" in v for v in violations(page))


def test_the_set_up_page_shows_its_qr_code_under_the_csp(live_server, browser_page):
    school = SchoolFactory()
    UserFactory(username="newcomer", school=school)
    page = browser_page

    page.goto(live_server.url + reverse("admin:login"))
    page.fill("#id_username", "newcomer")
    page.fill("#id_password", "correct horse battery")
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/login/set-up/**")
    page.screenshot(path="/tmp/security-set-up.png", full_page=True)

    qr_width = page.evaluate("document.getElementById('enrol-qr').naturalWidth")
    assert qr_width > 50  # the data: image loaded
    assert violations(page) == []
