"""Demo data for the disclosure log: the last census returns and one request
from children's social care (the CTFs sent for leavers are ``sharing.ctf.demo``).
Safe to run again.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from pupils.models import Pupil
from pupils.schoolyear import academic_year_of

from .models import DataCategory, Dataset, Disclosure, LegalGateway, RecipientType, SendMethod
from .services import census_date_for, log_disclosure, record_census_return


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _last_census_days(ctx, count: int = 3) -> list[tuple[int, str, datetime.date]]:
    days: list[tuple[int, str, datetime.date]] = []
    year = academic_year_of(ctx.today)
    while len(days) < count:
        for term in ("SUM", "SPR", "AUT"):
            day = census_date_for(school=ctx.school, academic_year=year, term=term)
            if day <= ctx.today and len(days) < count:
                days.append((year, term, day))
        year -= 1
    return days


@transaction.atomic
def seed(ctx) -> None:
    if Disclosure.objects.filter(school=ctx.school).exists():
        return
    dpo = ctx.users.get("dpo")
    for _year, term, day in reversed(_last_census_days(ctx)):
        if Pupil.objects.for_school(ctx.school).on_roll(on=day).exists():
            record_census_return(
                actor=dpo, school=ctx.school, term=term, census_date=day,
                disclosed_at=_at(day + datetime.timedelta(days=6), 11),
            )  # fmt: skip
    on_roll = Pupil.objects.for_school(ctx.school).on_roll().order_by("id").first()
    if on_roll is not None:
        log_disclosure(
            actor=dpo,
            school=ctx.school,
            recipient_type=RecipientType.ORGANISATION,
            recipient_name="Durham County Council Children's Services (First Contact)",
            gateway=LegalGateway.SAFEGUARDING,
            dataset=Dataset.AD_HOC,
            pupils=[on_roll],
            categories=[DataCategory.IDENTITY, DataCategory.CONTACTS, DataCategory.ATTENDANCE],
            method=SendMethod.SECURE_EMAIL,
            disclosed_at=_at(ctx.today - datetime.timedelta(days=12), 15),
            requested_by="Social worker, First Contact team, Durham County Council",
            request_reason="Child and family assessment (Children Act 1989 s17): attendance "
            "and the names and addresses of those with parental responsibility.",
            approved_by="Head teacher (designated safeguarding lead), with the DPO",
            notes="Sent by encrypted e-mail to the social worker's council address.",
        )
