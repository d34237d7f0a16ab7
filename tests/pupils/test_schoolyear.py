import datetime

from pupils.schoolyear import academic_year_of, nc_year_for


def test_september_starts_a_new_academic_year():
    assert academic_year_of(datetime.date(2026, 8, 31)) == 2025
    assert academic_year_of(datetime.date(2026, 9, 1)) == 2026


def test_a_child_who_turned_four_by_september_starts_reception():
    assert nc_year_for(datetime.date(2022, 8, 31), 2026) == "R"
    assert nc_year_for(datetime.date(2021, 9, 1), 2026) == "R"
    assert nc_year_for(datetime.date(2022, 9, 1), 2026) is None  # starts next year
    assert nc_year_for(datetime.date(2016, 1, 15), 2026) == "6"
    assert nc_year_for(datetime.date(2015, 1, 15), 2026) is None  # at secondary school
