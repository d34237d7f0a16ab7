"""An applicant cannot go on roll until the family's consent form is
complete, unless the DPO records a reason."""

import pytest
from django.urls import reverse

from consent.models import ConsentMethod, EnrolmentOverride
from consent.services import record_consent
from pupils.enrolment import enrolment_problems
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


def test_an_applicant_with_missing_answers_cannot_go_on_roll(applicant, office_client):
    response = post_status(office_client, applicant, EnrolmentStatus.ON_ROLL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "cannot go on roll yet" in html and "Maths Stars" in html
    applicant.refresh_from_db()
    assert applicant.enrolment_status == EnrolmentStatus.APPLICANT


def test_an_applicant_with_a_complete_form_goes_on_roll(
    applicant, family, office_client, office_user
):
    assert enrolment_problems(applicant)
    for provider in family.providers:
        record_consent(
            actor=office_user,
            pupil=applicant,
            provider=provider,
            given=False,
            given_by_contact=family.father,
            method=ConsentMethod.PAPER,
        )
    assert enrolment_problems(applicant) == []
    response = post_status(office_client, applicant, EnrolmentStatus.ON_ROLL)
    assert response.status_code == 302
    applicant.refresh_from_db()
    assert applicant.enrolment_status == EnrolmentStatus.ON_ROLL


def test_only_the_dpo_can_record_a_reason_to_enrol_without_consent(
    applicant, office_client, dpo_client, dpo_user
):
    url = reverse("admin:consent_enrolmentoverride_add")
    data = {"pupil": applicant.pk, "reason": "Looked-after child; social worker answering."}
    assert office_client.post(url, data).status_code == 403
    assert EnrolmentOverride.objects.count() == 0
    blank = dpo_client.post(url, {"pupil": applicant.pk, "reason": ""})
    assert blank.status_code == 200 and EnrolmentOverride.objects.count() == 0
    assert dpo_client.post(url, data).status_code == 302
    override = EnrolmentOverride.objects.get()
    assert override.recorded_by == dpo_user
    response = post_status(office_client, applicant, EnrolmentStatus.ON_ROLL)
    assert response.status_code == 302
    applicant.refresh_from_db()
    assert applicant.enrolment_status == EnrolmentStatus.ON_ROLL


def test_pupils_already_on_roll_are_not_blocked_by_missing_answers(family, office_client):
    amy = family.children[0]
    response = post_status(office_client, amy, EnrolmentStatus.ON_ROLL)
    assert response.status_code == 302
