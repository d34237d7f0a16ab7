"""The legal deadline of a subject access request, on many dates."""

import datetime

import pytest

from sharing import deadlines
from sharing.deadlines import (
    local_date,
    paused_days,
    sar_due_date,
    sar_due_date_with_pauses,
    school_days_due_date,
)

D = datetime.date
UTC = datetime.UTC


@pytest.mark.parametrize(
    ("received", "due"),
    [
        # docs/law.md, "Subject access": received 3 September, due 3 October (a Friday in 2025).
        (D(2025, 9, 3), D(2025, 10, 3)),
        # 31 January: the last day of February (a Friday in 2025)...
        (D(2025, 1, 31), D(2025, 2, 28)),
        # ...then the next working day when that is a weekend (Sat 28 Feb 2026).
        (D(2026, 1, 31), D(2026, 3, 2)),
        # Leap years: 29 February.
        (D(2028, 1, 31), D(2028, 2, 29)),
        (D(2024, 1, 30), D(2024, 2, 29)),
        (D(2024, 1, 29), D(2024, 2, 29)),
        # Other month ends: 31 March -> 30 April; 31 August -> 30 September.
        (D(2027, 3, 31), D(2027, 4, 30)),
        (D(2026, 8, 31), D(2026, 9, 30)),
        # A Thursday in 2026 whose month-on date is a Saturday: Monday.
        (D(2026, 9, 3), D(2026, 10, 5)),
        # Christmas 2026: Fri 25 (Christmas), Sat, Sun, Mon 28 (Boxing Day
        # substitute): Tuesday 29 December.
        (D(2026, 11, 25), D(2026, 12, 29)),
        # A request can arrive on a Saturday: the day still counts as day 1.
        (D(2026, 11, 28), D(2026, 12, 29)),
        # Easter 2026: Good Friday 3 April, Easter Monday 6 April.
        (D(2026, 3, 3), D(2026, 4, 7)),
        # Early May bank holiday 2026 (Monday 4 May).
        (D(2026, 4, 4), D(2026, 5, 5)),
        # New Year's Day 2027 is a Friday.
        (D(2026, 12, 1), D(2027, 1, 4)),
        # Summer bank holiday 2025 (Monday 25 August).
        (D(2025, 7, 25), D(2025, 8, 26)),
        # Year end: 15 December -> 15 January.
        (D(2025, 12, 15), D(2026, 1, 15)),
    ],
)
def test_due_one_calendar_month_after_receipt_on_the_next_working_day(received, due):
    assert sar_due_date(received) == due


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (D(2025, 9, 3), D(2025, 12, 3)),
        # 30 November + 3 months: the last day of February (a Saturday in
        # 2026), then Monday.
        (D(2025, 11, 30), D(2026, 3, 2)),
        (D(2027, 11, 30), D(2028, 2, 29)),
        # 25 September 2026 + 3 months: Christmas Day, then Tuesday 29th.
        (D(2026, 9, 25), D(2026, 12, 29)),
    ],
)
def test_an_extension_adds_two_further_months(received, due):
    assert sar_due_date(received, extended=True) == due


def test_every_due_date_of_a_year_is_a_working_day_within_a_month_and_four_days():
    day = D(2026, 1, 1)
    while day.year == 2026:
        due = sar_due_date(day)
        assert deadlines.is_working_day(due)
        assert 28 <= (due - day).days <= 31 + 4
        day += datetime.timedelta(days=1)


def test_a_pause_for_identity_from_the_day_of_receipt_moves_the_deadline_on():
    # Asked for proof of identity on 3 September, received it on 10 September.
    pauses = [(D(2025, 9, 3), D(2025, 9, 10))]
    assert sar_due_date_with_pauses(D(2025, 9, 3), pauses) == D(2025, 10, 10)


def test_several_pauses_add_up_and_overlaps_count_once():
    pauses = [
        (D(2025, 9, 5), D(2025, 9, 8)),  # 3 days
        (D(2025, 9, 7), D(2025, 9, 10)),  # overlaps: 2 more days
        (D(2025, 9, 20), D(2025, 9, 21)),  # 1 day
    ]
    assert paused_days(pauses) == 6
    # 3 October + 6 days = Thursday 9 October.
    assert sar_due_date_with_pauses(D(2025, 9, 3), pauses) == D(2025, 10, 9)


def test_a_pause_that_lands_the_deadline_on_a_weekend_moves_it_to_monday():
    pauses = [(D(2025, 9, 10), D(2025, 9, 11))]  # 3 Oct (Fri) + 1 = Saturday
    assert sar_due_date_with_pauses(D(2025, 9, 3), pauses) == D(2025, 10, 6)


def test_pauses_and_an_extension_combine():
    pauses = [(D(2025, 9, 3), D(2025, 9, 10))]
    assert sar_due_date_with_pauses(D(2025, 9, 3), pauses, extended=True) == D(2025, 12, 10)


def test_no_pause_gives_the_plain_deadline():
    assert sar_due_date_with_pauses(D(2026, 1, 31), []) == sar_due_date(D(2026, 1, 31))


def test_while_the_clock_is_paused_there_is_no_due_date():
    assert sar_due_date_with_pauses(D(2025, 9, 3), [(D(2025, 9, 4), None)]) is None


def test_a_pause_ending_before_it_starts_is_refused():
    with pytest.raises(ValueError, match="cannot end before"):
        paused_days([(D(2025, 9, 10), D(2025, 9, 4))])


def test_a_request_at_2330_utc_on_a_summer_evening_was_received_the_next_day():
    arrived = datetime.datetime(2026, 7, 14, 23, 30, tzinfo=UTC)  # 00:30 BST on the 15th
    assert local_date(arrived) == D(2026, 7, 15)
    assert sar_due_date(local_date(arrived)) == D(2026, 8, 17)  # Sat 15 Aug -> Monday


def test_a_request_at_2330_utc_in_winter_was_received_the_same_day():
    assert local_date(datetime.datetime(2026, 1, 14, 23, 30, tzinfo=UTC)) == D(2026, 1, 14)


def test_a_naive_time_of_receipt_is_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        local_date(datetime.datetime(2026, 1, 14, 23, 30))


# Autumn 2026: first half to Friday 23 October, half term 26-30 October,
# second half from Monday 2 November, which is an INSET day.
AUTUMN_2026 = [(D(2026, 9, 3), D(2026, 10, 23)), (D(2026, 11, 2), D(2026, 12, 18))]
INSET = [D(2026, 11, 2)]


def test_fifteen_school_days_skip_half_term_and_inset_days():
    # After Friday 16 October: 19-23 October (5 days); half term; INSET on
    # 2 November; 3-6 November (9); 9-13 November (14); Monday 16 (15).
    assert school_days_due_date(D(2026, 10, 16), AUTUMN_2026, INSET) == D(2026, 11, 16)


def test_without_the_inset_day_the_school_days_deadline_is_a_day_earlier():
    assert school_days_due_date(D(2026, 10, 16), AUTUMN_2026, []) == D(2026, 11, 13)


def test_a_request_received_in_the_holidays_counts_from_the_first_day_of_term():
    # Received in half term: the 15th school day from 2 November.
    assert school_days_due_date(D(2026, 10, 28), AUTUMN_2026, []) == D(2026, 11, 20)


def test_bank_holidays_in_term_are_not_school_days():
    summer = [(D(2026, 4, 13), D(2026, 7, 22))]
    # After Thursday 30 April: 1 May (1), Monday 4 May is a bank holiday,
    # 5-8 May (5), 11-15 (10), 18-22 (15).
    assert school_days_due_date(D(2026, 4, 30), summer, []) == D(2026, 5, 22)


def test_term_dates_that_end_too_soon_give_a_clear_error():
    with pytest.raises(ValueError, match="term dates end on 18 December 2026"):
        school_days_due_date(D(2026, 12, 10), AUTUMN_2026, [])


def test_a_school_without_term_dates_gives_a_clear_error():
    with pytest.raises(ValueError, match="no term dates"):
        school_days_due_date(D(2026, 12, 10), [], [])


# --- The 72 hours of a breach report (docs/law.md, "Breaches") ------------------

LONDON = deadlines.SCHOOL_TIMEZONE


def london(*args):
    return datetime.datetime(*args, tzinfo=LONDON)


@pytest.mark.parametrize(
    ("aware", "due"),
    [
        # Autumn clock change (Sun 25 Oct 2026, 02:00 BST -> 01:00 GMT): the
        # hour gained is one of the 72, so the wall clock shows 08:00 on Tuesday.
        (london(2026, 10, 24, 9, 0), london(2026, 10, 27, 8, 0)),
        # Spring clock change (Sun 29 Mar 2026, 01:00 GMT -> 02:00 BST): the
        # hour lost is one of the 72, so the wall clock shows 10:00 on Monday.
        (london(2026, 3, 27, 9, 0), london(2026, 3, 30, 10, 0)),
        # A weekend does not pause the clock: Friday 16:30 -> Monday 16:30.
        (london(2026, 6, 5, 16, 30), london(2026, 6, 8, 16, 30)),
        # Nor does Christmas: Thu 24 Dec 2026 11:15 -> Sun 27 Dec 11:15.
        (london(2026, 12, 24, 11, 15), london(2026, 12, 27, 11, 15)),
        # Nor a bank holiday: the Friday before the August bank holiday 2026.
        (london(2026, 8, 28, 23, 59), london(2026, 8, 31, 23, 59)),
    ],
)
def test_a_breach_report_is_due_72_elapsed_hours_after_the_school_became_aware(aware, due):
    got = deadlines.breach_report_due(aware)

    # Compared in UTC: Python compares two datetimes of the same zone by their
    # wall clocks, which is exactly the mistake this rule must not make.
    assert got.astimezone(UTC) == due.astimezone(UTC)
    assert (got.hour, got.minute, got.utcoffset()) == (due.hour, due.minute, due.utcoffset())
    assert got.astimezone(UTC) - aware.astimezone(UTC) == datetime.timedelta(hours=72)


def test_the_autumn_example_of_the_law_page_reads_08_00_gmt():
    got = deadlines.breach_report_due(london(2026, 10, 24, 9, 0))

    assert got.strftime("%a %d %b %Y %H:%M %Z") == "Tue 27 Oct 2026 08:00 GMT"


def test_a_breach_deadline_is_given_in_london_time_whatever_zone_comes_in():
    aware = datetime.datetime(2026, 10, 24, 8, 0, tzinfo=UTC)  # 09:00 BST

    got = deadlines.breach_report_due(aware)

    assert got.tzinfo == LONDON
    assert got.strftime("%Y-%m-%d %H:%M %Z") == "2026-10-27 08:00 GMT"


def test_a_breach_deadline_refuses_a_naive_datetime():
    with pytest.raises(ValueError, match="timezone-aware"):
        deadlines.breach_report_due(datetime.datetime(2026, 10, 24, 9, 0))
