"""Photographs and video are asked about per use, each answered separately,
and staff see who may be photographed for each use."""

import csv
import io

import pytest
from django.urls import reverse

from consent import reports
from consent.forms import field_name
from consent.models import ConsentMethod
from consent.services import record_consent, send_consent_requests
from providers.models import PurposeKind
from pupils.models import AuditAction, AuditEvent
from tests.factories import InUseProviderFactory, PupilContactFactory, PupilFactory

from .helpers import link_from_outbox, path_of

pytestmark = pytest.mark.django_db
URL = reverse("admin:consent_photographs")


def _photo_use(school, service):
    return InUseProviderFactory(
        school=school,
        service=service,
        name="The school",
        kind=PurposeKind.PHOTOGRAPHS,
        data_categories=["name", "photos"],
        offline_alternative="Your child is not photographed for this use.",
    )


@pytest.fixture
def photos(family):
    family.website = _photo_use(family.school, "Photos: school website")
    family.press = _photo_use(family.school, "Photos: press")
    return family


def _answer(f, user, pupil, use, given):
    record_consent(
        actor=user,
        pupil=pupil,
        provider=use,
        given=given,
        given_by_contact=f.mother,
        method=ConsentMethod.PAPER,
    )


def _csv_rows(response) -> dict[str, dict[str, str]]:
    rows = csv.DictReader(io.StringIO(response.content.decode()))
    return {row["UPN"]: row for row in rows}


def test_the_form_asks_about_each_photograph_use_separately_for_each_child(
    photos, office_user, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        send_consent_requests(actor=office_user, pupils=photos.children)
    client.get(path_of(link_from_outbox(0)))
    page = client.get("/consent/form/")
    form = page.context["form"]
    amy = photos.children[0]
    for use in (photos.website, photos.press):
        field = form.fields[field_name(amy.pk, use.pk)]
        assert str(field.label) == (
            f"Can the school use photos and videos of Amy for this: {use.service}?"
        )
    html = page.content.decode()
    assert "each use of photos and videos separately" in html
    assert "Your child is not photographed for this use." in html


def test_a_use_answered_no_keeps_the_child_off_that_list(photos, office_user, office_client):
    amy, ben = photos.children
    _answer(photos, office_user, amy, photos.website, True)
    _answer(photos, office_user, ben, photos.website, False)
    _answer(photos, office_user, ben, photos.press, True)
    rows = _csv_rows(office_client.get(URL + "?format=csv"))
    assert rows[amy.upn]["Photos: school website"] == "Yes"
    assert rows[ben.upn]["Photos: school website"] == "No"
    assert rows[ben.upn]["Photos: press"] == "Yes"
    assert rows[amy.upn]["Photos: press"] == "No answer: do not"  # never asked: not a yes
    page = office_client.get(URL)
    (ben_row,) = [r for r in page.context["rows"] if r["pupil"] == ben]
    shown = dict(zip(page.context["uses"], ben_row["answers"], strict=True))
    assert shown == {photos.website: False, photos.press: True}
    assert ben in reports.not_to_set_up(photos.website)
    assert ben not in reports.not_to_set_up(photos.press)


def test_a_withdrawn_photograph_consent_takes_the_child_off_the_list(
    photos, office_user, office_client
):
    amy = photos.children[0]
    _answer(photos, office_user, amy, photos.website, True)
    _answer(photos, office_user, amy, photos.website, False)
    rows = _csv_rows(office_client.get(URL + "?format=csv"))
    assert rows[amy.upn]["Photos: school website"] == "No"


def test_the_class_list_filters_by_year_group_and_the_csv_is_formula_safe_and_audited(
    photos, office_client
):
    amy, ben = photos.children
    ben.legal_surname = "=HYPERLINK(1)"
    ben.save()
    page = office_client.get(URL + "?year=R")
    assert [r["pupil"] for r in page.context["rows"]] == [ben]
    body = office_client.get(URL + "?year=R&format=csv").content.decode()
    assert "'=HYPERLINK(1)" in body and ",=HYPERLINK" not in body
    assert amy.upn not in body
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT).count() == 1
    assert office_client.get(URL + "?year=13").status_code == 404


def test_staff_only_see_their_own_schools_list(photos, other_school_client, other_school, client):
    page = other_school_client.get(URL)
    assert page.status_code == 200 and photos.children[0].full_name not in page.content.decode()
    assert other_school_client.get(f"{URL}?school={photos.school.pk}").status_code == 404
    assert "/admin/login/" in client.get(URL)["Location"]


@pytest.mark.parametrize("pupils", [3, 30])
def test_the_class_list_uses_a_fixed_number_of_queries(
    photos, office_client, pupils, django_assert_max_num_queries
):
    for _ in range(pupils):
        PupilContactFactory(pupil=PupilFactory(school=photos.school))
    with django_assert_max_num_queries(17):
        assert office_client.get(URL).status_code == 200
    with django_assert_max_num_queries(17):
        assert office_client.get(URL + "?format=csv").status_code == 200


def test_a_use_not_for_a_year_group_shows_not_asked_not_no_answer(
    photos, office_user, office_client
):
    """A use for Years 3 to 6 never asked a Reception child's family: the
    list says so rather than "No answer", which reads as if they were asked."""
    amy, ben = photos.children  # Ben is in Reception
    photos.press.year_groups = ["3", "4", "5", "6"]
    photos.press.save()
    rows = _csv_rows(office_client.get(URL + "?format=csv"))
    assert rows[ben.upn]["Photos: press"] == "Not asked (not used for this year group)"
    assert rows[ben.upn]["Photos: school website"] == "No answer: do not"
    html = office_client.get(URL).content.decode()
    assert html.count('<td class="not-used">Not asked (not used for this year group)</td>') == 1
