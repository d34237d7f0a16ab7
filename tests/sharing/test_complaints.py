"""Complaints about the school's handling of personal data (DPA 2018
s164A): logged, acknowledged within 30 days by e-mail, outcome told, the
right to complain to the ICO stated; and the DPO's reminder list."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from pupils.models import AuditEvent
from sharing.rights.clock import complaint_acknowledge_by
from sharing.rights.complaints import (
    acknowledge_complaint,
    log_complaint,
    record_complaint_outcome,
)
from sharing.rights.models import Complaint, ComplaintStatus
from sharing.rights.reminders import rights_needing_attention
from tests.sharing.test_rights import open_request

LIST = "/admin/sharing/complaint/"


def complain(school, *, days_ago=1, email="parent@family.example", address=""):
    return log_complaint(
        actor="test",
        school=school,
        complainant_name="Sarah Khan",
        complainant_email=email,
        complainant_address=address,
        channel="email",
        received_at=timezone.now() - datetime.timedelta(days=days_ago),
        summary="My child's photo was on the website after I said no.",
    )


@pytest.mark.parametrize(
    "received, last_day",
    [
        (datetime.date(2026, 6, 19), datetime.date(2026, 7, 18)),  # day of receipt is day 1
        (datetime.date(2026, 2, 1), datetime.date(2026, 3, 2)),
        (datetime.date(2026, 12, 31), datetime.date(2027, 1, 29)),
    ],
)
def test_a_complaint_must_be_acknowledged_within_30_days_counting_the_day_of_receipt(
    received, last_day
):
    assert complaint_acknowledge_by(received) == last_day


def test_a_logged_complaint_carries_its_30_day_deadline_and_the_dpo_is_told(
    school, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        complaint = complain(school, days_ago=0)
    assert complaint.acknowledge_by == complaint.received_on + datetime.timedelta(days=29)
    assert complaint.status == ComplaintStatus.RECEIVED
    assert mail.outbox[-1].to == [school.dpo_email]
    assert "Sarah Khan" not in mail.outbox[-1].body and "photo" not in mail.outbox[-1].body


def test_a_complaint_needs_somewhere_to_reply(school):
    with pytest.raises(ValidationError):
        complain(school, email="", address="")
    assert not Complaint.objects.exists()


def test_the_acknowledgement_is_emailed_with_the_right_to_complain_to_the_ico(
    school, django_capture_on_commit_callbacks
):
    complaint = complain(school)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        acknowledge_complaint(
            actor="test", complaint=complaint, acknowledged_on=timezone.localdate()
        )
    [message] = mail.outbox
    assert message.to == ["parent@family.example"]
    assert "Information Commissioner" in message.body and "ico.org.uk" in message.body
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.ACKNOWLEDGED


def test_the_outcome_is_recorded_and_told_with_the_ico_right(
    school, django_capture_on_commit_callbacks
):
    complaint = complain(school)
    acknowledge_complaint(actor="test", complaint=complaint, acknowledged_on=timezone.localdate())
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        record_complaint_outcome(
            actor="test",
            complaint=complaint,
            outcome="The photo was removed and staff were reminded to check consent.",
            told_on=timezone.localdate(),
        )
    [message] = mail.outbox
    assert "The photo was removed" in message.body and "Information Commissioner" in message.body
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.CLOSED
    summaries = set(AuditEvent.objects.values_list("summary", flat=True))
    assert {"Complaint logged", "Complaint acknowledged", "Complaint outcome recorded"} <= summaries


def test_no_outcome_before_the_acknowledgement(school):
    complaint = complain(school)
    with pytest.raises(ValidationError, match="Acknowledge"):
        record_complaint_outcome(
            actor="test", complaint=complaint, outcome="Upheld.", told_on=timezone.localdate()
        )


def test_a_complaint_by_post_is_acknowledged_without_an_email(school):
    complaint = complain(school, email="", address="1 High Street, Crook")
    mail.outbox.clear()
    acknowledge_complaint(actor="test", complaint=complaint, acknowledged_on=timezone.localdate())
    assert mail.outbox == []


# --- Staff pages -----------------------------------------------------------------------


def test_office_staff_log_a_complaint_and_cannot_acknowledge_it(office_client, school):
    response = office_client.post(
        f"{LIST}add/",
        {
            "school": school.pk,
            "complainant_name": "Sarah Khan",
            "complainant_email": "parent@family.example",
            "channel": "phone",
            "received_at": f"{timezone.localdate().isoformat()} 00:30",
            "summary": "A class list was sent to the wrong parent.",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    complaint = Complaint.objects.get()
    assert office_client.post(f"{LIST}{complaint.pk}/acknowledge/", {}).status_code == 403
    complaint.refresh_from_db()
    assert complaint.status == ComplaintStatus.RECEIVED


def test_the_dpo_acknowledges_then_records_the_outcome(dpo_client, school):
    complaint = complain(school)
    today = timezone.localdate().isoformat()
    response = dpo_client.post(f"{LIST}{complaint.pk}/acknowledge/", {"acknowledged_on": today})
    assert response.status_code == 302
    response = dpo_client.post(
        f"{LIST}{complaint.pk}/outcome/", {"outcome": "Not upheld.", "told_on": today}
    )
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert (complaint.status, complaint.outcome) == ("closed", "Not upheld.")


def test_the_list_marks_a_late_acknowledgement(dpo_client, school):
    complain(school, days_ago=31)
    complain(school, days_ago=27)
    page = dpo_client.get(LIST).content.decode()
    assert page.count("sar-overdue") == 1 and page.count("sar-due-soon") == 1


def test_another_schools_dpo_cannot_open_a_complaint(other_school_client, school):
    complaint = complain(school)
    assert other_school_client.get(f"{LIST}{complaint.pk}/change/").status_code == 404
    assert other_school_client.post(f"{LIST}{complaint.pk}/acknowledge/", {}).status_code == 404


# --- Reminders ---------------------------------------------------------------------------


def test_the_dpo_is_reminded_of_what_is_overdue_or_due_soon_soonest_first(school, other_school):
    today = timezone.localdate()
    late = open_request(school, received=timezone.now() - datetime.timedelta(days=40))
    soon = complain(school, days_ago=27)
    open_request(school, received=timezone.now() - datetime.timedelta(days=2))  # not yet
    done = complain(school, days_ago=29)
    acknowledge_complaint(actor="test", complaint=done, acknowledged_on=today)
    complain(other_school, days_ago=29)  # another school's
    found = rights_needing_attention(school, today)
    assert [(a.what, a.overdue) for a in found] == [(late, True), (soon, False)]
