"""A member of the public opens /privacy and finds the cloud services."""

import pytest
from django.core.cache import cache

from providers import cache as page_cache
from providers import demo as provider_demo
from pupils import demo as pupil_demo

from ..browser import axe_violations, chromium, violations, watch_csp


@pytest.fixture
def demo_school(transactional_db):
    cache.clear()
    page_cache.clear_local()
    school, created = pupil_demo.seed_school()
    provider_demo.seed(pupil_demo.DemoContext(school=school, created=created))
    return school


@pytest.mark.browser
def test_a_member_of_the_public_finds_the_cloud_services_on_the_privacy_page(
    live_server, demo_school
):
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 375, "height": 812})
        watch_csp(page)
        errors = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(f"{live_server.url}/privacy")
        assert page.get_by_role("heading", level=1).inner_text() == "Privacy notice for pupils"
        page.screenshot(path="/tmp/privacy-375.png")
        page.get_by_role("link", name="Cloud services", exact=True).click()
        section = page.get_by_role("region", name="Cloud services we use")
        assert section.get_by_role("heading", name="Times Tables Rock Stars").is_visible()
        assert section.get_by_role("heading", name="ParentPay").is_visible()
        assert section.get_by_text("Tapestry").count() == 0  # proposed, not in use
        # Nothing is wider than a phone screen.
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 375
        page.screenshot(path="/tmp/privacy-375-providers.png")
        page.set_viewport_size({"width": 1280, "height": 900})
        page.goto(f"{live_server.url}/privacy")
        page.screenshot(path="/tmp/privacy-1280.png")
        page.evaluate("document.getElementById('providers').scrollIntoView()")
        page.screenshot(path="/tmp/privacy-1280-providers.png")
        # The keyboard user's first Tab reaches the skip link.
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.textContent") == "Skip to main content"
        # The print layout and the page asking for a new consent link too.
        page.goto(f"{live_server.url}/privacy/print")
        page.goto(f"{live_server.url}/consent/new-link/")
        assert errors == []  # no CSP violations or other console errors
        assert violations(page) == []


@pytest.mark.browser
@pytest.mark.parametrize("width", [390, 1280])
def test_the_privacy_page_has_no_serious_accessibility_violations(live_server, demo_school, width):
    with chromium() as browser:
        page = browser.new_page(viewport={"width": width, "height": 900})
        page.goto(f"{live_server.url}/privacy")
        assert axe_violations(page) == []
