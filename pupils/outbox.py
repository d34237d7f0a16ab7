"""The e-mail outbox: how the application sends e-mail.

``queue_email`` writes the message in the caller's transaction, so it exists
exactly when the change that causes it does, and asks a worker to deliver it
once that transaction commits. Delivery (``deliver``) never raises: a mail
server that is down leaves the message waiting, tried again with back-off
(``BACKOFF``) until ``settings.OUTBOX_MAX_ATTEMPTS``, then "failed" for the
DPO to see in the staff site. A parent's or a member of staff's action never
fails because mail is down.

If the process dies between the commit and the enqueue, the message is still
pending: ``retry_due_messages`` (run by ``manage.py run_scheduled``) sends it.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Collection

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.tasks import task
from django.utils import timezone

from . import audit
from .audit import Actor
from .models import AuditAction, OutboxMessage, OutboxStatus

logger = logging.getLogger(__name__)

#: Minutes to wait after the 1st, 2nd, ... failed attempt (the last repeats).
BACKOFF = (1, 5, 15, 60, 180, 360, 720)


def queue_email(
    *, kind: str, to: str, subject: str, body: str, school_id: int | None = None
) -> OutboxMessage:
    """Write one e-mail to the outbox; it is delivered after commit."""
    message = OutboxMessage.objects.create(
        kind=kind, to=to, subject=subject[:300], body=body, school_id=school_id
    )
    transaction.on_commit(lambda: enqueue_delivery(message.pk))
    return message


@task()
def deliver_email(*, message_id: int) -> str:
    """The task a worker runs for each message (at least once: ``deliver``
    does nothing for a message already sent)."""
    return deliver(message_id)


def enqueue_delivery(message_id: int, *, run_after: datetime.datetime | None = None) -> None:
    delivery = deliver_email
    if run_after is not None and delivery.get_backend().supports_defer:
        delivery = delivery.using(run_after=run_after)
    try:
        delivery.enqueue(message_id=message_id)
    except Exception:
        # The message is safe in the outbox; the scheduled run sends it.
        logger.exception("Could not queue delivery of outgoing e-mail %s", message_id)


def backoff(attempts: int) -> datetime.timedelta:
    return datetime.timedelta(minutes=BACKOFF[min(attempts, len(BACKOFF)) - 1])


def deliver(message_id: int, *, now: datetime.datetime | None = None) -> str:
    """Try to send one message if it is due: 'sent', 'waiting', 'failed' or
    'skipped' (already sent, given up, not yet due, or another worker has it)."""
    now = now or timezone.now()
    with transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .due(now)
            .filter(pk=message_id)
            .first()
        )
        if message is None:
            return "skipped"
        message.attempts += 1
        try:
            EmailMessage(message.subject, message.body, None, [message.to]).send()
        except Exception as exc:  # any failure of the mail server or the network
            return _failed(message, exc, now)
        message.status = OutboxStatus.SENT
        message.body = ""
        message.sent_at = now
        message.last_error = ""
        message.save(update_fields=["status", "body", "sent_at", "last_error", "attempts"])
        return "sent"


def _failed(message: OutboxMessage, exc: Exception, now: datetime.datetime) -> str:
    # The error names the failure, never the message's content.
    message.last_error = f"{type(exc).__name__}: {exc}"[:300]
    if message.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
        message.status = OutboxStatus.FAILED
    else:
        message.next_attempt_at = now + backoff(message.attempts)
    message.save(update_fields=["status", "last_error", "attempts", "next_attempt_at"])
    logger.warning("Outgoing e-mail %s not sent (attempt %s)", message.pk, message.attempts)
    if message.status == OutboxStatus.FAILED:
        return "failed"
    transaction.on_commit(lambda: enqueue_delivery(message.pk, run_after=message.next_attempt_at))
    return "waiting"


def retry_due_messages(*, now: datetime.datetime | None = None) -> int:
    """Queue delivery of every pending message whose time has come."""
    ids = list(OutboxMessage.objects.due(now).values_list("pk", flat=True))
    for message_id in ids:
        enqueue_delivery(message_id)
    return len(ids)


@transaction.atomic
def retry_message(*, actor: Actor, message: OutboxMessage) -> OutboxMessage:
    """Staff send a failed or waiting message again, now (one more attempt)."""
    if message.status == OutboxStatus.SENT:
        return message
    message.status = OutboxStatus.PENDING
    message.next_attempt_at = timezone.now()
    if message.attempts >= settings.OUTBOX_MAX_ATTEMPTS:
        message.attempts = settings.OUTBOX_MAX_ATTEMPTS - 1
    message.save(update_fields=["status", "next_attempt_at", "attempts"])
    audit.record(
        actor=actor,
        action=AuditAction.UPDATE,
        obj=message,
        school_id=message.school_id,
        summary="Outgoing e-mail queued to be sent again",
        fields=["status"],
    )
    transaction.on_commit(lambda: enqueue_delivery(message.pk))
    return message


def erase_messages(*, addresses: Collection[str], names: Collection[str]) -> int:
    """For an erasure (``pupils.retention``), inside its transaction: delete
    every message to ``addresses`` (sent or not: the row keeps the address)
    and every unsent message whose body names one of ``names`` (a consent
    link or receipt listing the pupil). Returns the rows deleted."""
    wanted = Q(pk__in=[])
    for address in {a.strip() for a in addresses if a and a.strip()}:
        wanted |= Q(to__iexact=address)
    for name in {n.strip() for n in names if n and n.strip()}:
        wanted |= Q(body__contains=name) & ~Q(status=OutboxStatus.SENT)
    return OutboxMessage.objects.filter(wanted).delete()[0]
