"""The retention periods as date arithmetic (pupils/retention/rules.py): no database."""

import datetime

import pytest

from pupils.retention.rules import (
    DEFAULTS,
    Kind,
    Period,
    PupilFacts,
    Unit,
    add_months,
    due_dates,
)

D = datetime.date
PERIODS = {d.kind: d.period for d in DEFAULTS}


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (D(2026, 1, 31), 1, D(2026, 2, 28)),
        (D(2024, 2, 29), 12, D(2025, 2, 28)),
        (D(2024, 2, 29), 48, D(2028, 2, 29)),
        (D(2026, 3, 31), -1, D(2026, 2, 28)),
        (D(2026, 12, 15), 1, D(2027, 1, 15)),
    ],
)
def test_months_are_added_to_the_same_day_or_the_months_last(day, months, expected):
    assert add_months(day, months) == expected


def test_a_period_of_days_counts_days_and_a_blank_one_never_ends():
    assert Period(30, Unit.DAYS).after(D(2026, 11, 30)) == D(2026, 12, 30)
    assert Period(30, Unit.DAYS).before(D(2026, 11, 30)) == D(2026, 10, 31)
    assert Period(None, Unit.YEARS).after(D(2026, 11, 30)) is None


def test_nothing_is_due_for_a_pupil_who_has_not_left():
    facts = PupilFacts(D(2017, 5, 14), None, passed_on=False)
    assert due_dates(facts, PERIODS) == {}


def test_the_last_school_keeps_the_record_to_the_25th_birthday_and_sen_to_dob_plus_31():
    facts = PupilFacts(D(1995, 3, 10), D(2006, 7, 20), passed_on=False)
    dates = due_dates(facts, PERIODS)
    assert dates[Kind.EDUCATIONAL_RECORD] == D(2020, 3, 10)
    assert dates[Kind.SEN] == D(2026, 3, 10)
    assert dates[Kind.REGISTERS] == D(2012, 7, 20)
    assert dates[Kind.CONSENT] == D(2007, 7, 20)


def test_a_record_passed_on_to_the_next_school_is_due_when_the_pupil_leaves():
    facts = PupilFacts(D(2015, 1, 5), D(2026, 7, 22), passed_on=True)
    dates = due_dates(facts, PERIODS)
    assert dates[Kind.EDUCATIONAL_RECORD] == D(2026, 7, 22)
    assert dates[Kind.SEN] == D(2026, 7, 22)
    assert dates[Kind.REGISTERS] == D(2032, 7, 22)


def test_a_born_on_29_february_pupils_25th_birthday_falls_on_28_february():
    facts = PupilFacts(D(2016, 2, 29), D(2023, 7, 20), passed_on=False)
    assert due_dates(facts, PERIODS)[Kind.EDUCATIONAL_RECORD] == D(2041, 2, 28)


def test_every_default_gives_its_reason_and_source():
    assert all(d.reason and d.source for d in DEFAULTS)
    assert {d.kind for d in DEFAULTS} == set(Kind)
