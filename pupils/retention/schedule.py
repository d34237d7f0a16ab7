"""A school's retention schedule: its own periods where the DPO changed
them, the defaults of ``rules.DEFAULTS`` elsewhere."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ..models import RecordKind, RetentionPeriod, School
from .rules import DEFAULTS, Anchor, Kind, Period, Unit


@dataclass(frozen=True)
class Entry:
    kind: Kind
    anchor: Anchor
    period: Period
    reason: str
    source: str
    is_default: bool
    row_id: int | None = None

    @property
    def label(self) -> str:
        return str(RecordKind(self.kind).label)

    @property
    def period_text(self) -> str:
        return describe(self.anchor, self.period)


@dataclass(frozen=True)
class Schedule:
    entries: tuple[Entry, ...]

    def __iter__(self):
        return iter(self.entries)

    def entry(self, kind: Kind) -> Entry:
        return next(e for e in self.entries if e.kind == kind)

    def periods(self) -> dict[Kind, Period]:
        return {e.kind: e.period for e in self.entries}


def _entry(default, row: RetentionPeriod | None) -> Entry:
    if row is None:
        return Entry(
            default.kind, default.anchor, default.period, default.reason, default.source, True
        )
    return Entry(
        default.kind,
        default.anchor,
        Period(row.amount, Unit(row.unit)),
        row.reason,
        row.source,
        False,
        row.pk,
    )


def schedule_for(school: School) -> Schedule:
    return schedules_for([school])[school.pk]


def schedules_for(schools: Iterable[School]) -> dict[int, Schedule]:
    """Each school's schedule, in one query."""
    ids = [s.pk for s in schools]
    rows: dict[tuple[int, str], RetentionPeriod] = {
        (r.school_id, r.kind): r for r in RetentionPeriod.objects.filter(school_id__in=ids)
    }
    return {
        school_id: Schedule(tuple(_entry(d, rows.get((school_id, d.kind))) for d in DEFAULTS))
        for school_id in ids
    }


def _amount(period: Period) -> str:
    n = period.amount or 0
    if period.unit == Unit.DAYS:
        return ngettext("%(n)d day", "%(n)d days", n) % {"n": n}
    if period.unit == Unit.MONTHS:
        return ngettext("%(n)d month", "%(n)d months", n) % {"n": n}
    return ngettext("%(n)d year", "%(n)d years", n) % {"n": n}


def describe(anchor: Anchor, period: Period) -> str:
    """The period in words, e.g. "25 years after the date of birth"."""
    if period.amount is None or anchor == Anchor.NONE:
        return _("kept for as long as the system is")
    if anchor == Anchor.BIRTH:
        if period.unit == Unit.YEARS:
            return _("until the pupil's %(nth)s birthday (%(n)d years after the date of birth)") % {
                "nth": ordinal(period.amount),
                "n": period.amount,
            }
        return _("until %(period)s after the date of birth") % {"period": _amount(period)}
    if anchor == Anchor.LEAVING:
        if period.amount == 0:
            return _("until the pupil leaves")
        return _("%(period)s after the pupil leaves") % {"period": _amount(period)}
    if anchor == Anchor.CLOSED:
        return _("%(period)s after the outcome is told") % {"period": _amount(period)}
    if anchor == Anchor.PRODUCED:
        return _("%(period)s after it is produced") % {"period": _amount(period)}
    return _("%(period)s after the upload") % {"period": _amount(period)}


def ordinal(n: int) -> str:
    """25 -> "25th", 31 -> "31st" (English)."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def notice_lines(school: School) -> list[str]:
    """The privacy notice's "How long we keep it" list, from the schedule."""
    return [f"{entry.label}: {entry.period_text}." for entry in schedule_for(school)]
