"""Enrolment never waits on the consent form (UK GDPR Art 7(4)): an
applicant goes on roll without one, and is then on "do not set up" and the
office's to-do until the family answers."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from consent import reports
from pupils.models import EnrolmentStatus

pytestmark = pytest.mark.django_db


def pupil_form_data(pupil, **changes) -> dict:
    data = {
        "upn": pupil.upn,
        "former_upn": "",
        "legal_forename": pupil.legal_forename,
        "middle_names": "",
        "legal_surname": pupil.legal_surname,
        "preferred_forename": "",
        "preferred_surname": "",
        "date_of_birth": pupil.date_of_birth.isoformat(),
        "sex": pupil.sex,
        "first_language": "",
        "school": pupil.school_id,
        "enrolment_status": pupil.enrolment_status,
        "nc_year": pupil.nc_year,
        "admission_date": "2026-09-03",
        "leaving_date": "",
        "address_line1": pupil.address_line1,
        "address_line2": "",
        "town": pupil.town,
        "postcode": pupil.postcode,
        "source": pupil.source,
        "source_detail": "",
        "received_on": pupil.received_on.isoformat(),
    }
    return {**data, **changes}


@pytest.fixture
def applicant(family):
    ben = family.children[1]
    ben.enrolment_status = EnrolmentStatus.APPLICANT
    ben.admission_date = None
    ben.save()
    return ben


def inline_prefixes(client, pupil) -> list[str]:
    """The inline formset prefixes of the pupil page, as the admin renders them."""
    response = client.get(reverse("admin:pupils_pupil_change", args=[pupil.pk]))
    return [inline.formset.prefix for inline in response.context["inline_admin_formsets"]]


def post_status(client, pupil, status):
    data = pupil_form_data(pupil, enrolment_status=status)
    for prefix in inline_prefixes(client, pupil):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    return client.post(reverse("admin:pupils_pupil_change", args=[pupil.pk]), data)


def test_an_applicant_goes_on_roll_without_a_consent_form(applicant, family, office_client):
    assert not applicant.consent_records.exists()
    response = post_status(office_client, applicant, EnrolmentStatus.ON_ROLL)
    assert response.status_code == 302
    applicant.refresh_from_db()
    assert applicant.enrolment_status == EnrolmentStatus.ON_ROLL


def test_a_pupil_on_roll_without_answers_is_not_set_up_and_on_the_offices_to_do(
    applicant, family, office_client
):
    post_status(office_client, applicant, EnrolmentStatus.ON_ROLL)
    for provider in family.providers:
        assert applicant in reports.not_to_set_up(provider)
        page = office_client.get(reverse("admin:consent_not_set_up", args=[provider.pk]))
        assert applicant.upn in page.content.decode()
    assert applicant in reports.pupils_missing_answers(family.school, family.providers)
    overview = office_client.get(reverse("admin:consent_overview")).content.decode()
    assert applicant.full_name in overview


def test_nobody_has_leave_to_enrol_without_consent_any_more(db):
    assert not Permission.objects.filter(codename="enrol_without_consent").exists()
    assert not Permission.objects.filter(codename__endswith="enrolmentoverride").exists()
