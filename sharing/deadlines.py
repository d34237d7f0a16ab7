"""Legal deadlines, starting with when a subject access request must be
answered: pure date arithmetic, shared by every sub-domain of sharing (the
clocks of other rights and of breach reports belong here too).

No Django here, so the rules can be read and tested on their own. Each rule
names its source; the law changes, and this is the one place to change it.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from functools import cache
from zoneinfo import ZoneInfo

import holidays
from dateutil.relativedelta import relativedelta

# The school's local time: a request that arrives at 23:30 UTC on a summer
# evening was received the next day in England (BST is UTC+1).
SCHOOL_TIMEZONE = ZoneInfo("Europe/London")

# ICO, "Right of access: how long do we have to comply?" (UK GDPR Art 12(3)):
# one calendar month, extendable by two further months for complex or
# numerous requests.
MONTHS_TO_ANSWER = 1
FURTHER_MONTHS_IF_EXTENDED = 2

# Education (Pupil Information) (England) Regulations 2005, reg 5(2): a
# maintained school makes the educational record available within 15 school
# days of a parent's written request.
EDUCATIONAL_RECORD_SCHOOL_DAYS = 15

# UK GDPR Art 33(1): a personal data breach is reported to the ICO "without
# undue delay and, where feasible, not later than 72 hours after having
# become aware of it". Elapsed hours: nothing pauses them.
BREACH_REPORT_HOURS = 72

Pause = tuple[datetime.date, datetime.date | None]
TermDates = tuple[datetime.date, datetime.date]


def local_date(received_at: datetime.datetime) -> datetime.date:
    """The school's date of an aware moment (the day of receipt counts as day 1)."""
    if received_at.tzinfo is None:
        raise ValueError("received_at must be timezone-aware")
    return received_at.astimezone(SCHOOL_TIMEZONE).date()


def breach_report_due(became_aware: datetime.datetime) -> datetime.datetime:
    """When a breach must be reported to the ICO at the latest: 72 elapsed
    hours after the school became aware of it (UK GDPR Art 33(1)).

    Weekends, bank holidays and school holidays do not pause the clock, and a
    clock change does not move the instant: the hours are counted in UTC,
    then the moment is given in the school's local time (aware 09:00 BST on
    Saturday 24 October 2026 is due 08:00 GMT on Tuesday 27 October).
    """
    if became_aware.tzinfo is None or became_aware.utcoffset() is None:
        raise ValueError("became_aware must be timezone-aware")
    # Arithmetic on a datetime in a ZoneInfo zone is wall-clock arithmetic
    # (it would keep 09:00 across the clock change): count in UTC.
    elapsed = datetime.timedelta(hours=BREACH_REPORT_HOURS)
    due = became_aware.astimezone(datetime.UTC) + elapsed
    return due.astimezone(SCHOOL_TIMEZONE)


@cache
def _bank_holidays(year: int) -> holidays.HolidayBase:
    # Bank holidays of England and Wales (the holidays package's GB "ENG"
    # subdivision follows the gov.uk list, including one-off holidays).
    return holidays.country_holidays("GB", subdiv="ENG", years=year)


def is_bank_holiday(day: datetime.date) -> bool:
    return day in _bank_holidays(day.year)


def is_working_day(day: datetime.date) -> bool:
    return day.weekday() < 5 and not is_bank_holiday(day)


def next_working_day(day: datetime.date) -> datetime.date:
    """The day itself if it is a working day, otherwise the next one.

    ICO guidance: a deadline that falls on a weekend or bank holiday moves to
    the next working day.
    """
    while not is_working_day(day):
        day += datetime.timedelta(days=1)
    return day


def _calendar_due(received_on: datetime.date, *, extended: bool) -> datetime.date:
    # ICO: the day of receipt is day 1 and the reply is due on the
    # corresponding date of the next month; when that month is shorter, its
    # last day (relativedelta clamps 31 January + 1 month to 28/29 February).
    months = MONTHS_TO_ANSWER + (FURTHER_MONTHS_IF_EXTENDED if extended else 0)
    return received_on + relativedelta(months=months)


def sar_due_date(received_on: datetime.date, *, extended: bool = False) -> datetime.date:
    """The legal deadline of a subject access request with no pause."""
    return next_working_day(_calendar_due(received_on, extended=extended))


def paused_days(pauses: Iterable[Pause]) -> int:
    """Days the clock stood still: a pause from the day the school asked (for
    identity, a clarification or a fee) to the day the answer arrived, when
    the clock restarts. Overlapping pauses count once."""
    total, covered_until = 0, None
    for start, end in sorted(pauses):
        if end is None:
            raise ValueError("an open pause has no end yet")
        if end < start:
            raise ValueError("a pause cannot end before it starts")
        if covered_until is not None and start < covered_until:
            start = covered_until
        if end > start:
            total += (end - start).days
        covered_until = max(covered_until or end, end)
    return total


def sar_due_date_with_pauses(
    received_on: datetime.date, pauses: Iterable[Pause], *, extended: bool = False
) -> datetime.date | None:
    """The deadline once the clock's pauses are counted, or None while it is
    paused (no one can say when the answer will arrive).

    Data (Use and Access) Act 2025 ("stop the clock", now in UK GDPR): the
    period does not run while the controller waits for information it
    reasonably needs to identify the requester or to clarify the request, or
    for a fee. Each paused day moves the deadline on by a day; the weekend and
    bank-holiday rule applies to the result.
    """
    pauses = list(pauses)
    if any(end is None for _, end in pauses):
        return None
    due = _calendar_due(received_on, extended=extended)
    return next_working_day(due + datetime.timedelta(days=paused_days(pauses)))


def is_school_day(
    day: datetime.date, term_dates: Iterable[TermDates], closures: frozenset[datetime.date]
) -> bool:
    """A day the school is open: a weekday inside a term that is neither an
    INSET or other closure day nor a bank holiday."""
    if day.weekday() >= 5 or is_bank_holiday(day) or day in closures:
        return False
    return any(start <= day <= end for start, end in term_dates)


def school_days_due_date(
    received_on: datetime.date,
    term_dates: Iterable[TermDates],
    closures: Iterable[datetime.date],
    n: int = EDUCATIONAL_RECORD_SCHOOL_DAYS,
) -> datetime.date:
    """The n-th school day after the day of receipt (reg 5(2) of the 2005
    regulations: "within 15 school days"; "school day" as in the Education
    Act 1996 s 579: a day on which the school meets).

    Raises ValueError when the term dates end before n school days are found:
    the school must enter its next terms first.
    """
    terms = sorted(term_dates)
    closed = frozenset(closures)
    if not terms:
        raise ValueError("the school has no term dates")
    last_term_day = max(end for _, end in terms)
    day, counted = received_on, 0
    while counted < n:
        day += datetime.timedelta(days=1)
        if day > last_term_day:
            raise ValueError(
                f"the term dates end on {last_term_day:%d %B %Y}, "
                f"before {n} school days have passed"
            )
        if is_school_day(day, terms, closed):
            counted += 1
    return day


# Shown as "due soon" from five working days before the deadline (the
# school's choice; the law sets only the deadline).
DUE_SOON_WORKING_DAYS = 5


def due_soon_limit(today: datetime.date) -> datetime.date:
    """The last day that counts as "due within 5 working days"."""
    day, counted = today, 0
    while counted < DUE_SOON_WORKING_DAYS:
        day = next_working_day(day + datetime.timedelta(days=1))
        counted += 1
    return day
