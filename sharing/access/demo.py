"""Demo subject access requests: one overdue, one due soon, one paused and
one answered, so the list shows each state. Called by ``manage.py seed_demo``."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from pupils.models import EnrolmentStatus, Pupil

from . import services as access
from .models import IdentityCheck, PauseReason


def _log(ctx, pupil, days_ago: int, name: str):
    contact = pupil.contact_links.select_related("contact").first()
    return access.open_access_request(
        actor=ctx.users.get("office"),
        school=ctx.school,
        pupils=[pupil],
        requester_name=name,
        requester_relationship="parent",
        requester_contact=contact.contact if contact else None,
        channel="email",
        received_at=timezone.now() - datetime.timedelta(days=days_ago),
        details="A copy of everything the school holds about my child.",
    )


@transaction.atomic
def seed(ctx) -> None:
    if not ctx.created:
        return
    pupils = list(
        Pupil.objects.for_school(ctx.school)
        .filter(enrolment_status=EnrolmentStatus.LEFT)
        .order_by("id")[:4]
    )
    if len(pupils) < 4:
        return
    dpo = ctx.users.get("dpo")
    _log(ctx, pupils[0], 40, "Mrs Overdue Demo")
    _log(ctx, pupils[1], 27, "Mr Soon Demo")
    paused = _log(ctx, pupils[2], 10, "Ms Paused Demo")
    access.pause_clock(
        actor=dpo,
        request=paused,
        reason=PauseReason.IDENTITY,
        starts_on=paused.received_on,
        note="Asked for a copy of a utility bill",
    )
    answered = _log(ctx, pupils[3], 20, "Mr Answered Demo")
    access.record_identity_check(
        actor=dpo,
        request=answered,
        method=IdentityCheck.KNOWN,
        checked_on=answered.received_on,
        note="Parent known to the office",
    )
    access.mark_answered(actor=dpo, request=answered, answered_on=timezone.localdate())
