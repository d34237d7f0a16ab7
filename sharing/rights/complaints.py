"""Services for complaints about the school's handling of personal data
(DPA 2018 s164A): log one, acknowledge it within 30 days (e-mailed when
there is an address), record the outcome and tell the complainant. Both
replies state the right to complain to the ICO. The law: docs/law.md,
"Complaints"."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pupils import audit
from pupils.models import AuditAction, School
from sharing import deadlines
from sharing.actor import Actor

from . import mail
from .clock import complaint_acknowledge_by
from .models import Complaint, ComplaintStatus


def _trail(actor: Actor, complaint: Complaint, action: str, summary: str, fields=()) -> None:
    audit.record(
        actor=actor,
        action=action,
        obj=complaint,
        school_id=complaint.school_id,
        summary=summary,
        fields=fields,
    )


@transaction.atomic
def log_complaint(
    *,
    actor: Actor,
    school: School,
    complainant_name: str,
    channel: str,
    received_at: datetime.datetime,
    summary: str,
    complainant_email: str = "",
    complainant_address: str = "",
) -> Complaint:
    """Log a complaint the moment it arrives: the 30 days run from the day
    of receipt, and the DPO is e-mailed."""
    if not complainant_name.strip():
        raise ValidationError({"complainant_name": _("Say who complained.")})
    if not summary.strip():
        raise ValidationError({"summary": _("Say what the complaint is about.")})
    if not complainant_email.strip() and not complainant_address.strip():
        raise ValidationError(
            {"complainant_email": _("Give an e-mail or postal address to reply to.")}
        )
    if timezone.is_naive(received_at):
        raise ValidationError(_("The time of receipt needs a time zone."))
    if received_at > timezone.now() + datetime.timedelta(minutes=5):
        raise ValidationError({"received_at": _("A complaint cannot be received in the future.")})
    received_on = deadlines.local_date(received_at)
    complaint = Complaint(
        school=school,
        complainant_name=complainant_name.strip(),
        complainant_email=complainant_email.strip(),
        complainant_address=complainant_address.strip(),
        channel=channel,
        received_at=received_at,
        received_on=received_on,
        acknowledge_by=complaint_acknowledge_by(received_on),
        summary=summary.strip(),
        logged_by=audit.acting_user(actor),
    )
    complaint.full_clean()
    complaint.save()
    _trail(actor, complaint, AuditAction.CREATE, "Complaint logged")
    mail.mail_dpo_new_complaint(complaint)
    return complaint


@transaction.atomic
def acknowledge_complaint(
    *, actor: Actor, complaint: Complaint, acknowledged_on: datetime.date
) -> Complaint:
    """Acknowledge receipt; the acknowledgement (with the right to complain
    to the ICO) is e-mailed when the complainant gave an address, otherwise
    staff send it by post."""
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    if complaint.status != ComplaintStatus.RECEIVED:
        raise ValidationError(_("This complaint has already been acknowledged."))
    if acknowledged_on < complaint.received_on or acknowledged_on > timezone.localdate():
        raise ValidationError(
            {"acknowledged_on": _("The date must be between the complaint's receipt and today.")}
        )
    complaint.status, complaint.acknowledged_on = ComplaintStatus.ACKNOWLEDGED, acknowledged_on
    complaint.save(update_fields=["status", "acknowledged_on", "updated_at"])
    _trail(actor, complaint, AuditAction.UPDATE, "Complaint acknowledged", ["status"])
    if complaint.complainant_email:
        mail.mail_complaint_acknowledgement(complaint)
    return complaint


@transaction.atomic
def record_complaint_outcome(
    *, actor: Actor, complaint: Complaint, outcome: str, told_on: datetime.date
) -> Complaint:
    """Record the outcome and tell the complainant (by e-mail when there is
    an address), with the right to complain to the ICO."""
    complaint = Complaint.objects.select_for_update().get(pk=complaint.pk)
    if complaint.status == ComplaintStatus.RECEIVED:
        raise ValidationError(_("Acknowledge the complaint before recording its outcome."))
    if complaint.status == ComplaintStatus.CLOSED:
        raise ValidationError(_("The outcome of this complaint is already recorded."))
    if not outcome.strip():
        raise ValidationError({"outcome": _("Say what the outcome is.")})
    assert complaint.acknowledged_on is not None  # status ACKNOWLEDGED: a database rule
    if told_on < complaint.acknowledged_on or told_on > timezone.localdate():
        raise ValidationError(
            {"told_on": _("The date must be between the acknowledgement and today.")}
        )
    complaint.status, complaint.outcome = ComplaintStatus.CLOSED, outcome.strip()
    complaint.outcome_told_on = told_on
    complaint.save(update_fields=["status", "outcome", "outcome_told_on", "updated_at"])
    _trail(actor, complaint, AuditAction.UPDATE, "Complaint outcome recorded", ["status"])
    if complaint.complainant_email:
        mail.mail_complaint_outcome(complaint)
    return complaint
