"""The public forms at /privacy/request and /privacy/complaint: logged at
once, the same answer whatever the school holds, a confirmation link only
to a contact with parental responsibility, and spam and floods refused."""

from __future__ import annotations

import datetime
import re
import time

import pytest
from django.core import mail, signing
from django.core.cache import cache

from pupils.models import AuditEvent
from sharing.rights import public_forms
from sharing.rights.models import Complaint, RequestConfirmation, RightsRequest
from tests.factories import PupilContactFactory

REQUEST, COMPLAINT = "/privacy/request", "/privacy/complaint"


@pytest.fixture(autouse=True)
def _fresh_rate_limits(db):
    cache.clear()
    yield
    cache.clear()


def stamp(seconds_ago: int = 10) -> str:
    return signing.dumps(int(time.time()) - seconds_ago, salt=public_forms._SALT)


def request_data(family, email, **overrides):
    amy = family.children[0]
    data = {
        "kind": "rectification",
        "requester_name": "Sarah Khan",
        "email": email,
        "relationship": "parent",
        "pupil_name": "amy khan",
        "pupil_born_on": amy.date_of_birth.isoformat(),
        "details": "Amy's middle name is spelt wrongly.",
        "started": stamp(),
        "website": "",
    }
    return {**data, **overrides}


def send(client, url, data, **extra):
    return client.post(url, data, follow=True, **extra)


def test_the_privacy_page_links_to_both_forms(client, family):
    page = client.get("/privacy").content.decode()
    assert 'href="/privacy/request"' in page and 'href="/privacy/complaint"' in page


def test_a_request_from_a_parents_own_address_is_logged_and_a_link_sent_to_them(
    client, family, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = send(client, REQUEST, request_data(family, family.mother.email.upper()))
    assert response.redirect_chain[-1][0] == "/privacy/request/sent"
    request = RightsRequest.objects.get()
    assert list(request.pupils.all()) == [family.children[0]]
    assert request.requester_contact == family.mother
    assert request.channel == "website" and request.due_on is not None
    assert request.identity_check == ""  # not until the link is followed
    link_mail = [m for m in mail.outbox if m.to == [family.mother.email]]
    assert len(link_mail) == 1 and "/privacy/request/confirm/" in link_mail[0].body
    assert RequestConfirmation.objects.filter(request=request, contact=family.mother).exists()


def test_a_request_from_an_unknown_address_is_logged_for_the_dpo_to_check(
    client, family, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        send(client, REQUEST, request_data(family, "stranger@elsewhere.example"))
    request = RightsRequest.objects.get()
    assert request.requester_contact is None and request.requester_email.startswith("stranger")
    assert not RequestConfirmation.objects.exists()
    assert [m.to for m in mail.outbox] == [[family.school.dpo_email]]  # the DPO only


def test_the_page_says_the_same_whatever_the_school_holds(client, family):
    known = send(client, REQUEST, request_data(family, family.mother.email))
    unknown = send(client, REQUEST, request_data(family, "nobody@elsewhere.example"))
    no_pupil = send(client, REQUEST, request_data(family, "x@elsewhere.example", pupil_name="Zed"))
    assert known.redirect_chain == unknown.redirect_chain == no_pupil.redirect_chain
    assert known.content == unknown.content == no_pupil.content
    assert RightsRequest.objects.count() == 3
    assert RightsRequest.objects.filter(pupils__isnull=True).get().pupil_named == "Zed"


def test_a_parent_without_parental_responsibility_gets_no_link(
    client, family, school, django_capture_on_commit_callbacks
):
    from tests.factories import ContactFactory

    aunt = ContactFactory(school=school, email="aunt@family.example")
    PupilContactFactory(
        pupil=family.children[0], contact=aunt, relationship="REL", parental_responsibility=False
    )
    with django_capture_on_commit_callbacks(execute=True):
        send(client, REQUEST, request_data(family, aunt.email, relationship="other"))
    assert not RequestConfirmation.objects.exists()
    assert all(m.to != [aunt.email] for m in mail.outbox)


def confirm_link(family, client, django_capture_on_commit_callbacks) -> str:
    with django_capture_on_commit_callbacks(execute=True):
        send(client, REQUEST, request_data(family, family.mother.email))
    body = next(m.body for m in mail.outbox if m.to == [family.mother.email])
    return re.search(r"https?://[^/\s]+(/privacy/request/confirm/\S+)", body).group(1)


def test_following_the_link_records_the_identity_check(
    client, family, django_capture_on_commit_callbacks
):
    link = confirm_link(family, client, django_capture_on_commit_callbacks)
    assert client.get(link).status_code == 200
    request = RightsRequest.objects.get()
    assert request.identity_check == ""  # opening the link changes nothing
    assert client.post(link).status_code == 200
    request.refresh_from_db()
    assert request.identity_check == "registered_contact"
    assert request.get_identity_check_display() == "Sent from contact details the school holds"
    assert client.post(link).status_code == 410  # used once


def test_a_forged_or_expired_link_confirms_nothing(
    client, family, django_capture_on_commit_callbacks
):
    link = confirm_link(family, client, django_capture_on_commit_callbacks)
    assert client.post(link[:-3] + "abc").status_code == 410
    RequestConfirmation.objects.update(
        expires_at=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    )
    assert client.post(link).status_code == 410
    assert RightsRequest.objects.get().identity_check == ""


def test_a_missing_answer_is_shown_in_an_error_summary_and_nothing_is_logged(client, family):
    response = client.post(REQUEST, request_data(family, "", pupil_born_on=""))
    page = response.content.decode()
    assert "There is a problem" in page
    assert 'href="#id_email"' in page and 'href="#id_pupil_born_on"' in page
    assert not RightsRequest.objects.exists()


# --- Spam and floods ---------------------------------------------------------------------


def test_a_form_sent_back_within_seconds_is_refused(client, family):
    response = client.post(REQUEST, request_data(family, family.mother.email, started=stamp(0)))
    assert "Please check your answers, then send the form again." in response.content.decode()
    assert not RightsRequest.objects.exists()


def test_a_forged_time_stamp_is_refused(client, family):
    client.post(REQUEST, request_data(family, family.mother.email, started="123"))
    assert not RightsRequest.objects.exists()


def test_a_filled_in_hidden_field_logs_nothing_but_looks_the_same(client, family):
    response = send(client, REQUEST, request_data(family, "bot@spam.example", website="http://x"))
    assert response.redirect_chain[-1][0] == "/privacy/request/sent"
    assert not RightsRequest.objects.exists()


def test_a_flood_of_requests_from_one_address_is_refused(client, family):
    limit = 10  # pupils.ratelimit.POLICIES["privacy-request:address"]
    for _ in range(limit):
        send(client, REQUEST, request_data(family, "flood@spam.example"))
    response = client.post(REQUEST, request_data(family, "flood@spam.example"))
    assert response.status_code == 429 and "Too many attempts" in response.content.decode()
    assert RightsRequest.objects.count() == limit
    # Another address is still served.
    other = client.post(
        REQUEST, request_data(family, "ok@family.example"), REMOTE_ADDR="203.0.113.9"
    )
    assert other.status_code == 302


def test_a_flood_of_complaints_from_one_address_is_refused(client, family):
    data = {"name": "A", "email": "a@spam.example", "summary": "Spam", "started": stamp()}
    for _ in range(10):
        client.post(COMPLAINT, data)
    assert client.post(COMPLAINT, data).status_code == 429
    assert Complaint.objects.count() == 10


# --- Complaints -------------------------------------------------------------------------


def test_a_complaint_is_logged_acknowledged_by_email_and_due_in_30_days(
    client, family, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = send(
            client,
            COMPLAINT,
            {
                "name": "Sarah Khan",
                "email": "sarah@family.example",
                "summary": "Amy's photo was on the website after I said no.",
                "started": stamp(),
            },
        )
    assert response.redirect_chain[-1][0] == "/privacy/complaint/sent"
    complaint = Complaint.objects.get()
    assert complaint.acknowledge_by == complaint.received_on + datetime.timedelta(days=29)
    assert complaint.status == "acknowledged" and complaint.acknowledged_on == complaint.received_on
    [ack] = [m for m in mail.outbox if m.to == ["sarah@family.example"]]
    assert "Information Commissioner" in ack.body
    assert AuditEvent.objects.filter(actor_label="website form").exists()
