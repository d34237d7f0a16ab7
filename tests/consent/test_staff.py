"""Staff record paper and telephone answers, send links and see who must not
be set up on each service; every page as the right role and as outsiders."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse

from consent.models import ConsentMethod, ConsentRecord, ConsentRequest, OfflineArrangement
from consent.services import record_consent
from pupils.models import AuditAction, AuditEvent
from tests.conftest import staff_client
from tests.factories import PupilContactFactory, PupilFactory, UserFactory

pytestmark = pytest.mark.django_db


def paper_answer(family, **overrides):
    data = {
        "pupil": family.children[0].pk,
        "provider": family.providers[0].pk,
        "given": "False",
        "given_by_contact": family.father.pk,
        "method": ConsentMethod.PAPER,
        "notice": family.notice.pk,
    }
    return {**data, **overrides}


def test_office_staff_record_a_paper_refusal_with_who_gave_and_who_recorded_it(
    family, office_client, office_user
):
    url = reverse("admin:consent_consentrecord_add")
    assert office_client.get(url).status_code == 200
    response = office_client.post(url, paper_answer(family))
    assert response.status_code == 302, response.content.decode()[:3000]
    record = ConsentRecord.objects.get()
    assert record.given is False
    assert record.method == ConsentMethod.PAPER
    assert record.given_by_contact == family.father
    assert record.recorded_by == office_user
    assert record.notice == family.notice
    event = AuditEvent.objects.get(action=AuditAction.CONSENT)
    assert event.actor == office_user and event.pupil == family.children[0]


def test_a_staff_answer_from_someone_without_parental_responsibility_is_refused(
    family, office_client
):
    grandma = PupilContactFactory(
        pupil=family.children[0], relationship="GRP", parental_responsibility=False
    ).contact
    response = office_client.post(
        reverse("admin:consent_consentrecord_add"),
        paper_answer(family, given_by_contact=grandma.pk),
    )
    assert response.status_code == 200
    assert "does not have parental responsibility" in response.content.decode()
    assert ConsentRecord.objects.count() == 0


def test_a_child_under_13_cannot_answer_for_themself(family, office_user):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="from the age of 13"):
        record_consent(
            actor=office_user,
            pupil=family.children[0],
            provider=family.providers[0],
            given=True,
            by_pupil=True,
            method=ConsentMethod.PHONE,
        )
    assert ConsentRecord.objects.count() == 0


def test_a_pupil_of_13_can_answer_for_themself(family, office_user):
    older = PupilFactory(school=family.school, date_of_birth=datetime.date(2010, 1, 1), nc_year="6")
    record, created = record_consent(
        actor=office_user,
        pupil=older,
        provider=family.providers[0],
        given=False,
        by_pupil=True,
        method=ConsentMethod.PHONE,
    )
    assert created and record.by_pupil and record.given_by_label == "the pupil"


def test_answers_cannot_be_changed_or_deleted_in_the_admin(family, office_client, office_user):
    record, _ = record_consent(
        actor=office_user,
        pupil=family.children[0],
        provider=family.providers[0],
        given=True,
        given_by_contact=family.mother,
        method=ConsentMethod.PHONE,
    )
    change = reverse("admin:consent_consentrecord_change", args=[record.pk])
    office_client.post(change, paper_answer(family))
    delete = reverse("admin:consent_consentrecord_delete", args=[record.pk])
    assert office_client.post(delete, {"post": "yes"}).status_code == 403
    assert ConsentRecord.objects.get().given is True


def test_office_staff_send_requests_to_a_selection_of_pupils(
    family, office_client, django_capture_on_commit_callbacks
):
    url = reverse("admin:consent_send")
    assert office_client.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = office_client.post(url, {"pupils": [family.children[0].pk], "confirmed": "yes"})
    assert response.status_code == 302
    assert ConsentRequest.objects.count() == 2


def test_the_dpo_sends_reminders_to_everyone_still_missing_answers(
    family, dpo_client, office_user, django_capture_on_commit_callbacks
):
    for provider in family.providers:
        for child in family.children:
            record_consent(
                actor=office_user,
                pupil=child,
                provider=provider,
                given=True,
                given_by_contact=family.mother,
                method=ConsentMethod.PAPER,
            )
    applicant = PupilFactory(school=family.school, enrolment_status="applicant")
    parent = PupilContactFactory(pupil=applicant).contact
    with django_capture_on_commit_callbacks(execute=True):
        response = dpo_client.post(
            reverse("admin:consent_send"),
            {"missing_only": "on", "reminder": "on", "confirmed": "yes"},
        )
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [[parent.email]]
    assert "reminder" in mail.outbox[0].body


def test_sending_with_nothing_chosen_explains_what_to_choose(family, office_client):
    response = office_client.post(reverse("admin:consent_send"), {})
    assert "Choose one or more pupils" in response.content.decode()
    assert ConsentRequest.objects.count() == 0


@pytest.fixture
def answered(family, office_user):
    """Amy: yes to both; Ben: no to Photo Journal, no answer to Maths Stars."""
    amy, ben = family.children
    maths, photos = family.providers
    for provider in (maths, photos):
        record_consent(
            actor=office_user,
            pupil=amy,
            provider=provider,
            given=True,
            given_by_contact=family.mother,
            method=ConsentMethod.PAPER,
        )
    record_consent(
        actor=office_user,
        pupil=ben,
        provider=photos,
        given=False,
        given_by_contact=family.mother,
        method=ConsentMethod.PHONE,
    )
    return family


def test_the_not_to_set_up_list_names_refusals_and_missing_answers(answered, office_client):
    maths, photos = answered.providers
    amy, ben = answered.children
    page = office_client.get(reverse("admin:consent_not_set_up", args=[photos.pk]))
    html = page.content.decode()
    assert ben.upn in html and "Refused" in html and amy.upn not in html
    html = office_client.get(reverse("admin:consent_not_set_up", args=[maths.pk])).content
    assert ben.upn in html.decode() and "No answer yet" in html.decode()


def test_the_csv_export_neutralises_formulas_and_is_audited(answered, office_client):
    ben = answered.children[1]
    ben.legal_surname = "=HYPERLINK(1)"
    ben.save()
    photos = answered.providers[1]
    response = office_client.get(
        reverse("admin:consent_not_set_up", args=[photos.pk]) + "?format=csv"
    )
    body = response.content.decode()
    assert response["Content-Type"].startswith("text/csv")
    assert "'=HYPERLINK(1)" in body and ",=HYPERLINK" not in body
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT).count() == 1


def test_the_offline_to_do_list_shows_who_arranged_it_and_when(
    answered, office_client, office_user
):
    photos = answered.providers[1]
    url = reverse("admin:consent_offline_todo", args=[photos.pk])
    assert "To do" in office_client.get(url).content.decode()
    response = office_client.post(
        reverse("admin:consent_offlinearrangement_add"),
        {"pupil": answered.children[1].pk, "provider": photos.pk, "notes": "Paper journal"},
    )
    assert response.status_code == 302
    arrangement = OfflineArrangement.objects.get()
    assert arrangement.arranged_by == office_user
    html = office_client.get(url).content.decode()
    assert "To do" not in html and "office" in html and "Paper journal" in html


def test_the_overview_counts_answers_per_year_group(answered, office_client):
    html = office_client.get(reverse("admin:consent_overview")).content.decode()
    assert "Year 3" in html and "Reception" in html
    assert "1 (100%)" in html  # Amy (Year 3) said yes to both
    assert answered.children[1].full_name in html  # Ben has not answered Maths Stars


@pytest.mark.parametrize("pupils", [3, 30])
def test_staff_pages_use_a_fixed_number_of_queries(
    answered, office_client, office_user, pupils, django_assert_max_num_queries
):
    for _ in range(pupils):
        child = PupilFactory(school=answered.school)
        record_consent(
            actor=office_user,
            pupil=child,
            provider=answered.providers[1],
            given=False,
            given_by_contact=PupilContactFactory(pupil=child).contact,
            method=ConsentMethod.PAPER,
        )
    photos = answered.providers[1]
    for url in (
        reverse("admin:consent_overview"),
        reverse("admin:consent_not_set_up", args=[photos.pk]),
        reverse("admin:consent_not_set_up", args=[photos.pk]) + "?format=csv",
        reverse("admin:consent_offline_todo", args=[photos.pk]),
        reverse("admin:consent_consentrecord_changelist"),
    ):
        with django_assert_max_num_queries(17):
            assert office_client.get(url).status_code == 200


STAFF_URLS = [
    ("admin:consent_overview", False),
    ("admin:consent_not_set_up", True),
    ("admin:consent_offline_todo", True),
    ("admin:consent_send", False),
]


@pytest.mark.parametrize(("name", "needs_provider"), STAFF_URLS)
def test_another_schools_staff_get_404_and_logged_out_users_are_sent_to_sign_in(
    family, other_school_client, client, name, needs_provider
):
    args = [family.providers[0].pk] if needs_provider else []
    url = reverse(name, args=args)
    response = client.get(url)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    if needs_provider:
        assert other_school_client.get(url).status_code == 404
        assert other_school_client.get(url + "?format=csv").status_code == 404


def test_staff_without_consent_permissions_are_refused(family):
    outsider = staff_client(UserFactory(username="caretaker", school=family.school))
    for name, needs_provider in STAFF_URLS:
        args = [family.providers[0].pk] if needs_provider else []
        assert outsider.get(reverse(name, args=args)).status_code in (403, 302)
    response = outsider.post(reverse("admin:consent_consentrecord_add"), paper_answer(family))
    assert response.status_code == 403
    assert ConsentRecord.objects.count() == 0


def test_another_schools_staff_cannot_record_an_answer_for_our_pupil(family, other_school_client):
    response = other_school_client.post(
        reverse("admin:consent_consentrecord_add"), paper_answer(family)
    )
    assert response.status_code == 200  # the pupil is not offered to them
    assert ConsentRecord.objects.count() == 0


def test_another_schools_staff_cannot_see_our_answers_or_send_to_our_families(
    family, office_user, other_school_client
):
    record, _ = record_consent(
        actor=office_user,
        pupil=family.children[0],
        provider=family.providers[0],
        given=True,
        given_by_contact=family.mother,
        method=ConsentMethod.PAPER,
    )
    change = reverse("admin:consent_consentrecord_change", args=[record.pk])
    assert other_school_client.get(change).status_code == 404
    changelist = other_school_client.get(reverse("admin:consent_consentrecord_changelist"))
    assert family.children[0].upn not in changelist.content.decode()
    response = other_school_client.post(
        reverse("admin:consent_send"), {"pupils": [family.children[0].pk]}
    )
    assert response.status_code == 200  # our pupil is not a valid choice for them
    assert ConsentRequest.objects.count() == 0 and mail.outbox == []


def test_the_pupil_search_on_the_answer_form_finds_only_our_own_pupils(
    family, office_client, other_school_client
):
    url = (
        "/admin/autocomplete/?app_label=consent&model_name=consentrecord&field_name=pupil&term=Khan"
    )
    ours = office_client.get(url).json()["results"]
    assert {r["id"] for r in ours} == {str(c.pk) for c in family.children}
    assert other_school_client.get(url).json()["results"] == []
