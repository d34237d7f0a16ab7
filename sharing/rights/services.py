"""Services for rights requests (rectification, erasure, restriction,
objection, portability): every write is validated first, runs in one
transaction and leaves a trace in the trail (``pupils.audit``).

The clock is the access clock (``sharing.deadlines``): one month from
receipt, pauses, an extension by two months told within the first month.
The law: docs/law.md, "Other rights".
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pupils import audit
from pupils.models import AuditAction, Contact, Pupil, School
from sharing import clocked, deadlines
from sharing.actor import Actor
from sharing.clocked import ClockSteps, one_month_due_on, require_open, trail

from . import mail
from .models import RightKind, RightsDecision, RightsPause, RightsRequest, RightsRequestStatus


def compute_due_on(request: RightsRequest) -> datetime.date | None:
    return one_month_due_on(request)


#: The rights request's clock, for the clock service (``sharing.clocked``).
CLOCK = clocked.Clock(
    label="Rights request",
    pause_model=RightsPause,
    statuses=RightsRequestStatus,
    due_on=compute_due_on,
)


# --- Logging ---------------------------------------------------------------------


@transaction.atomic
def open_rights_request(
    *,
    actor: Actor,
    school: School,
    kind: str,
    requester_name: str,
    requester_relationship: str,
    channel: str,
    received_at: datetime.datetime,
    details: str,
    pupils: Iterable[Pupil] = (),
    requester_contact: Contact | None = None,
    requester_email: str = "",
    requester_address: str = "",
    pupil_named: str = "",
    pupil_born_on: datetime.date | None = None,
) -> RightsRequest:
    """Log a request the moment it arrives; its clock runs from receipt and
    the DPO is e-mailed. Pupils may be matched later (an online request
    names its pupil as the requester gave it)."""
    pupils = list(pupils)
    if kind not in RightKind.values:
        raise ValidationError({"kind": _("Choose which right is asked for.")})
    if not pupils and not pupil_named.strip():
        raise ValidationError({"pupils": _("Choose at least one pupil.")})
    if any(p.school_id != school.pk for p in pupils):
        raise ValidationError({"pupils": _("Every pupil must be a pupil of this school.")})
    if requester_contact is not None and requester_contact.school_id != school.pk:
        raise ValidationError(_("The requester's contact record belongs to another school."))
    if not requester_name.strip():
        raise ValidationError({"requester_name": _("Say who asked.")})
    if not details.strip():
        raise ValidationError({"details": _("Say what was asked for.")})
    if timezone.is_naive(received_at):
        raise ValidationError(_("The time of receipt needs a time zone."))
    if received_at > timezone.now() + datetime.timedelta(minutes=5):
        raise ValidationError({"received_at": _("A request cannot be received in the future.")})
    request = RightsRequest(
        school=school,
        kind=kind,
        requester_name=requester_name.strip(),
        requester_relationship=requester_relationship,
        requester_contact=requester_contact,
        requester_email=requester_email.strip(),
        requester_address=requester_address.strip(),
        pupil_named=pupil_named.strip(),
        pupil_born_on=pupil_born_on,
        channel=channel,
        received_at=received_at,
        received_on=deadlines.local_date(received_at),
        details=details.strip(),
        logged_by=audit.acting_user(actor),
    )
    request.due_on = compute_due_on(request)
    request.full_clean(exclude=["pupils"])
    request.save()
    request.pupils.set(pupils)
    trail(actor, request, AuditAction.CREATE, "Rights request logged")
    mail.mail_dpo_new_rights_request(request)
    return request


# --- Handling ---------------------------------------------------------------------


def record_rights_identity_check(
    *,
    actor: Actor,
    request: RightsRequest,
    method: str,
    checked_on: datetime.date,
    note: str = "",
) -> RightsRequest:
    return clocked.record_identity_check(
        actor=actor, clock=CLOCK, request=request, method=method, checked_on=checked_on, note=note
    )


def pause_rights_clock(
    *, actor: Actor, request: RightsRequest, reason: str, starts_on: datetime.date, note: str = ""
) -> RightsPause:
    """Stop the clock while the school waits for identity or a clarification."""
    return clocked.pause(
        actor=actor, clock=CLOCK, request=request, reason=reason, starts_on=starts_on, note=note
    )


def resume_rights_clock(
    *, actor: Actor, request: RightsRequest, ends_on: datetime.date
) -> RightsRequest:
    """The awaited answer arrived on ``ends_on``: the clock runs again."""
    return clocked.resume(actor=actor, clock=CLOCK, request=request, ends_on=ends_on)


def extend_rights_request(
    *, actor: Actor, request: RightsRequest, told_on: datetime.date, reason: str
) -> RightsRequest:
    """Two further months for a complex request; the requester must be told,
    with reasons, within the first month (Art 12(3))."""
    return clocked.extend(actor=actor, clock=CLOCK, request=request, told_on=told_on, reason=reason)


@transaction.atomic
def decide_rights_request(
    *,
    actor: Actor,
    request: RightsRequest,
    decision: str,
    reason: str,
    changes_made: str = "",
    decided_on: datetime.date,
) -> RightsRequest:
    """Record the decision, its reason and what was changed. Refusing
    changes nothing (e.g. erasure of a register the law requires the school
    to keep, Art 17(3)(b)); doing as asked says what was changed, or for
    portability needs the portable copy produced first."""
    require_open(request)
    if request.status == RightsRequestStatus.PAUSED:
        raise ValidationError(_("Restart the clock before deciding."))
    if not request.identity_check:
        raise ValidationError(_("Record the identity check before deciding."))
    if not request.pupils.exists():
        raise ValidationError(_("Match the request to its pupils before deciding."))
    if decision not in RightsDecision.values:
        raise ValidationError({"decision": _("Choose the decision.")})
    if not reason.strip():
        raise ValidationError({"decision_reason": _("Say why.")})
    changes_made = changes_made.strip()
    if decision == RightsDecision.REFUSED and changes_made:
        raise ValidationError(
            {"changes_made": _("A refusal changes nothing: leave what was changed blank.")}
        )
    if decision != RightsDecision.REFUSED:
        if request.kind == RightKind.PORTABILITY and request.exported_at is None:
            raise ValidationError(_("Produce the portable copy before recording it as done."))
        if request.kind != RightKind.PORTABILITY and not changes_made:
            raise ValidationError({"changes_made": _("Say what was changed.")})
    if decided_on < request.received_on or decided_on > timezone.localdate():
        raise ValidationError(
            {"decided_on": _("The decision must be between the request's receipt and today.")}
        )
    request.status, request.decision = RightsRequestStatus.DECIDED, decision
    request.decision_reason, request.changes_made = reason.strip(), changes_made
    request.decided_on, request.decided_by = decided_on, audit.acting_user(actor)
    request.save()
    trail(actor, request, AuditAction.UPDATE, "Rights request decided", ["status", "decision"])
    return request


def withdraw_rights_request(*, actor: Actor, request: RightsRequest) -> RightsRequest:
    return clocked.withdraw(actor=actor, clock=CLOCK, request=request)


# --- Several steps at once --------------------------------------------------------


@dataclass(frozen=True)
class RightsSteps(ClockSteps):
    """The steps the DPO asks for in one go; a blank field is a step not
    taken. They run in this order: the clock's steps (identity, restart,
    pause, extension), decision, withdrawal."""

    decision: str = ""
    decision_reason: str = ""
    changes_made: str = ""
    decided_on: datetime.date | None = None
    withdraw: bool = False


@transaction.atomic
def handle_rights_request(*, actor: Actor, request: RightsRequest, steps: RightsSteps) -> list[str]:
    """Take every step asked for, all or nothing: a refused step raises
    ValidationError and leaves nothing written. Returns what was done."""
    request = RightsRequest.objects.select_for_update().get(pk=request.pk)
    today = timezone.localdate()
    done = clocked.take_clock_steps(actor=actor, clock=CLOCK, request=request, steps=steps)
    if steps.decision:
        decide_rights_request(
            actor=actor,
            request=request,
            decision=steps.decision,
            reason=steps.decision_reason,
            changes_made=steps.changes_made,
            decided_on=steps.decided_on or today,
        )
        done.append(_("decision recorded"))
    if steps.withdraw:
        withdraw_rights_request(actor=actor, request=request)
        done.append(_("withdrawn"))
    if not done:
        raise ValidationError(_("Choose at least one step to take."))
    return done
