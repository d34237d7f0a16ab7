"""Retention as it runs: from the scheduled entry point, with a pupil who
cannot be erased reported while the others are, an open rights request
holding the pupil, complaints on their own period, and the public
``pupils.retention.place_hold``."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.db.models import ProtectedError
from django.utils import timezone

from pupils import models as pm
from pupils import scheduled
from pupils.audit import verify_chain
from pupils.retention import registry
from pupils.retention.due import due_for_erasure
from pupils.retention.services import SCHEDULE_ACTOR, erase_due
from sharing.models import Complaint, RightsRequest
from sharing.retention import ERASED

from .test_retention import AS_OF, gone_pupil

pytestmark = pytest.mark.django_db


@pytest.fixture
def refuse_first(monkeypatch):
    """An erasure step that fails for the pupils in ``stuck``."""
    stuck: set[int] = set()

    def refuse(erasing: registry.Erasing) -> dict[str, int]:
        if erasing.pupil_ids & stuck:
            raise ProtectedError("still referenced", set())
        return {}

    monkeypatch.setattr(registry, "_steps", [*registry._steps, (None, refuse)])
    return stuck


def test_place_hold_and_release_hold_are_importable_from_the_package(school, dpo_user):
    from pupils.retention import place_hold, release_hold

    pupil = gone_pupil(school, surname="Heldfast", forename="Hal", upn_serial=40)
    hold = place_hold(actor=dpo_user, pupil=pupil, reason="claim")
    release_hold(actor=dpo_user, hold=hold)
    assert not pm.LegalHold.objects.active().exists()


def test_one_pupil_that_cannot_be_erased_does_not_stop_the_run(school, refuse_first):
    stuck = gone_pupil(school, surname="Stuckfast", forename="Sue", upn_serial=41)
    pm.Pupil.objects.filter(pk=stuck.pk).update(leaving_date=datetime.date(2005, 7, 20))
    fine = gone_pupil(school, surname="Finegone", forename="Fin", upn_serial=42)
    refuse_first.add(stuck.pk)
    out, err = io.StringIO(), io.StringIO()

    with pytest.raises(CommandError, match="1 pupils could not be erased"):
        call_command("retention", "--as-of", AS_OF.isoformat(), "--apply", stdout=out, stderr=err)

    assert "Erased: 1 pupils" in out.getvalue()
    assert f"NOT ERASED: {stuck.upn}  Sue Stuckfast: the erasure stopped (ProtectedError)" in (
        err.getvalue()
    )
    assert not pm.Pupil.objects.filter(pk=fine.pk).exists()
    assert pm.MedicalCondition.objects.filter(pupil=stuck).count() == 1
    [entry] = pm.AuditEvent.objects.filter(pupil_id=stuck.pk, action="erase")
    assert entry.summary.startswith("Not erased by the schedule: the erasure stopped")
    assert "Stuckfast" not in entry.summary and entry.fields == []
    assert verify_chain() is None


def test_the_scheduled_entry_point_erases_once_a_day(school, refuse_first, dpo_user):
    gone = gone_pupil(school, surname="Nightly", forename="Nat", upn_serial=43)
    stuck = gone_pupil(school, surname="Stucknightly", forename="Sam", upn_serial=44)
    refuse_first.add(stuck.pk)
    night = timezone.make_aware(datetime.datetime(2026, 11, 30, 2, 0))

    first = scheduled.run_all(now=night)["retention"]
    again = scheduled.run_all(now=night + datetime.timedelta(minutes=5))["retention"]

    assert first == "retention: 1 pupil(s) erased, 1 not erased (errors), 0 file(s) purged"
    assert again == "retention: not due yet today"
    assert not pm.Pupil.objects.filter(pk=gone.pk).exists()
    assert pm.Pupil.objects.filter(pk=stuck.pk).exists()
    reminder = pm.OutboxMessage.objects.get(kind=pm.EmailKind.REMINDER)
    assert reminder.subject == "Retention: some records could not be erased"
    assert "Stucknightly" not in reminder.body
    started, done = pm.AuditEvent.objects.filter(
        summary__startswith="Retention schedule run"
    ).order_by("id")
    assert started.summary == "Retention schedule run for 2026-11-30 started"
    assert done.actor_label == SCHEDULE_ACTOR
    assert "1 pupils erased, 1 not erased" in done.summary
    assert verify_chain() is None


def test_the_scheduled_step_waits_for_the_night(school):
    gone = gone_pupil(school, surname="Notyet", forename="Nell", upn_serial=45)
    evening_before = timezone.make_aware(datetime.datetime(2026, 11, 30, 0, 30))

    assert scheduled.run_all(now=evening_before)["retention"] == "retention: not due yet today"
    assert pm.Pupil.objects.filter(pk=gone.pk).exists()


def _rights_request(pupil, *, status: str) -> RightsRequest:
    received = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC)
    request = RightsRequest.objects.create(
        school=pupil.school, kind="erasure", requester_name="A former pupil",
        requester_relationship="pupil", requester_email="former@adult.example",
        channel="email", received_at=received, received_on=received.date(),
        details="Delete my photographs", status=status,
        due_on=received.date() + datetime.timedelta(days=30),
    )  # fmt: skip
    request.pupils.add(pupil)
    return request


def test_an_open_rights_request_holds_the_pupil(school):
    gone = gone_pupil(school, surname="Asking", forename="Ada", upn_serial=46)
    request = _rights_request(gone, status="open")

    [listed] = due_for_erasure(as_of=AS_OF)
    run = erase_due(actor=SCHEDULE_ACTOR, as_of=AS_OF)

    assert listed.holds == ["A rights request is open (received 2 November 2026)"]
    assert run.erased == [] and pm.Pupil.objects.filter(pk=gone.pk).exists()
    RightsRequest.objects.filter(pk=request.pk).update(status="withdrawn")
    erase_due(actor=SCHEDULE_ACTOR, as_of=AS_OF)
    assert not pm.Pupil.objects.filter(pk=gone.pk).exists()
    request.refresh_from_db()
    assert (request.requester_name, request.requester_email, request.details) == (
        ERASED,
        "",
        ERASED,
    )
    assert request.received_on == datetime.date(2026, 11, 2)  # the counts stay right


def _complaint(school, *, told_on: datetime.date | None, name: str) -> Complaint:
    received = datetime.datetime(2018, 3, 1, 9, 0, tzinfo=datetime.UTC)
    closed = told_on is not None
    return Complaint.objects.create(
        school=school, complainant_name=name, complainant_email=f"{name.lower()}@x.example",
        complainant_address="", channel="email", received_at=received,
        received_on=received.date(), acknowledge_by=received.date(),
        summary=f"{name} complains", status="closed" if closed else "acknowledged",
        acknowledged_on=received.date(), outcome="Apologised" if closed else "",
        outcome_told_on=told_on,
    )  # fmt: skip


def test_complaints_lose_their_words_6_years_after_the_outcome(school):
    old = _complaint(school, told_on=datetime.date(2019, 5, 1), name="Oldcomplainer")
    recent = _complaint(school, told_on=datetime.date(2022, 5, 1), name="Recentcomplainer")
    still_open = _complaint(school, told_on=None, name="Opencomplainer")
    out = io.StringIO()

    call_command("retention", "--as-of", AS_OF.isoformat(), stdout=out)
    assert "Complaints about the handling of personal data: 1 due." in out.getvalue()
    call_command("retention", "--as-of", AS_OF.isoformat(), "--apply", stdout=io.StringIO())

    old.refresh_from_db()
    assert (old.complainant_name, old.complainant_email, old.summary, old.outcome) == (
        ERASED,
        "",
        ERASED,
        ERASED,
    )
    assert (old.received_on, old.status) == (datetime.date(2018, 3, 1), "closed")
    assert Complaint.objects.get(pk=recent.pk).complainant_name == "Recentcomplainer"
    assert Complaint.objects.get(pk=still_open.pk).summary == "Opencomplainer complains"
    entry = pm.AuditEvent.objects.get(action="erase", summary__contains="Complaints")
    assert "Oldcomplainer" not in entry.summary


def test_a_complaint_by_the_leaving_parent_loses_them_another_familys_keeps_its_complainant(
    school,
):
    gone = gone_pupil(school, surname="Quillfeather", forename="Ottoline", upn_serial=47)
    parent = gone.contacts.get()
    theirs = _complaint(school, told_on=None, name="Someone")
    Complaint.objects.filter(pk=theirs.pk).update(
        complainant_email=parent.email.upper(), summary="About Ottoline Quillfeather's file"
    )
    other_family = _complaint(school, told_on=None, name="Quillfeather")  # same surname only
    Complaint.objects.filter(pk=other_family.pk).update(summary="About my own son")

    erase_due(actor=SCHEDULE_ACTOR, as_of=AS_OF)

    theirs.refresh_from_db()
    other_family.refresh_from_db()
    assert (theirs.complainant_name, theirs.complainant_email) == (ERASED, "")
    assert theirs.summary == "About [erased]'s file"
    assert other_family.complainant_email == "quillfeather@x.example"
    assert other_family.summary == "About my own son"
