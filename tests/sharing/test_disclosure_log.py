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


def _csv(response) -> list[list[str]]:
    import csv
    import io

    return list(csv.reader(io.StringIO(response.content.decode())))


def test_the_dpo_downloads_the_log_as_filtered_formula_safe_and_audited(
    school, dpo_user, dpo_client
):
    from django.urls import reverse

    pupils = [PupilFactory(school=school) for _ in range(3)]
    social_care_request(school, dpo_user, pupils[:2], recipient_name="=HYPERLINK(1)")
    social_care_request(
        school,
        dpo_user,
        pupils[2:],
        gateway=LegalGateway.CRIME,
        recipient_name="Durham Constabulary",
        recipient_type=RecipientType.ORGANISATION,
        request_reason="Missing child",
    )
    url = reverse("admin:sharing_disclosure_export")

    everything = dpo_client.get(url)
    assert everything.status_code == 200
    assert everything["Content-Type"].startswith("text/csv")
    assert "no-store" in everything["Cache-Control"]
    rows = _csv(everything)
    assert rows[0][:3] == ["Entry", "Sent on", "Dataset"]
    by_recipient = {row[5]: row for row in rows[1:]}
    assert set(by_recipient) == {"'=HYPERLINK(1)", "Durham Constabulary"}  # formula-safe
    assert by_recipient["'=HYPERLINK(1)"][8] == "2"  # pupils counted, never named
    assert not any(p.legal_surname in everything.content.decode() for p in pupils)

    # The list's own filter narrows the download the same way.
    only_crime = _csv(dpo_client.get(url + f"?gateway__exact={LegalGateway.CRIME}"))
    assert [row[5] for row in only_crime[1:]] == ["Durham Constabulary"]

    exported = AuditEvent.objects.filter(action=AuditAction.EXPORT).order_by("pk")
    assert [e.summary for e in exported][-2:] == [
        "Exported the disclosure log as CSV: 2 entries",
        "Exported the disclosure log as CSV: 1 entry (narrowed by legal gateway)",
    ]


def test_a_requester_who_is_a_person_is_counted_not_named_in_the_download(
    school, dpo_user, dpo_client
):
    from django.urls import reverse

    pupil = PupilFactory(school=school)
    social_care_request(
        school,
        dpo_user,
        [pupil],
        recipient_type=RecipientType.REQUESTER,
        recipient_name="Jane Parent",
        gateway=LegalGateway.SUBJECT_ACCESS,
        dataset=Dataset.SUBJECT_ACCESS,
        requested_by="Jane Parent",
    )
    body = dpo_client.get(reverse("admin:sharing_disclosure_export")).content.decode()
    assert "Jane Parent" not in body and "(a person: not named)" in body


def test_the_download_makes_the_same_queries_for_two_and_twenty_entries(
    school, dpo_user, dpo_client, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    url = reverse("admin:sharing_disclosure_export")
    counts = []
    for n in (2, 20):
        while Disclosure.objects.count() < n:
            social_care_request(school, dpo_user, [PupilFactory(school=school)])
        with CaptureQueriesContext(connection) as queries:
            assert dpo_client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_office_staff_may_not_download_the_log(office_client):
    from django.urls import reverse

    assert office_client.get(reverse("admin:sharing_disclosure_export")).status_code == 403


def test_the_log_counts_its_entries_in_plain_words(school, dpo_user, dpo_client):
    from django.urls import reverse

    url = reverse("admin:sharing_disclosure_changelist")
    social_care_request(school, dpo_user, [PupilFactory(school=school)])
    assert "1 entry" in dpo_client.get(url).content.decode()
    social_care_request(school, dpo_user, [PupilFactory(school=school)])
    html = dpo_client.get(url).content.decode()
    assert "2 entries" in html and "2 disclosure log" not in html


def test_the_trail_names_an_organisation_but_never_a_requester(school, dpo_user):
    # The trail outlives erasure: a person's name written there could never
    # be erased, so a requester is named by their role.
    pupil = PupilFactory(school=school)

    log_disclosure(
        actor=dpo_user,
        school=school,
        recipient_type=RecipientType.REQUESTER,
        recipient_name="Marta Kowalczyk",
        gateway=LegalGateway.SUBJECT_ACCESS,
        dataset=Dataset.SUBJECT_ACCESS,
        pupils=[pupil],
        categories=[DataCategory.IDENTITY],
        method=SendMethod.SECURE_EMAIL,
    )
    social_care_request(school, dpo_user, [pupil], recipient_name="Leeds City Council")

    summaries = list(
        AuditEvent.objects.filter(action=AuditAction.DISCLOSE).values_list("summary", flat=True)
    )
    assert len(summaries) == 2
    assert not any("Kowalczyk" in s for s in summaries)
    assert any("to The data subject or their parent" in s for s in summaries)
    assert any("to Leeds City Council" in s for s in summaries)
