"""Demo breaches, through the real services, so the breach register shows
both outcomes the law asks the DPO to record (Art 33(5)): a breach reported
to the ICO within the 72 hours with a letter to the families, and one
assessed as unlikely to harm anyone, not reported, with the reason. Dates
are relative to now, like the rest of the demo. Called by
``sharing.demo.seed`` (``manage.py seed_demo``)."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from pupils.models import EnrolmentStatus, Pupil
from sharing.disclosures.models import DataCategory

from . import services
from .models import (
    Breach,
    IcoDecision,
    Likelihood,
    NotificationAudience,
    NotificationMethod,
    PeopleCategory,
    Severity,
    TellPeopleDecision,
)


def _at(days_ago: int, hour: int, minute: int = 0) -> datetime.datetime:
    day = timezone.localdate() - datetime.timedelta(days=days_ago)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def _reported_with_letter(ctx, dpo) -> None:
    """A spreadsheet of Year 4's reading and SEN support sent to the wrong
    parents' list: reported to the ICO the next morning, families told."""
    year4 = list(
        Pupil.objects.filter(
            school=ctx.school, nc_year="4", enrolment_status=EnrolmentStatus.ON_ROLL
        ).order_by("pk")
    )
    discovered = _at(12, 16, 40)
    breach = services.report_breach(
        actor=ctx.users.get("office") or dpo,
        school=ctx.school,
        summary="A spreadsheet of Year 4's reading levels and SEN support was attached by "
        "mistake to the Year 5 trip e-mail, sent to 31 parents' addresses.",
        discovered_at=discovered,
        occurred_at=_at(12, 15, 55),
        noticed_by="Year 5 teacher, when a parent replied",
        data_involved="Names, reading levels and whether each pupil has SEN support",
        categories=[DataCategory.IDENTITY, DataCategory.ASSESSMENT, DataCategory.SEN],
        people_categories=[PeopleCategory.PUPILS],
        people_affected=len(year4) or 28,
        pupils=year4,
    )
    services.assess_breach(
        actor=dpo,
        breach=breach,
        became_aware_at=discovered,
        likelihood=Likelihood.POSSIBLE,
        severity=Severity.SIGNIFICANT,
        likely_consequences="Other parents know which children have SEN support: distress "
        "and possible embarrassment for the children and their families.",
        containment="Recall attempted; the 31 recipients asked in writing to delete it and "
        "confirm; 29 confirmed within two days. The trip e-mail list now needs a second check.",
        ico_decision=IcoDecision.REPORT,
        ico_reason="Special category data (SEN) of 28 children seen by other parents: a risk "
        "to their rights that is not unlikely.",
        tell_people=TellPeopleDecision.TELL,
        tell_people_reason="The families should hear it from the school, and can ask "
        "questions; the risk is significant for the children concerned.",
        tell_people_by=(discovered + datetime.timedelta(days=3)).date(),
    )
    services.record_breach_notification(
        actor=dpo,
        breach=breach,
        audience=NotificationAudience.ICO,
        notified_at=_at(11, 10, 15),
        method=NotificationMethod.ICO_FORM,
        reference="IC-318840-Q2W7",
        content="Reported through the ICO's online form: a spreadsheet of 28 Year 4 pupils' "
        "reading levels and SEN support sent to 31 Year 5 parents by mistake; recipients "
        "asked to delete it, 29 confirmed so far; families to be told by letter.",
    )
    services.record_breach_notification(
        actor=dpo,
        breach=breach,
        audience=NotificationAudience.FAMILIES,
        notified_at=_at(10, 15, 30),
        method=NotificationMethod.LETTER,
        content="On the afternoon of the Year 5 trip e-mail, a spreadsheet with your child's "
        "name, reading level and whether they receive SEN support was attached to it by "
        "mistake and sent to 31 Year 5 parents.",
        likely_consequences="Other parents may know your child's reading level and that they "
        "receive SEN support. We do not think anything else can follow from it.",
        measures_taken="We asked every recipient to delete the e-mail and confirm; 29 of 31 "
        "have. We reported it to the Information Commissioner's Office, and class e-mails "
        "are now checked by a second person before they are sent.",
        what_they_can_do="Nothing is needed. If someone mentions it to you or your child, "
        "please tell us. Our Data Protection Officer will answer any question.",
    )


def _not_reported(ctx, dpo) -> None:
    """A class list left on the photocopier for a few minutes, found by staff."""
    discovered = _at(4, 8, 20)
    breach = services.report_breach(
        actor=ctx.users.get("office") or dpo,
        school=ctx.school,
        summary="A printed Reception class list (first names and the class's lunch choices) "
        "was left on the staff-room photocopier for about 20 minutes.",
        discovered_at=discovered,
        occurred_at=_at(4, 8, 0),
        noticed_by="School business manager",
        data_involved="First names and lunch choices of one class",
        categories=[DataCategory.IDENTITY],
        people_categories=[PeopleCategory.PUPILS],
        people_affected=26,
    )
    services.assess_breach(
        actor=dpo,
        breach=breach,
        became_aware_at=discovered,
        likelihood=Likelihood.REMOTE,
        severity=Severity.MINIMAL,
        likely_consequences="None expected: only staff use the staff room, and the list "
        "holds first names and lunch choices, no special category data.",
        containment="The list was collected and shredded; staff reminded to use secure print.",
        ico_decision=IcoDecision.NOT_REPORT,
        ico_reason="Unlikely to result in a risk to anyone's rights: seen, if at all, only by "
        "staff entitled to see it; no special category data; recovered within 20 minutes.",
        tell_people=TellPeopleDecision.NOT_TELL,
        tell_people_reason="No high risk to the children (Art 34(1)); recorded here only.",
    )


@transaction.atomic
def seed(ctx) -> None:
    dpo = ctx.users.get("dpo")
    if dpo is None or Breach.objects.filter(school=ctx.school).exists():
        return  # nobody to assess them, or already seeded
    _reported_with_letter(ctx, dpo)
    _not_reported(ctx, dpo)
