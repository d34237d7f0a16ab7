"""The one clock service (sharing.clocked): access and rights requests pause,
restart and extend alike, refuse alike (keyed by the handling form's field)
and leave the same trail, each with its own pause table and label."""

import datetime

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import models
from django.urls import reverse

from pupils.models import AuditEvent
from sharing import clocked
from sharing.access import services as access
from sharing.models import AccessRequestStatus, ClockPause, RightsPause
from sharing.rights import services as rights

from ..factories import PupilFactory

D = datetime.date
RECEIVED = datetime.datetime(2025, 9, 3, 10, 0, tzinfo=datetime.UTC)


def access_request(school, **extra):
    return access.open_access_request(
        actor=None,
        school=school,
        pupils=[PupilFactory(school=school)],
        requester_name="Mrs Alex Parent",
        requester_relationship="parent",
        channel="email",
        received_at=RECEIVED,
        **extra,
    )


def rights_request(school):
    return rights.open_rights_request(
        actor=None,
        school=school,
        kind="rectification",
        pupils=[PupilFactory(school=school)],
        requester_name="Mrs Alex Parent",
        requester_relationship="parent",
        channel="email",
        received_at=RECEIVED,
        details="Correct the spelling of the name.",
    )


KINDS = {
    "access": (access_request, access.CLOCK, ClockPause, "Access request"),
    "rights": (rights_request, rights.CLOCK, RightsPause, "Rights request"),
}


@pytest.fixture(params=KINDS)
def kind(request, school):
    make, clock, pause_model, label = KINDS[request.param]
    return make(school), clock, pause_model, label


def refusal(exc: pytest.ExceptionInfo[ValidationError]) -> dict:
    return exc.value.message_dict


def test_a_pause_records_who_paused_it_and_its_note_trimmed(kind, dpo_user):
    request, clock, pause_model, label = kind

    pause = clocked.pause(
        actor=dpo_user,
        clock=clock,
        request=request,
        reason="identity",
        starts_on=D(2025, 9, 4),
        note="  Asked for a utility bill  ",
    )

    pause = pause_model.objects.get(pk=pause.pk)
    assert (pause.created_by, pause.note) == (dpo_user, "Asked for a utility bill")
    assert request.due_on is None and request.status == "paused"
    assert AuditEvent.objects.filter(summary=f"{label}: clock paused").count() == 1


def test_restarting_and_extending_move_the_deadline_alike(kind):
    request, clock, _pause_model, label = kind
    clocked.pause(actor=None, clock=clock, request=request, reason="fee", starts_on=D(2025, 9, 4))

    clocked.resume(actor=None, clock=clock, request=request, ends_on=D(2025, 9, 14))
    assert request.due_on == D(2025, 10, 13)  # 3 October + 10 days

    clocked.extend(
        actor=None, clock=clock, request=request, told_on=D(2025, 9, 20), reason="Many records"
    )
    assert request.due_on == D(2025, 12, 15)  # 3 December + 10 days, a Saturday -> Monday
    summaries = set(AuditEvent.objects.values_list("summary", flat=True))
    assert {f"{label}: clock restarted", f"{label} extended"} <= summaries


@pytest.mark.parametrize(
    "step, field",
    [
        ({"method": "not_needed", "checked_on": D(2025, 9, 4)}, "identity_note"),
        ({"method": "known", "checked_on": D(2025, 9, 1)}, "identity_on"),
        ({"method": "", "checked_on": D(2025, 9, 4)}, "identity_method"),
    ],
)
def test_identity_refusals_name_their_field(kind, step, field):
    request, clock, _pause_model, _label = kind
    with pytest.raises(ValidationError) as exc:
        clocked.record_identity_check(actor=None, clock=clock, request=request, **step)
    assert list(refusal(exc)) == [field]


def test_clock_refusals_name_their_field(kind):
    request, clock, _pause_model, _label = kind
    with pytest.raises(ValidationError) as exc:
        clocked.resume(actor=None, clock=clock, request=request, ends_on=D(2025, 9, 5))
    assert list(refusal(exc)) == ["resume_on"]
    with pytest.raises(ValidationError) as exc:
        clocked.pause(
            actor=None, clock=clock, request=request, reason="fee", starts_on=D(2025, 9, 1)
        )
    assert list(refusal(exc)) == ["pause_starts_on"]
    with pytest.raises(ValidationError) as exc:
        clocked.extend(
            actor=None, clock=clock, request=request, told_on=D(2025, 10, 20), reason="Late"
        )
    assert list(refusal(exc)) == ["extend_told_on"]


def test_an_extension_without_its_date_is_refused_on_the_handling_pages(kind):
    request, clock, _pause_model, _label = kind
    steps = clocked.ClockSteps(extend_reason="Many records")
    with pytest.raises(ValidationError) as exc:
        clocked.take_clock_steps(actor=None, clock=clock, request=request, steps=steps)
    assert list(refusal(exc)) == ["extend_told_on"]


def test_an_educational_record_request_can_neither_pause_nor_be_extended(school):
    school.terms.create(name="Autumn", starts_on=D(2025, 9, 1), ends_on=D(2025, 12, 19))
    request = access_request(school, educational_record=True)
    with pytest.raises(ValidationError, match="never stop") as exc:
        access.pause_clock(actor=None, request=request, reason="fee", starts_on=D(2025, 9, 4))
    assert list(refusal(exc)) == ["pause_reason"]
    with pytest.raises(ValidationError, match="cannot be extended") as exc:
        access.extend_request(actor=None, request=request, told_on=D(2025, 9, 4), reason="Many")
    assert list(refusal(exc)) == ["extend_told_on"]


def test_a_clock_needs_a_status_enum_with_open_paused_and_withdrawn():
    class Answered(models.TextChoices):
        OPEN = "open", "Open"
        ANSWERED = "answered", "Answered"

    with pytest.raises(ImproperlyConfigured, match="OPEN, PAUSED and WITHDRAWN"):
        clocked.Clock(
            label="x", pause_model=ClockPause, statuses=Answered, due_on=clocked.one_month_due_on
        )
    assert access.CLOCK.paused == AccessRequestStatus.PAUSED


# --- The handling pages show a refusal on its field -----------------------------------


@pytest.mark.parametrize(
    "make, url_name",
    [
        (access_request, "admin:sharing_accessrequest_handle"),
        (rights_request, "admin:sharing_rightsrequest_handle"),
    ],
)
def test_both_handling_pages_show_a_refusal_on_its_field_and_save_nothing(
    dpo_client, school, make, url_name
):
    request = make(school)
    response = dpo_client.post(
        reverse(url_name, args=[request.pk]),
        {"pause_reason": "fee", "pause_starts_on": "2025-09-01"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["pause_starts_on"] == [
        "A pause cannot start before the request was received."
    ]
    assert [str(m) for m in response.context["messages"]] == [
        "Nothing was saved: A pause cannot start before the request was received."
    ]
    assert not request.pauses.exists()
