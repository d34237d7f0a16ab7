"""In a real browser: the DPO uploads a CTF, lands on the check job's
progress page, follows it on to the preview, confirms, and follows the
import job to what was imported, with nothing blocked by the
Content-Security-Policy. Screenshots go to $SHOTS_DIR if set."""

import os
from pathlib import Path

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from pupils.jobs import start_job
from pupils.models import Job, JobStatus, Pupil

from ..browser import chromium, violations, watch_csp
from ..conftest import totp_code
from ..factories import UserFactory
from .conftest import FIXTURES

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def shot(page, name: str) -> None:
    if folder := os.environ.get("SHOTS_DIR"):
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{folder}/{name}.png", full_page=True)


@pytest.mark.parametrize("width", [1280, 1366])
def test_upload_follow_the_check_confirm_and_follow_the_import(live_server, ctf_school, width):
    user = UserFactory(username="dpo", school=ctf_school, is_superuser=True)
    device = TOTPDevice.objects.create(user=user, name="Phone", confirmed=True)
    with chromium() as browser:
        page = browser.new_page(viewport={"width": width, "height": 800})
        watch_csp(page)
        page.goto(live_server.url + reverse("admin:index"))
        page.fill("#id_username", "dpo")
        page.fill("#id_password", "correct horse battery")
        page.click("input[type=submit]")
        page.wait_for_url("**/admin/login/code/**")
        page.fill("#id_code", totp_code(device))
        page.click("input[type=submit]")
        page.wait_for_url(live_server.url + reverse("admin:index"))

        page.goto(live_server.url + reverse("admin:sharing_ctf_upload"))
        page.select_option("#id_school", str(ctf_school.pk))
        page.set_input_files("#id_file", str(FIXTURES / "ctf_full.xml"))
        page.click("input[type=submit]")
        page.wait_for_url("**/admin/pupils/job/*/progress/")
        checked = page.inner_text("#content")
        shot(page, f"ctf-check-done-{width}")

        page.click("text=See the result")
        page.wait_for_url("**/preview/")
        shot(page, f"ctf-preview-{width}")
        page.click("input[type=submit][value='Confirm the import']")
        page.wait_for_url("**/admin/pupils/job/*/progress/")
        imported = page.inner_text("#content")
        shot(page, f"ctf-import-done-{width}")

        running = start_job(
            actor=user, school=ctf_school, kind="ctf_import",
            title="Import the Common Transfer File", task_path="sharing.ctf.tasks.ctf_import_job",
            arguments={"batch_id": 0}, total=1000,
        )  # fmt: skip
        Job.objects.filter(pk=running.pk).update(status=JobStatus.RUNNING, done=350)
        page.goto(live_server.url + reverse("admin:pupils_job_progress", args=[running.pk]))
        shot(page, f"ctf-import-running-{width}")
        running_text = page.inner_text("#content")
        assert violations(page) == []

    assert "4 of 4 done" in checked and "4 to create" in checked
    assert "Imported: 4 created" in imported
    assert "350 of 1000 done" in running_text and "See the result" not in running_text
    assert Pupil.objects.filter(school=ctf_school).count() == 4
