"""Which of a pupil's records are history: past terms' attendance, past
years' assessments, exclusions already ended. Pure Python: no Django here.

The pupil's page shows history read-only; someone allowed to change pupils
corrects it deliberately ("Correct past records"), so a slip on today's
record cannot rewrite last year's.
"""

from __future__ import annotations

import datetime
import math
from decimal import Decimal

from .schoolyear import academic_year_of

#: A school day has two registration sessions (morning and afternoon).
SESSIONS_PER_DAY = 2


def is_past_year(academic_year: int | None, today: datetime.date) -> bool:
    """A record of an academic year before the current one (2024 for
    2024/25). A record with no year yet is today's work, not history."""
    return academic_year is not None and academic_year < academic_year_of(today)


def exclusion_last_day(
    start: datetime.date, sessions: Decimal | float | None
) -> datetime.date | None:
    """The last school day (Monday to Friday) of a suspension lasting
    ``sessions`` sessions from ``start``; None for a permanent exclusion,
    which has no last day."""
    if sessions is None:
        return None
    days = max(1, math.ceil(Decimal(sessions) / SESSIONS_PER_DAY))
    day = start
    while day.weekday() >= 5:  # a suspension starting at a weekend starts on Monday
        day += datetime.timedelta(days=1)
    counted = 1
    while counted < days:
        day += datetime.timedelta(days=1)
        if day.weekday() < 5:
            counted += 1
    return day


def exclusion_ended(
    start: datetime.date | None, sessions: Decimal | float | None, today: datetime.date
) -> bool:
    """A suspension whose last day is before today; a permanent exclusion
    once it belongs to a past academic year (until then its record may still
    change, for instance after a governors' review)."""
    if start is None:
        return False
    last = exclusion_last_day(start, sessions)
    if last is None:
        return is_past_year(academic_year_of(start), today)
    return last < today
