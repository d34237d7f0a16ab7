"""The pupil's page in the staff site shows the pupil's consent state: per
purpose, what the school may do and each answer with who, when and how."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from consent.models import ConsentMethod
from consent.services import record_consent
from providers.models import PurposeKind
from tests.conftest import staff_client
from tests.factories import InUseProviderFactory, UserFactory

from .test_enrolment import inline_prefixes, post_status, pupil_form_data

pytestmark = pytest.mark.django_db


def _page(client, pupil) -> str:
    response = client.get(reverse("admin:pupils_pupil_change", args=[pupil.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_pupil_page_shows_each_purpose_with_answer_who_when_and_how(
    family, office_user, office_client
):
    ben = family.children[1]
    maths, journal = family.providers
    meals = InUseProviderFactory(
        school=family.school,
        service="Fingerprint meals",
        kind=PurposeKind.BIOMETRIC,
        data_categories=["name", "biometric"],
    )
    record_consent(
        actor=office_user,
        pupil=ben,
        provider=journal,
        given=False,
        given_by_contact=family.father,
        method=ConsentMethod.PAPER,
    )
    record_consent(
        actor=office_user,
        pupil=ben,
        provider=meals,
        given=True,
        given_by_contact=family.mother,
        method=ConsentMethod.EMAIL,
    )
    record_consent(
        actor=office_user,
        pupil=ben,
        provider=meals,
        given=False,
        by_pupil=True,
        method=ConsentMethod.PAPER,
    )
    html = _page(office_client, ben)
    state = {row["provider"].service: row for row in _state(office_client, ben)}
    assert state["Photo Journal"]["may"] is False
    assert state["Maths Stars"]["may"] is None and state["Maths Stars"]["answers"] == []
    assert state["Fingerprint meals"]["may"] is False  # the pupil objects
    assert len(state["Fingerprint meals"]["answers"]) == 2  # mother's yes, Ben's no
    assert "Imran Khan" in html and "Paper form" in html and "recorded by office" in html
    assert "Sarah Khan" in html and "E-mail" in html and "the pupil" in html
    assert "explicit consent" in html
    assert "No answer yet: do not" in html


def _state(client, pupil):
    response = client.get(reverse("admin:pupils_pupil_change", args=[pupil.pk]))
    (inline,) = [
        i for i in response.context["inline_admin_formsets"] if hasattr(i.formset, "consent_state")
    ]
    return inline.formset.consent_state


def test_staff_who_may_not_see_consent_answers_do_not_see_the_panel(family, school):
    user = UserFactory(username="clerk", school=school)
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_pupil", "change_pupil"])
    )
    html = _page(staff_client(user), family.children[1])
    assert "May the school go ahead?" not in html


def test_the_pupil_page_still_saves_with_the_panel_on_it(family, office_client):
    amy = family.children[0]
    assert "May the school go ahead?" in _page(office_client, amy)
    assert post_status(office_client, amy, amy.enrolment_status).status_code == 302
    # A form posted without the panel's (empty) formset saves too.
    data = pupil_form_data(amy, preferred_forename="Bea")
    for prefix in inline_prefixes(office_client, amy):
        if prefix != "consent_records":
            data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    url = reverse("admin:pupils_pupil_change", args=[amy.pk])
    assert office_client.post(url, data).status_code == 302
    amy.refresh_from_db()
    assert amy.preferred_forename == "Bea"


@pytest.mark.parametrize("client_of", ["dpo_client", "office_client"])
def test_the_page_with_answers_and_a_biometric_purpose_stays_within_its_queries(
    client_of, request, family, office_user, django_assert_max_num_queries
):
    """Issue 17: the pupil's page at most 12 queries of its own, the consent
    panel included (here with answers and a biometric purpose, its most
    expensive case), the same with one answer or many."""
    from tests.pupils.test_pupil_page import PAGE_OWN, SIGNED_IN

    ben = family.children[1]
    maths, journal = family.providers
    meals = InUseProviderFactory(
        school=family.school,
        service="Fingerprint meals",
        kind=PurposeKind.BIOMETRIC,
        data_categories=["name", "biometric"],
    )
    client = request.getfixturevalue(client_of)

    def whole_request() -> int:
        url = reverse("admin:pupils_pupil_change", args=[ben.pk])
        client.get(url)  # the content-type cache, warm in a running server
        with django_assert_max_num_queries(SIGNED_IN + PAGE_OWN) as counted:
            assert client.get(url).status_code == 200
        return len(counted.captured_queries)

    record_consent(
        actor=office_user,
        pupil=ben,
        provider=meals,
        given=True,
        given_by_contact=family.mother,
        method=ConsentMethod.EMAIL,
    )
    with_one = whole_request()
    for provider, given in ((journal, False), (maths, True), (journal, True), (maths, False)):
        for contact in (family.mother, family.father):
            record_consent(
                actor=office_user,
                pupil=ben,
                provider=provider,
                given=given,
                given_by_contact=contact,
                method=ConsentMethod.PAPER,
            )
    record_consent(
        actor=office_user, pupil=ben, provider=meals, given=False, by_pupil=True, method="paper"
    )
    assert whole_request() == with_one
