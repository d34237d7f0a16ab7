"""The school year in England. Pure Python: no Django here.

The one definition of the academic year and of the national curriculum year
a child of a given age is in; every app calls these (see docs/law.md,
"School years").
"""

from __future__ import annotations

import datetime

# The academic year is counted from 1 September to 31 August, as the DfE's
# census and data standards do (Education Act 1996 s 579(1) defines the
# school year by terms: it begins with the first term to begin after July).
FIRST_MONTH = 9

# Children start Reception in the September after they turn 4 (compulsory
# school age follows at 5: Education Act 1996 s 8).
_YEAR_BY_AGE = {4: "R", 5: "1", 6: "2", 7: "3", 8: "4", 9: "5", 10: "6"}


def academic_year_of(day: datetime.date) -> int:
    """The academic year a day belongs to, named by its start year
    (2025 for 2025/26)."""
    return day.year if day.month >= FIRST_MONTH else day.year - 1


def school_year_label(academic_year: int) -> str:
    """How a school year is written: 2026 -> "2026/27"."""
    return f"{academic_year}/{(academic_year + 1) % 100:02d}"


def age_on_31_august(date_of_birth: datetime.date, academic_year: int) -> int:
    """The child's age on the 31 August before the academic year starts,
    which decides the year group (a cohort is born 1 September to 31 August)."""
    birthday_after = (date_of_birth.month, date_of_birth.day) > (8, 31)
    return academic_year - date_of_birth.year - birthday_after


def nc_year_for(date_of_birth: datetime.date, academic_year: int) -> str | None:
    """The primary national curriculum year ("R", "1"..."6") of a child born
    on ``date_of_birth`` in ``academic_year``; None outside Reception-Year 6."""
    return _YEAR_BY_AGE.get(age_on_31_august(date_of_birth, academic_year))
