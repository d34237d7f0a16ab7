"""How sharing writes dates for people to read, and small date arithmetic
that is not about deadlines (those are in ``sharing.deadlines``)."""

from __future__ import annotations

import datetime


def long_date(day: datetime.date | None) -> str:
    """Dates read "3 September 2026" (blank for no date)."""
    return f"{day.day} {day:%B %Y}" if day else ""


def add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year + years, day=28)
