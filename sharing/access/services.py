"""Services for subject access requests: every write goes through here, is
validated first and leaves a trace in the audit trail (``pupils.audit``).

Views, admin pages and management commands call these functions; none of
them writes an AccessRequest by itself. ``handle_access_request`` runs
several handling steps at once, all or nothing. The law behind the clock:
docs/law.md, "Subject access" and "Educational records (reg 5)".
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from pupils import audit
from pupils.models import AuditAction, Contact, EmailKind, Pupil, School
from pupils.outbox import queue_email
from sharing import clocked, deadlines
from sharing.actor import Actor
from sharing.clocked import ClockSteps, one_month_due_on, require_open, trail
from sharing.dates import long_date

from . import redactable
from .models import (
    DISCLOSING_GROUNDS,
    AccessRequest,
    AccessRequestStatus,
    ClockPause,
    RedactionDecision,
    RedactionGround,
    RedactionOutcome,
    SearchedSystem,
    SystemSearch,
)

# --- The clock ----------------------------------------------------------------


def compute_due_on(request: AccessRequest) -> datetime.date | None:
    """The deadline from the request's receipt, pauses and extension (None
    while the clock is paused)."""
    if request.educational_record:
        school = request.school
        terms = school.terms.values_list("starts_on", "ends_on")
        closures = school.closure_days.values_list("date", flat=True)
        try:
            return deadlines.school_days_due_date(request.received_on, terms, closures)
        except ValueError as exc:
            raise ValidationError(
                _("Enter the school's term dates first: %(problem)s") % {"problem": exc}
            ) from exc
    return one_month_due_on(request)


def _fixed_because(request: AccessRequest) -> str:
    if request.educational_record:
        return _(
            "The 15 school days of an educational-record request never stop and cannot be extended."
        )
    return ""


#: The access request's clock, for the clock service (``sharing.clocked``).
CLOCK = clocked.Clock(
    label="Access request",
    pause_model=ClockPause,
    statuses=AccessRequestStatus,
    due_on=compute_due_on,
    fixed_because=_fixed_because,
)


# --- Logging a request ---------------------------------------------------------


@transaction.atomic
def open_access_request(
    *,
    actor: Actor,
    school: School,
    pupils: Iterable[Pupil],
    requester_name: str,
    requester_relationship: str,
    channel: str,
    received_at: datetime.datetime,
    details: str = "",
    requester_contact: Contact | None = None,
    requester_address: str = "",
    educational_record: bool = False,
    pupil_named: str = "",
) -> AccessRequest:
    """Log a request the moment it arrives; the DPO is e-mailed. A request
    made online may name a pupil nobody has matched yet (``pupil_named``):
    it is logged all the same, its clock running, and the DPO sets its
    pupils on its page (``set_request_pupils``)."""
    pupils = list(pupils)
    if not pupils and not pupil_named.strip():
        raise ValidationError(_("Choose at least one pupil."))
    if any(p.school_id != school.pk for p in pupils):
        raise ValidationError(_("Every pupil must be a pupil of this school."))
    if requester_contact is not None and requester_contact.school_id != school.pk:
        raise ValidationError(_("The requester's contact record belongs to another school."))
    if (
        requester_contact is not None
        and not requester_contact.pupil_links.filter(pupil__in=pupils).exists()
    ):
        raise ValidationError(
            {
                "requester_contact": _(
                    "That contact is not linked to any pupil of this request: choose the "
                    "requester's own contact record, or leave it blank."
                )
            }
        )
    if not requester_name.strip():
        raise ValidationError(_("Say who asked."))
    if timezone.is_naive(received_at):
        raise ValidationError(_("The time of receipt needs a time zone."))
    if received_at > timezone.now() + datetime.timedelta(minutes=5):
        raise ValidationError(_("A request cannot be received in the future."))
    if educational_record and not school.educational_record_regulations_apply:
        raise ValidationError(
            _(
                "Educational-record requests (2005 regulations, reg 5) apply to maintained "
                "schools only: handle this one as a subject access request."
            )
        )
    request = AccessRequest(
        school=school,
        requester_name=requester_name.strip(),
        requester_relationship=requester_relationship,
        requester_contact=requester_contact,
        requester_address=requester_address,
        channel=channel,
        received_at=received_at,
        received_on=deadlines.local_date(received_at),
        details=details,
        educational_record=educational_record,
        logged_by=audit.acting_user(actor),
    )
    request.due_on = compute_due_on(request)
    request.full_clean(exclude=["pupils"])
    request.save()
    request.pupils.set(pupils)
    trail(actor, request, AuditAction.CREATE, "Subject access request logged")
    _tell_dpo(request)  # to the outbox, in this transaction
    return request


@transaction.atomic
def set_request_pupils(
    *,
    actor: Actor,
    request: AccessRequest,
    pupils: Iterable[Pupil],
    requester_contact: Contact | None = None,
) -> AccessRequest:
    """Match a request to its pupils (an online request naming a pupil the
    form could not match), and the requester to their contact record. Only
    while nothing has been produced: a response is built from the pupils."""
    request = AccessRequest.objects.select_for_update().get(pk=request.pk)
    pupils = list(pupils)
    require_open(request)
    if not pupils:
        raise ValidationError({"pupils": _("Choose at least one pupil.")})
    if any(p.school_id != request.school_id for p in pupils):
        raise ValidationError({"pupils": _("Every pupil must be a pupil of this school.")})
    if request.responses.exists():
        raise ValidationError(
            {"pupils": _("A response has been produced: the pupils can no longer change.")}
        )
    if requester_contact is not None and not requester_contact.pupil_links.filter(pupil__in=pupils):
        raise ValidationError(
            {"requester_contact": _("That contact is not linked to any pupil of this request.")}
        )
    request.pupils.set(pupils)
    request.requester_contact = requester_contact
    request.save(update_fields=["requester_contact", "updated_at"])
    trail(actor, request, AuditAction.UPDATE, "Access request: pupils matched", ["pupils"])
    return request


def requester_warning(request: AccessRequest) -> str:
    """What staff must know before producing anything, when the requester is
    not a linked contact of the request's pupils ("" when they are)."""
    contact_id = request.requester_contact_id
    if contact_id is not None and request.pupils.filter(contact_links__contact_id=contact_id):
        return ""
    return _(
        "The requester is not a contact the school holds for the pupils of this request. "
        "Every contact's details are third-party data for them (redacted unless you decide "
        "otherwise), and their identity and their right to the pupil's data (parental "
        "responsibility, the pupil's consent, or authority to act) must be checked by other "
        "means before anything is produced."
    )


@translation.override(settings.LANGUAGE_CODE)  # the staff's language, whatever the page's
def _tell_dpo(request: AccessRequest) -> None:
    # Nothing personal in the e-mail: the DPO follows the link and signs in.
    path = settings.PUBLIC_BASE_URL + reverse(
        "admin:sharing_accessrequest_change", args=[request.pk]
    )
    queue_email(
        kind=EmailKind.DPO_NOTICE,
        to=request.school.dpo_email,
        school_id=request.school_id,
        subject=_("New subject access request, due %(due)s")
        % {"due": long_date(request.due_on) if request.due_on else _("(clock paused)")},
        body=_(
            "A subject access request was logged on %(received)s (%(channel)s).\n"
            "It is due on %(due)s.\n\nOpen it in the staff site: %(path)s\n"
        )
        % {
            "received": long_date(request.received_on),
            "channel": request.get_channel_display(),
            "due": long_date(request.due_on) if request.due_on else "-",
            "path": path,
        },
    )


# --- Handling it ------------------------------------------------------------------


def record_identity_check(
    *, actor: Actor, request: AccessRequest, method: str, checked_on: datetime.date, note: str = ""
) -> AccessRequest:
    return clocked.record_identity_check(
        actor=actor, clock=CLOCK, request=request, method=method, checked_on=checked_on, note=note
    )


def pause_clock(
    *, actor: Actor, request: AccessRequest, reason: str, starts_on: datetime.date, note: str = ""
) -> ClockPause:
    """Stop the clock while the school waits for identity, a clarification or a fee."""
    return clocked.pause(
        actor=actor, clock=CLOCK, request=request, reason=reason, starts_on=starts_on, note=note
    )


def resume_clock(*, actor: Actor, request: AccessRequest, ends_on: datetime.date) -> AccessRequest:
    """The awaited answer arrived on ``ends_on``: the clock runs again."""
    return clocked.resume(actor=actor, clock=CLOCK, request=request, ends_on=ends_on)


def extend_request(
    *, actor: Actor, request: AccessRequest, told_on: datetime.date, reason: str
) -> AccessRequest:
    """Extend by two further months (complex or numerous requests). The
    requester must be told, with reasons, within the first month."""
    return clocked.extend(actor=actor, clock=CLOCK, request=request, told_on=told_on, reason=reason)


@transaction.atomic
def record_redaction(
    *,
    actor: Actor,
    request: AccessRequest,
    outcome: str,
    ground: str,
    reason: str,
    record: models.Model | None = None,
    contact: Contact | None = None,
    item: str = "",
    decided_on: datetime.date | None = None,
) -> RedactionDecision:
    """Record what was disclosed, redacted or withheld, and why.

    ``record`` is a record of one of the request's pupils (a medical
    condition, an SEN need, a consent answer, a disclosure...: the kinds in
    ``redactable.KINDS``): withheld, it is left out of the response;
    redacted, it appears with its content blanked. ``contact`` is a third
    party (a contact of the pupils); ``item`` describes something held
    outside this application."""
    if outcome not in RedactionOutcome.values or ground not in RedactionGround.values:
        raise ValidationError(_("Choose a decision and its ground."))
    if (outcome == RedactionOutcome.DISCLOSE) != (ground in DISCLOSING_GROUNDS):
        raise ValidationError(
            _(
                "Disclosing needs consent or a reason it is reasonable; withholding needs an "
                "exemption."
            )
        )
    if not reason.strip():
        raise ValidationError(_("Say why."))
    if sum((record is not None, contact is not None, bool(item.strip()))) != 1:
        raise ValidationError(
            _("Choose one thing the decision is about: a record, a contact or an item.")
        )
    pupil_ids = set(request.pupils.values_list("pk", flat=True))
    if record is not None:
        _check_record(request, record, pupil_ids)
    if contact is not None:
        _check_contact(request, contact, pupil_ids)
    decision = RedactionDecision.objects.create(
        request=request,
        contact=contact,
        record_type=ContentType.objects.get_for_model(record) if record is not None else None,
        record_id=record.pk if record is not None else None,
        item=item.strip(),
        outcome=outcome,
        ground=ground,
        reason=reason.strip(),
        decided_by=audit.staff_user(actor),
        decided_on=decided_on or timezone.localdate(),
    )
    trail(actor, request, AuditAction.UPDATE, "Access request: redaction decision recorded")
    return decision


def _check_record(request: AccessRequest, record: models.Model, pupil_ids: set[int]) -> None:
    if not redactable.is_redactable(record) or record.pk is None:
        raise ValidationError(_("Decisions can be about a record of the pupil's data only."))
    if not redactable.pupil_ids_of(record) & pupil_ids:
        raise ValidationError(_("That record is not about any pupil of this request."))
    if request.redactions.filter(
        record_type=ContentType.objects.get_for_model(record), record_id=record.pk
    ).exists():
        raise ValidationError(_("A decision about this record is already recorded."))


def _check_contact(request: AccessRequest, contact: Contact, pupil_ids: set[int]) -> None:
    if not contact.pupil_links.filter(pupil__in=pupil_ids).exists():
        raise ValidationError(_("That contact is not in the record of any pupil of this request."))
    if request.redactions.filter(contact=contact).exists():
        raise ValidationError(_("A decision about this person is already recorded."))


@transaction.atomic
def record_system_searched(
    *,
    actor: Actor,
    request: AccessRequest,
    system: str,
    searched_by: str,
    searched_on: datetime.date,
    detail: str = "",
) -> SystemSearch:
    """One more place searched for the pupil's data (this application's
    own record is always searched: the response is built from it)."""
    require_open(request)
    if system not in SearchedSystem.values:
        raise ValidationError({"search_system": _("Choose the system searched.")})
    if system == SearchedSystem.OTHER and not detail.strip():
        raise ValidationError({"search_detail": _("Say which system was searched.")})
    if not searched_by.strip():
        raise ValidationError({"search_by": _("Say who searched it.")})
    if searched_on < request.received_on or searched_on > timezone.localdate():
        raise ValidationError(
            {"search_on": _("The search must be between the request's receipt and today.")}
        )
    search = SystemSearch.objects.create(
        request=request,
        system=system,
        detail=detail.strip(),
        searched_by=searched_by.strip(),
        searched_on=searched_on,
        recorded_by=audit.acting_user(actor),
    )
    trail(actor, request, AuditAction.UPDATE, "Access request: system searched recorded")
    return search


@transaction.atomic
def mark_answered(
    *, actor: Actor, request: AccessRequest, answered_on: datetime.date
) -> AccessRequest:
    require_open(request)
    if request.status == AccessRequestStatus.PAUSED:
        raise ValidationError(_("Restart the clock before answering."))
    if not request.identity_check:
        raise ValidationError(_("Record the identity check before answering."))
    if answered_on < request.received_on:
        raise ValidationError(_("A request cannot be answered before it was received."))
    if answered_on > timezone.localdate():
        raise ValidationError(_("A request cannot be answered in the future."))
    request.status, request.answered_on = AccessRequestStatus.ANSWERED, answered_on
    request.handler = request.handler or audit.acting_user(actor)
    request.save(update_fields=["status", "answered_on", "handler", "updated_at"])
    trail(actor, request, AuditAction.UPDATE, "Access request answered", ["status"])
    return request


def withdraw_request(*, actor: Actor, request: AccessRequest) -> AccessRequest:
    return clocked.withdraw(actor=actor, clock=CLOCK, request=request)


# --- Several steps at once ----------------------------------------------------------


@dataclass(frozen=True)
class HandlingSteps(ClockSteps):
    """The steps the DPO asks for in one go; a blank field is a step not taken.
    They run in this order: pupils matched, the clock's steps (identity, restart,
    pause, extension), system searched, redaction decision, answered."""

    redaction_outcome: str = ""
    redaction_ground: str = ""
    redaction_reason: str = ""
    search_system: str = ""
    search_detail: str = ""
    search_by: str = ""
    search_on: datetime.date | None = None
    redaction_record: models.Model | None = None
    redaction_contact: Contact | None = None
    redaction_item: str = ""
    answered_on: datetime.date | None = None
    match_pupils: tuple[Pupil, ...] = ()
    match_contact: Contact | None = None


@transaction.atomic
def handle_access_request(
    *, actor: Actor, request: AccessRequest, steps: HandlingSteps
) -> list[str]:
    """Take every step asked for, all or nothing: a step the rules refuse
    raises ValidationError and leaves no step (and no trail entry) written.
    Each step's own service validates it and writes its trail entry.

    Returns what was done, in plain words, for the message to staff."""
    request = AccessRequest.objects.select_for_update().get(pk=request.pk)
    today = timezone.localdate()
    done: list[str] = []
    if steps.match_pupils or steps.match_contact:
        set_request_pupils(
            actor=actor,
            request=request,
            pupils=steps.match_pupils,
            requester_contact=steps.match_contact,
        )
        done.append(_("pupils matched"))
    if (steps.redaction_outcome or steps.answered_on) and not request.pupils.exists():
        raise ValidationError(_("Match the request to its pupils before deciding or answering."))
    done += clocked.take_clock_steps(actor=actor, clock=CLOCK, request=request, steps=steps)
    if steps.search_system:
        record_system_searched(
            actor=actor,
            request=request,
            system=steps.search_system,
            searched_by=steps.search_by,
            searched_on=steps.search_on or today,
            detail=steps.search_detail,
        )
        done.append(_("system searched recorded"))
    if steps.redaction_outcome:
        record_redaction(
            actor=actor,
            request=request,
            outcome=steps.redaction_outcome,
            ground=steps.redaction_ground,
            reason=steps.redaction_reason,
            record=steps.redaction_record,
            contact=steps.redaction_contact,
            item=steps.redaction_item,
        )
        done.append(_("decision recorded"))
    if steps.answered_on:
        mark_answered(actor=actor, request=request, answered_on=steps.answered_on)
        done.append(_("answered"))
    if not done:
        raise ValidationError(_("Choose at least one step to take."))
    return done
