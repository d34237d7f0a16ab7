"""In a real browser: the DPO produces the response to an access request
from the list, lands on the job's progress page (the page never waited on
the PDF), and downloads the PDF from the link there. Screenshots (1280 and
1366 px) go to $SHOTS_DIR if set."""

import os
from pathlib import Path

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from sharing.models import Disclosure, ResponseFile

from ..browser import chromium, violations, watch_csp
from ..conftest import totp_code
from ..factories import AccessRequestFactory, PupilFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def shot(page, name: str) -> None:
    if folder := os.environ.get("SHOTS_DIR"):
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{folder}/{name}.png", full_page=True)


def sign_in(page, live_server, device) -> None:
    page.goto(live_server.url + reverse("admin:index"))
    page.fill("#id_username", "dpo")
    page.fill("#id_password", "correct horse battery")
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/login/code/**")
    page.fill("#id_code", totp_code(device))
    page.click("input[type=submit]")
    page.wait_for_url(live_server.url + reverse("admin:index"))


def test_produce_the_response_follow_the_job_and_download_the_pdf(live_server, school):
    pupils = [
        PupilFactory(school=school, legal_forename=name, legal_surname="Benchley")
        for name in ("Mabel", "Arthur")
    ]
    request = AccessRequestFactory(school=school, pupils=pupils, identity_checked=True)
    user = UserFactory(username="dpo", school=school, is_superuser=True)
    device = TOTPDevice.objects.create(user=user, name="Phone", confirmed=True)
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 800}, accept_downloads=True)
        watch_csp(page)
        sign_in(page, live_server, device)
        page.goto(live_server.url + reverse("admin:sharing_accessrequest_changelist"))
        page.check(f"input[name=_selected_action][value='{request.pk}']")
        page.select_option("select[name=action]", "produce_response")
        page.click("button[name=index]")
        page.wait_for_url("**/admin/pupils/job/*/progress/")
        text = page.inner_text("#content")
        shot(page, "sar-job-progress-1280")
        page.set_viewport_size({"width": 1366, "height": 800})
        shot(page, "sar-job-progress-1366")
        links = page.locator("ul.job-results a")
        assert links.count() == 3  # two PDFs, then "record that the response was sent"
        with page.expect_download() as download:
            links.first.click()
        body = Path(download.value.path()).read_bytes()
        filename = download.value.suggested_filename
        assert violations(page) == []

    assert "Finished" in text and "2 of 2 done" in text
    assert "record that the response was sent" in text
    assert "Response for Mabel Benchley" in text or "Response for Benchley" in text
    assert body.startswith(b"%PDF")
    assert filename == f"subject-access-{request.pk}-{pupils[0].pk}.pdf"
    assert ResponseFile.objects.count() == 2 and not Disclosure.objects.exists()
