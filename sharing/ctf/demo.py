"""Demo data for Common Transfer Files: the CTFs sent for two leavers (each
logged as a disclosure). Safe to run again."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from pupils.models import EnrolmentStatus, Pupil
from sharing.disclosures.models import Dataset, Disclosure

from .export import export_leaver_ctf


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


@transaction.atomic
def seed(ctx) -> None:
    if Disclosure.objects.filter(school=ctx.school, dataset=Dataset.CTF).exists():
        return
    dpo = ctx.users.get("dpo")
    leavers = (
        Pupil.objects.for_school(ctx.school)
        .filter(enrolment_status=EnrolmentStatus.LEFT, destination__isnull=False)
        .order_by("id")[:2]
    )
    for leaver in leavers:
        assert leaver.leaving_date is not None  # a pupil who left has a leaving date
        # Sent in the days after the pupil left, as the 2005 regulations expect.
        sent = min(leaver.leaving_date + datetime.timedelta(days=3), ctx.today)
        export_leaver_ctf(actor=dpo, pupil=leaver, sent_at=_at(sent, 10))
