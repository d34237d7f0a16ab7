"""The e-mail outbox: written with the change, delivered by a task, retried
with back-off, given up after OUTBOX_MAX_ATTEMPTS and shown to the DPO (who,
what kind, attempts, last error; never the body) with "send again"."""

import datetime

import pytest
from django.core import mail
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from pupils.models import AuditEvent, EmailKind, OutboxMessage, OutboxStatus
from pupils.outbox import BACKOFF, deliver, queue_email
from tests.smtp_sink import free_port, smtp_settings

pytestmark = pytest.mark.django_db

SECRET_BODY = "Your link: https://school.example/consent/link/SECRET-TOKEN/"


def queue(school, **extra) -> OutboxMessage:
    fields = {
        "kind": EmailKind.CONSENT_LINK,
        "to": "parent@example.org",
        "subject": "Your consent choices",
        "body": SECRET_BODY,
        "school_id": school.pk,
        **extra,
    }
    return queue_email(**fields)


def test_an_email_is_written_with_the_change_and_sent_after_commit(
    school, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        message = queue(school)
        assert mail.outbox == []  # nothing leaves before the change is committed

    assert [m.to for m in mail.outbox] == [["parent@example.org"]]
    assert mail.outbox[0].body == SECRET_BODY
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT and message.sent_at is not None
    assert message.body == ""


def test_an_email_of_a_rolled_back_change_is_never_sent(school, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        queue(school)
        raise RuntimeError("the change failed")

    assert mail.outbox == [] and not OutboxMessage.objects.exists()


@override_settings(OUTBOX_MAX_ATTEMPTS=3)
def test_failed_deliveries_back_off_then_give_up_as_failed(school):
    message = OutboxMessage.objects.create(
        kind=EmailKind.RECEIPT, to="p@example.org", subject="s", body="b", school=school
    )
    now = timezone.now()
    with smtp_settings(free_port()):  # nothing listens: the server is down
        outcomes, waits = [], []
        for _ in range(3):
            outcomes.append(deliver(message.pk, now=now))
            message.refresh_from_db()
            waits.append(message.next_attempt_at - now)
            assert deliver(message.pk, now=now) == "skipped"  # not due yet: no hammering
            now = message.next_attempt_at

    assert outcomes == ["waiting", "waiting", "failed"]
    assert waits[:2] == [datetime.timedelta(minutes=m) for m in BACKOFF[:2]]
    assert message.status == OutboxStatus.FAILED and message.attempts == 3
    assert "ConnectionRefusedError" in message.last_error
    assert message.body == "b"  # kept until it is sent: a retry needs it


def failed_message(school) -> OutboxMessage:
    return OutboxMessage.objects.create(
        kind=EmailKind.CONSENT_LINK,
        to="parent@example.org",
        subject="Your consent choices",
        body=SECRET_BODY,
        school=school,
        status=OutboxStatus.FAILED,
        attempts=8,
        last_error="SMTPServerDisconnected: Connection unexpectedly closed",
    )


def test_the_dpo_sees_failed_emails_with_the_error_but_never_the_body(
    school, other_school, dpo_client, django_assert_max_num_queries
):
    message = failed_message(school)
    failed_message(other_school)
    for _ in range(5):
        failed_message(school)

    with django_assert_max_num_queries(12):
        page = dpo_client.get("/admin/pupils/outboxmessage/?status=failed")
    html = page.content.decode()
    detail = dpo_client.get(f"/admin/pupils/outboxmessage/{message.pk}/change/")

    assert page.status_code == 200
    assert "parent@example.org" in html and "SMTPServerDisconnected" in html
    assert html.count("SMTPServerDisconnected") == 6  # own school's only
    for text in (html, detail.content.decode()):
        assert "SECRET-TOKEN" not in text


def test_the_dpo_sends_a_failed_email_again(school, dpo_client, django_capture_on_commit_callbacks):
    message = failed_message(school)

    with django_capture_on_commit_callbacks(execute=True):
        response = dpo_client.post(
            "/admin/pupils/outboxmessage/",
            {"action": "send_again", "_selected_action": [message.pk]},
        )

    assert response.status_code == 302
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT
    assert [m.to for m in mail.outbox] == [["parent@example.org"]]
    assert AuditEvent.objects.filter(object_type="pupils.outboxmessage").count() == 1


def test_office_staff_cannot_see_the_outbox(school, office_client):
    failed_message(school)

    assert office_client.get("/admin/pupils/outboxmessage/").status_code == 403
