"""The September roll-over: every pupil on roll moves up a year group, once a
school year (pupils.yeargroups.move_up_a_year, its staff page and command)."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from consent import scheduled
from consent.services import send_consent_requests
from pupils.models import AuditAction, AuditEvent, EnrolmentStatus, Pupil, StaffProfile
from pupils.roles import DPO
from pupils.schoolyear import academic_year_of
from pupils.yeargroups import TRAIL_SUMMARY, move_up_a_year
from tests.conftest import staff_client
from tests.consent.helpers import asked_in_email
from tests.factories import (
    ContactFactory,
    InUseProviderFactory,
    PublishedNoticeFactory,
    PupilContactFactory,
    PupilFactory,
    SchoolFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

URL = reverse("admin:pupils_pupil_move_up")
ALL_YEARS = ["N1", "N2", "R", "1", "2", "3", "4", "5", "6"]


def _this_year() -> int:
    return academic_year_of(timezone.localdate())


def _year(pupil: Pupil) -> str:
    return Pupil.objects.values_list("nc_year", flat=True).get(pk=pupil.pk)


@pytest.fixture
def one_per_year(school):
    return {year: PupilFactory(school=school, nc_year=year) for year in ALL_YEARS}


# --- The service ---------------------------------------------------------------


def test_every_year_group_moves_up_one_in_one_go(school, office_user, one_per_year):
    result = move_up_a_year(actor=office_user, school=school, academic_year=_this_year())

    after = {year: _year(pupil) for year, pupil in one_per_year.items()}
    assert after == {
        "N1": "N2",
        "N2": "R",
        "R": "1",
        "1": "2",
        "2": "3",
        "3": "4",
        "4": "5",
        "5": "6",  # not Year 7, not left where it was
        "6": "6",
    }
    assert result.moved == 8


def test_year_6_stays_on_roll_and_is_listed_not_made_a_leaver(school, office_user, one_per_year):
    year6 = one_per_year["6"]
    result = move_up_a_year(actor=office_user, school=school, academic_year=_this_year())

    assert [p.pk for p in result.staying] == [year6.pk]
    year6.refresh_from_db()
    assert (year6.nc_year, year6.enrolment_status, year6.leaving_date) == (
        "6",
        EnrolmentStatus.ON_ROLL,
        None,
    )


def test_leavers_applicants_and_other_schools_are_untouched(school, other_school, office_user):
    left = PupilFactory(
        school=school,
        nc_year="3",
        enrolment_status=EnrolmentStatus.LEFT,
        leaving_date=datetime.date(2025, 7, 20),
    )
    applicant = PupilFactory(school=school, nc_year="R", enrolment_status=EnrolmentStatus.APPLICANT)
    elsewhere = PupilFactory(school=other_school, nc_year="2")
    here = PupilFactory(school=school, nc_year="2")

    result = move_up_a_year(actor=office_user, school=school, academic_year=_this_year())

    assert result.moved == 1
    assert [_year(left), _year(applicant), _year(elsewhere), _year(here)] == ["3", "R", "2", "3"]


def test_a_second_run_the_same_year_is_refused_and_changes_nothing(school, office_user):
    pupil = PupilFactory(school=school, nc_year="2")
    move_up_a_year(actor=office_user, school=school, academic_year=_this_year())
    entries = AuditEvent.objects.count()

    with pytest.raises(ValidationError, match="already moved up a year"):
        move_up_a_year(actor=office_user, school=school, academic_year=_this_year())

    assert _year(pupil) == "3"
    assert AuditEvent.objects.count() == entries
    school.refresh_from_db()
    assert school.year_groups_moved_for == _this_year()


def test_another_school_year_than_the_current_one_is_refused(school, office_user):
    pupil = PupilFactory(school=school, nc_year="2")
    for year in (_this_year() - 1, _this_year() + 1):
        with pytest.raises(ValidationError, match="school year we are in"):
            move_up_a_year(actor=office_user, school=school, academic_year=year)
    assert _year(pupil) == "2"
    school.refresh_from_db()
    assert school.year_groups_moved_for is None


def test_the_trail_has_one_entry_per_pupil_moved_naming_only_the_field(
    school, office_user, one_per_year
):
    before = AuditEvent.objects.count()
    move_up_a_year(actor=office_user, school=school, academic_year=_this_year())

    entries = list(AuditEvent.objects.order_by("id")[before:])
    moved = {p.pk for y, p in one_per_year.items() if y != "6"}
    assert sorted(e.pupil_id for e in entries) == sorted(moved)
    for entry in entries:
        assert entry.action == AuditAction.UPDATE
        assert entry.fields == ["nc_year"]
        assert entry.summary == TRAIL_SUMMARY
        assert entry.actor_id == office_user.pk
        assert entry.school_id == school.pk


# --- The staff page ------------------------------------------------------------


def test_the_page_shows_the_counts_and_changes_nothing(school, office_client, one_per_year):
    PupilFactory(school=school, nc_year="5")  # two in Year 5 now, two in Year 6 after
    before = AuditEvent.objects.count()

    response = office_client.get(URL)

    assert response.status_code == 200
    counts = {row.nc_year: (row.now, row.after) for row in response.context["plan"].counts}
    assert counts["5"] == (2, 1)
    assert counts["6"] == (1, 3)
    assert counts["N1"] == (1, 0)
    html = response.content.decode()
    assert escape(one_per_year["6"].full_name) in html
    assert "Move 9 pupils up a year" in html
    assert {y: _year(p) for y, p in one_per_year.items()} == {y: y for y in ALL_YEARS}
    assert AuditEvent.objects.count() == before


def test_the_pupil_list_links_to_the_page(office_client):
    response = office_client.get(reverse("admin:pupils_pupil_changelist"))
    assert f'href="{URL}"' in response.content.decode()
    assert "Move everyone up a year" in response.content.decode()


def test_posting_as_office_staff_moves_up_and_says_so(school, office_client, one_per_year):
    response = office_client.post(
        URL, {"school": school.pk, "academic_year": _this_year()}, follow=True
    )

    assert response.redirect_chain == [(reverse("admin:pupils_pupil_changelist"), 302)]
    assert _year(one_per_year["5"]) == "6"
    shown = [str(m) for m in response.context["messages"]]
    assert shown == [
        "8 pupils moved up a year; 1 Year 6 pupil is still on roll: record their leaving."
    ]


def test_posting_twice_shows_the_refusal_and_changes_nothing(school, office_client):
    pupil = PupilFactory(school=school, nc_year="2")
    office_client.post(URL, {"school": school.pk, "academic_year": _this_year()})
    response = office_client.post(URL, {"school": school.pk, "academic_year": _this_year()})
    assert response.status_code == 200
    assert "already moved up a year" in response.content.decode()
    assert _year(pupil) == "3"


def test_a_user_without_change_pupil_gets_403(school):
    client = staff_client(UserFactory(username="reader", school=school))
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"school": school.pk, "academic_year": _this_year()}).status_code == 403


def test_another_schools_dpo_cannot_move_this_school(school, other_school_client):
    pupil = PupilFactory(school=school, nc_year="2")
    response = other_school_client.post(URL, {"school": school.pk, "academic_year": _this_year()})
    assert response.status_code == 404
    assert _year(pupil) == "2"


def test_a_trust_wide_user_picks_the_school(school, other_school):
    user = UserFactory(username="trust", role=DPO)
    StaffProfile.objects.create(user=user, school=None, trust_wide=True)
    PupilFactory(school=other_school, nc_year="4")
    client = staff_client(user)

    first = client.get(URL)
    assert first.status_code == 200 and "plan" not in first.context
    assert 'id="choose-school"' in first.content.decode()
    chosen = client.get(URL, {"school": other_school.pk})
    assert chosen.context["school"] == other_school
    assert {r.nc_year: r.now for r in chosen.context["plan"].counts}["4"] == 1


def _post_queries(n: int) -> int:
    """Queries for the POST at a new school with ``n`` pupils on roll (two in Year 6)."""
    school = SchoolFactory()
    PupilFactory.create_batch(n - 2, school=school, nc_year="3")
    PupilFactory.create_batch(2, school=school, nc_year="6")
    client = staff_client(UserFactory(role=DPO, school=school))
    with CaptureQueriesContext(connection) as ctx:
        response = client.post(URL, {"school": school.pk, "academic_year": _this_year()})
    assert response.status_code == 302
    assert Pupil.objects.filter(school=school, nc_year="4").count() == n - 2
    return len(ctx.captured_queries)


def test_the_post_takes_a_constant_number_of_queries(db):
    assert _post_queries(10) == _post_queries(200)


# --- The command ---------------------------------------------------------------


def test_the_command_moves_up_and_refuses_a_second_run(school, capsys):
    pupil = PupilFactory(school=school, nc_year="R")
    call_command("move_up_a_year", "--school", school.urn)
    assert _year(pupil) == "1"
    assert "1 pupils moved up a year; 0 Year 6 pupils" in capsys.readouterr().out
    entry = AuditEvent.objects.filter(pupil=pupil).latest("id")
    assert entry.actor_label == "manage.py move_up_a_year"
    with pytest.raises(CommandError, match="already moved up a year"):
        call_command("move_up_a_year", "--school", school.urn, "--academic-year", _this_year())
    assert _year(pupil) == "1"


# --- End to end: consent asks a child newly in a year group that uses a purpose ----


def test_a_year_2_pupil_moved_to_year_3_is_asked_about_a_year_3_to_6_service(
    school, office_user, django_capture_on_commit_callbacks
):
    homework = InUseProviderFactory(
        school=school, service="Homework", year_groups=["3", "4", "5", "6"], name="Homework Ltd"
    )
    PublishedNoticeFactory(school=school)
    parent = ContactFactory(school=school, forename="Ana", surname="Pop", email="ana@example.org")
    amy = PupilFactory(school=school, legal_forename="Amy", legal_surname="Pop", nc_year="2")
    PupilContactFactory(pupil=amy, contact=parent)
    older = PupilFactory(school=school, nc_year="4")
    PupilContactFactory(pupil=older, contact=ContactFactory(school=school))
    with django_capture_on_commit_callbacks(execute=True):
        send_consent_requests(actor=office_user, pupils=[older])
    now = timezone.localtime().replace(hour=8, minute=0)
    assert scheduled.pupils_never_asked(school) == []  # in Year 2 nothing applies
    mail.outbox.clear()

    move_up_a_year(actor=office_user, school=school, academic_year=_this_year())

    assert scheduled.pupils_never_asked(school) == [amy.pk]
    with django_capture_on_commit_callbacks(execute=True):
        scheduled.ask_new_questions(now)
    assert [m.to for m in mail.outbox] == [[parent.email]]
    assert asked_in_email(mail.outbox[0].body) == {"Amy Pop": [homework.service]}
