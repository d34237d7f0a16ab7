"""Census days. Pure Python: no Django here.

Source: the DfE's school census guide for each year. The census day is
usually the first Thursday of October (autumn), the third Thursday of January
(spring) and the third Thursday of May (summer); autumn 2025 was 2 October
and spring 2026 was 15 January. The DfE can move a day, so schools may
override it (``CensusDate``). See docs/law.md, "School census".
"""

from __future__ import annotations

import datetime

THURSDAY = 3
# term code -> (month, which Thursday, whether it falls in the second calendar year)
_RULES = {"AUT": (10, 1, False), "SPR": (1, 3, True), "SUM": (5, 3, True)}


def nth_weekday(year: int, month: int, weekday: int, n: int) -> datetime.date:
    first = datetime.date(year, month, 1)
    offset = (weekday - first.weekday()) % 7
    return first + datetime.timedelta(days=offset + 7 * (n - 1))


def default_census_date(academic_year: int, term: str) -> datetime.date:
    """The DfE's usual census day for a term ("AUT", "SPR", "SUM") of the
    academic year starting in ``academic_year``."""
    try:
        month, n, next_year = _RULES[term]
    except KeyError:
        raise ValueError(f"Unknown census term {term!r}.") from None
    return nth_weekday(academic_year + (1 if next_year else 0), month, THURSDAY, n)
