"""The mail server is down: nothing a parent or a member of staff does
fails because of it. E-mails wait in the outbox (pupils.outbox) and go when
the server is back, through Django's real SMTP backend and a local server."""

import datetime
from contextlib import nullcontext

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from consent.models import ConsentRecord, ConsentRequest
from consent.services import send_consent_requests
from pupils.models import EmailKind, OutboxMessage, OutboxStatus
from pupils.outbox import retry_due_messages
from tests.smtp_sink import free_port, smtp_settings, smtp_sink

from .helpers import LINK_RE, answers_post, path_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def mail_port():
    port = free_port()  # nothing listens there until a test starts the sink
    with smtp_settings(port):
        yield port


def link_in(message) -> str:
    return LINK_RE.search(message.get_payload(decode=True).decode()).group(0)


def a_minute_later() -> None:
    OutboxMessage.objects.update(next_attempt_at=timezone.now() - datetime.timedelta(seconds=1))


def test_a_parents_answers_are_saved_with_mail_down_and_the_receipt_goes_when_it_is_back(
    family, office_user, mail_port, django_capture_on_commit_callbacks
):
    with smtp_sink(mail_port) as sent, django_capture_on_commit_callbacks(execute=True):
        send_consent_requests(actor=office_user, pupils=family.children)
    client = Client()
    client.get(path_of(link_in(sent[0])))
    client.post("/consent/form/", answers_post(family))

    with django_capture_on_commit_callbacks(execute=True):  # the server is down now
        response = client.post("/consent/check/")

    assert response.status_code == 302 and response["Location"] == "/consent/done/"
    assert ConsentRecord.objects.current().count() == 4
    receipt = OutboxMessage.objects.get(kind=EmailKind.RECEIPT)
    assert receipt.status == OutboxStatus.PENDING and receipt.attempts == 1
    assert "ConnectionRefusedError" in receipt.last_error
    assert receipt.next_attempt_at > timezone.now()  # backs off

    a_minute_later()
    with smtp_sink(mail_port) as delivered, django_capture_on_commit_callbacks(execute=True):
        retry_due_messages()

    assert [m["To"] for m in delivered] == [family.mother.email]
    assert "receipt" in delivered[0]["Subject"]
    receipt.refresh_from_db()
    assert receipt.status == OutboxStatus.SENT and receipt.attempts == 2
    assert receipt.body == ""  # no copy of a family's answers kept once sent


def test_sending_consent_requests_with_mail_down_reaches_every_family(
    family, office_user, mail_port, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        sent = send_consent_requests(actor=office_user, pupils=family.children)

    assert len(sent) == 2  # both parents, not stopped at the first
    assert ConsentRequest.objects.usable().count() == 2
    waiting = OutboxMessage.objects.filter(kind=EmailKind.CONSENT_LINK)
    assert sorted(waiting.values_list("to", flat=True)) == sorted(
        [family.mother.email, family.father.email]
    )
    assert set(waiting.values_list("status", flat=True)) == {OutboxStatus.PENDING}

    a_minute_later()
    with smtp_sink(mail_port) as delivered, django_capture_on_commit_callbacks(execute=True):
        retry_due_messages()

    assert sorted(m["To"] for m in delivered) == sorted([family.mother.email, family.father.email])
    # The link delivered late is the family's working link.
    assert Client().get(path_of(link_in(delivered[0]))).status_code == 302


@pytest.mark.parametrize("server_up", [False, True], ids=["mail down", "mail up"])
def test_the_new_link_page_answers_the_same_for_known_and_unknown_addresses(
    family, mail_port, server_up, django_capture_on_commit_callbacks
):
    cache.clear()
    client = Client()
    sink = smtp_sink(mail_port) if server_up else nullcontext()
    with sink, django_capture_on_commit_callbacks(execute=True):
        known = client.post("/consent/new-link/", {"email": family.mother.email})
        unknown = client.post("/consent/new-link/", {"email": "stranger@nowhere.example"})

    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    assert OutboxMessage.objects.filter(to=family.mother.email).count() == 1
    cache.clear()
