"""Erasure under the retention schedule: the dry run, --apply, holds, the
trail, and what a database dump keeps afterwards (docs/retention.md)."""

from __future__ import annotations

import datetime
import hashlib
import io

import pytest
from django.core.management import call_command
from django.db import IntegrityError
from django.utils import timezone

from consent.models import ConsentMethod, ConsentRecord
from consent.services import record_consent
from pupils import audit, outbox
from pupils import models as pm
from pupils.audit import verify_chain
from pupils.retention.due import due_for_erasure
from pupils.retention.rules import Kind
from pupils.retention.services import erase_due, place_hold, release_hold
from sharing.access.response import record_response_sent
from sharing.access.services import mark_answered, open_access_request, record_identity_check
from sharing.disclosures.services import log_disclosure
from sharing.models import (
    AccessRequest,
    AccessResponse,
    Breach,
    BreachNotification,
    Complaint,
    CtfImportBatch,
    Disclosure,
    ResponseFile,
    RightsRequest,
    SystemSearch,
)
from sharing.retention import ERASED

from ..dbdump import dump_database
from ..factories import (
    AssessmentFactory,
    AttendanceFactory,
    ContactFactory,
    InUseProviderFactory,
    MedicalConditionFactory,
    PupilContactFactory,
    PupilFactory,
    SpecialCategoryFactory,
    UserFactory,
)

AS_OF = datetime.date(2026, 11, 30)


def gone_pupil(school, *, surname: str, forename: str, upn_serial: int) -> pm.Pupil:
    """A pupil who left in 2006, born 1995, with contacts, records and medical data."""
    pupil = PupilFactory(
        school=school,
        upn=_upn(upn_serial),
        legal_surname=surname,
        legal_forename=forename,
        date_of_birth=datetime.date(1995, 3, 10),
        nc_year=pm.NCYear.Y6,
        admission_date=datetime.date(1999, 9, 1),
        leaving_date=datetime.date(2006, 7, 20),
        enrolment_status=pm.EnrolmentStatus.LEFT,
        address_line1=f"1 {surname} Lane",
    )
    contact = ContactFactory(
        school=school,
        forename=f"{forename}mother",
        surname=surname,
        email=f"{surname.lower()}@family.example",
        phone_mobile=f"07700 9{upn_serial:05d}",
    )
    PupilContactFactory(pupil=pupil, contact=contact)
    MedicalConditionFactory(pupil=pupil, condition=f"Epilepsy-{surname}")
    SpecialCategoryFactory(pupil=pupil)
    pm.SenNeed.objects.create(pupil=pupil, need_type="SPLD", notes="Dyslexia screening")
    AssessmentFactory(pupil=pupil, academic_year=2005)
    AttendanceFactory(pupil=pupil, academic_year=2005)
    return pupil


def _upn(serial: int) -> str:
    from pupils import upn

    return upn.make("840", "2001", 95, serial)


def run(*args) -> str:
    out = io.StringIO()
    call_command("retention", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def staff(school):
    """A member of staff without a role: transactional tests flush the
    database, roles (groups made by migrations) included."""
    return UserFactory(username="retention-staff", school=school)


@pytest.fixture
def gone(school):
    return gone_pupil(school, surname="Quillfeather", forename="Ottoline", upn_serial=1)


def test_the_dry_run_lists_a_long_gone_pupil_and_changes_nothing(gone, dpo_user):
    on_roll = PupilFactory(school=gone.school)
    trail_before = pm.AuditEvent.objects.count()

    out = run("--as-of", AS_OF.isoformat())

    assert gone.upn in out
    assert "Ottoline Quillfeather" in out
    assert "Educational record (last school)" in out
    assert (
        "until the pupil's 25th birthday (25 years after the date of birth) (born 10 March 1995)"
        in out
    )
    assert "due since 10 March 2020" in out  # the 25th birthday
    assert "erased completely" in out
    assert on_roll.upn not in out
    assert pm.Pupil.objects.filter(pk=gone.pk).exists()
    assert pm.MedicalCondition.objects.filter(pupil=gone).exists()
    assert pm.AuditEvent.objects.count() == trail_before


def test_a_date_that_is_not_a_date_is_refused_plainly(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        run("--as-of", "30/11/2026")


def test_a_pupil_who_left_recently_with_a_next_school_loses_the_record_but_not_the_register(
    school,
):
    pupil = gone_pupil(school, surname="Nextschool", forename="Ann", upn_serial=2)
    pupil.leaving_date = datetime.date(2026, 7, 22)
    pupil.date_of_birth = datetime.date(2015, 1, 5)
    pupil.save()
    pm.Destination.objects.create(pupil=pupil, school_name="Crook Secondary")

    erase_due(actor="retention schedule", as_of=AS_OF)

    pupil.refresh_from_db()  # still here: the admission register keeps it 6 years
    assert not pm.MedicalCondition.objects.filter(pupil=pupil).exists()
    assert not pm.SenNeed.objects.filter(pupil=pupil).exists()
    assert not pm.AssessmentResult.objects.filter(pupil=pupil).exists()
    assert pm.SpecialCategoryRecord.objects.get(pupil=pupil).sen_provision == "N"
    entry = pm.AuditEvent.objects.filter(action="erase", pupil_id=pupil.pk).first()
    assert "rule: Educational record passed on to the next school, until the pupil leaves" in (
        entry.summary
    )
    assert pm.AttendanceSummary.objects.filter(pupil=pupil).exists()
    # Run again: nothing more is due for this pupil until the registers' 6 years end.
    assert [d for d in due_for_erasure(as_of=AS_OF) if d.pupil_id == pupil.pk] == []


def _full_history(pupil, dpo_user):
    """Consent answers, a disclosure and an answered access request."""
    contact = pupil.contacts.get()
    provider = InUseProviderFactory(school=pupil.school)
    record_consent(
        actor=dpo_user,
        pupil=pupil,
        provider=provider,
        given=True,
        given_by_contact=contact,
        method=ConsentMethod.PAPER,
    )
    disclosure = log_disclosure(
        actor=dpo_user,
        school=pupil.school,
        recipient_type="la",
        recipient_name="Durham County Council",
        gateway="census",
        dataset="census",
        pupils=[pupil, PupilFactory(school=pupil.school)],
        categories=["identity"],
        method="collect",
        census_term="SUM",
        census_date=datetime.date(2006, 5, 18),
    )
    request = open_access_request(
        actor=dpo_user,
        school=pupil.school,
        pupils=[pupil],
        # Not the pupil's name: log_disclosure writes the recipient's name into
        # the hash-chained trail, which erasure cannot reach (see docs/retention.md).
        requester_name="Rowena Solicitor",
        requester_relationship="representative",
        channel="email",
        received_at=datetime.datetime(2026, 9, 3, 9, 0, tzinfo=datetime.UTC),
        requester_address=f"{pupil.legal_surname.lower()}@adult.example",
        details=f"Everything about {pupil.legal_surname}",
    )
    record_identity_check(
        actor=dpo_user, request=request, method="document", checked_on=datetime.date(2026, 9, 4)
    )
    _produce_and_send(request, pupil, dpo_user)
    mark_answered(actor=dpo_user, request=request, answered_on=datetime.date(2026, 9, 20))
    return disclosure, request


def _produce_and_send(request, pupil, actor):
    """A final response produced (its row and the PDF kept for staff) and
    recorded as sent: what logs the disclosure access-response-<UPN>.pdf."""
    pdf = f"%PDF-1.7 {pupil.full_name}".encode()
    response = AccessResponse.objects.create(
        request=request,
        pupil=pupil,
        produced_at=timezone.now(),
        produced_by="dpo",
        file_sha256=hashlib.sha256(pdf).hexdigest(),
        categories=["identity", "medical"],
    )
    ResponseFile.objects.create(
        school_id=pupil.school_id, request=request, pupil=pupil, response=response,
        draft=False, content=pdf, sha256=response.file_sha256, size=len(pdf),
    )  # fmt: skip
    SystemSearch.objects.create(
        request=request, system="other", detail=f"The {pupil.legal_surname} family's e-mails",
        searched_by="School office", searched_on=datetime.date(2026, 9, 10),
    )  # fmt: skip
    return record_response_sent(
        actor=actor,
        request=request,
        pupil=pupil,
        sent_on=datetime.date(2026, 9, 19),
        method="secure_email",
        sent_to=f"{pupil.legal_surname.lower()}@adult.example",
    )


def _every_other_record(pupil, staff):
    """What else names the pupil: a decided rights request, a complaint by
    their parent, a breach about them with its letter, a CTF upload."""
    contact = pupil.contacts.get()
    parent = f"{contact.forename} {contact.surname}"
    received = datetime.datetime(2026, 2, 2, 9, 0, tzinfo=datetime.UTC)
    rights = RightsRequest.objects.create(
        school=pupil.school, kind="rectification", pupil_named=pupil.full_name,
        pupil_born_on=pupil.date_of_birth, requester_name=parent,
        requester_relationship="parent", requester_email=contact.email,
        requester_address=f"1 {pupil.legal_surname} Lane", channel="email",
        received_at=received, received_on=received.date(),
        details=f"Correct {pupil.full_name}'s address", status="decided",
        decision="complied", decision_reason=f"{pupil.legal_surname} had moved",
        changes_made=f"Address of {pupil.legal_surname} corrected", decided_on=received.date(),
    )  # fmt: skip
    rights.pupils.add(pupil)
    complaint = Complaint.objects.create(
        school=pupil.school, complainant_name=parent, complainant_email=contact.email,
        complainant_address=f"1 {pupil.legal_surname} Lane", channel="email",
        received_at=received, received_on=received.date(),
        acknowledge_by=received.date() + datetime.timedelta(days=30),
        summary=f"How {pupil.full_name}'s epilepsy was shared",
    )  # fmt: skip
    breach = Breach.objects.create(
        school=pupil.school, summary=f"A list with {pupil.full_name}'s epilepsy went astray",
        discovered_at=received, noticed_by=parent,
        data_involved=f"Medical list naming {pupil.legal_surname}, UPN {pupil.upn}",
        people_categories=["pupils"], people_affected=1,
        report_due_at=received + datetime.timedelta(hours=72),
        likely_consequences=f"Distress to the {pupil.legal_surname} family",
    )  # fmt: skip
    breach.pupils.add(pupil)
    BreachNotification.objects.create(
        breach=breach, audience="families", notified_at=received, method="letter",
        content=f"Dear {parent}, a list naming {pupil.legal_forename} went astray.",
        likely_consequences="Distress", measures_taken="Recalled",
        what_they_can_do=f"Call us about {pupil.legal_surname}",
    )  # fmt: skip
    CtfImportBatch.objects.create(
        school=pupil.school, uploaded_by=staff, file_name="ctf.xml",
        content=f"<UPN>{pupil.upn}</UPN><Surname>{pupil.legal_surname}</Surname>".encode(),
        sha256="0" * 64, preview={"pupils": [{"upn": pupil.upn, "name": pupil.full_name}]},
    )  # fmt: skip
    return rights, complaint, breach


@pytest.mark.django_db(transaction=True)
def test_apply_leaves_no_trace_of_a_long_gone_pupil_in_a_database_dump(school, staff):
    gone = gone_pupil(school, surname="Quillfeather", forename="Ottoline", upn_serial=1)
    disclosure, request = _full_history(gone, staff)
    rights, complaint, breach = _every_other_record(gone, staff)
    on_roll = PupilFactory(school=school, legal_surname="Stillhere")
    MedicalConditionFactory(pupil=on_roll, condition="Epilepsy-Stillhere")
    held = gone_pupil(school, surname="Heldback", forename="Harriet", upn_serial=3)
    place_hold(actor=staff, pupil=held, reason="claim")
    _messages_to_the_parent(gone)
    secrets = [
        gone.legal_surname,
        gone.legal_forename,
        gone.upn,
        "Ottolinemother",
        "quillfeather@family.example",
        "07700 900001",
        "Epilepsy-Quillfeather",
        "1 Quillfeather Lane",
    ]
    assert all(s in dump_database() for s in secrets)  # the dump would show them

    out = run("--as-of", AS_OF.isoformat(), "--apply")

    assert "Erased: 1 pupils" in out and "1 held" in out
    dump = dump_database()
    leaks = [line for line in dump.splitlines() if any(s in line for s in secrets)]
    assert leaks == []
    for kept in ("Stillhere", "Epilepsy-Stillhere", "Heldback", held.upn, "Epilepsy-Heldback"):
        assert kept in dump
    assert pm.MedicalCondition.objects.filter(pupil=held).count() == 1
    assert pm.SenNeed.objects.filter(pupil=held).count() == 1
    # What must outlive the pupil stays, without them.
    disclosure = Disclosure.objects.get(pk=disclosure.pk)
    assert (disclosure.pupils.count(), disclosure.erased_pupils) == (1, 1)
    assert disclosure.recipient_name == "Durham County Council"
    request = AccessRequest.objects.get(pk=request.pk)
    assert request.answered_on == datetime.date(2026, 9, 20)
    assert request.pupils.count() == 0
    assert request.requester_address == ""
    assert not ConsentRecord.objects.filter(pupil_id=gone.pk).exists()
    response = AccessResponse.objects.get(request=request)  # the proof it was sent stays
    assert (response.pupil_id, response.sent_to) == (None, "")
    assert response.sent_on == datetime.date(2026, 9, 19) and len(response.file_sha256) == 64
    sent = Disclosure.objects.get(dataset="subject_access")
    assert (sent.file_name, sent.erased_pupils) == ("access-response-erased.pdf", 1)
    assert sent.recipient_name == request.requester_name == ERASED
    assert not ResponseFile.objects.exists()
    rights.refresh_from_db()
    assert (rights.status, rights.decided_on, rights.pupils.count()) == (
        "decided",
        rights.received_on,
        0,
    )
    assert Breach.objects.filter(pk=breach.pk).exists()  # the register keeps every breach
    assert "epilepsy went astray" in Breach.objects.get(pk=breach.pk).summary
    assert Complaint.objects.get(pk=complaint.pk).received_on == complaint.received_on


@pytest.mark.django_db(transaction=True)
def _messages_to_the_parent(pupil):
    """A sent and a pending e-mail to the pupil's parent, the pending one naming the pupil."""
    address = pupil.contacts.get().email
    sent = outbox.queue_email(
        kind=pm.EmailKind.RECEIPT, to=address, subject="Receipt", body="x", school_id=None
    )
    pm.OutboxMessage.objects.filter(pk=sent.pk).update(
        status=pm.OutboxStatus.SENT, body="", sent_at=timezone.now()
    )
    outbox.queue_email(
        kind=pm.EmailKind.CONSENT_LINK,
        to=address,
        subject="Your consent choices",
        body=f"- {pupil.full_name}",
        school_id=pupil.school_id,
    )


def test_erasure_deletes_the_outbox_messages_of_the_contacts_leaving_and_naming_the_pupil(
    gone, dpo_user
):
    _messages_to_the_parent(gone)
    address = gone.contacts.get().email
    sibling_parent = ContactFactory(school=gone.school, email="stays@family.example")
    PupilContactFactory(pupil=PupilFactory(school=gone.school), contact=sibling_parent)
    pending = {"status": pm.OutboxStatus.PENDING, "school_id": gone.school_id}
    naming = pm.OutboxMessage.objects.create(
        kind=pm.EmailKind.CONSENT_LINK, to="stays@family.example", subject="s",
        body="- Ottoline Quillfeather\n- Sibling", **pending,
    )  # fmt: skip
    other = pm.OutboxMessage.objects.create(
        kind=pm.EmailKind.CONSENT_LINK, to="stays@family.example", subject="s",
        body="- Sibling", **pending,
    )  # fmt: skip
    dpo_notice = pm.OutboxMessage.objects.create(
        kind=pm.EmailKind.DPO_NOTICE, to=gone.school.dpo_email, subject="s", body="n", **pending
    )
    assert pm.OutboxMessage.objects.filter(to=address).count() == 2

    erase_due(actor="retention schedule", as_of=AS_OF)

    assert not pm.OutboxMessage.objects.filter(to__iexact=address).exists()
    assert not pm.OutboxMessage.objects.filter(pk=naming.pk).exists()
    assert set(pm.OutboxMessage.objects.values_list("pk", flat=True)) == {other.pk, dpo_notice.pk}
    entries = pm.AuditEvent.objects.filter(action=pm.AuditAction.ERASE, pupil_id=gone.pk)
    assert "pupils.outboxmessage" in {f for e in entries for f in e.fields}


def test_an_address_a_staying_contact_shares_keeps_its_messages(gone):
    address = gone.contacts.get().email
    PupilContactFactory(
        pupil=PupilFactory(school=gone.school),
        contact=ContactFactory(school=gone.school, email=address.upper()),
    )
    kept = outbox.queue_email(
        kind=pm.EmailKind.RECEIPT, to=address, subject="s", body="- Sibling", school_id=None
    )

    erase_due(actor="retention schedule", as_of=AS_OF)

    assert not pm.Pupil.objects.filter(pk=gone.pk).exists()
    assert pm.OutboxMessage.objects.filter(pk=kept.pk).exists()


def test_a_pupil_with_consent_disclosures_and_an_answered_request_can_be_erased(school, staff):
    gone = gone_pupil(school, surname="Everything", forename="Evie", upn_serial=4)
    _full_history(gone, staff)

    run = erase_due(actor=staff, as_of=AS_OF)

    assert [r.pupil_id for r in run.erased] == [gone.pk] and run.failed == []
    assert not pm.Pupil.objects.filter(pk=gone.pk).exists()
    assert not pm.Contact.objects.filter(surname="Everything").exists()


def test_each_erasure_is_in_the_trail_without_content_and_the_chain_holds(gone, dpo_user):
    _full_history(gone, dpo_user)

    erase_due(actor="retention schedule", as_of=AS_OF)

    entries = list(pm.AuditEvent.objects.filter(action=pm.AuditAction.ERASE, pupil_id=gone.pk))
    summaries = " | ".join(e.summary for e in entries)
    assert "by the schedule" in summaries
    assert "Educational record (last school)" in summaries
    assert "Special educational needs file" in summaries
    assert "Consent answers" in summaries
    assert "rule: Admission and attendance registers, 6 years after the pupil leaves" in summaries
    assert all(e.actor_label == "retention schedule" for e in entries)
    assert "Quillfeather" not in summaries and gone.upn not in summaries
    erased_fields = {f for e in entries for f in e.fields}
    assert {"pupils.medicalcondition", "consent.consentrecord", "pupils.pupil"} <= erased_fields
    assert verify_chain() is None


def test_a_pupil_under_hold_is_listed_with_the_reason_and_never_erased(gone, dpo_user):
    hold = place_hold(actor=dpo_user, pupil=gone, reason="safeguarding")

    [listed] = due_for_erasure(as_of=AS_OF)
    erase_due(actor="retention schedule", as_of=AS_OF)

    assert listed.holds == [f"Legal hold: Safeguarding (placed {_today_long()})"]
    assert pm.MedicalCondition.objects.filter(pupil=gone).exists()
    release_hold(actor=dpo_user, hold=hold)
    erase_due(actor="retention schedule", as_of=AS_OF)
    assert not pm.Pupil.objects.filter(pk=gone.pk).exists()


def _today_long() -> str:
    from django.utils import timezone

    today = timezone.now().date()
    return f"{today.day} {today:%B %Y}"


def test_an_open_access_request_holds_the_pupil(gone, dpo_user):
    open_access_request(
        actor=dpo_user,
        school=gone.school,
        pupils=[gone],
        requester_name="A former pupil",
        requester_relationship="pupil",
        channel="email",
        received_at=datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC),
    )

    [listed] = due_for_erasure(as_of=AS_OF)
    erase_due(actor="retention schedule", as_of=AS_OF)

    assert listed.holds == ["An access request is open (received 2 November 2026)"]
    assert pm.Pupil.objects.filter(pk=gone.pk).exists()


def test_a_second_hold_for_the_same_reason_is_refused(gone, dpo_user):
    from django.core.exceptions import ValidationError

    place_hold(actor=dpo_user, pupil=gone, reason="claim")
    with pytest.raises(ValidationError):
        place_hold(actor=dpo_user, pupil=gone, reason="claim")
    with pytest.raises(ValidationError):
        place_hold(actor=dpo_user, pupil=gone, reason="other", note="  ")
    assert pm.LegalHold.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_crash_partway_leaves_every_pupil_whole_or_erased(school, staff, monkeypatch):
    """The crash comes at the very end of the first pupil's erasure, when
    their consent answers, disclosure and access links, response, contacts
    and the pupil's row are already deleted: the transaction must put every
    one of them back. The run reports the pupil and goes on with the next."""
    crashing = gone_pupil(school, surname="Firstgone", forename="Fay", upn_serial=5)
    pm.Pupil.objects.filter(pk=crashing.pk).update(leaving_date=datetime.date(2005, 7, 20))
    disclosure, request = _full_history(crashing, staff)
    contact = crashing.contacts.get()
    second = gone_pupil(school, surname="Secondgone", forename="Sid", upn_serial=6)
    real_record_many = audit.record_many
    reached: list[bool] = []

    def crash_at_the_trail(entries):
        entries = list(entries)
        ours = [e for e in entries if getattr(e.get("pupil"), "pk", None) == crashing.pk]
        if ours and not ours[0]["summary"].startswith("Not erased"):
            # Everything of the pupil has been deleted by now.
            reached.append(not pm.Pupil.objects.filter(pk=crashing.pk).exists())
            reached.append(not ConsentRecord.objects.filter(pupil_id=crashing.pk).exists())
            reached.append(not pm.Contact.objects.filter(pk=contact.pk).exists())
            raise IntegrityError("the disk is full")
        return real_record_many(entries)

    monkeypatch.setattr(audit, "record_many", crash_at_the_trail)

    run = erase_due(actor="retention schedule", as_of=AS_OF)

    assert reached == [True, True, True]
    assert [f.pupil_id for f in run.failed] == [crashing.pk]
    assert run.failed[0].error == "IntegrityError"
    assert [r.pupil_id for r in run.erased] == [second.pk]  # the run went on
    assert not pm.Pupil.objects.filter(pk=second.pk).exists()
    crashing = pm.Pupil.objects.get(pk=crashing.pk)  # whole: every part still there
    assert ConsentRecord.objects.filter(pupil=crashing).count() == 1
    assert crashing in Disclosure.objects.get(pk=disclosure.pk).pupils.all()
    assert Disclosure.objects.get(pk=disclosure.pk).erased_pupils == 0
    assert list(AccessRequest.objects.get(pk=request.pk).pupils.all()) == [crashing]
    response = AccessResponse.objects.get(request=request)
    assert response.pupil_id == crashing.pk and response.sent_to.endswith("@adult.example")
    assert ResponseFile.objects.filter(pupil=crashing).count() == 1
    assert list(crashing.contacts.all()) == [contact]
    assert pm.MedicalCondition.objects.filter(pupil=crashing).count() == 1
    assert pm.SenNeed.objects.filter(pupil=crashing).count() == 1
    assert pm.AssessmentResult.objects.filter(pupil=crashing).count() == 1
    assert pm.AttendanceSummary.objects.filter(pupil=crashing).count() == 1
    [failure] = pm.AuditEvent.objects.filter(pupil_id=crashing.pk, action="erase")
    assert failure.summary.startswith("Not erased by the schedule: the erasure stopped")
    assert "Firstgone" not in failure.summary and crashing.upn not in failure.summary
    assert verify_chain() is None


def test_a_contact_shared_with_a_sibling_on_roll_stays(gone):
    sibling = PupilFactory(school=gone.school)
    contact = gone.contacts.get()
    PupilContactFactory(pupil=sibling, contact=contact)

    erase_due(actor="retention schedule", as_of=AS_OF)

    assert pm.Contact.objects.filter(pk=contact.pk, surname="Quillfeather").exists()
    assert list(sibling.contacts.all()) == [contact]


def test_the_kinds_listed_are_those_the_pupil_still_holds(school):
    pupil = PupilFactory(
        school=school,
        date_of_birth=datetime.date(1995, 3, 10),
        admission_date=datetime.date(1999, 9, 1),
        leaving_date=datetime.date(2006, 7, 20),
        enrolment_status=pm.EnrolmentStatus.LEFT,
    )

    [listed] = due_for_erasure(as_of=AS_OF)

    assert listed.pupil_id == pupil.pk
    assert [i.kind for i in listed.items] == [Kind.REGISTERS]
    assert listed.whole


def test_the_disclosure_log_still_counts_an_erased_pupil(gone, dpo_user, dpo_client):
    disclosure, _request = _full_history(gone, dpo_user)

    erase_due(actor="retention schedule", as_of=AS_OF)

    page = dpo_client.get("/admin/sharing/disclosure/").content.decode()
    row = page[page.index(f"/admin/sharing/disclosure/{disclosure.pk}/change/") :]
    assert '<td class="field-pupil_count">2</td>' in row[:2000]


def test_outside_an_erasure_the_database_still_guards_consent_answers_and_the_log(gone, dpo_user):
    from django.db import DatabaseError, connection, transaction

    if connection.vendor != "postgresql":
        pytest.skip("The database's own guards are PostgreSQL triggers.")
    _full_history(gone, dpo_user)
    refused = pytest.raises(DatabaseError, match="append-only")
    with refused, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM consent_consentrecord")
    refused = pytest.raises(DatabaseError, match="append-only")
    with refused, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT set_config('pupildata.erasure', 'on', true)")
        cursor.execute("DELETE FROM sharing_disclosure")  # erasure never deletes an entry
    assert ConsentRecord.objects.filter(pupil=gone).count() == 1


def test_uploaded_ctfs_lose_their_file_and_preview_after_30_days(school, dpo_user):
    from pathlib import Path

    from django.utils import timezone

    from sharing.ctf.services import stage_ctf_import
    from sharing.models import CtfImportBatch

    ctf = Path(__file__).parent.parent / "sharing" / "fixtures" / "ctf_full.xml"
    school.estab_number = "2190"  # the file's destination
    school.save()
    old = stage_ctf_import(actor=dpo_user, school=school, data=ctf.read_bytes(), file_name="a.xml")
    recent = stage_ctf_import(
        actor=dpo_user, school=school, data=ctf.read_bytes(), file_name="b.xml"
    )
    CtfImportBatch.objects.filter(pk=old.pk).update(
        uploaded_at=timezone.now() - datetime.timedelta(days=31)
    )

    dry = run("--as-of", timezone.localdate().isoformat())
    assert "Uploaded Common Transfer Files and their previews: 1 due." in dry
    assert CtfImportBatch.objects.get(pk=old.pk).preview != {}
    run("--apply")

    old, recent = CtfImportBatch.objects.get(pk=old.pk), CtfImportBatch.objects.get(pk=recent.pk)
    assert (old.preview, old.result, bytes(old.content), old.status) == ({}, {}, b"", "discarded")
    assert recent.preview != {} and bytes(recent.content) != b""
    entry = pm.AuditEvent.objects.filter(action="erase").get()
    assert entry.summary.startswith("Erased: Uploaded Common Transfer Files and their previews, 1")


def _queries_of(fn) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def test_the_dry_run_makes_the_same_queries_for_2_and_25_due_pupils(school, dpo_user):
    """Issue 17: the dry run over 10,000 due pupils with its query count
    fixed (bench/bench_retention.py measures the 10,000)."""
    for n in range(2):
        gone_pupil(school, surname=f"Gone{n}", forename="A", upn_serial=100 + n)
    place_hold(actor=dpo_user, pupil=pm.Pupil.objects.first(), reason="claim")
    with_2 = _queries_of(lambda: run("--as-of", AS_OF.isoformat()))
    due_2 = _queries_of(lambda: due_for_erasure(as_of=AS_OF))

    for n in range(2, 25):
        gone_pupil(school, surname=f"Gone{n}", forename="A", upn_serial=100 + n)
    place_hold(actor=dpo_user, pupil=pm.Pupil.objects.last(), reason="claim")
    assert len(due_for_erasure(as_of=AS_OF)) == 25
    assert _queries_of(lambda: run("--as-of", AS_OF.isoformat())) == with_2
    assert _queries_of(lambda: due_for_erasure(as_of=AS_OF)) == due_2
