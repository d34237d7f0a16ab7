"""Who sees which pupils, and which parts of their record."""

from django.urls import reverse
from django.utils.html import escape

from pupils.models import AuditAction, AuditEvent

from ..factories import MedicalConditionFactory, PupilFactory, SpecialCategoryFactory


def change_url(pupil):
    return reverse("admin:pupils_pupil_change", args=[pupil.pk])


def test_office_staff_see_the_pupil_but_not_special_category_data(office_client, school):
    pupil = PupilFactory(school=school)
    MedicalConditionFactory(pupil=pupil, condition="Epilepsy")
    SpecialCategoryFactory(pupil=pupil)

    response = office_client.get(change_url(pupil))

    assert response.status_code == 200
    html = response.content.decode()
    assert escape(pupil.legal_surname) in html  # O'Brien is O&#x27;Brien
    assert "Epilepsy" not in html
    assert "SEN provision" not in html
    assert "Ethnicity" not in html
    assert not AuditEvent.objects.filter(action=AuditAction.VIEW_SPECIAL).exists()


def test_office_staff_cannot_filter_the_list_by_sen(office_client, school):
    PupilFactory(school=school)
    response = office_client.get(reverse("admin:pupils_pupil_changelist"))
    assert "SEN provision" not in response.content.decode()


def test_dpo_sees_special_category_data_and_the_view_is_logged(dpo_client, dpo_user, school):
    pupil = PupilFactory(school=school)
    MedicalConditionFactory(pupil=pupil, condition="Epilepsy")

    response = dpo_client.get(change_url(pupil))

    assert response.status_code == 200
    assert "Epilepsy" in response.content.decode()
    event = AuditEvent.objects.get(action=AuditAction.VIEW_SPECIAL)
    assert event.actor == dpo_user
    assert event.pupil_id == pupil.pk
    assert event.school_id == school.pk


def test_staff_of_another_school_get_404_for_a_pupil(other_school_client, school):
    pupil = PupilFactory(school=school)
    assert other_school_client.get(change_url(pupil)).status_code == 404
    history = reverse("admin:pupils_pupil_history", args=[pupil.pk])
    assert other_school_client.get(history).status_code == 404


def test_staff_of_another_school_do_not_see_the_pupil_listed(other_school_client, school):
    pupil = PupilFactory(school=school)
    response = other_school_client.get(reverse("admin:pupils_pupil_changelist"))
    assert response.status_code == 200
    assert pupil.upn not in response.content.decode()


def test_signed_out_visitors_are_sent_to_sign_in(client, school):
    pupil = PupilFactory(school=school)
    response = client.get(change_url(pupil))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_listing_pupils_by_sen_is_on_the_dpos_own_school_trail(dpo_client, school):
    PupilFactory(school=school)
    dpo_client.get(reverse("admin:pupils_pupil_changelist") + "?sen=K")
    event = AuditEvent.objects.get(action=AuditAction.VIEW_SPECIAL)
    assert event.school_id == school.pk
    trail = dpo_client.get(reverse("admin:pupils_auditevent_changelist"))
    assert "Listed pupils by SEN provision" in trail.content.decode()
