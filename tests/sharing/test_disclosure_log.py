"""The disclosure log: what it records, and that it is never rewritten."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.utils import DatabaseError

from pupils.models import AuditAction, AuditEvent
from sharing.disclosures.services import fingerprint, log_disclosure
from sharing.models import (
    AppendOnlyError,
    DataCategory,
    Dataset,
    Disclosure,
    LegalGateway,
    RecipientType,
    SendMethod,
)

from ..factories import PupilFactory, SchoolFactory


def social_care_request(school, actor, pupils, **overrides):
    values = {
        "actor": actor,
        "school": school,
        "recipient_type": RecipientType.ORGANISATION,
        "recipient_name": "Durham County Council Children's Services",
        "gateway": LegalGateway.SAFEGUARDING,
        "dataset": Dataset.AD_HOC,
        "pupils": pupils,
        "categories": [DataCategory.IDENTITY, DataCategory.ATTENDANCE],
        "method": SendMethod.SECURE_EMAIL,
        "requested_by": "A. Social Worker, First Contact team",
        "request_reason": "Section 47 enquiry",
        "approved_by": "Head teacher (designated safeguarding lead)",
    }
    return log_disclosure(**{**values, **overrides})


def test_an_ad_hoc_disclosure_records_who_asked_why_and_who_approved(school, dpo_user):
    pupil = PupilFactory(school=school)

    disclosure = social_care_request(school, dpo_user, [pupil], file_bytes=b"attendance.pdf")

    disclosure.refresh_from_db()
    assert disclosure.requested_by.startswith("A. Social Worker")
    assert disclosure.request_reason == "Section 47 enquiry"
    assert disclosure.approved_by.startswith("Head teacher")
    assert disclosure.sent_by == dpo_user
    assert disclosure.file_sha256 == fingerprint(b"attendance.pdf")
    assert len(disclosure.file_sha256) == 64
    event = AuditEvent.objects.get(action=AuditAction.DISCLOSE)
    assert (event.pupil_id, event.actor, event.school_id) == (pupil.pk, dpo_user, school.pk)
    assert event.fields == ["attendance", "identity"]


@pytest.mark.parametrize("missing", ["requested_by", "request_reason", "approved_by"])
def test_an_ad_hoc_disclosure_without_request_or_approval_is_refused(school, dpo_user, missing):
    pupil = PupilFactory(school=school)

    with pytest.raises(ValidationError) as refused:
        social_care_request(school, dpo_user, [pupil], **{missing: " "})

    assert missing in refused.value.message_dict
    assert not Disclosure.objects.exists()
    assert not AuditEvent.objects.exists()


def test_a_disclosure_on_consent_must_say_what_was_consented_to(school, dpo_user):
    pupil = PupilFactory(school=school)
    with pytest.raises(ValidationError) as refused:
        social_care_request(school, dpo_user, [pupil], gateway=LegalGateway.CONSENT)
    assert "basis_detail" in refused.value.message_dict


def test_another_schools_pupil_cannot_be_included(school, dpo_user):
    stranger = PupilFactory(school=SchoolFactory())
    with pytest.raises(ValidationError):
        social_care_request(school, dpo_user, [stranger])
    assert not Disclosure.objects.exists()


def test_the_sar_response_can_be_logged_with_the_same_service(school, dpo_user):
    pupil = PupilFactory(school=school)

    disclosure = log_disclosure(
        actor=dpo_user,
        school=school,
        recipient_type=RecipientType.REQUESTER,
        recipient_name="The pupil's mother",
        gateway=LegalGateway.SUBJECT_ACCESS,
        dataset=Dataset.SUBJECT_ACCESS,
        pupils=[pupil],
        categories=[DataCategory.IDENTITY, DataCategory.ASSESSMENT],
        method=SendMethod.SECURE_EMAIL,
        file_bytes=b"%PDF-1.7 response",
        file_name="response.pdf",
    )

    assert disclosure.get_recipient_type_display() == "The data subject or their parent"


def test_an_entry_is_never_edited_or_deleted(school, dpo_user):
    disclosure = social_care_request(school, dpo_user, [PupilFactory(school=school)])

    disclosure.recipient_name = "Someone else"
    with pytest.raises(AppendOnlyError):
        disclosure.save()
    with pytest.raises(AppendOnlyError):
        disclosure.delete()
    with pytest.raises(AppendOnlyError):
        Disclosure.objects.filter(pk=disclosure.pk).update(recipient_name="x")
    with pytest.raises(AppendOnlyError):
        Disclosure.objects.all().delete()
    assert Disclosure.objects.get().recipient_name.startswith("Durham")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="database trigger")
@pytest.mark.postgres_only
def test_postgresql_itself_refuses_to_change_the_log(school, dpo_user):
    disclosure = social_care_request(school, dpo_user, [PupilFactory(school=school)])
    for sql in (
        "UPDATE sharing_disclosure SET recipient_name = 'x' WHERE id = %s",
        "DELETE FROM sharing_disclosure WHERE id = %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [disclosure.pk])
    assert Disclosure.objects.filter(pk=disclosure.pk, recipient_name__startswith="Durham").exists()


def test_a_correction_is_a_new_entry_pointing_at_the_one_it_corrects(school, dpo_user):
    pupils = [PupilFactory(school=school), PupilFactory(school=school)]
    wrong = social_care_request(school, dpo_user, pupils[:1])

    correction = social_care_request(
        school, dpo_user, pupils, corrects=wrong, notes="Two pupils were included, not one."
    )

    assert Disclosure.objects.count() == 2
    assert correction.corrects == wrong
    wrong.refresh_from_db()
    assert wrong.correction == correction
    with pytest.raises(ValidationError) as twice:
        social_care_request(school, dpo_user, pupils, corrects=wrong, notes="Again.")
    assert "corrects" in twice.value.message_dict


def test_a_correction_must_say_what_it_puts_right(school, dpo_user):
    pupil = PupilFactory(school=school)
    wrong = social_care_request(school, dpo_user, [pupil])
    with pytest.raises(ValidationError) as refused:
        social_care_request(school, dpo_user, [pupil], corrects=wrong)
    assert "notes" in refused.value.message_dict


def test_the_log_reads_newest_first(school, dpo_user):
    pupil = PupilFactory(school=school)
    old = social_care_request(
        school,
        dpo_user,
        [pupil],
        disclosed_at=datetime.datetime(2025, 1, 6, 10, tzinfo=datetime.UTC),
    )
    new = social_care_request(school, dpo_user, [pupil])
    assert list(Disclosure.objects.for_pupil(pupil).newest_first()) == [new, old]
