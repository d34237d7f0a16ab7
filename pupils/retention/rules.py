"""Retention periods as plain date arithmetic: no Django, no database.

The defaults are those of docs/law.md, "Retention" (the IRMS Information
Management Toolkit for Schools, a guide rather than a statute; the registers'
period is in the School Attendance (Pupil Registration) (England)
Regulations 2024). Each school may change the amounts (``pupils.retention
.schedule``); the anchors (what a period counts from) are fixed here.
"""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    """The kinds of record the schedule covers."""

    EDUCATIONAL_RECORD = "educational_record"
    PASSED_ON_RECORD = "passed_on_record"
    SEN = "sen"
    CHILD_PROTECTION = "child_protection"
    REGISTERS = "registers"
    CONSENT = "consent"
    CTF_UPLOADS = "ctf_uploads"
    GENERATED_PDFS = "generated_pdfs"
    COMPLAINTS = "complaints"
    AUDIT_TRAIL = "audit_trail"


class Unit(StrEnum):
    DAYS = "days"
    MONTHS = "months"
    YEARS = "years"


class Anchor(StrEnum):
    """What a period counts from."""

    BIRTH = "birth"  # the date of birth
    LEAVING = "leaving"  # the leaving date (the register's last entry)
    UPLOAD = "upload"  # the day a file was uploaded
    PRODUCED = "produced"  # the day a file was produced
    CLOSED = "closed"  # the day the outcome of a complaint was told
    NONE = "none"  # kept for as long as the system is (never erased by schedule)


@dataclass(frozen=True)
class Period:
    amount: int | None  # None: not erased by the schedule
    unit: Unit

    def after(self, day: datetime.date) -> datetime.date | None:
        """The day the period ends, counted from ``day`` (None: it never ends)."""
        if self.amount is None:
            return None
        if self.unit == Unit.DAYS:
            return day + datetime.timedelta(days=self.amount)
        months = self.amount * (12 if self.unit == Unit.YEARS else 1)
        return add_months(day, months)

    def before(self, day: datetime.date) -> datetime.date | None:
        """The day this period before ``day`` (None: it never ends)."""
        if self.amount is None:
            return None
        if self.unit == Unit.DAYS:
            return day - datetime.timedelta(days=self.amount)
        months = self.amount * (12 if self.unit == Unit.YEARS else 1)
        return add_months(day, -months)


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` later; the month's last day where it has no
    such day (29 February + 1 year is 28 February)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return datetime.date(year, month + 1, min(day.day, last))


@dataclass(frozen=True)
class Default:
    kind: Kind
    anchor: Anchor
    period: Period
    reason: str
    source: str


# The defaults, in the order the notice and the staff page show them.
# Sources: docs/law.md, "Retention".
DEFAULTS: tuple[Default, ...] = (
    Default(
        Kind.EDUCATIONAL_RECORD,
        Anchor.BIRTH,
        Period(25, Unit.YEARS),
        "The last school a pupil attends keeps the educational record until the "
        "pupil's 25th birthday, in case of a claim about their education.",
        "IRMS Information Management Toolkit for Schools",
    ),
    Default(
        Kind.PASSED_ON_RECORD,
        Anchor.LEAVING,
        Period(0, Unit.DAYS),
        "The educational record passes to the next school with the Common Transfer File; "
        "a school that passed it on keeps no copy.",
        "Education (Pupil Information) (England) Regulations 2005, reg 9; IRMS Toolkit",
    ),
    Default(
        Kind.SEN,
        Anchor.BIRTH,
        Period(31, Unit.YEARS),
        "Special educational needs files are kept until 31 years after the date of birth "
        "(a claim may be brought until the pupil is 25, plus 6 years).",
        "IRMS Information Management Toolkit for Schools",
    ),
    Default(
        Kind.CHILD_PROTECTION,
        Anchor.BIRTH,
        Period(50, Unit.YEARS),
        "Child-protection information is kept until 50 years after the date of birth "
        "(the IICSA hold). This application holds none; a safeguarding concern is a "
        "legal hold here.",
        "IRMS Information Management Toolkit for Schools; IICSA",
    ),
    Default(
        Kind.REGISTERS,
        Anchor.LEAVING,
        Period(6, Unit.YEARS),
        "The admission and attendance registers are kept 6 years from the date of the "
        "entry; the last entry is the leaving date.",
        "School Attendance (Pupil Registration) (England) Regulations 2024",
    ),
    Default(
        Kind.CONSENT,
        Anchor.LEAVING,
        Period(1, Unit.YEARS),
        "Consent answers are kept while the consent is current (until the pupil leaves) "
        "and for a period of the school's choosing after, as evidence of consent.",
        "UK GDPR Art 7(1); school's choice",
    ),
    Default(
        Kind.CTF_UPLOADS,
        Anchor.UPLOAD,
        Period(30, Unit.DAYS),
        "An uploaded Common Transfer File, its preview and its import report are needed "
        "only until the import is checked.",
        "UK GDPR Art 5(1)(e); school's choice",
    ),
    Default(
        Kind.GENERATED_PDFS,
        Anchor.PRODUCED,
        Period(7, Unit.DAYS),
        "A response PDF (or draft) produced for an access request is kept only for staff "
        "to download and send it; it can be produced again from the record.",
        "UK GDPR Art 5(1)(c) and (e); school's choice",
    ),
    Default(
        Kind.COMPLAINTS,
        Anchor.CLOSED,
        Period(6, Unit.YEARS),
        "A complaint about how the school handles personal data is kept 6 years after its "
        "outcome was told (a claim may follow within 6 years); then the complainant's "
        "details and the complaint's words are erased, its dates and status kept for the "
        "counts.",
        "IRMS Information Management Toolkit for Schools; Limitation Act 1980 s2",
    ),
    Default(
        Kind.AUDIT_TRAIL,
        Anchor.NONE,
        Period(None, Unit.YEARS),
        "The audit trail of who changed, viewed, disclosed or erased data is kept: it "
        "names records and fields, never their content.",
        "UK GDPR Art 5(2) (accountability)",
    ),
)

DEFAULTS_BY_KIND = {d.kind: d for d in DEFAULTS}

#: Kinds that count from something about one pupil.
PUPIL_KINDS = (Kind.EDUCATIONAL_RECORD, Kind.PASSED_ON_RECORD, Kind.SEN, Kind.REGISTERS)


@dataclass(frozen=True)
class PupilFacts:
    """What the rules need to know about one pupil."""

    date_of_birth: datetime.date
    leaving_date: datetime.date | None  # None: on roll or never admitted
    passed_on: bool  # a next school is recorded: the record went with the CTF


@dataclass(frozen=True)
class Due:
    kind: Kind
    since: datetime.date  # the day the period ended


def due_dates(facts: PupilFacts, periods: dict[Kind, Period]) -> dict[Kind, datetime.date]:
    """When each kind of this pupil's records is due for erasure.

    Nothing is due for a pupil who has not left. The educational record and
    the SEN file go with the pupil to the next school when one is recorded
    (``PASSED_ON_RECORD``); otherwise this school is the last one and keeps
    them from the date of birth. Consent counts from the leaving date, when
    the consent stops being current.
    """
    left = facts.leaving_date
    if left is None:
        return {}
    dates: dict[Kind, datetime.date | None] = {
        Kind.REGISTERS: periods[Kind.REGISTERS].after(left),
        Kind.CONSENT: periods[Kind.CONSENT].after(left),
    }
    if facts.passed_on:
        passed = periods[Kind.PASSED_ON_RECORD].after(left)
        dates[Kind.EDUCATIONAL_RECORD] = passed
        dates[Kind.SEN] = passed
    else:
        dates[Kind.EDUCATIONAL_RECORD] = periods[Kind.EDUCATIONAL_RECORD].after(facts.date_of_birth)
        dates[Kind.SEN] = periods[Kind.SEN].after(facts.date_of_birth)
    return {kind: day for kind, day in dates.items() if day is not None}


def rule_for(kind: Kind, facts: PupilFacts) -> Kind:
    """The schedule row that decided ``kind``'s date for this pupil."""
    if kind in (Kind.EDUCATIONAL_RECORD, Kind.SEN) and facts.passed_on:
        return Kind.PASSED_ON_RECORD
    return kind
