"""Special category data stays behind its permission in every lookup of the
staff site: filters, hand-typed URL lookups, search, sorting, autocomplete
and the pupil's history (issue 11, the first hole)."""

import pytest
from django.contrib import admin
from django.urls import reverse

from pupils import audit
from pupils.admin_tools import SchoolScopedAdmin, is_special_filter, touches_special
from pupils.models import AuditAction, AuditEvent, Pupil, SenNeed

from ..factories import MedicalConditionFactory, PupilFactory, SpecialCategoryFactory

LIST = reverse("admin:pupils_pupil_changelist")

SPECIAL_LOOKUPS = [
    "medical_conditions__isnull=False",
    "medical_conditions__isnull=True",
    "sen_needs__isnull=False",
    "sen_needs__need_type=ASD",
    "special__isnull=False",
    "special__sen_provision=K",
    "special__ethnicity=WBRI",
    "medical_conditions=1",
    "medical_conditions__condition__icontains=asthma",
    "medical_conditions__has_care_plan=1",
]


@pytest.fixture
def pupils_with_and_without(school):
    unwell = PupilFactory(school=school, legal_surname="Unwell")
    MedicalConditionFactory(pupil=unwell, condition="Asthma")
    SpecialCategoryFactory(pupil=unwell, sen_provision="K")
    SenNeed.objects.create(pupil=unwell, need_type="ASD")
    well = PupilFactory(school=school, legal_surname="Well")
    return unwell, well


@pytest.mark.parametrize("lookup", SPECIAL_LOOKUPS)
def test_office_staff_cannot_list_pupils_by_special_category_data(
    office_client, pupils_with_and_without, lookup
):
    response = office_client.get(f"{LIST}?{lookup}")

    # Refused outright (Django's DisallowedModelAdminLookup): no list at all,
    # so nothing tells the two pupils apart.
    assert response.status_code == 400
    assert "Unwell" not in response.content.decode()


def test_office_staffs_list_is_the_same_whatever_special_lookup_is_tried(
    office_client, pupils_with_and_without
):
    plain = office_client.get(LIST).content.decode()
    assert "Unwell" in plain and "Well" in plain

    for lookup in SPECIAL_LOOKUPS:
        response = office_client.get(f"{LIST}?{lookup}")
        assert response.status_code == 400, lookup


def test_office_staff_cannot_use_the_sen_filter_by_its_parameter(
    office_client, pupils_with_and_without
):
    response = office_client.get(f"{LIST}?sen=K")

    # Not a filter they have: Django treats it as a bad parameter and shows
    # the error page of the list (?e=1), never the narrowed list.
    assert response.status_code == 302
    assert "e=1" in response["Location"]


def test_the_dpo_may_list_by_special_category_data_and_it_is_on_the_trail(
    dpo_client, pupils_with_and_without, school
):
    response = dpo_client.get(f"{LIST}?medical_conditions__isnull=False")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Unwell" in html and ">Well<" not in html
    event = AuditEvent.objects.get(action=AuditAction.VIEW_SPECIAL)
    assert event.summary == "Listed pupils by medical condition"
    assert event.school_id == school.pk
    assert "asthma" not in event.summary.lower()


def test_office_staff_get_no_special_filters_search_fields_or_ordering(rf, office_user):
    """Every registered admin, for a user without the permission: nothing
    offered to filter, search or sort by reaches special category data."""
    request = rf.get("/")
    request.user = office_user
    for model, model_admin in admin.site._registry.items():
        if not isinstance(model_admin, SchoolScopedAdmin):
            continue
        for item in model_admin.get_list_filter(request):
            assert not is_special_filter(model, item), (model, item)
        for name in model_admin.get_search_fields(request):
            assert not touches_special(model, name), (model, name)
        for name in model_admin.get_ordering(request) or ():
            assert not (isinstance(name, str) and touches_special(model, name)), (model, name)


def test_the_guard_sees_special_data_through_any_relation():
    assert touches_special(Pupil, "medical_conditions__isnull")
    assert touches_special(Pupil, "-special__ethnicity")
    assert touches_special(Pupil, "=sen_needs__need_type")
    assert touches_special(AuditEvent, "pupil__sen_needs__isnull")
    assert not touches_special(Pupil, "legal_surname")
    assert not touches_special(Pupil, "school__name")
    assert not touches_special(Pupil, "date_of_birth__year")


def test_pupil_autocomplete_cannot_search_special_category_data(
    office_client, pupils_with_and_without
):
    url = reverse("admin:autocomplete")
    response = office_client.get(
        url,
        {
            "term": "Asthma",
            "app_label": "pupils",
            "model_name": "pupilcontact",
            "field_name": "pupil",
        },
    )
    # Either refused or no pupil found by their condition.
    assert response.status_code in (200, 403, 404)
    assert "Unwell" not in response.content.decode()


def special_history(pupil, dpo_user):
    condition = MedicalConditionFactory(pupil=pupil, condition="Eczema")
    need = SenNeed.objects.create(pupil=pupil, need_type="SPLD")
    audit.record_change(actor=dpo_user, obj=condition, created=True)
    audit.record_change(actor=dpo_user, obj=need, created=False, fields=["rank"])
    audit.record_special_category_view(actor=dpo_user, pupil=pupil, what="pupil page")
    audit.record(
        actor=dpo_user,
        action=AuditAction.IMPORT,
        obj=pupil,
        summary="Imported: CTF from Another Primary",
        fields=["attendance", "special"],
    )
    audit.record_change(actor=dpo_user, obj=pupil, created=False, fields=["postcode"])


def test_office_staff_see_no_special_category_entries_in_a_pupils_history(
    office_client, dpo_user, school
):
    pupil = PupilFactory(school=school)
    special_history(pupil, dpo_user)

    response = office_client.get(reverse("admin:pupils_pupil_history", args=[pupil.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Changed: pupil" in html and "postcode" in html
    assert "Imported: CTF from Another Primary" in html and "attendance" in html
    assert "medical condition" not in html
    assert "SEN type of need" not in html
    assert "special" not in html.lower().split('id="change-history"', 1)[1]
    assert "Viewed special category data" not in html


def test_the_dpo_sees_the_whole_history(dpo_client, dpo_user, school):
    pupil = PupilFactory(school=school)
    special_history(pupil, dpo_user)

    html = dpo_client.get(reverse("admin:pupils_pupil_history", args=[pupil.pk])).content.decode()

    assert "Created: medical condition" in html
    assert "Changed: SEN type of need" in html
    assert "attendance, special" in html
