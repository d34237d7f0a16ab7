"""Census days and census returns."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from pupils.models import AuditAction, AuditEvent, EnrolmentStatus
from sharing.disclosures.census import default_census_date
from sharing.disclosures.services import census_date_for, record_census_return
from sharing.models import CensusDate, Dataset, LegalGateway, RecipientType

from ..factories import PupilFactory, SchoolFactory


@pytest.mark.parametrize(
    ("year", "term", "expected"),
    [
        (2025, "AUT", datetime.date(2025, 10, 2)),  # the DfE's autumn 2025 census day
        (2025, "SPR", datetime.date(2026, 1, 15)),  # the DfE's spring 2026 census day
        (2025, "SUM", datetime.date(2026, 5, 21)),
        (2026, "AUT", datetime.date(2026, 10, 1)),
        (2026, "SPR", datetime.date(2027, 1, 21)),
        (2026, "SUM", datetime.date(2027, 5, 20)),
    ],
)
def test_the_usual_census_days_are_the_dfe_thursdays(year, term, expected):
    day = default_census_date(year, term)
    assert day == expected
    assert day.weekday() == 3


def test_an_unknown_term_is_refused():
    with pytest.raises(ValueError):
        default_census_date(2025, "WIN")


def test_a_school_can_move_its_census_day(school):
    assert census_date_for(school=school, academic_year=2025, term="SPR") == datetime.date(
        2026, 1, 15
    )
    CensusDate.objects.create(
        school=school, academic_year=2025, term="SPR", date=datetime.date(2026, 1, 22)
    )
    assert census_date_for(school=school, academic_year=2025, term="SPR") == datetime.date(
        2026, 1, 22
    )


def test_a_census_return_includes_exactly_the_pupils_on_roll_on_census_day(school, dpo_user):
    census_day = datetime.date(2025, 10, 2)
    on_roll = [
        PupilFactory(school=school, admission_date=datetime.date(2021, 9, 1)),
        PupilFactory(school=school, admission_date=census_day),  # joined that morning
        PupilFactory(  # left later, so on roll on census day
            school=school,
            enrolment_status=EnrolmentStatus.LEFT,
            leaving_date=datetime.date(2025, 12, 19),
        ),
        PupilFactory(school=school, leaving_date=census_day),  # leaves that day
    ]
    PupilFactory(school=school, admission_date=datetime.date(2025, 10, 3))  # joined after
    PupilFactory(
        school=school,
        enrolment_status=EnrolmentStatus.LEFT,
        leaving_date=datetime.date(2025, 7, 22),
    )
    PupilFactory(school=school, enrolment_status=EnrolmentStatus.APPLICANT, admission_date=None)
    PupilFactory(school=SchoolFactory())  # another school's pupil

    disclosure = record_census_return(actor=dpo_user, school=school, term="AUT", academic_year=2025)

    assert disclosure.census_date == census_day
    assert set(disclosure.pupils.all()) == set(on_roll)
    assert disclosure.dataset == Dataset.CENSUS
    assert disclosure.gateway == LegalGateway.CENSUS
    assert disclosure.recipient_type == RecipientType.DFE
    assert "s537A" in disclosure.get_gateway_display()
    events = AuditEvent.objects.filter(action=AuditAction.DISCLOSE)
    assert sorted(events.values_list("pupil_id", flat=True)) == sorted(p.pk for p in on_roll)


def test_a_census_return_uses_the_schools_own_census_day(school, dpo_user):
    CensusDate.objects.create(
        school=school, academic_year=2025, term="SPR", date=datetime.date(2026, 1, 22)
    )
    late_joiner = PupilFactory(school=school, admission_date=datetime.date(2026, 1, 19))

    disclosure = record_census_return(actor=dpo_user, school=school, term="SPR", academic_year=2025)

    assert disclosure.census_date == datetime.date(2026, 1, 22)
    assert late_joiner in disclosure.pupils.all()


def test_a_census_return_with_nobody_on_roll_is_refused(school, dpo_user):
    with pytest.raises(ValidationError):
        record_census_return(
            actor=dpo_user, school=school, term="AUT", census_date=datetime.date(2025, 10, 2)
        )
    assert not AuditEvent.objects.exists()
