"""In a real browser: a member of staff sends consent requests to every
family still missing an answer, checks the count on the confirmation page,
confirms and lands on the job's progress page, with nothing blocked by the
Content-Security-Policy. Screenshots (1280 px) go to $SHOTS_DIR if set."""

import os
from pathlib import Path

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from pupils.jobs import start_job
from pupils.models import Job, JobStatus

from ..browser import chromium, violations, watch_csp
from ..conftest import totp_code
from ..factories import PupilContactFactory, PupilFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def shot(page, name: str) -> None:
    if folder := os.environ.get("SHOTS_DIR"):
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{folder}/{name}.png", full_page=True)


def test_send_confirm_and_follow_the_progress(live_server, family):
    for _ in range(3):
        PupilContactFactory(pupil=PupilFactory(school=family.school))
    user = UserFactory(username="dpo", school=family.school, is_superuser=True)
    device = TOTPDevice.objects.create(user=user, name="Phone", confirmed=True)
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        watch_csp(page)
        page.goto(live_server.url + reverse("admin:index"))
        page.fill("#id_username", "dpo")
        page.fill("#id_password", "correct horse battery")
        page.click("input[type=submit]")
        page.wait_for_url("**/admin/login/code/**")
        page.fill("#id_code", totp_code(device))
        page.click("input[type=submit]")
        page.wait_for_url(live_server.url + reverse("admin:index"))

        page.goto(live_server.url + reverse("admin:consent_send") + "?missing_only=1")
        page.click("input[type=submit][value=Send]")
        page.wait_for_selector(".confirm-count")
        confirm_text = page.inner_text("#content")
        shot(page, "send-confirmation")
        page.click("input[type=submit][value='Send 5 e-mails']")
        page.wait_for_url("**/admin/pupils/job/*/progress/")
        done_text = page.inner_text("#content")
        shot(page, "progress-done")

        running = start_job(
            actor=user,
            school=family.school,
            kind="test",
            title="Send consent requests",
            task_path="consent.tasks.send_consent_requests_job",
            arguments={},
            total=412,
        )
        Job.objects.filter(pk=running.pk).update(status=JobStatus.RUNNING, done=163)
        page.goto(live_server.url + reverse("admin:pupils_job_progress", args=[running.pk]))
        shot(page, "progress-running")
        bar = page.locator("progress#job-progress")
        assert bar.get_attribute("value") == "39"
        assert bar.bounding_box()["width"] > 400  # the stylesheet loaded (no inline style)
        assert violations(page) == []

    assert "5 parents and carers will get an e-mail" in confirm_text
    assert "5 of 5 done" in done_text and "Finished" in done_text
