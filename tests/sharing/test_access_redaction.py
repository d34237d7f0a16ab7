"""Redaction decisions point at the record they are about: a withheld
record is absent from the response, a redacted one is blanked, and the
response says what kind of thing was withheld and on which ground."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.urls import reverse

from consent.models import ConsentRecord
from pupils.models import MedicalCondition, PupilContact, SenNeed
from sharing.access import services as access
from sharing.access.response import produce_access_response
from sharing.models import IdentityCheck, RedactionDecision, RedactionGround, RedactionOutcome

from ..factories import MedicalConditionFactory
from . import test_response_pdf as full_record
from .test_response_pdf import pdf_text

family = full_record.family  # the fixture: a pupil with a full record

WITHHOLD, REDACT = RedactionOutcome.WITHHOLD, RedactionOutcome.REDACT


def decide(dpo_user, request, record, outcome=WITHHOLD, ground=RedactionGround.SERIOUS_HARM):
    return access.record_redaction(
        actor=dpo_user,
        request=request,
        record=record,
        outcome=outcome,
        ground=ground,
        reason="Advice of the school nurse and the designated safeguarding lead",
    )


def response_text(family, dpo_user, tmp_path) -> str:
    request = family["request"]
    if not request.identity_check:
        access.record_identity_check(
            actor=dpo_user,
            request=request,
            method=IdentityCheck.KNOWN,
            checked_on=request.received_on,
        )
    pdf = produce_access_response(actor=dpo_user, request=request, pupil=family["pupil"])
    return pdf_text(pdf, tmp_path)


def test_withheld_medical_sen_and_consent_records_are_absent_and_the_rest_present(
    family, dpo_user, tmp_path
):
    pupil, request = family["pupil"], family["request"]
    second = MedicalConditionFactory(pupil=pupil, condition="Asthma", notes="Inhaler in class")
    coeliac = MedicalCondition.objects.get(pupil=pupil, condition__startswith="Coe")
    decide(dpo_user, request, coeliac)
    decide(dpo_user, request, SenNeed.objects.get(pupil=pupil))
    withdrawn = ConsentRecord.objects.filter(pupil=pupil).order_by("seq").last()
    decide(dpo_user, request, withdrawn, ground=RedactionGround.CHILD_PROTECTION)

    text = response_text(family, dpo_user, tmp_path)

    for withheld in ["Coeliac disease", "Gluten-free lunches", "Speech therapy on Tuesdays"]:
        assert withheld not in text, withheld
    assert "Speech, language and communication needs" not in text
    consents = text.split("Consent to online services, with its history")[1].split("Who the")[0]
    assert consents.count("Snapjournal") == 1  # the answer given; the withdrawal is withheld
    for kept in [second.condition, "Inhaler in class", "GDS", "Parkside Academy", "SEN support"]:
        assert kept in text, kept
    # Listed by kind and ground, never by content or by staff's reason.
    listed = text.split("What we withheld or redacted, and why")[-1]
    assert "A medical condition Withheld Likely to cause serious harm" in listed
    assert "A special educational need Withheld" in listed
    assert "A consent answer Withheld Child protection" in listed
    assert "school nurse" not in text


def test_a_redacted_contact_entry_has_its_name_and_details_blanked(family, dpo_user, tmp_path):
    request, father = family["request"], family["father"]
    request.requester_contact = family["mother"]
    request.save()
    link = PupilContact.objects.get(contact=father)
    decide(dpo_user, request, link, outcome=REDACT, ground=RedactionGround.THIRD_PARTY)

    text = response_text(family, dpo_user, tmp_path)

    assert "Barnabus" not in text and "07700 955501" not in text
    contacts = text.split("Parents, carers and contacts")[1].split("Assessment results")[0]
    assert "Father" not in contacts  # even the relationship is blanked
    assert "[redacted]" in contacts
    assert "Ottoline" in contacts  # the requester's own entry
    assert "A contact's entry Redacted Third party's personal data" in text


def test_a_record_of_a_pupil_outside_the_request_is_refused(family, dpo_user):
    brothers = MedicalCondition.objects.get(pupil=family["brother"])
    with pytest.raises(ValidationError, match="not about any pupil of this request"):
        decide(dpo_user, family["request"], brothers)
    assert not RedactionDecision.objects.exists()


def test_one_decision_per_record(family, dpo_user):
    record = SenNeed.objects.get(pupil=family["pupil"])
    decide(dpo_user, family["request"], record)
    with pytest.raises(ValidationError, match="already recorded"):
        decide(dpo_user, family["request"], record, outcome=REDACT)


def test_a_decision_is_about_one_thing(family, dpo_user):
    with pytest.raises(ValidationError, match="Choose one thing"):
        access.record_redaction(
            actor=dpo_user,
            request=family["request"],
            record=SenNeed.objects.get(pupil=family["pupil"]),
            item="A paper file",
            outcome=WITHHOLD,
            ground=RedactionGround.SERIOUS_HARM,
            reason="x",
        )


def test_the_dpo_picks_the_record_from_the_pupils_data_on_the_handle_page(
    family, dpo_client, dpo_user
):
    request = family["request"]
    url = reverse("admin:sharing_accessrequest_handle", args=[request.pk])
    page = dpo_client.get(url).content.decode()
    condition = MedicalCondition.objects.get(pupil=family["pupil"], condition__startswith="Coe")
    value = f"pupils.medicalcondition:{condition.pk}"
    assert '<optgroup label="Medical conditions">' in page
    assert f'value="{value}"' in page
    assert "Hayfeverish" not in page  # the brother's record is not offered

    response = dpo_client.post(
        url,
        {
            "redaction_record": value,
            "redaction_outcome": WITHHOLD,
            "redaction_ground": RedactionGround.SERIOUS_HARM,
            "redaction_reason": "Health professional advised against disclosure",
        },
    )

    assert response.status_code == 302
    decision = RedactionDecision.objects.get()
    assert decision.record == condition
    assert decision.record_type == ContentType.objects.get_for_model(MedicalCondition)


def test_a_value_not_offered_on_the_handle_page_is_refused(family, dpo_client):
    request = family["request"]
    brothers = MedicalCondition.objects.get(pupil=family["brother"])
    response = dpo_client.post(
        reverse("admin:sharing_accessrequest_handle", args=[request.pk]),
        {
            "redaction_record": f"pupils.medicalcondition:{brothers.pk}",
            "redaction_outcome": WITHHOLD,
            "redaction_ground": RedactionGround.SERIOUS_HARM,
            "redaction_reason": "x",
        },
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not RedactionDecision.objects.exists()
