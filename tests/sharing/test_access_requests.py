"""Logging and handling subject access requests through the services."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from pupils.models import AuditAction, AuditEvent, ClosureDay, SchoolType, Term
from sharing.access import services as access
from sharing.models import (
    AccessRequest,
    AccessRequestStatus,
    IdentityCheck,
    PauseReason,
    RedactionDecision,
    RedactionGround,
    RedactionOutcome,
)

from ..factories import PupilContactFactory, PupilFactory, SchoolFactory

D = datetime.date
UTC = datetime.UTC


def log(school, pupils, *, received_at=None, actor=None, **kwargs):
    return access.open_access_request(
        actor=actor,
        school=school,
        pupils=pupils,
        requester_name=kwargs.pop("requester_name", "Mrs Alex Parent"),
        requester_relationship=kwargs.pop("requester_relationship", "parent"),
        channel=kwargs.pop("channel", "email"),
        received_at=received_at or datetime.datetime(2025, 9, 3, 10, 0, tzinfo=UTC),
        **kwargs,
    )


def test_logging_a_request_sets_the_due_date_and_emails_the_dpo(
    school, office_user, django_capture_on_commit_callbacks
):
    pupil = PupilFactory(school=school)
    with django_capture_on_commit_callbacks(execute=True):
        request = log(school, [pupil], actor=office_user)

    request.refresh_from_db()
    assert request.received_on == D(2025, 9, 3)
    assert request.due_on == D(2025, 10, 3)
    assert request.status == AccessRequestStatus.OPEN
    assert request.logged_by == office_user
    assert list(request.pupils.all()) == [pupil]
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [school.dpo_email]
    assert "3 October 2025" in message.subject
    assert f"http://localhost:8000/admin/sharing/accessrequest/{request.pk}/change/" in message.body
    # Nothing personal in the e-mail.
    assert pupil.legal_surname not in message.body + message.subject
    assert "Alex Parent" not in message.body + message.subject


def test_logging_a_request_leaves_a_trace_on_each_pupils_trail(school, office_user):
    pupils = PupilFactory.create_batch(2, school=school)
    request = log(school, pupils, actor=office_user)
    events = AuditEvent.objects.filter(object_type="sharing.accessrequest")
    assert {e.pupil_id for e in events} == {p.pk for p in pupils}
    assert all(e.action == AuditAction.CREATE and e.object_id == str(request.pk) for e in events)


def test_a_request_arriving_at_2330_utc_in_summer_is_received_the_next_day(school):
    request = log(
        school,
        [PupilFactory(school=school)],
        received_at=datetime.datetime(2026, 7, 14, 23, 30, tzinfo=UTC),
    )
    assert request.received_on == D(2026, 7, 15)


def test_a_pupil_of_another_school_cannot_be_named(school, other_school):
    stranger = PupilFactory(school=other_school)
    with pytest.raises(ValidationError, match="pupil of this school"):
        log(school, [stranger])
    assert not AccessRequest.objects.exists()


def test_a_request_needs_a_pupil_and_a_requester(school):
    with pytest.raises(ValidationError, match="at least one pupil"):
        log(school, [])
    with pytest.raises(ValidationError, match="who asked"):
        log(school, [PupilFactory(school=school)], requester_name="  ")
    assert not AccessRequest.objects.exists()


def test_a_request_cannot_be_received_in_the_future(school):
    with pytest.raises(ValidationError, match="future"):
        log(
            school,
            [PupilFactory(school=school)],
            received_at=datetime.datetime(2099, 1, 1, tzinfo=UTC),
        )


def test_an_academy_cannot_log_an_educational_record_request(db):
    academy = SchoolFactory(school_type=SchoolType.ACADEMY)
    with pytest.raises(ValidationError, match="maintained schools only"):
        log(academy, [PupilFactory(school=academy)], educational_record=True)
    assert not AccessRequest.objects.exists()


def test_an_educational_record_request_is_due_in_15_school_days(school):
    Term.objects.create(
        school=school, name="Autumn 2026", starts_on=D(2026, 9, 3), ends_on=D(2026, 10, 23)
    )
    Term.objects.create(
        school=school, name="Autumn 2026 (2)", starts_on=D(2026, 11, 2), ends_on=D(2026, 12, 18)
    )
    ClosureDay.objects.create(school=school, date=D(2026, 11, 2), reason="INSET day")
    request = log(
        school,
        [PupilFactory(school=school)],
        received_at=datetime.datetime(2026, 10, 16, 9, 0, tzinfo=UTC),
        educational_record=True,
    )
    assert request.due_on == D(2026, 11, 16)
    with pytest.raises(ValidationError, match="never stop"):
        access.pause_clock(
            actor=None, request=request, reason=PauseReason.IDENTITY, starts_on=D(2026, 10, 16)
        )


def test_an_educational_record_request_without_term_dates_is_refused(school):
    with pytest.raises(ValidationError, match="term dates"):
        log(school, [PupilFactory(school=school)], educational_record=True)


def test_pausing_for_identity_then_restarting_moves_the_deadline_on(school, dpo_user):
    request = log(school, [PupilFactory(school=school)])
    access.pause_clock(
        actor=dpo_user, request=request, reason=PauseReason.IDENTITY, starts_on=D(2025, 9, 3)
    )
    request.refresh_from_db()
    assert request.status == AccessRequestStatus.PAUSED
    assert request.due_on is None

    access.resume_clock(actor=dpo_user, request=request, ends_on=D(2025, 9, 10))
    request.refresh_from_db()
    assert request.status == AccessRequestStatus.OPEN
    assert request.due_on == D(2025, 10, 10)
    pause = request.pauses.get()
    assert (pause.starts_on, pause.ends_on) == (D(2025, 9, 3), D(2025, 9, 10))


def test_the_clock_cannot_be_paused_twice_or_restarted_when_running(school):
    request = log(school, [PupilFactory(school=school)])
    with pytest.raises(ValidationError, match="not paused"):
        access.resume_clock(actor=None, request=request, ends_on=D(2025, 9, 5))
    access.pause_clock(actor=None, request=request, reason=PauseReason.FEE, starts_on=D(2025, 9, 4))
    with pytest.raises(ValidationError, match="already paused"):
        access.pause_clock(
            actor=None, request=request, reason=PauseReason.FEE, starts_on=D(2025, 9, 5)
        )
    with pytest.raises(ValidationError, match="before the school asked"):
        access.resume_clock(actor=None, request=request, ends_on=D(2025, 9, 1))
    assert request.pauses.count() == 1


def test_an_extension_told_within_the_first_month_adds_two_months(school, dpo_user):
    request = log(school, [PupilFactory(school=school)])
    access.extend_request(
        actor=dpo_user, request=request, told_on=D(2025, 9, 20), reason="Seven years of records"
    )
    request.refresh_from_db()
    assert request.due_on == D(2025, 12, 3)
    assert request.extended_on == D(2025, 9, 20)


def test_an_extension_told_after_the_first_month_is_refused(school):
    request = log(school, [PupilFactory(school=school)])
    with pytest.raises(ValidationError, match="within the first month"):
        access.extend_request(actor=None, request=request, told_on=D(2025, 10, 6), reason="Late")
    request.refresh_from_db()
    assert request.extended_on is None
    assert request.due_on == D(2025, 10, 3)


def test_an_extension_needs_a_reason(school):
    request = log(school, [PupilFactory(school=school)])
    with pytest.raises(ValidationError, match="more time"):
        access.extend_request(actor=None, request=request, told_on=D(2025, 9, 10), reason=" ")


def test_answering_needs_the_identity_check_first(school, dpo_user):
    request = log(school, [PupilFactory(school=school)])
    with pytest.raises(ValidationError, match="identity check"):
        access.mark_answered(actor=dpo_user, request=request, answered_on=D(2025, 9, 30))
    access.record_identity_check(
        actor=dpo_user,
        request=request,
        method=IdentityCheck.KNOWN,
        checked_on=D(2025, 9, 3),
        note="Mother met at the school gate",
    )
    access.mark_answered(actor=dpo_user, request=request, answered_on=D(2025, 9, 30))
    request.refresh_from_db()
    assert request.status == AccessRequestStatus.ANSWERED
    assert request.answered_on == D(2025, 9, 30)
    assert request.handler == dpo_user


def test_identity_not_needed_must_say_why(school):
    request = log(school, [PupilFactory(school=school)])
    with pytest.raises(ValidationError, match="why no identity check"):
        access.record_identity_check(
            actor=None, request=request, method=IdentityCheck.NOT_NEEDED, checked_on=D(2025, 9, 3)
        )


def test_a_redaction_decision_about_a_family_member_is_recorded(school, dpo_user):
    pupil = PupilFactory(school=school)
    father = PupilContactFactory(pupil=pupil, relationship="PAF").contact
    request = log(school, [pupil])
    decision = access.record_redaction(
        actor=dpo_user,
        request=request,
        contact=father,
        outcome=RedactionOutcome.DISCLOSE,
        ground=RedactionGround.THIRD_PARTY_CONSENTED,
        reason="Father agreed in writing on 5 September",
    )
    assert RedactionDecision.objects.get() == decision
    assert decision.decided_by == dpo_user


def test_disclosing_third_party_data_needs_consent_or_a_reason_it_is_reasonable(school):
    pupil = PupilFactory(school=school)
    father = PupilContactFactory(pupil=pupil, relationship="PAF").contact
    request = log(school, [pupil])
    with pytest.raises(ValidationError, match="Disclosing needs"):
        access.record_redaction(
            actor=None,
            request=request,
            contact=father,
            outcome=RedactionOutcome.DISCLOSE,
            ground=RedactionGround.SERIOUS_HARM,
            reason="x",
        )
    assert not RedactionDecision.objects.exists()


def test_a_decision_about_someone_outside_the_record_is_refused(school):
    pupil = PupilFactory(school=school)
    stranger = PupilContactFactory(pupil=PupilFactory(school=school)).contact
    request = log(school, [pupil])
    with pytest.raises(ValidationError, match="not in the record"):
        access.record_redaction(
            actor=None,
            request=request,
            contact=stranger,
            outcome=RedactionOutcome.REDACT,
            ground=RedactionGround.THIRD_PARTY,
            reason="Not theirs",
        )


def test_the_database_refuses_an_answered_request_without_a_date(school):
    request = log(school, [PupilFactory(school=school)])
    with pytest.raises(IntegrityError), transaction.atomic():
        AccessRequest.objects.filter(pk=request.pk).update(status=AccessRequestStatus.ANSWERED)


def test_the_database_refuses_an_extension_without_a_reason(school):
    request = log(school, [PupilFactory(school=school)])
    with pytest.raises(IntegrityError), transaction.atomic():
        AccessRequest.objects.filter(pk=request.pk).update(extended_on=D(2025, 9, 10))


def test_the_database_refuses_two_open_pauses(school):
    request = log(school, [PupilFactory(school=school)])
    access.pause_clock(actor=None, request=request, reason=PauseReason.FEE, starts_on=D(2025, 9, 4))
    with pytest.raises(IntegrityError), transaction.atomic():
        request.pauses.create(reason=PauseReason.IDENTITY, starts_on=D(2025, 9, 5))
