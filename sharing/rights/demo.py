"""Demo rights requests and complaints, through the real services, so the
DPO's "Every request by due date" page and the home page's request lines
show each state: a rectification answered, an erasure refused because the
law requires the record, an objection open and due soon, a restriction
waiting on the requester, a complaint acknowledged and one awaiting its
acknowledgement. Dates are relative to today, like the rest of the demo.
Called by ``sharing.demo.seed`` (``manage.py seed_demo``)."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from pupils import audit
from pupils.models import EnrolmentStatus, Pupil
from sharing.clocked import IdentityCheck, PauseReason

from . import complaints
from . import services as rights
from .models import RightKind, RightsDecision


def _ago(days: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)


def _open(ctx, pupil, kind: str, days_ago: int, details: str):
    link = pupil.contact_links.select_related("contact").order_by("priority", "pk").first()
    contact = link.contact if link else None
    return rights.open_rights_request(
        actor=ctx.users.get("office"),
        school=ctx.school,
        kind=kind,
        pupils=[pupil],
        requester_name=f"{contact.forename} {contact.surname}" if contact else "A parent",
        requester_relationship="parent",
        requester_contact=contact,
        requester_email=(contact.email if contact else "") or "",
        channel="email",
        received_at=_ago(days_ago),
        details=details,
    )


def _known(dpo, request) -> None:
    rights.record_rights_identity_check(
        actor=dpo,
        request=request,
        method=IdentityCheck.REGISTERED_CONTACT,
        checked_on=request.received_on,
        note="Sent from the e-mail address the school holds",
    )


@transaction.atomic
def seed(ctx) -> None:
    if not ctx.created:
        return
    pupils = list(
        Pupil.objects.for_school(ctx.school)
        .filter(enrolment_status=EnrolmentStatus.ON_ROLL, contact_links__isnull=False)
        .distinct()
        .order_by("id")[20:24]
    )
    if len(pupils) < 4:
        return
    dpo = ctx.users.get("dpo")
    today = timezone.localdate()

    fixed = _open(
        ctx,
        pupils[0],
        RightKind.RECTIFICATION,
        18,
        "My child's middle name is missing from the school's record.",
    )
    _known(dpo, fixed)
    # What the office corrected (as on the pupil's page: saved, then on the trail).
    pupil = pupils[0]
    pupil.middle_names = "Jordan" if not pupil.middle_names else pupil.middle_names + " Jordan"
    pupil.save(update_fields=["middle_names"])
    audit.record_change(actor=dpo, obj=pupil, created=False, fields=["middle_names"])
    rights.decide_rights_request(
        actor=dpo,
        request=fixed,
        decision=RightsDecision.COMPLIED,
        reason="The birth certificate seen by the office shows the middle name.",
        changes_made='Middle name "Jordan" added to the pupil\'s record.',
        decided_on=today - datetime.timedelta(days=9),
    )

    refused = _open(
        ctx,
        pupils[1],
        RightKind.ERASURE,
        14,
        "Please delete my child's attendance record for last term.",
    )
    _known(dpo, refused)
    rights.decide_rights_request(
        actor=dpo,
        request=refused,
        decision=RightsDecision.REFUSED,
        reason=(
            "The school must keep the attendance register under the School Attendance "
            "(Pupil Registration) (England) Regulations 2024, so erasure does not apply "
            "(UK GDPR Art 17(3)(b)). The parent was told, with the right to complain to the ICO."
        ),
        decided_on=today - datetime.timedelta(days=6),
    )

    objection = _open(
        ctx,
        pupils[2],
        RightKind.OBJECTION,
        26,
        "I object to my child's photograph being used on the school's website.",
    )
    _known(dpo, objection)

    waiting = _open(
        ctx,
        pupils[3],
        RightKind.RESTRICTION,
        8,
        "Please stop using my child's reading assessment results until you correct them.",
    )
    rights.pause_rights_clock(
        actor=dpo,
        request=waiting,
        reason=PauseReason.IDENTITY,
        starts_on=waiting.received_on,
        note="Asked the sender to confirm from the address the school holds",
    )

    acknowledged = complaints.log_complaint(
        actor=ctx.users.get("office"),
        school=ctx.school,
        complainant_name="Mr Complaint Demo",
        complainant_email="complaint.demo@example.org",
        channel="email",
        received_at=_ago(12),
        summary="A class list with my child's name was e-mailed to the wrong parent.",
    )
    complaints.acknowledge_complaint(
        actor=dpo, complaint=acknowledged, acknowledged_on=today - datetime.timedelta(days=10)
    )
    complaints.log_complaint(
        actor=ctx.users.get("office"),
        school=ctx.school,
        complainant_name="Ms Waiting Demo",
        complainant_address="12 Demo Road, Crook",
        channel="letter",
        received_at=_ago(26),
        summary="I was not told that my child's photograph would be used by the photographer.",
    )
