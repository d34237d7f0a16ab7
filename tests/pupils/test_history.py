"""Which records are history (pupils/history.py): plain rules, plain tests."""

import datetime
from decimal import Decimal

from pupils.history import exclusion_ended, exclusion_last_day, is_past_year

TODAY = datetime.date(2026, 3, 10)  # a Tuesday in 2025/26


def test_last_years_attendance_is_history_and_this_years_is_not():
    assert is_past_year(2024, TODAY)
    assert not is_past_year(2025, TODAY)
    assert not is_past_year(None, TODAY)


def test_a_new_school_year_turns_the_last_one_into_history_on_1_september():
    assert not is_past_year(2025, datetime.date(2026, 8, 31))
    assert is_past_year(2025, datetime.date(2026, 9, 1))


def test_a_suspension_of_four_sessions_from_a_thursday_ends_on_the_friday():
    assert exclusion_last_day(datetime.date(2026, 3, 5), Decimal("4")) == datetime.date(2026, 3, 6)


def test_a_suspension_over_a_weekend_counts_school_days_only():
    # Friday plus two school days: Friday, Monday, Tuesday.
    assert exclusion_last_day(datetime.date(2026, 3, 6), 6) == datetime.date(2026, 3, 10)
    assert not exclusion_ended(datetime.date(2026, 3, 6), 6, TODAY)
    assert exclusion_ended(datetime.date(2026, 3, 6), 4, TODAY)


def test_a_half_day_suspension_lasts_that_day():
    assert exclusion_last_day(datetime.date(2026, 3, 9), Decimal("1")) == datetime.date(2026, 3, 9)
    assert exclusion_ended(datetime.date(2026, 3, 9), 1, TODAY)


def test_a_permanent_exclusion_is_history_only_once_its_school_year_is_over():
    assert exclusion_last_day(datetime.date(2026, 1, 12), None) is None
    assert not exclusion_ended(datetime.date(2026, 1, 12), None, TODAY)
    assert exclusion_ended(datetime.date(2025, 1, 12), None, TODAY)
