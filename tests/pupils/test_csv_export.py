"""The pupil list's "Download these pupils (CSV)": the list's own filters and
search, formula-safe cells, office columns for everyone, special category
columns only for those allowed, one trail entry with the count and never a
name, and a fixed number of queries."""

import csv
import io

import pytest
from django.urls import reverse

from pupils.csvexport import csv_safe, to_csv
from pupils.models import AuditAction, AuditEvent, NCYear, SenNeed

from ..factories import MedicalConditionFactory, PupilFactory, SpecialCategoryFactory

LIST = reverse("admin:pupils_pupil_changelist")
EXPORT = reverse("admin:pupils_pupil_export")


def rows_of(response) -> list[dict[str, str]]:
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="pupils-')
    return list(csv.DictReader(io.StringIO(response.content.decode())))


@pytest.fixture
def class_lists(school, other_school):
    year3 = [
        PupilFactory(school=school, nc_year=NCYear.Y3, legal_surname=name)
        for name in ("Baker", "Adams", "Davies")
    ]
    year3[2].legal_forename = '=HYPERLINK("http://evil.example")'
    year3[2].save()
    year5 = PupilFactory(school=school, nc_year=NCYear.Y5, legal_surname="Carter")
    MedicalConditionFactory(pupil=year5, condition="Asthma")
    SpecialCategoryFactory(pupil=year5, sen_provision="K")
    SenNeed.objects.create(pupil=year5, need_type="ASD")
    PupilFactory(school=other_school, nc_year=NCYear.Y3, legal_surname="Elsewhere")
    return year3, year5


def test_the_list_links_to_the_download_with_its_current_filters(office_client, class_lists):
    html = office_client.get(LIST, {"nc_year__exact": "3"}).content.decode()
    assert f'href="{EXPORT}?nc_year__exact=3"' in html
    assert "Download these pupils (CSV)" in html


def test_the_download_keeps_the_lists_filters_search_and_order(office_client, class_lists):
    year3 = rows_of(office_client.get(EXPORT, {"nc_year__exact": "3", "p": "2"}))
    assert [r["Legal surname"] for r in year3] == ["Adams", "Baker", "Davies"]
    assert year3[2]["Legal forename"] == '\'=HYPERLINK("http://evil.example")'

    found = rows_of(office_client.get(EXPORT, {"q": "Carter"}))
    assert [r["Legal surname"] for r in found] == ["Carter"]
    assert found[0]["Year group"] == "Year 5"

    everyone = rows_of(office_client.get(EXPORT))
    assert "Elsewhere" not in {r["Legal surname"] for r in everyone}  # another school's
    assert len(everyone) == 4


def test_cells_a_spreadsheet_would_run_are_written_as_text():
    assert csv_safe("=1+1") == "'=1+1"
    assert csv_safe("+44 7700") == "'+44 7700"
    assert csv_safe("-2") == "'-2"
    assert csv_safe("@SUM(A1)") == "'@SUM(A1)"
    assert csv_safe("\tx") == "'\tx"
    assert csv_safe("O'Neil") == "O'Neil"
    assert csv_safe(None) == ""
    text = to_csv(["=head"], [["=cmd|' /C calc'!A0", 3]])
    assert list(csv.reader(io.StringIO(text))) == [["'=head"], ["'=cmd|' /C calc'!A0", "3"]]


def test_office_staff_get_no_special_category_columns(office_client, class_lists):
    rows = rows_of(office_client.get(EXPORT))
    header = list(rows[0])
    assert header[:3] == ["UPN", "Legal surname", "Legal forename"]
    for special in ("Ethnicity", "SEN provision", "SEN types of need", "Medical conditions"):
        assert special not in header
    assert "Asthma" not in office_client.get(EXPORT).content.decode()


def test_office_staff_cannot_narrow_the_download_by_special_category_data(
    office_client, class_lists
):
    response = office_client.get(EXPORT, {"medical_conditions__isnull": "False"})
    assert response.status_code == 400
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


def test_the_dpo_gets_the_special_category_columns_and_the_read_is_logged(dpo_client, class_lists):
    rows = rows_of(dpo_client.get(EXPORT, {"sen": "K"}))
    assert [r["Legal surname"] for r in rows] == ["Carter"]
    assert rows[0]["Medical conditions"] == "Asthma"
    assert rows[0]["SEN types of need"] == "Autistic spectrum disorder"
    viewed = AuditEvent.objects.get(action=AuditAction.VIEW_SPECIAL)
    assert viewed.summary == "Exported special category data of 1 pupil (CSV)"
    assert "medical_conditions" in viewed.fields


def test_the_download_is_in_the_trail_with_the_count_never_the_names(
    office_client, office_user, class_lists
):
    office_client.get(EXPORT, {"nc_year__exact": "3", "q": "Adams"})

    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert event.actor == office_user
    assert event.school_id == office_user.staff_profile.school_id
    assert event.pupil is None
    assert event.summary == (
        "Exported the pupil list as CSV: 1 pupil (narrowed by year group, search)"
    )
    assert "Adams" not in event.summary and "upn" in event.fields
    assert "medical_conditions" not in event.fields
    assert not AuditEvent.objects.filter(action=AuditAction.VIEW_SPECIAL).exists()


def test_signed_out_gets_nothing_and_another_school_only_its_own(
    client, other_school_client, class_lists
):
    response = client.get(EXPORT)
    assert response.status_code == 302  # to the sign-in page
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()

    theirs = rows_of(other_school_client.get(EXPORT))
    assert [r["Legal surname"] for r in theirs] == ["Elsewhere"]


def test_the_download_makes_the_same_queries_for_3_and_60_pupils(dpo_client, school, class_lists):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert dpo_client.get(EXPORT).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for pupil in PupilFactory.create_batch(56, school=school):
        MedicalConditionFactory(pupil=pupil, condition="Hay fever")
        SpecialCategoryFactory(pupil=pupil)
    many = count()
    assert few == many
