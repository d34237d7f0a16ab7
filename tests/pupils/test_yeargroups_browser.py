"""In a real browser, on the demo data: office staff open "Move everyone up
a year" from the pupil list, read the counts (no WCAG 2.2 A/AA violation,
axe-core) and move the school up. Screenshots under $SHOTS (default: the
test's own temporary folder)."""

import os
from pathlib import Path

import pytest

from pupils.models import NCYear, Pupil

from ..browser import axe_violations, chromium
from ..test_staff_home_browser import demo_school, sign_in  # noqa: F401  (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_office_staff_move_the_demo_school_up_a_year(live_server, demo_school, tmp_path):  # noqa: F811
    # Screenshots to $SHOTS when set (to look at), else to the test's own folder.
    shots = Path(os.environ.get("SHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    # The demo school as it was before this school year's move.
    type(demo_school).objects.filter(pk=demo_school.pk).update(year_groups_moved_for=None)
    year5 = Pupil.objects.filter(school=demo_school, nc_year=NCYear.Y5).on_roll().count()
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="en-GB")
        sign_in(page, live_server.url, "office")
        page.goto(live_server.url + "/admin/pupils/pupil/")
        page.screenshot(path=str(shots / "pupil-list-1280.png"), full_page=True)
        page.click("text=Move everyone up a year")
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(shots / "move-up-1280.png"), full_page=True)
        assert axe_violations(page) == []
        page.click("#move-up-form input[type=submit]")
        page.wait_for_url("**/admin/pupils/pupil/")
        page.screenshot(path=str(shots / "moved-up-1280.png"), full_page=True)
        assert "pupils moved up a year" in page.inner_text(".messagelist")
        page.close()
    moved_to_6 = Pupil.objects.filter(school=demo_school, nc_year=NCYear.Y6).on_roll().count()
    assert moved_to_6 >= year5
