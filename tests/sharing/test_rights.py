"""Rights requests other than access (rectification, erasure, restriction,
objection, portability): logged, on the access clock, decided with a reason
and what was changed; the DPO's staff pages."""

from __future__ import annotations

import datetime
import json

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from consent.services import record_consent
from pupils.models import AuditEvent, Source
from pupils.models.special import MedicalCondition
from sharing.rights import services
from sharing.rights.models import RightsRequest, RightsRequestStatus
from sharing.rights.portability import export_portable_data, portable_data
from tests.factories import (
    ContactFactory,
    InUseProviderFactory,
    PupilContactFactory,
    PupilFactory,
)

LIST = "/admin/sharing/rightsrequest/"
UTC = datetime.UTC


def at(day: datetime.date) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, 10, tzinfo=UTC)


def open_request(school, kind="erasure", *, pupil=None, contact=None, received=None, **extra):
    pupil = pupil or PupilFactory(school=school)
    return services.open_rights_request(
        actor="test",
        school=school,
        kind=kind,
        pupils=[pupil],
        requester_name="Sarah Khan",
        requester_relationship="parent",
        requester_contact=contact,
        channel="email",
        received_at=received or timezone.now() - datetime.timedelta(days=1),
        details="Please act on my child's record.",
        **extra,
    )


def checked(request):
    return services.record_rights_identity_check(
        actor="test", request=request, method="known", checked_on=timezone.localdate()
    )


# --- The clock -------------------------------------------------------------------------


def test_a_request_is_due_one_month_after_receipt_moved_off_the_weekend(school):
    # 15 February 2025 is a Saturday: due the next working day.
    request = open_request(school, received=at(datetime.date(2025, 1, 15)))
    assert request.received_on == datetime.date(2025, 1, 15)
    assert request.due_on == datetime.date(2025, 2, 17)


def test_a_pause_stops_the_clock_and_moves_the_deadline_on(school):
    request = open_request(school, received=at(datetime.date(2025, 3, 3)))
    services.pause_rights_clock(
        actor="test", request=request, reason="identity", starts_on=datetime.date(2025, 3, 5)
    )
    assert request.due_on is None and request.status == RightsRequestStatus.PAUSED
    services.resume_rights_clock(actor="test", request=request, ends_on=datetime.date(2025, 3, 15))
    assert request.due_on == datetime.date(2025, 4, 14)  # 3 April + 10 days, a Sunday -> Monday


def test_an_extension_told_in_the_first_month_adds_two_months(school):
    request = open_request(school, received=at(datetime.date(2025, 3, 3)))
    services.extend_rights_request(
        actor="test", request=request, told_on=datetime.date(2025, 3, 20), reason="Many records."
    )
    assert request.due_on == datetime.date(2025, 6, 3)


def test_an_extension_told_after_the_first_month_is_refused(school):
    request = open_request(school, received=at(datetime.date(2025, 3, 3)))
    with pytest.raises(ValidationError):
        services.extend_rights_request(
            actor="test", request=request, told_on=datetime.date(2025, 4, 10), reason="Late."
        )
    request.refresh_from_db()
    assert request.extended_on is None and request.due_on == datetime.date(2025, 4, 3)


def test_logging_tells_the_dpo_without_personal_data(school, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        request = open_request(school, kind="rectification")
    assert mail.outbox[-1].to == [school.dpo_email]
    assert "Sarah Khan" not in mail.outbox[-1].body
    assert f"/admin/sharing/rightsrequest/{request.pk}/change/" in mail.outbox[-1].body


# --- Each kind through its outcome --------------------------------------------------------


def test_erasure_of_the_admission_register_is_refused_with_the_reason(school):
    request = checked(open_request(school, kind="erasure"))
    services.decide_rights_request(
        actor="test",
        request=request,
        decision="refused",
        reason="The law requires the school to keep the admission register.",
        decided_on=timezone.localdate(),
    )
    request.refresh_from_db()
    assert (request.status, request.decision, request.changes_made) == ("decided", "refused", "")
    assert "admission register" in request.decision_reason
    assert AuditEvent.objects.filter(summary="Rights request decided").count() == 1


def test_a_refusal_cannot_claim_changes(school):
    request = checked(open_request(school, kind="erasure"))
    with pytest.raises(ValidationError):
        services.decide_rights_request(
            actor="test",
            request=request,
            decision="refused",
            reason="Required by law.",
            changes_made="Deleted the phone number.",
            decided_on=timezone.localdate(),
        )


@pytest.mark.parametrize(
    "kind, decision, changes",
    [
        ("rectification", "complied", "Date of birth corrected from 14 to 15 May 2017."),
        ("erasure", "partly", "Old mobile number deleted; admission register entry kept."),
        ("restriction", "complied", "Photographs not used while the accuracy is checked."),
        ("objection", "complied", "Photographs no longer used in the newsletter."),
    ],
)
def test_doing_as_asked_records_what_was_changed(school, kind, decision, changes):
    request = checked(open_request(school, kind=kind))
    services.decide_rights_request(
        actor="test",
        request=request,
        decision=decision,
        reason="The request was justified.",
        changes_made=changes,
        decided_on=timezone.localdate(),
    )
    request.refresh_from_db()
    assert (request.status, request.decision, request.changes_made) == (
        "decided",
        decision,
        changes,
    )


def test_doing_as_asked_without_saying_what_changed_is_refused(school):
    request = checked(open_request(school, kind="rectification"))
    with pytest.raises(ValidationError) as exc:
        services.decide_rights_request(
            actor="test",
            request=request,
            decision="complied",
            reason="Fair.",
            decided_on=timezone.localdate(),
        )
    assert "changes_made" in exc.value.message_dict
    request.refresh_from_db()
    assert request.status == RightsRequestStatus.OPEN


def test_no_decision_before_the_identity_check(school):
    request = open_request(school, kind="objection")
    with pytest.raises(ValidationError, match="identity"):
        services.decide_rights_request(
            actor="test",
            request=request,
            decision="refused",
            reason="Legitimate interests override.",
            decided_on=timezone.localdate(),
        )


def test_a_request_can_be_withdrawn(school):
    request = open_request(school, kind="restriction")
    services.withdraw_rights_request(actor="test", request=request)
    assert (request.status, request.due_on) == ("withdrawn", None)


# --- Portability -----------------------------------------------------------------------


@pytest.fixture
def portability(school, dpo_user):
    pupil = PupilFactory(
        school=school, legal_forename="Amy", legal_surname="Khan", source=Source.PARENT
    )
    mother = ContactFactory(school=school, forename="Sarah", surname="Khan", email="s@khan.example")
    father = ContactFactory(school=school, forename="Imran", surname="Khan", email="i@khan.example")
    PupilContactFactory(pupil=pupil, contact=mother)
    PupilContactFactory(pupil=pupil, contact=father, relationship="PAF")
    maths, photos = (
        InUseProviderFactory(school=school, service="Maths Stars"),
        InUseProviderFactory(school=school, service="Photo Journal"),
    )
    for provider, given, by in ((maths, True, mother), (photos, False, father)):
        record_consent(
            actor=dpo_user,
            pupil=pupil,
            provider=provider,
            given=given,
            given_by_contact=by,
            method="paper",
        )
    MedicalCondition.objects.create(pupil=pupil, condition="Asthma", source=Source.PARENT)
    MedicalCondition.objects.create(pupil=pupil, condition="School nurse note", source="school")
    request = checked(open_request(school, kind="portability", pupil=pupil, contact=mother))
    return request, pupil


def test_the_portable_copy_holds_what_the_family_provided(portability):
    request, pupil = portability
    data = json.loads(export_portable_data(actor="test", request=request, pupil=pupil))
    assert data["pupil"]["legal_forename"] == "Amy"
    assert data["pupil"]["date_of_birth"] == pupil.date_of_birth.isoformat()
    assert data["requester_contact"]["email"] == "s@khan.example"
    assert [(a["service"], a["answer"]) for a in data["consent_answers"]] == [
        ("Maths Stars", "yes")
    ]
    assert [m["condition"] for m in data["records_from_parent"]["medical_conditions"]] == ["Asthma"]
    text = json.dumps(data)
    # The other parent's details and answers, and what the school wrote, are not theirs.
    assert "i@khan.example" not in text and "Photo Journal" not in text
    assert "School nurse note" not in text
    request.refresh_from_db()
    assert request.exported_at is not None
    assert AuditEvent.objects.filter(action="export", pupil=pupil).count() == 1


def test_the_pupils_own_details_are_left_out_when_the_school_provided_them(school):
    pupil = PupilFactory(school=school, source=Source.SCHOOL)
    request = open_request(school, kind="portability", pupil=pupil)
    assert portable_data(request, pupil)["pupil"] is None


def test_portability_is_done_only_once_the_copy_is_produced(portability):
    request, pupil = portability
    with pytest.raises(ValidationError, match="portable copy"):
        services.decide_rights_request(
            actor="test",
            request=request,
            decision="complied",
            reason="Family-provided data sent.",
            decided_on=timezone.localdate(),
        )
    export_portable_data(actor="test", request=request, pupil=pupil)
    services.decide_rights_request(
        actor="test",
        request=request,
        decision="complied",
        reason="Family-provided data sent by e-mail.",
        decided_on=timezone.localdate(),
    )
    assert request.status == RightsRequestStatus.DECIDED


def test_the_dpo_downloads_the_portable_copy(dpo_client, portability):
    request, pupil = portability
    url = f"/admin/sharing/rightsrequest/{request.pk}/portable/"
    assert dpo_client.get(url).status_code == 200
    response = dpo_client.post(url, {"pupil": pupil.pk})
    assert response["Content-Type"].startswith("application/json")
    assert json.loads(response.content)["pupil"]["legal_surname"] == "Khan"


def test_office_staff_cannot_produce_the_portable_copy(office_client, portability):
    request, pupil = portability
    url = f"/admin/sharing/rightsrequest/{request.pk}/portable/"
    assert office_client.post(url, {"pupil": pupil.pk}).status_code == 403
    request.refresh_from_db()
    assert request.exported_at is None


# --- Staff pages -------------------------------------------------------------------------


def test_office_staff_log_a_request_through_the_service(office_client, school):
    pupil = PupilFactory(school=school)
    response = office_client.post(
        f"{LIST}add/",
        {
            "school": school.pk,
            "kind": "rectification",
            "pupils": [pupil.pk],
            "requester_name": "Sarah Khan",
            "requester_relationship": "parent",
            "channel": "letter",
            "received_at": f"{timezone.localdate().isoformat()} 00:30",
            "details": "The date of birth is wrong.",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    request = RightsRequest.objects.get()
    assert list(request.pupils.all()) == [pupil] and request.due_on is not None
    assert AuditEvent.objects.filter(summary="Rights request logged", pupil=pupil).exists()


def test_the_list_marks_overdue_and_due_soon_requests_soonest_first(dpo_client, school):
    today = timezone.localdate()
    open_request(school, received=at(today - datetime.timedelta(days=40)))
    open_request(school, received=at(today - datetime.timedelta(days=28)))
    open_request(school, received=at(today - datetime.timedelta(days=2)))
    page = dpo_client.get(LIST).content.decode()
    assert page.count("sar-overdue") == 1 and page.count("sar-due-soon") == 1
    assert page.index("sar-overdue") < page.index("sar-due-soon")


def count_list_queries(client) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(LIST).status_code == 200
    return len(ctx.captured_queries)


def test_the_list_costs_the_same_queries_for_3_and_30_requests(
    dpo_client, school, django_assert_max_num_queries
):
    for _ in range(3):
        open_request(school)
    with_3 = count_list_queries(dpo_client)
    for _ in range(27):
        open_request(school)
    with django_assert_max_num_queries(with_3):
        assert dpo_client.get(LIST).status_code == 200
    assert with_3 <= 12


def test_the_dpo_handles_a_request_in_one_step(dpo_client, school):
    request = open_request(school, kind="erasure")
    response = dpo_client.post(
        f"{LIST}{request.pk}/handle/",
        {
            "identity_method": "document",
            "identity_on": timezone.localdate().isoformat(),
            "decision": "refused",
            "decision_reason": "The attendance register must be kept by law.",
            "decided_on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert (request.identity_check, request.decision) == ("document", "refused")


def test_a_refused_step_leaves_nothing_written(dpo_client, school):
    request = open_request(school, kind="rectification")
    response = dpo_client.post(
        f"{LIST}{request.pk}/handle/",
        {
            "identity_method": "document",
            "decision": "complied",
            "decision_reason": "Fair.",
        },
    )
    assert response.status_code == 200
    assert "Say what was changed" in response.content.decode()
    request.refresh_from_db()
    assert request.identity_check == "" and request.status == "open"


def test_office_staff_cannot_handle_a_request(office_client, school):
    request = open_request(school)
    response = office_client.post(f"{LIST}{request.pk}/handle/", {"withdraw": "on"})
    assert response.status_code == 403
    request.refresh_from_db()
    assert request.status == "open"


def test_another_schools_dpo_gets_404(other_school_client, school):
    request = open_request(school)
    assert other_school_client.get(f"{LIST}{request.pk}/handle/").status_code == 404
    assert other_school_client.get(f"{LIST}{request.pk}/change/").status_code == 404
