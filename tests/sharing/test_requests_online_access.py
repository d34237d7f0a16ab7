"""A copy of the data asked for online (/privacy/request, "a copy"): a
subject access request logged at once with its clock running, a
confirmation link only to a contact with parental responsibility, the
requester linked to their contact record (so the requester rules apply),
and the same answer on screen and by e-mail whatever the school holds."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.cache import cache

from pupils.models import AuditEvent
from sharing.access import services
from sharing.access.models import AccessRequest
from sharing.rights.models import RequestConfirmation, RightsRequest
from tests.factories import PupilFactory
from tests.sharing.test_public_requests import REQUEST, request_data, send


@pytest.fixture(autouse=True)
def _fresh_rate_limits(db):
    cache.clear()
    yield
    cache.clear()


def access_data(family, email, **overrides):
    return request_data(
        family, email, kind="access", details="Everything about Amy, please.", **overrides
    )


def visitor_mail(family) -> list[str]:
    """The e-mails a visitor could see: everything but the DPO's notices."""
    return [m.to[0] for m in mail.outbox if m.to != [family.school.dpo_email]]


def test_a_copy_asked_for_from_a_parents_own_address_is_a_subject_access_request(
    client, family, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = send(client, REQUEST, access_data(family, family.mother.email))
    assert response.redirect_chain[-1][0] == "/privacy/request/sent"
    assert not RightsRequest.objects.exists()
    request = AccessRequest.objects.get()
    assert list(request.pupils.all()) == [family.children[0]]
    assert request.requester_contact == family.mother
    assert request.requester_address == family.mother.email
    assert request.channel == "website" and request.due_on is not None
    assert request.identity_check == ""
    assert services.requester_warning(request) == ""  # the requester rules know her
    assert RequestConfirmation.objects.filter(access_request=request).exists()
    assert visitor_mail(family) == [family.mother.email]
    assert [family.school.dpo_email] in [m.to for m in mail.outbox]  # the DPO is told


def test_following_the_link_records_the_identity_check_on_the_access_request(
    client, family, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        send(client, REQUEST, access_data(family, family.mother.email))
    body = next(m.body for m in mail.outbox if m.to == [family.mother.email])
    link = re.search(r"https?://[^/\s]+(/privacy/request/confirm/\S+)", body).group(1)
    assert client.get(link).status_code == 200
    assert AccessRequest.objects.get().identity_check == ""  # opening changes nothing
    assert client.post(link).status_code == 200
    request = AccessRequest.objects.get()
    assert request.get_identity_check_display() == "Sent from contact details the school holds"
    assert AuditEvent.objects.filter(summary__contains="identity check recorded").exists()
    assert client.post(link).status_code == 410


def test_an_unknown_address_or_pupil_is_logged_for_the_dpo_with_nothing_to_the_visitor(
    client, family, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        send(client, REQUEST, access_data(family, "stranger@elsewhere.example"))
        send(client, REQUEST, access_data(family, "x@elsewhere.example", pupil_name="Zed Nobody"))
    known_pupil, no_pupil = AccessRequest.objects.order_by("pk")
    assert known_pupil.requester_contact is None
    assert list(known_pupil.pupils.all()) == [family.children[0]]
    assert not no_pupil.pupils.exists() and "Zed Nobody" in no_pupil.details
    assert no_pupil.due_on is not None  # the clock runs from receipt all the same
    assert "not a contact the school holds" in services.requester_warning(known_pupil)
    assert not RequestConfirmation.objects.exists()
    assert visitor_mail(family) == []


def test_known_and_unknown_addresses_get_the_same_screen(
    client, family, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        known = send(client, REQUEST, access_data(family, family.mother.email))
        unknown = send(client, REQUEST, access_data(family, "nobody@elsewhere.example"))
        no_pupil = send(client, REQUEST, access_data(family, "x@else.example", pupil_name="Zed"))
    assert known.redirect_chain == unknown.redirect_chain == no_pupil.redirect_chain
    assert known.content == unknown.content == no_pupil.content
    # Each visitor gets at most the one link, sent to the address the school
    # holds: nothing goes to an address the school does not know.
    assert visitor_mail(family) == [family.mother.email]


def test_the_dpo_matches_an_unmatched_request_to_its_pupil_and_requester(
    client, family, dpo_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        send(client, REQUEST, access_data(family, "x@else.example", pupil_name="Zed"))
    request = AccessRequest.objects.get()
    steps = services.HandlingSteps(match_pupils=(family.children[0],), match_contact=family.mother)
    assert services.handle_access_request(actor=dpo_user, request=request, steps=steps) == [
        "pupils matched"
    ]
    request.refresh_from_db()
    assert list(request.pupils.all()) == [family.children[0]]
    assert services.requester_warning(request) == ""


def test_an_unmatched_request_cannot_be_answered(client, family, dpo_user):
    send(client, REQUEST, access_data(family, "x@else.example", pupil_name="Zed"))
    request = AccessRequest.objects.get()
    steps = services.HandlingSteps(identity_method="document", answered_on=request.received_on)
    with pytest.raises(services.ValidationError):
        services.handle_access_request(actor=dpo_user, request=request, steps=steps)
    request.refresh_from_db()
    assert request.is_open and request.identity_check == ""


def test_a_contact_of_another_pupil_cannot_be_matched_as_the_requester(
    client, family, dpo_user, school
):
    from tests.factories import ContactFactory

    send(client, REQUEST, access_data(family, "x@else.example", pupil_name="Zed"))
    request = AccessRequest.objects.get()
    stranger = ContactFactory(school=school)
    with pytest.raises(services.ValidationError):
        services.set_request_pupils(
            actor=dpo_user,
            request=request,
            pupils=[family.children[0]],
            requester_contact=stranger,
        )
    assert not request.pupils.exists()


def test_the_handling_page_offers_the_pupils_step_only_while_unmatched(client, family, dpo_client):
    send(client, REQUEST, access_data(family, "x@else.example", pupil_name="Zed"))
    request = AccessRequest.objects.get()
    url = f"/admin/sharing/accessrequest/{request.pk}/handle/"
    page = dpo_client.get(url).content.decode()
    assert 'name="match_pupils"' in page
    amy = family.children[0]
    response = dpo_client.post(url, {"match_pupils": [amy.pk], "match_contact": family.mother.pk})
    assert response.status_code == 302
    request.refresh_from_db()
    assert list(request.pupils.all()) == [amy] and request.requester_contact == family.mother
    assert AuditEvent.objects.filter(summary="Access request: pupils matched").exists()
    assert 'name="match_pupils"' not in dpo_client.get(url).content.decode()


def test_a_pupil_of_another_school_cannot_be_matched(client, family, dpo_client, other_school):
    send(client, REQUEST, access_data(family, "x@else.example", pupil_name="Zed"))
    request = AccessRequest.objects.get()
    stranger = PupilFactory(school=other_school)
    url = f"/admin/sharing/accessrequest/{request.pk}/handle/"
    response = dpo_client.post(url, {"match_pupils": [stranger.pk]})
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    assert not request.pupils.exists()
