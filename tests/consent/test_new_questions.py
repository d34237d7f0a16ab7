"""A child who moves into a year group that uses a purpose, or a pupil new
on roll, is asked then: the daily step (consent.scheduled) e-mails the
family a link, once, about the questions it was never asked."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from consent import scheduled
from consent.models import AskedQuestion, ConsentMethod, ConsentRequest, ConsentRequestReason
from consent.services import record_consent, send_consent_requests
from pupils.models import EmailKind, EnrolmentStatus, Job, JobStatus, OutboxMessage
from pupils.scheduled import run_all
from tests.factories import (
    ContactFactory,
    InUseProviderFactory,
    PublishedNoticeFactory,
    PupilContactFactory,
    PupilFactory,
)

from .helpers import asked_in_email

pytestmark = pytest.mark.django_db


def _at(day: int, hour: int = 8) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(2026, 9, day, hour, 0))


@pytest.fixture
def moving_up(school, office_user, django_capture_on_commit_callbacks):
    """Homework accounts for Years 3 to 6, already asked about (a Year 4
    pupil's family had the first round); Amy in Year 2 and her family asked
    about the reading app, answered."""
    homework = InUseProviderFactory(
        school=school, service="Homework", year_groups=["3", "4", "5", "6"], name="Homework Ltd"
    )
    reading = InUseProviderFactory(school=school, service="Reading", name="Reading Ltd")
    PublishedNoticeFactory(school=school)
    parent = ContactFactory(school=school, forename="Ana", surname="Pop", email="ana@example.org")
    amy = PupilFactory(
        school=school,
        legal_forename="Amy",
        legal_surname="Pop",
        nc_year="2",
        enrolment_status=EnrolmentStatus.ON_ROLL,
    )
    PupilContactFactory(pupil=amy, contact=parent)
    other = PupilFactory(school=school, nc_year="4", enrolment_status=EnrolmentStatus.ON_ROLL)
    PupilContactFactory(pupil=other, contact=ContactFactory(school=school))
    with django_capture_on_commit_callbacks(execute=True):
        send_consent_requests(actor=office_user, pupils=[amy, other])
    record_consent(
        actor=office_user,
        pupil=amy,
        provider=reading,
        given=True,
        given_by_contact=parent,
        method=ConsentMethod.PAPER,
    )
    mail.outbox.clear()
    return amy, parent, homework, reading


def _run(now, capture):
    with capture(execute=True):
        return scheduled.ask_new_questions(now)


def test_a_pupil_moved_from_year_2_to_year_3_is_asked_about_the_service_once(
    moving_up, django_capture_on_commit_callbacks
):
    amy, parent, homework, _reading = moving_up
    _run(_at(1), django_capture_on_commit_callbacks)
    assert mail.outbox == []  # in Year 2 nothing is new

    amy.nc_year = "3"
    amy.save()
    _run(_at(2), django_capture_on_commit_callbacks)
    assert [m.to for m in mail.outbox] == [[parent.email]]
    assert asked_in_email(mail.outbox[0].body) == {"Amy Pop": ["Homework", "Reading"]}
    assert "a new question" in mail.outbox[0].body
    request = ConsentRequest.objects.get(contact=parent, reason=ConsentRequestReason.NEW_QUESTIONS)
    assert AskedQuestion.objects.filter(request=request, pupil=amy, provider=homework).exists()
    assert OutboxMessage.objects.filter(to=parent.email, kind=EmailKind.CONSENT_LINK).count() == 2
    assert Job.objects.get(kind=scheduled.NEW_QUESTIONS_JOB).status == JobStatus.DONE

    # Again the same day, and the next day: nothing more (asked once; a
    # family that does not answer gets reminders, not this).
    _run(_at(2, 15), django_capture_on_commit_callbacks)
    _run(_at(3), django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1


def test_the_step_runs_through_run_scheduled(moving_up, django_capture_on_commit_callbacks):
    amy, parent, _homework, _reading = moving_up
    amy.nc_year = "3"
    amy.save()
    with django_capture_on_commit_callbacks(execute=True):
        results = run_all(now=_at(2))
    assert results[scheduled.NEW_QUESTIONS_JOB] == "1 job(s) started to ask families new questions"
    with django_capture_on_commit_callbacks(execute=True):
        run_all(now=_at(2, 9))
    assert [m.to for m in mail.outbox] == [[parent.email]]


def test_the_step_waits_for_the_morning(moving_up, django_capture_on_commit_callbacks):
    amy, *_ = moving_up
    amy.nc_year = "3"
    amy.save()
    assert _run(_at(2, 3), django_capture_on_commit_callbacks) == "not yet today"
    assert mail.outbox == []


def test_a_family_already_asked_and_not_answering_is_not_asked_again(
    moving_up, django_capture_on_commit_callbacks
):
    # The Year 4 pupil's family was asked about homework and has not
    # answered: that is for reminders, not for the daily step.
    _run(_at(2), django_capture_on_commit_callbacks)
    assert mail.outbox == []
    assert not Job.objects.filter(kind=scheduled.NEW_QUESTIONS_JOB).exists()


def test_a_purpose_nobody_was_asked_about_waits_for_the_first_round(
    moving_up, school, django_capture_on_commit_callbacks
):
    InUseProviderFactory(school=school, service="Brand new", name="New Ltd")
    _run(_at(2), django_capture_on_commit_callbacks)
    assert mail.outbox == []


def test_a_pupil_new_on_roll_is_asked(moving_up, school, django_capture_on_commit_callbacks):
    parent = ContactFactory(school=school, email="new@example.org")
    newcomer = PupilFactory(school=school, legal_forename="Ben", legal_surname="New", nc_year="5")
    PupilContactFactory(pupil=newcomer, contact=parent)
    newcomer.enrolment_status = EnrolmentStatus.ON_ROLL
    newcomer.save()
    _run(_at(2), django_capture_on_commit_callbacks)
    assert [m.to for m in mail.outbox] == [["new@example.org"]]
    assert asked_in_email(mail.outbox[0].body) == {"Ben New": ["Homework", "Reading"]}


def test_the_pupil_page_says_the_family_will_be_asked(moving_up, office_client):
    amy, *_ = moving_up
    amy.nc_year = "3"
    amy.save()
    page = office_client.get(reverse("admin:pupils_pupil_change", args=[amy.pk]))
    html = page.content.decode()
    assert "Not asked yet" in html
    assert "The family will be e-mailed a link on the next daily run" in html


def test_one_job_a_day_per_school(moving_up, school, django_capture_on_commit_callbacks):
    amy, *_ = moving_up
    amy.nc_year = "3"
    amy.save()
    # A family with no e-mail address cannot be sent a link: no daily job
    # for it (the office sees the child on the "not answered" list).
    other = PupilFactory(school=school, nc_year="5")
    PupilContactFactory(pupil=other, contact=ContactFactory(school=school, email=""))
    assert _run(_at(2), django_capture_on_commit_callbacks).startswith("1 job(s)")
    ben = PupilFactory(school=school, nc_year="4")
    PupilContactFactory(pupil=ben, contact=ContactFactory(school=school))
    assert _run(_at(2, 16), django_capture_on_commit_callbacks).startswith("0 job(s)")
    assert _run(_at(3), django_capture_on_commit_callbacks).startswith("1 job(s)")
    assert _run(_at(4), django_capture_on_commit_callbacks).startswith("0 job(s)")
    assert len(mail.outbox) == 2


def test_links_sent_before_questions_were_recorded_count_as_asked(moving_up, school, office_user):
    """Migration 0007 fills in the questions of earlier links, so the first
    run after it does not e-mail families who were asked already."""
    import importlib

    from django.apps import apps

    from consent import links

    migration = importlib.import_module("consent.migrations.0007_questions_asked")
    amy, parent, homework, reading = moving_up
    pupil = PupilFactory(school=school, nc_year="4")
    contact = ContactFactory(school=school)
    PupilContactFactory(pupil=pupil, contact=contact)
    link = links.issue_link(contact=contact, actor=office_user, reason="staff", base_url=None)
    assert not AskedQuestion.objects.filter(request=link.consent_request).exists()
    migration.record_questions_of_earlier_links(apps, None)
    assert set(
        AskedQuestion.objects.filter(request=link.consent_request).values_list(
            "pupil_id", "provider_id"
        )
    ) == {(pupil.pk, homework.pk), (pupil.pk, reading.pk)}
    assert scheduled.pupils_never_asked(school) == []
