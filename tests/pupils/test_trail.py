"""Every change to pupil data leaves a trace nobody can edit."""

import pytest
from django.db import connection
from django.urls import reverse

from pupils import audit
from pupils.models import AuditAction, AuditEvent, Pupil

from ..factories import PupilFactory


def pupil_form_data(pupil, **changes):
    data = {
        "upn": pupil.upn,
        "former_upn": "",
        "legal_surname": pupil.legal_surname,
        "legal_forename": pupil.legal_forename,
        "middle_names": "",
        "preferred_surname": "",
        "preferred_forename": "",
        "date_of_birth": pupil.date_of_birth.isoformat(),
        "sex": pupil.sex,
        "first_language": "",
        "school": pupil.school_id,
        "enrolment_status": pupil.enrolment_status,
        "nc_year": pupil.nc_year,
        "admission_date": pupil.admission_date.isoformat(),
        "leaving_date": "",
        "address_line1": pupil.address_line1,
        "address_line2": "",
        "town": pupil.town,
        "postcode": pupil.postcode,
        "source": pupil.source,
        "source_detail": "",
        "received_on": pupil.received_on.isoformat(),
        # What the browser sends back for a field with a callable default.
        "initial-received_on": pupil.received_on.isoformat(),
    }
    for prefix in ("contact_links", "assessments", "attendance", "exclusions", "destination"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    data.update(changes)
    return data


def test_changing_a_pupil_records_who_changed_which_fields(office_client, office_user, school):
    pupil = PupilFactory(school=school, preferred_forename="")
    url = reverse("admin:pupils_pupil_change", args=[pupil.pk])

    response = office_client.post(url, pupil_form_data(pupil, preferred_forename="Bea"))

    assert response.status_code == 302, response.context["errors"] if response.context else ""
    assert Pupil.objects.get(pk=pupil.pk).preferred_forename == "Bea"
    event = AuditEvent.objects.get(action=AuditAction.UPDATE)
    assert event.actor == office_user
    assert event.pupil_id == pupil.pk
    assert event.fields == ["preferred_forename"]
    # The trail names fields, never values: erased data must not survive in it.
    assert "Bea" not in str(event.fields) + event.summary


def test_a_bad_upn_is_refused_with_a_message_and_changes_nothing(office_client, school):
    pupil = PupilFactory(school=school)
    url = reverse("admin:pupils_pupil_change", args=[pupil.pk])

    response = office_client.post(url, pupil_form_data(pupil, upn="A801200005001"))

    assert response.status_code == 200
    assert "check letter" in response.content.decode()
    assert Pupil.objects.get(pk=pupil.pk).upn == pupil.upn
    assert not AuditEvent.objects.exists()


def test_staff_can_read_a_pupils_trail(office_client, office_user, school):
    pupil = PupilFactory(school=school)
    audit.record_change(actor=office_user, obj=pupil, created=False, fields=["postcode"])

    response = office_client.get(reverse("admin:pupils_pupil_history", args=[pupil.pk]))

    assert response.status_code == 200
    assert "postcode" in response.content.decode()


def test_nobody_can_edit_or_delete_the_trail_in_the_admin(dpo_client, dpo_user, school):
    pupil = PupilFactory(school=school)
    audit.record_change(actor=dpo_user, obj=pupil, created=False, fields=["town"])
    event = AuditEvent.objects.get()
    url = reverse("admin:pupils_auditevent_change", args=[event.pk])

    dpo_client.post(url, {"summary": "nothing happened"})
    dpo_client.post(reverse("admin:pupils_auditevent_delete", args=[event.pk]), {"post": "yes"})

    event.refresh_from_db()
    assert event.summary != "nothing happened"
    assert AuditEvent.objects.count() == 1


def test_the_chain_holds_and_an_edited_row_is_found(school, office_user):
    pupil = PupilFactory(school=school)
    for field in ("town", "postcode", "nc_year"):
        audit.record_change(actor=office_user, obj=pupil, created=False, fields=[field])
    assert audit.verify_chain() is None

    second = AuditEvent.objects.order_by("id")[1]
    tampered = AuditEvent.objects.order_by("id")
    events = list(tampered)
    events[1].summary = "Changed: nothing"
    broken = audit.verify_chain(iter(events))
    assert broken is not None and broken.event_id == second.pk


@pytest.mark.django_db
def test_a_removed_row_breaks_the_chain(school, office_user):
    pupil = PupilFactory(school=school)
    for field in ("town", "postcode", "nc_year"):
        audit.record_change(actor=office_user, obj=pupil, created=False, fields=[field])
    events = list(AuditEvent.objects.order_by("id"))
    del events[1]
    broken = audit.verify_chain(iter(events))
    assert broken is not None and broken.event_id == events[1].pk


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite has no triggers guarding the trail"
)
def test_postgres_refuses_a_raw_update_or_delete_of_the_trail(school, office_user):
    from django.db import DatabaseError, transaction

    pupil = PupilFactory(school=school)
    audit.record_change(actor=office_user, obj=pupil, created=False, fields=["town"])
    event = AuditEvent.objects.get()
    for sql in (
        "UPDATE pupils_auditevent SET summary = 'edited' WHERE id = %s",
        "DELETE FROM pupils_auditevent WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [event.pk])
    event.refresh_from_db()
    assert event.summary != "edited"
