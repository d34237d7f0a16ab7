"""The pupil's page: a summary read first (who, year, status, contacts,
special category flags for those allowed), then the records; past terms
read-only unless someone allowed chooses to correct them."""

import datetime
import re

import pytest
from django.contrib.auth.models import Permission
from django.test import RequestFactory
from django.urls import reverse

from pupils import admin as pupils_admin
from pupils import models as pm
from pupils.form_renderer import PageFormRenderer
from pupils.schoolyear import academic_year_of

from ..conftest import staff_client
from ..factories import (
    AssessmentFactory,
    AttendanceFactory,
    ContactFactory,
    MedicalConditionFactory,
    PupilContactFactory,
    PupilFactory,
    SpecialCategoryFactory,
    UserFactory,
)

THIS_YEAR = academic_year_of(datetime.date.today())


@pytest.fixture
def year6(school):
    """A Year 6 pupil with a full record: three contacts, seven years of
    attendance (three terms each), assessments in four years, two
    exclusions, SEN needs and medical conditions."""
    pupil = PupilFactory(
        school=school,
        legal_forename="Olivia",
        legal_surname="Hart",
        preferred_forename="Liv",
        nc_year=pm.NCYear.Y6,
        date_of_birth=datetime.date(THIS_YEAR - 10, 3, 4),
        admission_date=datetime.date(THIS_YEAR - 6, 9, 3),
    )
    for n, relationship in enumerate(("PAM", "PAF", "GRP"), start=1):
        PupilContactFactory(
            pupil=pupil,
            contact=ContactFactory(school=school, surname=f"Hart{n}"),
            relationship=relationship,
            parental_responsibility=n < 3,
            priority=n,
        )
    for year in range(THIS_YEAR - 6, THIS_YEAR + 1):
        for term in ("AUT", "SPR", "SUM"):
            if year == THIS_YEAR and term != "AUT":
                continue
            AttendanceFactory(pupil=pupil, academic_year=year, term=term)
    for year, stage, subject in (
        (THIS_YEAR - 6, "EYFSP", "Communication and language"),
        (THIS_YEAR - 4, "PSC", "Phonics"),
        (THIS_YEAR - 2, "MTC", "Multiplication tables"),
        (THIS_YEAR, "KS2", "Reading"),
    ):
        AssessmentFactory(pupil=pupil, academic_year=year, stage=stage, subject=subject)
    pm.Exclusion.objects.create(
        pupil=pupil,
        category="SUSP",
        reason="PP",
        start_date=datetime.date(THIS_YEAR - 1, 11, 3),
        sessions=2,
    )
    pm.Exclusion.objects.create(
        pupil=pupil, category="SUSP", reason="PP", start_date=datetime.date.today(), sessions=4
    )
    SpecialCategoryFactory(pupil=pupil)
    pm.SenNeed.objects.create(pupil=pupil, need_type="SPLD", rank=1)
    MedicalConditionFactory(pupil=pupil)
    MedicalConditionFactory(pupil=pupil, condition="Eczema")
    return pupil


def page(pupil, **params):
    url = reverse("admin:pupils_pupil_change", args=[pupil.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def form_data(response) -> dict[str, str]:
    """What the browser would post back unchanged: the pupil's form and every
    inline formset, with their management forms."""
    data: dict[str, str] = {}

    def add(form):
        for name, field in form.fields.items():
            value = form[name].value()
            if field.disabled or value is None:
                continue
            if isinstance(value, bool):
                if value:
                    data[form.add_prefix(name)] = "on"
            elif isinstance(value, (list, tuple)):
                data[form.add_prefix(name)] = value[0] if value else ""
            else:
                data[form.add_prefix(name)] = str(value)
            if field.show_hidden_initial:  # fields with a callable default
                data[form.add_initial_prefix(name)] = data.get(form.add_prefix(name), "")

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for name, value in formset.management_form.initial.items():
            data[f"{formset.prefix}-{name}"] = str(value)
        for form in formset.initial_forms:
            add(form)
    return data


def formset(response, model) -> object:
    for inline in response.context["inline_admin_formsets"]:
        if inline.formset.model is model:
            return inline.formset
    raise AssertionError(f"no {model.__name__} rows on the page")


def test_the_summary_says_who_the_pupil_is_their_year_status_and_contacts(office_client, year6):
    response = office_client.get(page(year6))
    html = response.content.decode()
    summary = html[html.index('class="pupil-summary"') : html.index('id="pupil-history-heading"')]
    assert "Olivia Hart" in summary and "Liv Hart" in summary  # legal name, known as
    assert year6.upn in summary
    assert f"{year6.date_of_birth:%-d %B %Y}" in summary and "years old" in summary
    assert "Year 6" in summary and "On roll" in summary
    for link in year6.contact_links.select_related("contact"):
        assert link.contact.full_name in summary
        assert link.contact.email in summary
    assert summary.count(">Yes<") == 2 and summary.count(">No<") == 1  # parental responsibility
    assert "Grandparent" in summary
    assert response.context["title"] == "Liv Hart"


def test_special_category_flags_are_shown_to_the_dpo_and_the_view_written_to_the_trail(
    dpo_client, year6
):
    before = pm.AuditEvent.objects.filter(action=pm.AuditAction.VIEW_SPECIAL).count()
    html = dpo_client.get(page(year6)).content.decode()
    summary = html[html.index('class="pupil-summary"') : html.index('id="pupil-history-heading"')]
    assert "SEN support" in summary
    assert "2 conditions" in summary
    assert "Recorded" in summary
    after = pm.AuditEvent.objects.filter(action=pm.AuditAction.VIEW_SPECIAL, pupil=year6)
    assert after.count() == before + 1


def test_office_staff_see_no_special_category_flags_and_nothing_is_logged(office_client, year6):
    html = office_client.get(page(year6)).content.decode()
    assert "SEN provision" not in html
    assert "Medical conditions" not in html
    assert "Special category" not in html
    assert not pm.AuditEvent.objects.filter(action=pm.AuditAction.VIEW_SPECIAL).exists()


def test_past_terms_are_read_only_and_only_this_years_records_are_editable(office_client, year6):
    response = office_client.get(page(year6))
    attendance = formset(response, pm.AttendanceSummary)
    assert [(f.instance.academic_year, f.instance.term) for f in attendance.initial_forms] == [
        (THIS_YEAR, "AUT")
    ]
    assessments = formset(response, pm.AssessmentResult)
    assert [f.instance.academic_year for f in assessments.initial_forms] == [THIS_YEAR]
    exclusions = formset(response, pm.Exclusion)
    assert [f.instance.start_date for f in exclusions.initial_forms] == [datetime.date.today()]
    # The past ones, read-only, a line per year.
    summary = response.context["summary"]
    assert [y.academic_year for y in summary["past_attendance"]] == list(
        range(THIS_YEAR - 1, THIS_YEAR - 7, -1)
    )
    assert len(summary["past_assessments"]) == 3
    assert [e.start_date for e in summary["ended_exclusions"]] == [
        datetime.date(THIS_YEAR - 1, 11, 3)
    ]
    html = response.content.decode()
    assert f"{THIS_YEAR - 6}/{(THIS_YEAR - 5) % 100:02d}" in html
    assert "Correct past records" in html


def test_a_past_term_cannot_be_added_without_choosing_to_correct_past_records(office_client, year6):
    response = office_client.get(page(year6))
    data = form_data(response)
    prefix = formset(response, pm.AttendanceSummary).prefix
    data[f"{prefix}-TOTAL_FORMS"] = str(int(data[f"{prefix}-TOTAL_FORMS"]) + 1)
    new = f"{prefix}-{int(data[f'{prefix}-TOTAL_FORMS']) - 1}"
    data.update(
        {
            f"{new}-academic_year": str(THIS_YEAR - 7),
            f"{new}-term": "SUM",
            f"{new}-possible_sessions": "100",
            f"{new}-attended_sessions": "100",
            f"{new}-authorised_absences": "0",
            f"{new}-unauthorised_absences": "0",
            f"{new}-source": "school",
            f"{new}-received_on": datetime.date.today().isoformat(),
        }
    )
    count = year6.attendance.count()
    response = office_client.post(page(year6), data)
    assert response.status_code == 200
    assert "This is a past record" in response.content.decode()
    assert year6.attendance.count() == count


def test_someone_allowed_can_correct_a_past_term_and_the_change_is_on_the_trail(
    office_client, year6
):
    response = office_client.get(page(year6, correct="past"))
    attendance = formset(response, pm.AttendanceSummary)
    assert len(attendance.initial_forms) == 19
    assert response.context["summary"]["correcting"]
    oldest = attendance.initial_forms[0].instance
    assert oldest.academic_year == THIS_YEAR - 6
    data = form_data(response)
    data[f"{attendance.prefix}-0-attended_sessions"] = "130"
    data[f"{attendance.prefix}-0-authorised_absences"] = "8"
    response = office_client.post(page(year6, correct="past"), data)
    assert response.status_code == 302, response.context and response.context["errors"]
    oldest.refresh_from_db()
    assert (oldest.attended_sessions, oldest.authorised_absences) == (130, 8)
    entries = pm.AuditEvent.objects.filter(object_type="pupils.attendancesummary")
    assert [(e.object_id, set(e.fields)) for e in entries] == [
        (str(oldest.pk), {"attended_sessions", "authorised_absences"})
    ]


@pytest.mark.parametrize("client_of", ["dpo_client", "office_client"])
def test_todays_attendance_contacts_and_a_new_row_are_saved_through_the_page(
    client_of, request, year6
):
    """The page's forms, posted back with this term's attendance, a
    contact's relationship and a new medical condition (the DPO) or a new
    assessment (the office) changed, save every change."""
    client = request.getfixturevalue(client_of)
    response = client.get(page(year6))
    data = form_data(response)
    attendance = formset(response, pm.AttendanceSummary)
    term = attendance.initial_forms[0].instance
    data[f"{attendance.prefix}-0-attended_sessions"] = "55"
    contacts = formset(response, pm.PupilContact)
    link = contacts.initial_forms[2].instance
    data[f"{contacts.prefix}-2-relationship"] = "CAR"
    if client_of == "dpo_client":
        rows = formset(response, pm.MedicalCondition)
        new = {"condition": "Hay fever", "source": "school"}
    else:
        rows = formset(response, pm.AssessmentResult)
        new = {
            "academic_year": str(THIS_YEAR),
            "stage": "KS2",
            "subject": "Writing",
            "method": "TA",
            "result": "EXS",
            "source": "school",
        }
    count = int(data[f"{rows.prefix}-TOTAL_FORMS"])
    data[f"{rows.prefix}-TOTAL_FORMS"] = str(count + 1)
    data.update({f"{rows.prefix}-{count}-{name}": value for name, value in new.items()})
    data[f"{rows.prefix}-{count}-received_on"] = datetime.date.today().isoformat()
    response = client.post(page(year6), data)
    assert response.status_code == 302, response.context and response.context["errors"]
    term.refresh_from_db()
    link.refresh_from_db()
    assert term.attended_sessions == 55
    assert link.relationship == "CAR"
    if client_of == "dpo_client":
        assert year6.medical_conditions.filter(condition="Hay fever").exists()
    else:
        assert year6.assessments.filter(subject="Writing", academic_year=THIS_YEAR).exists()


def test_someone_who_may_only_view_pupils_cannot_open_past_records_for_correction(school, year6):
    viewer = UserFactory(username="viewer", school=school)
    viewer.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="pupils",
            codename__in=["view_pupil", "view_attendancesummary", "view_pupilcontact"],
        )
    )
    response = staff_client(viewer).get(page(year6, correct="past"))
    assert response.status_code == 200
    assert not response.context["summary"]["correcting"]
    assert len(formset(response, pm.AttendanceSummary).initial_forms) == 1
    assert "Correct past records" not in response.content.decode()


def test_another_schools_pupil_is_not_found(other_school_client, year6):
    assert other_school_client.get(page(year6)).status_code == 404
    assert other_school_client.get(page(year6, correct="past")).status_code == 404


def test_other_apps_add_panels_to_the_summary_through_the_hook(office_client, year6, monkeypatch):
    def consent_panel(request, pupil):
        facts = [("Maths Stars", f"Yes, for {pupil.forename}")]
        return ("Consent", "admin/pupils/pupil/panel_facts.html", {"facts": facts})

    panels = [consent_panel, lambda request, pupil: None]  # the second: nothing to show
    monkeypatch.setattr(pupils_admin.pupil_page, "PUPIL_PANELS", panels)
    html = office_client.get(page(year6)).content.decode()
    assert "<h3>Consent</h3>" in html
    assert "<dt>Maths Stars</dt><dd>Yes, for Liv</dd>" in html


# --- Queries -------------------------------------------------------------------
#: Every signed-in staff page, whatever it shows (3, named and pinned in
#: tests/pupils/test_request_queries.py). Not the page's: pupils/staff/.
SIGNED_IN = 3
#: Issue 17: the page's own queries at most 12, everything included: the
#: pupil with all their records (1), the consent app's panel (3, 4 with a
#: biometric purpose) and, for those who see special category data, the
#: trail entry of that view (4 with the test's savepoints, 5 on PostgreSQL
#: with its lock); the same whatever the record holds.
PAGE_OWN = 12


def own_queries(user, pupil, django_assert_max_num_queries):
    """The page's own queries, called with the user already loaded (as the
    middleware leaves it) and the content-type cache warm."""
    request = RequestFactory().get(page(pupil))
    request.user = user
    user.has_perm("pupils.view_pupil")  # the permissions, loaded once per request
    user.staff_profile  # noqa: B018  (loaded by the middleware on every page)
    admin = pupils_admin.admin.site._registry[pm.Pupil]
    admin.change_view(request, str(pupil.pk)).render()  # warms the content types
    request = RequestFactory().get(page(pupil))
    request.user = user
    with django_assert_max_num_queries(PAGE_OWN) as counted:
        admin.change_view(request, str(pupil.pk)).render()
    return len(counted.captured_queries)


def add_many_rows(pupil) -> None:
    """Ten times the rows of a full record, of every kind the page shows."""
    school = pupil.school
    for n in range(4, 34):
        PupilContactFactory(
            pupil=pupil, contact=ContactFactory(school=school, surname=f"More{n}"), priority=n
        )
    for year in range(THIS_YEAR - 30, THIS_YEAR - 6):
        for term in ("AUT", "SPR", "SUM"):
            AttendanceFactory(pupil=pupil, academic_year=year, term=term)
        AssessmentFactory(pupil=pupil, academic_year=year, stage="KS1", subject="Maths")
        pm.Exclusion.objects.create(
            pupil=pupil,
            category="SUSP",
            reason="PP",
            start_date=datetime.date(year, 10, 1),
            sessions="1.5",
        )
        MedicalConditionFactory(pupil=pupil, condition=f"Condition {year}")
    for rank, need in enumerate(("MLD", "SLCN", "SEMH", "ASD", "VI"), start=2):
        pm.SenNeed.objects.create(pupil=pupil, need_type=need, rank=rank)


@pytest.mark.parametrize("role", ["dpo_user", "office_user"])
def test_a_full_year_6_record_takes_at_most_12_queries_of_its_own(
    role, request, year6, django_assert_max_num_queries
):
    own_queries(request.getfixturevalue(role), year6, django_assert_max_num_queries)


@pytest.mark.parametrize("role", ["dpo_user", "office_user"])
def test_the_pages_queries_do_not_grow_with_the_record(
    role, request, school, year6, django_assert_max_num_queries
):
    user = request.getfixturevalue(role)
    small = PupilFactory(school=school, nc_year=pm.NCYear.Y6)
    PupilContactFactory(pupil=small, contact=ContactFactory(school=school))
    AttendanceFactory(pupil=small, academic_year=THIS_YEAR)
    with_small = own_queries(user, small, django_assert_max_num_queries)
    with_full = own_queries(user, year6, django_assert_max_num_queries)
    add_many_rows(year6)
    with_many = own_queries(user, year6, django_assert_max_num_queries)
    assert with_small == with_full == with_many


@pytest.mark.parametrize("client_of", ["dpo_client", "office_client"])
def test_the_whole_request_is_the_pages_queries_plus_the_signed_in_session(
    client_of, request, year6, django_assert_max_num_queries
):
    client = request.getfixturevalue(client_of)
    client.get(page(year6))  # the content-type cache, warm in a running server
    with django_assert_max_num_queries(SIGNED_IN + PAGE_OWN):
        assert client.get(page(year6)).status_code == 200


def test_the_records_read_with_the_pupil_are_the_rows_in_the_database(dpo_user, year6):
    """The page reads every kind of record inside the pupil's own query (as
    JSON): each row must come back exactly as the ORM reads it (dates,
    decimals, booleans, encrypted notes, the contact of each link) and in
    the model's order."""
    add_many_rows(year6)
    request = RequestFactory().get(page(year6))
    request.user = dpo_user
    admin = pupils_admin.admin.site._registry[pm.Pupil]
    shown = admin.get_object(request, str(year6.pk))
    fresh = pm.Pupil.objects.get(pk=year6.pk)
    for accessor in (
        "contact_links",
        "attendance",
        "assessments",
        "exclusions",
        "sen_needs",
        "medical_conditions",
    ):
        expected = list(getattr(fresh, accessor).all())
        got = list(getattr(shown, accessor).all())
        assert [r.pk for r in got] == [r.pk for r in expected], accessor
        for mine, theirs in zip(got, expected, strict=True):
            for field in type(theirs)._meta.concrete_fields:
                assert getattr(mine, field.attname) == getattr(theirs, field.attname), field
                assert type(getattr(mine, field.attname)) is type(getattr(theirs, field.attname))
    link = shown.contact_links.all()[0]
    assert link.contact == fresh.contact_links.all()[0].contact
    assert link.contact.email == fresh.contact_links.all()[0].contact.email
    assert shown.medical_conditions.all()[0].notes.startswith("Inhaler")


def test_a_new_pupil_is_added_on_the_plain_form_without_a_summary(office_client):
    response = office_client.get(reverse("admin:pupils_pupil_add"))
    assert response.status_code == 200
    assert "pupil-summary" not in response.content.decode()


# --- Drawing the inputs ----------------------------------------------------------
def without_csrf(html: str) -> str:
    """The page less what differs on every response (the CSRF token, the
    script nonce)."""
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)
    return re.sub(r'nonce="[^"]*"', "", html)


def past_term_post(client, pupil):
    """A post the page refuses (a new term with a negative count): the page
    comes back with its errors and what was typed."""
    response = client.get(page(pupil))
    data = form_data(response)
    prefix = formset(response, pm.AttendanceSummary).prefix
    new = f"{prefix}-{data[f'{prefix}-TOTAL_FORMS']}"
    data[f"{prefix}-TOTAL_FORMS"] = str(int(data[f"{prefix}-TOTAL_FORMS"]) + 1)
    data.update({f"{new}-academic_year": str(THIS_YEAR - 7), f"{new}-term": "SUM"})
    data.update({f"{new}-possible_sessions": "-1", f"{new}-source_detail": '<b>"x"</b>'})
    return client.post(page(pupil), data)


@pytest.mark.parametrize("client_of", ["dpo_client", "office_client"])
@pytest.mark.parametrize("how", ["summary", "correcting", "refused post"])
def test_the_inputs_drawn_in_python_are_the_bytes_djangos_templates_draw(
    client_of, how, request, year6, monkeypatch
):
    """pupils/form_renderer.py draws the plain widgets without templates;
    the page must be exactly what Django's own widget templates give."""
    client = request.getfixturevalue(client_of)
    drawn = []
    original = PageFormRenderer._draw

    def counting(self, template_name, context):
        found = original(self, template_name, context)
        drawn.append(found is not None)
        return found

    monkeypatch.setattr(PageFormRenderer, "_draw", counting)

    def get():
        if how == "refused post":
            response = past_term_post(client, year6)
            assert 'class="errorlist' in response.content.decode()
            return response
        return client.get(page(year6, **({"correct": "past"} if how == "correcting" else {})))

    fast = get()
    assert sum(drawn) > 100  # the inputs, options and labels did not use templates
    monkeypatch.setattr(PageFormRenderer, "fast", False)
    slow = get()
    assert fast.status_code == slow.status_code == 200
    assert without_csrf(fast.content.decode()) == without_csrf(slow.content.decode())
