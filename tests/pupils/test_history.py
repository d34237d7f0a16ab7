"""Which records are history (pupils/history.py): plain rules, plain tests.
Then each record's History page: the trail, never Django's admin log."""

import datetime
from decimal import Decimal

import pytest
from django.contrib import admin as django_admin
from django.contrib.admin.models import LogEntry
from django.test import RequestFactory
from django.urls import reverse

from pupils import audit
from pupils.history import exclusion_ended, exclusion_last_day, is_past_year
from pupils.models import AuditAction, Contact, Pupil

from ..factories import ContactFactory, MedicalConditionFactory, PupilFactory

TODAY = datetime.date(2026, 3, 10)  # a Tuesday in 2025/26


def test_last_years_attendance_is_history_and_this_years_is_not():
    assert is_past_year(2024, TODAY)
    assert not is_past_year(2025, TODAY)
    assert not is_past_year(None, TODAY)


def test_a_new_school_year_turns_the_last_one_into_history_on_1_september():
    assert not is_past_year(2025, datetime.date(2026, 8, 31))
    assert is_past_year(2025, datetime.date(2026, 9, 1))


def test_a_suspension_of_four_sessions_from_a_thursday_ends_on_the_friday():
    assert exclusion_last_day(datetime.date(2026, 3, 5), Decimal("4")) == datetime.date(2026, 3, 6)


def test_a_suspension_over_a_weekend_counts_school_days_only():
    # Friday plus two school days: Friday, Monday, Tuesday.
    assert exclusion_last_day(datetime.date(2026, 3, 6), 6) == datetime.date(2026, 3, 10)
    assert not exclusion_ended(datetime.date(2026, 3, 6), 6, TODAY)
    assert exclusion_ended(datetime.date(2026, 3, 6), 4, TODAY)


def test_a_half_day_suspension_lasts_that_day():
    assert exclusion_last_day(datetime.date(2026, 3, 9), Decimal("1")) == datetime.date(2026, 3, 9)
    assert exclusion_ended(datetime.date(2026, 3, 9), 1, TODAY)


def test_a_permanent_exclusion_is_history_only_once_its_school_year_is_over():
    assert exclusion_last_day(datetime.date(2026, 1, 12), None) is None
    assert not exclusion_ended(datetime.date(2026, 1, 12), None, TODAY)
    assert exclusion_ended(datetime.date(2025, 1, 12), None, TODAY)


# --- History pages: the trail, never Django's admin log (issue 11) -----------------


def contact_form(contact: Contact, **changes) -> dict:
    data = {
        "school": contact.school_id,
        "title": contact.title,
        "forename": contact.forename,
        "surname": contact.surname,
        "email": contact.email,
        "phone_mobile": contact.phone_mobile,
        "phone_home": contact.phone_home,
        "phone_work": contact.phone_work,
        "preferred_language": contact.preferred_language,
        "address_line1": contact.address_line1,
        "address_line2": contact.address_line2,
        "town": contact.town,
        "postcode": contact.postcode,
        "source": contact.source,
        "source_detail": contact.source_detail,
        "received_on": contact.received_on or "",
    }
    return {**data, **changes}


@pytest.mark.django_db
def test_a_change_in_the_staff_site_writes_no_admin_log_and_history_shows_the_trail(
    office_client, school
):
    contact = ContactFactory(school=school, email="old.address@family.example")
    url = reverse("admin:pupils_contact_change", args=[contact.pk])

    response = office_client.post(url, contact_form(contact, email="new.address@family.example"))

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert not LogEntry.objects.exists()  # no name, no value kept outside the trail
    history = office_client.get(reverse("admin:pupils_contact_history", args=[contact.pk]))
    html = history.content.decode()
    assert "Changed: contact" in html and "email" in html
    assert "new.address@family.example" not in html.split('id="change-history"')[1]
    assert "old.address@family.example" not in html


@pytest.mark.django_db
def test_rows_added_on_a_pupils_page_leave_no_value_in_the_admin_log(dpo_user, school):
    """Django would log 'Added medical condition "Asthma"' with the pupil's
    name: the staff site writes nothing there."""
    pupil = PupilFactory(school=school, legal_surname="Lowe")
    pupil_admin = django_admin.site.get_model_admin(Pupil)
    request = RequestFactory().post("/")
    request.user = dpo_user
    message = [{"added": {"name": "medical condition", "object": "Asthma"}}]

    pupil_admin.log_change(request, pupil, message)
    pupil_admin.log_addition(request, pupil, [{"added": {}}])
    pupil_admin.log_deletions(request, Pupil.objects.filter(pk=pupil.pk))

    assert not LogEntry.objects.exists()


@pytest.mark.django_db
def test_a_records_history_hides_special_category_entries_from_staff_without_the_permission(
    office_client, dpo_client, school, dpo_user
):
    """A school's history lists its changes; an entry naming special
    category fields (here a CTF import's) loses those names for office staff."""
    pupil = PupilFactory(school=school)
    MedicalConditionFactory(pupil=pupil, condition="Asthma")
    audit.record(
        actor=dpo_user,
        action=AuditAction.UPDATE,
        obj=school,
        summary="Changed: school",
        fields=["name", "medical", "sen"],
    )
    url = reverse("admin:pupils_school_history", args=[school.pk])

    office = office_client.get(url).content.decode()
    dpo = dpo_client.get(url).content.decode()

    assert "<td>name</td>" in office and "medical" not in office
    assert "<td>medical, name, sen</td>" in dpo
    assert "Asthma" not in office and "Asthma" not in dpo


@pytest.mark.django_db
def test_another_schools_record_history_is_not_found(other_school_client, school):
    contact = ContactFactory(school=school)
    url = reverse("admin:pupils_contact_history", args=[contact.pk])
    assert other_school_client.get(url).status_code == 404


@pytest.mark.django_db
def test_the_migration_blanks_names_and_values_already_in_the_admin_log(dpo_user, school):
    import importlib
    from pathlib import Path

    from django.apps import apps
    from django.contrib.admin.models import CHANGE
    from django.contrib.contenttypes.models import ContentType

    from pupils import migrations as pupils_migrations

    pupil = PupilFactory(school=school)
    LogEntry.objects.create(
        user=dpo_user,
        content_type=ContentType.objects.get_for_model(Pupil),
        object_id=str(pupil.pk),
        object_repr=str(pupil),
        action_flag=CHANGE,
        change_message='[{"added": {"name": "medical condition", "object": "Asthma"}}]',
    )
    # Found by name, whatever number it gets when branches are merged.
    found = sorted(Path(pupils_migrations.__file__).parent.glob("*_scrub_admin_log.py"))
    migration = importlib.import_module(f"pupils.migrations.{found[0].stem}")

    migration.scrub(apps, None)

    entry = LogEntry.objects.get()
    assert (entry.object_repr, entry.change_message) == ("", "")
    assert (entry.user, entry.object_id, entry.action_flag) == (dpo_user, str(pupil.pk), CHANGE)
