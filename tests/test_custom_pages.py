"""Every custom staff page (the ones the admin does not generate) has the
admin's own breadcrumbs, one pattern (Home › app › list › record › page),
each link working; form pages show an error summary at the top and each
error next to its field."""

from __future__ import annotations

import datetime
import os
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from pupils.models import Job
from sharing.access.services import open_access_request
from sharing.breaches.services import report_breach
from sharing.ctf.models import CtfImportBatch, CtfImportStatus
from sharing.rights.complaints import log_complaint
from sharing.rights.services import open_rights_request
from tests.browser import axe_violations, chromium, violations, watch_csp
from tests.conftest import staff_client
from tests.factories import InUseProviderFactory, PupilFactory


class Crumbs(HTMLParser):
    """The breadcrumbs of a page: the <ol class="breadcrumbs"> items, as
    (href or None, text, aria-current)."""

    def __init__(self):
        super().__init__()
        self.lists = 0
        self.old_style = 0
        self.items: list[list] = []
        self._in = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        classes = (a.get("class") or "").split()
        if "breadcrumbs" in classes:
            if tag == "ol":
                self.lists += 1
                self._in = True
            else:
                self.old_style += 1
        elif self._in and tag == "li":
            self.items.append([None, "", a.get("aria-current")])
        elif self._in and tag == "a" and self.items:
            self.items[-1][0] = a.get("href")

    def handle_endtag(self, tag):
        if tag == "ol":
            self._in = False

    def handle_data(self, data):
        if self._in and self.items:
            self.items[-1][1] += data.strip()


def crumbs_of(html: str) -> Crumbs:
    parser = Crumbs()
    parser.feed(html)
    return parser


@pytest.fixture
def records(school, dpo_user):
    now = timezone.now() - datetime.timedelta(days=2)
    pupil = PupilFactory(school=school, legal_forename="Amy", legal_surname="Khan")
    provider = InUseProviderFactory(school=school, service="Maths Stars")
    common = {
        "actor": dpo_user,
        "school": school,
        "requester_name": "Sarah Khan",
        "requester_relationship": "parent",
        "channel": "email",
        "received_at": now,
    }
    access = open_access_request(pupils=[pupil], details="Everything.", **common)
    rights = open_rights_request(kind="rectification", pupils=[pupil], details="Fix.", **common)
    complaint = log_complaint(
        actor=dpo_user,
        school=school,
        complainant_name="Sarah Khan",
        complainant_email="sarah@example.org",
        channel="email",
        received_at=now,
        summary="You shared a photo.",
    )
    breach = report_breach(
        actor=dpo_user,
        school=school,
        summary="Class list e-mailed to the wrong parent",
        discovered_at=now,
        noticed_by="Class teacher",
        data_involved="Names",
        people_categories=["pupils"],
        people_affected=28,
    )
    batch = CtfImportBatch.objects.create(
        school=school,
        uploaded_by=dpo_user,
        file_name="in.xml",
        sha256="0" * 64,
        content=b"x",
        status=CtfImportStatus.PREVIEWED,
        preview={
            "file_name": "in.xml",
            "sha256": "0" * 64,
            "source_school": "Elsewhere",
            "qualifier": "full",
            "file_date": "2026-11-01",
            "dry_run": True,
            "pupils": [],
            "ignored_elements": [],
        },
    )
    job = Job.objects.create(
        kind="test", title="Check the file", school=school, created_by=dpo_user, task_path="x"
    )
    return locals()


def custom_pages(r) -> list[tuple[str, int]]:
    """(url, breadcrumb links expected: Home, app, list, [record], [parent])."""
    return [
        (reverse("admin:consent_overview"), 3),
        (reverse("admin:consent_not_set_up", args=[r["provider"].pk]), 4),
        (reverse("admin:consent_offline_todo", args=[r["provider"].pk]), 4),
        (reverse("admin:consent_photographs"), 4),
        (reverse("admin:consent_send"), 3),
        (reverse("admin:consent_consentrecord_add"), 3),
        (reverse("admin:pupils_job_progress", args=[r["job"].pk]), 3),
        (reverse("admin:pupils_retentionperiod_due"), 3),
        (reverse("admin:sharing_accessrequest_handle", args=[r["access"].pk]), 4),
        (reverse("admin:sharing_accessrequest_sent", args=[r["access"].pk]), 4),
        (reverse("admin:sharing_rightsrequest_handle", args=[r["rights"].pk]), 4),
        (reverse("admin:sharing_rightsrequest_portable", args=[r["rights"].pk]), 4),
        (reverse("admin:sharing_requests_due"), 2),
        (reverse("admin:sharing_complaint_acknowledge", args=[r["complaint"].pk]), 4),
        (reverse("admin:sharing_breach_assess", args=[r["breach"].pk]), 4),
        (reverse("admin:sharing_ctf_upload"), 3),
        (reverse("admin:sharing_ctf_preview", args=[r["batch"].pk]), 3),
        (reverse("admin:sharing_census"), 3),
        (reverse("admin:sharing_export_ctf"), 3),
        (reverse("admin:sharing_disclosure_pupil", args=[r["pupil"].pk]), 4),
        (reverse("admin:sharing_processingrecordversion_record"), 3),
    ]


def test_every_custom_page_has_the_admin_breadcrumbs_and_each_link_works(dpo_client, records):
    checked = set()
    for url, links in custom_pages(records):
        response = dpo_client.get(url)
        assert response.status_code == 200, url
        crumbs = crumbs_of(response.content.decode())
        assert crumbs.lists == 1 and crumbs.old_style == 0, url
        *trail, here = crumbs.items
        assert here[0] is None and here[2] == "page" and here[1], (url, here)
        assert [c[0] is not None for c in trail] == [True] * links, (url, crumbs.items)
        assert trail[0] == [reverse("admin:index"), "Home", None], url
        for href, text, _ in trail:
            assert text, (url, href)
            if href not in checked:
                assert dpo_client.get(href).status_code == 200, (url, href)
                checked.add(href)


def test_a_pupil_s_disclosures_page_sits_under_the_pupil(dpo_client, records):
    pupil = records["pupil"]
    html = dpo_client.get(reverse("admin:sharing_disclosure_pupil", args=[pupil.pk])).content
    hrefs = [c[0] for c in crumbs_of(html.decode()).items]
    assert hrefs[1:4] == [
        reverse("admin:app_list", kwargs={"app_label": "pupils"}),
        reverse("admin:pupils_pupil_changelist"),
        reverse("admin:pupils_pupil_change", args=[pupil.pk]),
    ]


def test_a_refused_form_shows_a_summary_at_the_top_and_the_error_by_its_field(dpo_client, records):
    url = reverse("admin:sharing_complaint_acknowledge", args=[records["complaint"].pk])
    too_early = (records["complaint"].received_on - datetime.timedelta(days=3)).isoformat()
    html = dpo_client.post(url, {"acknowledged_on": too_early}).content.decode()
    summary_at = html.index('class="errornote error-summary"')
    field_at = html.index('class="form-row errors field-acknowledged_on"')
    assert summary_at < field_at
    assert 'href="#id_acknowledged_on"' in html[summary_at:field_at]
    assert "between the complaint" in html[field_at:]
    assert "Nothing was saved" in html[summary_at:field_at]


def test_the_check_before_sending_page_sits_under_send_consent_requests(dpo_client, family):
    send = reverse("admin:consent_send")
    response = dpo_client.post(send, {"pupils": [family.children[0].pk]})
    html = response.content.decode()
    assert "Check before sending" in html
    crumbs = crumbs_of(html)
    assert crumbs.lists == 1 and crumbs.old_style == 0
    *trail, here = crumbs.items
    assert [c[0] for c in trail] == [
        reverse("admin:index"),
        reverse("admin:app_list", kwargs={"app_label": "consent"}),
        reverse("admin:consent_consentrequest_changelist"),
        send,
    ]
    assert here[1] == "Check before sending" and here[2] == "page"
    for href, _text, _current in trail:
        assert dpo_client.get(href).status_code == 200, href


SHOTS = Path(os.environ.get("SHOTS", "/tmp/custom-pages"))


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_in_a_browser_the_pages_fit_pass_axe_and_the_pupil_search_works(
    live_server, records, dpo_user, school
):
    """At 1280 px: the breadcrumbs, a refused form's summary and field
    error, and the access request's pupil search (the admin's autocomplete
    under the site's Content-Security-Policy). Screenshots under SHOTS."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    unmatched = open_access_request(
        actor=dpo_user,
        school=school,
        pupils=[],
        pupil_named="Amy Khan, Year 4",
        requester_name="Sarah Khan",
        requester_relationship="parent",
        channel="website",
        received_at=timezone.now() - datetime.timedelta(days=1),
    )
    session = staff_client(dpo_user).cookies[settings.SESSION_COOKIE_NAME].value
    with chromium() as browser:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.add_cookies(
            [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url}]
        )
        page = context.new_page()
        watch_csp(page)
        for name, url in (
            ("requests-due", reverse("admin:sharing_requests_due")),
            ("consent-overview", reverse("admin:consent_overview")),
            ("ctf-preview", reverse("admin:sharing_ctf_preview", args=[records["batch"].pk])),
            (
                "rights-handle",
                reverse("admin:sharing_rightsrequest_handle", args=[records["rights"].pk]),
            ),
        ):
            page.goto(live_server.url + url)
            assert page.locator("ol.breadcrumbs li").count() >= 3, name
            assert axe_violations(page) == [], name
            page.screenshot(path=str(SHOTS / f"{name}-1280.png"), full_page=True)

        complaint = records["complaint"]
        page.goto(
            live_server.url + reverse("admin:sharing_complaint_acknowledge", args=[complaint.pk])
        )
        too_early = complaint.received_on - datetime.timedelta(days=3)
        page.fill("#id_acknowledged_on", too_early.isoformat())
        page.click("input[type=submit]")
        summary = page.locator(".error-summary")
        assert summary.is_visible() and "between the complaint" in summary.inner_text()
        assert page.locator(".form-row.errors .errorlist").is_visible()
        assert axe_violations(page) == []
        page.screenshot(path=str(SHOTS / "complaint-acknowledge-errors-1280.png"), full_page=True)

        page.goto(
            live_server.url + reverse("admin:sharing_accessrequest_handle", args=[unmatched.pk])
        )
        page.locator(".field-match_pupils .select2-selection").click()
        page.keyboard.type("Kha")
        option = page.locator(".select2-results__option", has_text="Amy Khan")
        option.wait_for()
        page.screenshot(path=str(SHOTS / "access-handle-pupil-search-1280.png"), full_page=False)
        option.click()
        page.locator("input[type=submit]").click()
        page.wait_for_url(f"**/accessrequest/{unmatched.pk}/change/")
        assert violations(page) == []
        context.close()
    assert list(unmatched.pupils.all()) == [records["pupil"]]
