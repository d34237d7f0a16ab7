"""When a provider's review is due: one rule, read by the providers list's
column (in Python, row by row) and by its filter and the querysets (in SQL).

Both come from ``window``, so they cannot drift apart; the edges (today is
"due", not "overdue"; the last day of the window is "due") are tested in
tests/providers/test_review.py.
"""

from __future__ import annotations

import datetime
from enum import StrEnum

from django.db.models import Q

#: A review within this many days from today is "due soon".
DUE_SOON_DAYS = 30

FIELD = "next_review_on"


class ReviewState(StrEnum):
    NONE = "none"  # never assessed (no published review)
    OVERDUE = "overdue"
    DUE = "due"
    OK = "ok"


DATED_STATES = (ReviewState.OVERDUE, ReviewState.DUE, ReviewState.OK)


def window(
    state: ReviewState, today: datetime.date, days: int = DUE_SOON_DAYS
) -> tuple[datetime.date | None, datetime.date | None]:
    """The first and last next-review dates (inclusive; None: open) in ``state``."""
    one_day = datetime.timedelta(days=1)
    last_due = today + datetime.timedelta(days=days)
    return {
        ReviewState.OVERDUE: (None, today - one_day),
        ReviewState.DUE: (today, last_due),
        ReviewState.OK: (last_due + one_day, None),
    }[state]


def review_state(
    next_review_on: datetime.date | None, today: datetime.date, days: int = DUE_SOON_DAYS
) -> ReviewState:
    if next_review_on is None:
        return ReviewState.NONE
    for state in DATED_STATES:
        first, last = window(state, today, days)
        if (first is None or next_review_on >= first) and (last is None or next_review_on <= last):
            return state
    raise AssertionError("the windows cover every date")  # pragma: no cover


def review_state_q(state: ReviewState, today: datetime.date, days: int = DUE_SOON_DAYS) -> Q:
    """The same rule as a filter on ``next_review_on`` (see
    ``ProviderQuerySet.with_last_assessment``)."""
    if state == ReviewState.NONE:
        return Q(**{f"{FIELD}__isnull": True})
    first, last = window(state, today, days)
    q = Q(**{f"{FIELD}__isnull": False})
    if first is not None:
        q &= Q(**{f"{FIELD}__gte": first})
    if last is not None:
        q &= Q(**{f"{FIELD}__lte": last})
    return q
