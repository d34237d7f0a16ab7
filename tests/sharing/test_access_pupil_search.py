"""The DPO matches an online access request to its pupil by searching, not
by scrolling a list of every pupil: the handling page's "Pupils" step uses
the staff site's autocomplete, which keeps to the DPO's school and never
searches special category data."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from sharing.access.services import open_access_request
from tests.factories import ContactFactory, MedicalConditionFactory, PupilFactory

AUTOCOMPLETE = reverse("admin:autocomplete")
PUPILS = {"app_label": "sharing", "model_name": "accessrequest", "field_name": "pupils"}


@pytest.fixture
def unmatched(school, dpo_user):
    return open_access_request(
        actor=dpo_user,
        school=school,
        pupils=[],
        pupil_named="Zara Whitlock, Year 4",
        requester_name="Sarah Whitlock",
        requester_relationship="parent",
        channel="website",
        received_at=timezone.now() - datetime.timedelta(days=1),
        details="Everything you hold about my daughter.",
    )


def handle_url(request) -> str:
    return reverse("admin:sharing_accessrequest_handle", args=[request.pk])


def found(client, term: str, params=PUPILS) -> list[str]:
    response = client.get(AUTOCOMPLETE, {"term": term, **params})
    assert response.status_code == 200
    return [r["text"] for r in response.json()["results"]]


def test_the_pupils_step_is_a_search_not_a_list_of_every_pupil(dpo_client, school, unmatched):
    for n in range(40):
        PupilFactory(school=school, legal_forename=f"Pupil{n}", legal_surname="Listed")
    page = dpo_client.get(handle_url(unmatched)).content.decode()
    assert 'name="match_pupils"' in page and "admin-autocomplete" in page
    assert 'data-model-name="accessrequest"' in page and 'data-field-name="pupils"' in page
    assert "Pupil7" not in page  # no option per pupil: the search finds them
    assert "admin/js/autocomplete.js" in page


def test_the_search_finds_pupils_of_the_dpos_school_only(
    dpo_client, school, other_school, unmatched
):
    zara = PupilFactory(school=school, legal_forename="Zara", legal_surname="Whitlock")
    PupilFactory(school=other_school, legal_forename="Zack", legal_surname="Whitlock")
    assert found(dpo_client, "Whitl") == [str(zara)]
    ContactFactory(school=school, forename="Sarah", surname="Whitlock")
    ContactFactory(school=other_school, forename="Sam", surname="Whitlock")
    contacts = {**PUPILS, "field_name": "requester_contact"}
    names = found(dpo_client, "Whitlock", contacts)
    assert len(names) == 1 and "Sarah" in names[0]


def test_the_search_cannot_find_a_pupil_by_a_medical_condition(dpo_client, school, unmatched):
    pupil = PupilFactory(school=school, legal_forename="Una", legal_surname="Well")
    MedicalConditionFactory(pupil=pupil, condition="Asthma")
    assert found(dpo_client, "Asthma") == []
    assert found(dpo_client, "Well") == [str(pupil)]


def test_the_chosen_pupil_is_matched_and_one_of_another_school_refused(
    dpo_client, school, other_school, unmatched
):
    stranger = PupilFactory(school=other_school)
    refused = dpo_client.post(handle_url(unmatched), {"match_pupils": [stranger.pk]})
    assert (
        refused.status_code == 200 and 'class="errornote error-summary"' in refused.content.decode()
    )
    zara = PupilFactory(school=school, legal_forename="Zara", legal_surname="Whitlock")
    response = dpo_client.post(handle_url(unmatched), {"match_pupils": [zara.pk]})
    assert response.status_code == 302
    assert list(unmatched.pupils.all()) == [zara]
