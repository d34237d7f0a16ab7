"""Printing the pages people print (a risk review, an access request, a
pupil's summary), in a real browser with the print stylesheet: no menu or
side navigation, no blank first page, link addresses written out. The PDFs
are saved under SHOTS as test artefacts."""

import re
import subprocess

import pytest
from django.urls import reverse

from providers.models import RiskAssessment
from pupils.models import NCYear, Pupil
from sharing.access.models import AccessRequest

from .browser import chromium
from .test_staff_home_browser import SHOTS, demo_school, sign_in  # noqa: F401  (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

#: Words only the menus, side navigation, header and buttons show.
CHROME = (
    "Start typing to filter",
    "Toggle navigation",
    "Skip to main content",
    "Log out",
    "Change password",
    "View site",
    "Save and continue editing",
    "Recent actions",
)


#: How much of the page's width the content takes (printed: all of it).
CONTENT_SHARE = """() => document.querySelector('#content-main, #content').getBoundingClientRect()
    .width / document.documentElement.clientWidth"""


#: The addresses of the links a printed page shows (not page-internal ones
#: or e-mail addresses, whose text is the address).
PRINTED_LINKS = """() => Array.from(document.querySelectorAll('#content a[href]'))
  .filter(a => a.offsetParent !== null && a.innerText.trim())
  .map(a => a.getAttribute('href'))
  .filter(h => !h.startsWith('#') && !h.startsWith('mailto:') && !h.startsWith('javascript'))"""


def printed_pages(school) -> dict[str, str]:
    pupil = Pupil.objects.filter(school=school, nc_year=NCYear.Y6).order_by("pk").first()
    assessment = RiskAssessment.objects.filter(status="published").order_by("pk").first()
    request = AccessRequest.objects.order_by("pk").first()
    assert pupil and assessment and request
    return {
        "risk-review": reverse("admin:providers_riskassessment_change", args=[assessment.pk]),
        "request": reverse("admin:sharing_accessrequest_change", args=[request.pk]),
        "pupil-summary": reverse("admin:pupils_pupil_change", args=[pupil.pk]),
    }


def pdf_pages(path) -> list[str]:
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    return text.split("\f")


def test_printed_pages_have_no_menu_no_blank_first_page_and_link_addresses(
    live_server,
    demo_school,  # noqa: F811
):
    SHOTS.mkdir(parents=True, exist_ok=True)
    problems: dict[str, list[str]] = {}
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="en-GB")
        sign_in(page, live_server.url, "dpo")
        for name, url in printed_pages(demo_school).items():
            page.goto(live_server.url + url)
            page.wait_for_load_state("networkidle")
            page.emulate_media(media="print")
            share = page.evaluate(CONTENT_SHARE)
            links = page.evaluate(PRINTED_LINKS)
            pdf = SHOTS / f"print-{name}.pdf"
            page.pdf(path=str(pdf), format="A4", print_background=False)
            page.emulate_media(media="screen")
            sheets = pdf_pages(pdf)
            text = "\f".join(sheets)
            found = []
            if len(sheets[0].split()) < 20:
                found.append(f"first page nearly blank: {sheets[0].strip()[:80]!r}")
            found += [f"shows {word!r}" for word in CHROME if word in text]
            if "Pupils" in sheets[0].split("\n", 3)[0]:
                found.append("starts with the side menu")
            flat = re.sub(r"\s+", "", text)
            found += [
                f"link address not written out: {href}" for href in links if f"({href})" not in flat
            ]
            if name != "pupil-summary" and not links:
                found.append("no link printed (the check would be empty)")
            if share < 0.95:
                found.append(f"content uses {share:.0%} of the sheet's width")
            if found:
                problems[name] = found
        page.close()
    assert problems == {}
