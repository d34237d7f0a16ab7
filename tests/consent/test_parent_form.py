"""A parent answers for all their children from the e-mailed link."""

import pytest
from django.core import mail
from django.test import Client

from consent.models import ConsentMethod, ConsentRecord
from consent.services import send_consent_requests
from pupils.models import AuditAction, AuditEvent

from .helpers import answers_post, link_from_outbox, path_of, row_counts

pytestmark = pytest.mark.django_db


def open_form(family, office_user, client: Client, contact_index: int = 0):
    send_consent_requests(actor=office_user, pupils=family.children)
    link = link_from_outbox(contact_index)
    return client.get(path_of(link))


def test_each_parent_with_parental_responsibility_gets_one_email_for_both_children(
    family, office_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        sent = send_consent_requests(actor=office_user, pupils=family.children)
    assert len(sent) == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [family.mother.email, family.father.email]
    )
    body = mail.outbox[0].body
    assert "Amy Khan" in body and "Ben Khan" in body and "Maths Stars" in body


def test_opening_the_link_redirects_to_a_token_free_page_and_writes_nothing(
    family, office_user, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        send_consent_requests(actor=office_user, pupils=family.children)
    link = path_of(link_from_outbox(0))
    before = row_counts()
    response = client.get(link)
    assert response.status_code == 302
    assert response["Location"] == "/consent/form/"
    page = client.get("/consent/form/")
    assert page.status_code == 200
    assert row_counts() == before
    html = page.content.decode()
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert token not in html
    assert " checked" not in html  # nothing chosen for the parent
    assert "Printed maths worksheets" in html  # the offline alternative
    assert "https://provider.example/privacy" in html


def test_a_missing_answer_shows_an_error_summary_linking_to_the_question(
    family, office_user, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        send_consent_requests(actor=office_user, pupils=family.children)
    client.get(path_of(link_from_outbox(0)))
    data = answers_post(family)
    missing = next(iter(data))
    del data[missing]
    response = client.post("/consent/form/", data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert f'href="#id_{missing}"' in html
    assert f'id="id_{missing}"' in html
    assert ConsentRecord.objects.count() == 0


def test_parent_checks_answers_then_sends_them_and_gets_a_receipt(
    family, office_user, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        send_consent_requests(actor=office_user, pupils=family.children)
    client.get(path_of(link_from_outbox(0)))
    mail.outbox.clear()
    response = client.post("/consent/form/", answers_post(family, {(1, 1): "no"}))
    assert response["Location"] == "/consent/check/"
    check = client.get("/consent/check/")
    assert "Check your answers" in check.content.decode()
    assert ConsentRecord.objects.count() == 0  # nothing saved before the parent confirms
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/consent/check/")
    assert response["Location"] == "/consent/done/"
    assert "Your answers have been sent" in client.get("/consent/done/").content.decode()
    records = ConsentRecord.objects.current()
    assert records.count() == 4
    ben_photos = records.get(pupil=family.children[1], provider=family.providers[1])
    assert ben_photos.given is False
    assert ben_photos.given_by_contact == family.mother
    assert ben_photos.method == ConsentMethod.ONLINE
    assert ben_photos.notice == family.notice
    assert AuditEvent.objects.filter(action=AuditAction.CONSENT, pupil=family.children[1]).exists()
    assert len(mail.outbox) == 1
    receipt = mail.outbox[0].body
    assert mail.outbox[0].to == [family.mother.email]
    assert "Photo Journal, Ben Khan: No" in receipt
    assert "Maths Stars, Amy Khan: Yes" in receipt


def test_sending_the_same_answers_twice_adds_nothing_new(
    family, office_user, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        send_consent_requests(actor=office_user, pupils=family.children)
    client.get(path_of(link_from_outbox(0)))
    client.post("/consent/form/", answers_post(family))
    client.post("/consent/check/")
    assert ConsentRecord.objects.count() == 4
    # A second click on "Send" (the answers have left the session) ...
    second = client.post("/consent/check/")
    assert second["Location"] == "/consent/done/"
    # ... and filling the same form in again, identically.
    client.post("/consent/form/", answers_post(family))
    client.post("/consent/check/")
    assert ConsentRecord.objects.count() == 4


def test_withdrawing_with_the_same_link_keeps_the_history(
    family, office_user, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        send_consent_requests(actor=office_user, pupils=family.children)
    link = path_of(link_from_outbox(0))
    client.get(link)
    client.post("/consent/form/", answers_post(family))
    client.post("/consent/check/")
    again = Client()
    again.get(link)
    form = again.get("/consent/form/").content.decode()
    assert form.count(" checked") == 4  # their own answers, to change
    again.post("/consent/form/", answers_post(family, {(0, 0): "no"}))
    again.post("/consent/check/")
    amy, maths = family.children[0], family.providers[0]
    history = list(ConsentRecord.objects.filter(pupil=amy, provider=maths).order_by("seq"))
    assert [r.given for r in history] == [True, False]
    assert ConsentRecord.objects.current().get(pupil=amy, provider=maths).given is False
    assert ConsentRecord.objects.count() == 5


def test_a_change_staff_make_to_a_purpose_shows_on_the_next_page_a_parent_opens(
    family, office_user, client, django_capture_on_commit_callbacks
):
    """The school's purposes and their facts are kept per school and
    language (consent.purposes); a change saved by staff replaces them at
    once, and a purpose taken out of use leaves the form."""
    from providers import services as provider_services
    from providers.models import ProviderStatus

    with django_capture_on_commit_callbacks(execute=True):
        send_consent_requests(actor=office_user, pupils=family.children)
    client.get(path_of(link_from_outbox(0)))
    first, second = family.providers[0], family.providers[1]
    assert "Printed maths worksheets" in client.get("/consent/form/").content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        first.offline_alternative = "Worksheets on paper, the same as online."
        provider_services.save_provider(
            provider=first, actor=office_user, fields=["offline_alternative"]
        )
        provider_services.set_provider_status(
            provider=second, status=ProviderStatus.RETIRED, actor=office_user
        )
    html = client.get("/consent/form/").content.decode()
    assert "Worksheets on paper, the same as online." in html
    assert second.service not in html
    assert f'name="answer_{second.pk}_' not in html
