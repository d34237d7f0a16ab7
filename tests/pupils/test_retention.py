"""Erasure under the retention schedule: the dry run, --apply, holds, the
trail, and what a database dump keeps afterwards (docs/retention.md)."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import call_command
from django.db import IntegrityError
from django.utils import timezone

from consent.models import ConsentMethod, ConsentRecord
from consent.services import record_consent
from pupils import models as pm
from pupils import outbox
from pupils.audit import verify_chain
from pupils.retention import registry
from pupils.retention.due import due_for_erasure
from pupils.retention.rules import Kind
from pupils.retention.services import erase_due, place_hold, release_hold
from sharing.access.services import mark_answered, open_access_request, record_identity_check
from sharing.disclosures.services import log_disclosure
from sharing.models import AccessRequest, Disclosure

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
        requester_name=f"{pupil.legal_forename} {pupil.legal_surname}",
        requester_relationship="pupil",
        channel="email",
        received_at=datetime.datetime(2026, 9, 3, 9, 0, tzinfo=datetime.UTC),
        requester_address=f"{pupil.legal_surname.lower()}@adult.example",
        details=f"Everything about {pupil.legal_surname}",
    )
    record_identity_check(
        actor=dpo_user, request=request, method="document", checked_on=datetime.date(2026, 9, 4)
    )
    mark_answered(actor=dpo_user, request=request, answered_on=datetime.date(2026, 9, 20))
    return disclosure, request


@pytest.mark.django_db(transaction=True)
def test_apply_leaves_no_trace_of_a_long_gone_pupil_in_a_database_dump(school, staff):
    gone = gone_pupil(school, surname="Quillfeather", forename="Ottoline", upn_serial=1)
    disclosure, request = _full_history(gone, staff)
    on_roll = PupilFactory(school=school, legal_surname="Stillhere")
    MedicalConditionFactory(pupil=on_roll, condition="Epilepsy-Stillhere")
    held = gone_pupil(school, surname="Heldback", forename="Harriet", upn_serial=3)
    place_hold(actor=staff, pupil=held, reason="claim")
    _messages_to_the_parent(gone)
    secrets = [
        gone.legal_surname,
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
    leaks = [s for s in secrets if s in dump]
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

    results = erase_due(actor=staff, as_of=AS_OF)

    assert [r.pupil_id for r in results] == [gone.pk]
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
def test_a_crash_partway_leaves_every_pupil_whole_or_erased(school, monkeypatch):
    first = gone_pupil(school, surname="Firstgone", forename="Fay", upn_serial=5)
    second = gone_pupil(school, surname="Secondgone", forename="Sid", upn_serial=6)
    pm.Pupil.objects.filter(pk=first.pk).update(leaving_date=datetime.date(2005, 7, 20))

    def crashing_step(erasing: registry.Erasing) -> dict[str, int]:
        if second.pk in erasing.pupil_ids and erasing.whole:
            raise IntegrityError("the disk is full")
        return {}

    monkeypatch.setattr(registry, "_steps", [*registry._steps, (None, crashing_step)])

    with pytest.raises(IntegrityError):
        erase_due(actor="retention schedule", as_of=AS_OF)

    assert not pm.Pupil.objects.filter(pk=first.pk).exists()
    second = pm.Pupil.objects.get(pk=second.pk)  # whole: every part still there
    assert pm.MedicalCondition.objects.filter(pupil=second).count() == 1
    assert pm.SenNeed.objects.filter(pupil=second).count() == 1
    assert pm.AssessmentResult.objects.filter(pupil=second).count() == 1
    assert pm.AttendanceSummary.objects.filter(pupil=second).count() == 1
    assert pm.Contact.objects.filter(surname="Secondgone").count() == 1
    assert not pm.AuditEvent.objects.filter(pupil_id=second.pk, action="erase").exists()
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
