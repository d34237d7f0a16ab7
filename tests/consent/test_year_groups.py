"""Each purpose asks only about the year groups that use it, and every list
follows the same rule (consent.queries.asked_about)."""

import datetime
from types import SimpleNamespace

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from consent import reports
from consent.forms import field_name
from consent.models import ConsentMethod
from consent.services import record_consent, send_consent_requests, submit_family_answers
from tests.factories import (
    ContactFactory,
    InUseProviderFactory,
    PublishedNoticeFactory,
    PupilContactFactory,
    PupilFactory,
)

from .helpers import asked_in_email, link_from_outbox, path_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_ages(school):
    """A parent of a Reception child and a Year 5 child; a learning journal
    for Reception to Year 2, homework accounts for Years 3 to 6, a reading
    app for everyone."""
    school.is_default = True
    school.save()
    parent = ContactFactory(school=school, forename="Ola", surname="Nowak")
    rosa = PupilFactory(
        school=school,
        legal_forename="Rosa",
        legal_surname="Nowak",
        nc_year="R",
        date_of_birth=datetime.date(2021, 1, 5),
    )
    yann = PupilFactory(
        school=school,
        legal_forename="Yann",
        legal_surname="Nowak",
        nc_year="5",
        date_of_birth=datetime.date(2016, 1, 5),
    )
    for child in (rosa, yann):
        PupilContactFactory(pupil=child, contact=parent)
    journal = InUseProviderFactory(
        school=school, service="Journal", year_groups=["R", "1", "2"], name="Journal Ltd"
    )
    homework = InUseProviderFactory(
        school=school, service="Homework", year_groups=["3", "4", "5", "6"], name="Homework Ltd"
    )
    reading = InUseProviderFactory(school=school, service="Reading", name="Reading Ltd")
    PublishedNoticeFactory(school=school)
    return SimpleNamespace(
        school=school,
        parent=parent,
        rosa=rosa,
        yann=yann,
        journal=journal,
        homework=homework,
        reading=reading,
    )


def _open_form(f, office_user, client, capture):
    with capture(execute=True):
        send_consent_requests(actor=office_user, pupils=[f.rosa, f.yann])
    client.get(path_of(link_from_outbox()))
    return client.get("/consent/form/")


def test_a_family_with_a_reception_and_a_year_5_child_is_asked_only_what_applies(
    two_ages, office_user, client, django_capture_on_commit_callbacks
):
    f = two_ages
    form = _open_form(f, office_user, client, django_capture_on_commit_callbacks).context["form"]
    assert set(form.fields) == {
        field_name(f.rosa.pk, f.journal.pk),
        field_name(f.rosa.pk, f.reading.pk),
        field_name(f.yann.pk, f.homework.pk),
        field_name(f.yann.pk, f.reading.pk),
    }
    # The e-mail says, child by child, what each is asked about: never
    # Rosa and the homework accounts, never Yann and the journal.
    assert asked_in_email(mail.outbox[-1].body) == {
        "Rosa Nowak": ["Journal", "Reading"],
        "Yann Nowak": ["Homework", "Reading"],
    }


def test_answering_what_applies_completes_the_form_and_the_lists_follow(
    two_ages, office_user, client, django_capture_on_commit_callbacks
):
    f = two_ages
    _open_form(f, office_user, client, django_capture_on_commit_callbacks)
    posted = {
        field_name(f.rosa.pk, f.journal.pk): "no",
        field_name(f.rosa.pk, f.reading.pk): "yes",
        field_name(f.yann.pk, f.homework.pk): "yes",
        field_name(f.yann.pk, f.reading.pk): "yes",
    }
    assert client.post("/consent/form/", posted).status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/consent/check/").status_code == 302

    # Nobody is missing an answer: Yann was never asked about the journal.
    assert list(reports.pupils_missing_answers(f.school, [f.journal, f.homework, f.reading])) == []
    assert list(reports.pupils_missing_at([f.school])) == []
    # Do not set up: Rosa on the journal (she said no); Yann on nothing.
    assert list(reports.not_to_set_up(f.journal)) == [f.rosa]
    assert list(reports.not_to_set_up(f.homework)) == []
    # The offline to-do list names Rosa only, for the journal only.
    assert list(reports.offline_to_do(f.journal)) == [f.rosa]
    assert list(reports.offline_to_do(f.homework)) == []
    # The overview shows the journal for Reception only, all answered.
    table = {row["provider"].pk: row["years"] for row in reports.overview(f.school)["table"]}
    assert [y["year"] for y in table[f.journal.pk]] == ["Reception"]
    assert table[f.journal.pk][0]["no_pct"] == 100
    assert [y["year"] for y in table[f.homework.pk]] == ["Year 5"]
    assert table[f.homework.pk][0]["yes_pct"] == 100


def test_unanswered_lists_name_only_pupils_the_service_applies_to(two_ages, office_client):
    f = two_ages
    assert list(reports.not_to_set_up(f.journal)) == [f.rosa]
    assert list(reports.not_to_set_up(f.homework)) == [f.yann]
    html = office_client.get(reverse("admin:consent_not_set_up", args=[f.journal.pk])).content
    assert f.rosa.upn in html.decode() and f.yann.upn not in html.decode()


def test_a_child_moving_into_a_year_group_that_uses_a_service_is_asked_then(two_ages, office_user):
    f = two_ages
    for child, provider in ((f.rosa, f.journal), (f.rosa, f.reading), (f.yann, f.homework)):
        record_consent(
            actor=office_user,
            pupil=child,
            provider=provider,
            given=True,
            given_by_contact=f.parent,
            method=ConsentMethod.PAPER,
        )
    record_consent(
        actor=office_user,
        pupil=f.yann,
        provider=f.reading,
        given=True,
        given_by_contact=f.parent,
        method=ConsentMethod.PAPER,
    )
    assert list(reports.pupils_missing_at([f.school])) == []
    f.rosa.nc_year = "3"
    f.rosa.save()
    assert list(reports.pupils_missing_at([f.school])) == [f.rosa]
    assert list(reports.not_to_set_up(f.homework)) == [f.rosa]
    assert f.rosa not in reports.not_to_set_up(f.journal)


def test_an_answer_for_a_year_group_the_service_does_not_use_is_refused(two_ages, office_user):
    f = two_ages
    with pytest.raises(ValidationError, match="not used in"):
        record_consent(
            actor=office_user,
            pupil=f.yann,
            provider=f.journal,
            given=True,
            given_by_contact=f.parent,
            method=ConsentMethod.PAPER,
        )


def test_a_posted_answer_for_a_question_not_asked_is_refused(
    two_ages, office_user, django_capture_on_commit_callbacks
):
    f = two_ages
    with django_capture_on_commit_callbacks(execute=True):
        (request,) = send_consent_requests(actor=office_user, pupils=[f.yann])
    with pytest.raises(ValidationError, match="form has changed"):
        submit_family_answers(consent_request=request, answers={(f.yann.pk, f.journal.pk): True})


def test_a_family_asked_about_nothing_gets_no_email(
    two_ages, office_user, django_capture_on_commit_callbacks
):
    f = two_ages
    f.reading.year_groups = ["1"]
    f.reading.save()
    f.homework.year_groups = ["6"]
    f.homework.save()
    f.journal.year_groups = ["2"]
    f.journal.save()
    with django_capture_on_commit_callbacks(execute=True):
        sent = send_consent_requests(actor=office_user, pupils=[f.yann])
    assert sent == [] and mail.outbox == []
