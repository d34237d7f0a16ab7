"""The staff pages: who may see and do what, and what each page shows."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pupils.models import AuditAction, AuditEvent, Destination, EnrolmentStatus, Pupil
from sharing.disclosures.services import log_disclosure, record_census_return
from sharing.models import CtfImportBatch, CtfImportStatus, Disclosure, LegalGateway

from ..factories import PupilFactory
from .conftest import fixture_bytes
from .test_ctf_parse import HOSTILE

LOG = reverse("admin:sharing_disclosure_changelist")
ADD = reverse("admin:sharing_disclosure_add")
CENSUS = reverse("admin:sharing_census")
UPLOAD = reverse("admin:sharing_ctf_upload")
EXPORT = reverse("admin:sharing_export_ctf")


def history(pupil):
    return reverse("admin:sharing_disclosure_pupil", args=[pupil.pk])


def census(school, user, day=datetime.date(2025, 10, 2)):
    return record_census_return(actor=user, school=school, term="AUT", census_date=day)


def upload(client, school, data, name="ctf_full.xml"):
    # The file is checked by a job once the upload commits (run at once in tests).
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(
            UPLOAD, {"school": school.pk, "file": SimpleUploadedFile(name, data, "application/xml")}
        )


def preview_of_the_upload():
    return reverse("admin:sharing_ctf_preview", args=[CtfImportBatch.objects.get().pk])


# --- The log ---------------------------------------------------------------------


def test_office_staff_can_read_the_log_but_not_add_to_it(office_client, school, dpo_user):
    PupilFactory(school=school)
    disclosure = census(school, dpo_user)

    assert office_client.get(LOG).status_code == 200
    page = office_client.get(reverse("admin:sharing_disclosure_change", args=[disclosure.pk]))
    assert page.status_code == 200
    assert "s537A" in page.content.decode()
    assert office_client.get(ADD).status_code == 403
    assert office_client.get(CENSUS).status_code == 403


def test_nobody_can_edit_or_delete_an_entry_in_the_admin(dpo_client, school, dpo_user):
    PupilFactory(school=school)
    disclosure = census(school, dpo_user)
    change = reverse("admin:sharing_disclosure_change", args=[disclosure.pk])

    dpo_client.post(change, {"recipient_name": "Somebody else"})
    delete = dpo_client.post(
        reverse("admin:sharing_disclosure_delete", args=[disclosure.pk]), {"post": "yes"}
    )

    assert delete.status_code == 403
    disclosure.refresh_from_db()
    assert disclosure.recipient_name == "Department for Education"


def test_another_schools_staff_get_404_and_an_empty_log(other_school_client, school, dpo_user):
    pupil = PupilFactory(school=school)
    disclosure = census(school, dpo_user)

    page = other_school_client.get(reverse("admin:sharing_disclosure_change", args=[disclosure.pk]))
    assert page.status_code == 404
    assert other_school_client.get(history(pupil)).status_code == 404
    assert pupil.upn not in other_school_client.get(LOG).content.decode()


def test_signed_out_visitors_are_sent_to_sign_in(client, school):
    pupil = PupilFactory(school=school)
    for url in (LOG, CENSUS, UPLOAD, EXPORT, history(pupil)):
        response = client.get(url)
        assert response.status_code == 302, url
        assert reverse("admin:login") in response["Location"]


def test_the_dpo_logs_an_ad_hoc_disclosure_through_the_form(dpo_client, dpo_user, school):
    pupil = PupilFactory(school=school)
    form = {
        "school": school.pk,
        "recipient_type": "organisation",
        "recipient_name": "Durham Constabulary",
        "gateway": LegalGateway.CRIME,
        "dataset": "ad_hoc",
        "pupils": [pupil.pk],
        "categories": ["identity", "contacts"],
        "disclosed_at_0": "2026-03-04",
        "disclosed_at_1": "10:30",
        "method": "secure_email",
        "requested_by": "PC 1234 Smith, Durham Constabulary",
        "request_reason": "Missing person enquiry",
        "approved_by": "Jan Whitfield (DPO)",
        "sent_file": SimpleUploadedFile("contact-details.pdf", b"%PDF-1.7 details"),
    }

    response = dpo_client.post(ADD, form)

    assert response.status_code == 302, response.context["adminform"].form.errors
    disclosure = Disclosure.objects.get()
    assert disclosure.sent_by == dpo_user
    assert list(disclosure.pupils.all()) == [pupil]
    assert disclosure.file_name == "contact-details.pdf" and len(disclosure.file_sha256) == 64
    assert AuditEvent.objects.filter(action=AuditAction.DISCLOSE, pupil=pupil).count() == 1


def test_an_ad_hoc_disclosure_without_approval_is_refused_with_a_message(dpo_client, school):
    pupil = PupilFactory(school=school)
    form = {
        "school": school.pk, "recipient_type": "organisation", "recipient_name": "Police",
        "gateway": LegalGateway.CRIME, "dataset": "ad_hoc", "pupils": [pupil.pk],
        "categories": ["identity"], "disclosed_at_0": "2026-03-04", "disclosed_at_1": "10:30",
        "method": "phone", "requested_by": "PC Smith", "request_reason": "Enquiry",
    }  # fmt: skip

    response = dpo_client.post(ADD, form)

    assert response.status_code == 200
    assert "who approved it" in response.content.decode()
    assert not Disclosure.objects.exists()


def test_the_dpo_records_a_census_return_without_typing_pupils_in(dpo_client, school):
    pupils = PupilFactory.create_batch(3, school=school)
    PupilFactory(school=school, admission_date=datetime.date(2025, 11, 1))

    response = dpo_client.post(
        CENSUS, {"school": school.pk, "academic_year": 2025, "term": "AUT", "method": "collect"}
    )

    assert response.status_code == 302
    disclosure = Disclosure.objects.get()
    assert disclosure.census_date == datetime.date(2025, 10, 2)
    assert set(disclosure.pupils.all()) == set(pupils)


# --- Per-pupil history -------------------------------------------------------------


def test_staff_see_every_disclosure_of_a_pupil_newest_first(office_client, school, dpo_user):
    pupil = PupilFactory(school=school, admission_date=datetime.date(2020, 9, 3))
    other = PupilFactory(school=school)
    autumn = census(school, dpo_user, datetime.date(2024, 10, 3))
    spring = census(school, dpo_user, datetime.date(2025, 1, 16))
    log_disclosure(
        actor=dpo_user, school=school, recipient_type="organisation",
        recipient_name="School nursing service", gateway=LegalGateway.CONSENT,
        basis_detail="Parent's written consent", dataset="ad_hoc", pupils=[other],
        categories=["medical"], method="secure_email",
    )  # fmt: skip

    response = office_client.get(history(pupil))

    assert response.status_code == 200
    assert list(response.context["disclosures"]) == sorted(
        [autumn, spring], key=lambda d: d.disclosed_at, reverse=True
    )
    assert "School nursing service" not in response.content.decode()


def test_the_pupil_page_links_to_their_disclosures(office_client, school):
    pupil = PupilFactory(school=school)
    page = office_client.get(reverse("admin:pupils_pupil_change", args=[pupil.pk]))
    assert history(pupil) in page.content.decode()


def test_the_pupil_history_costs_the_same_queries_for_2_and_20_disclosures(
    office_client, school, dpo_user
):
    pupil = PupilFactory(school=school, admission_date=datetime.date(1999, 9, 1))

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert office_client.get(history(pupil)).status_code == 200
        return len(ctx.captured_queries)

    for year in (2023, 2024):
        census(school, dpo_user, datetime.date(year, 10, 5))
    with_2 = count()
    for year in range(2000, 2018):
        census(school, dpo_user, datetime.date(year, 10, 5))
    assert count() == with_2


def test_the_log_list_costs_the_same_queries_for_2_and_20_entries(dpo_client, school, dpo_user):
    PupilFactory.create_batch(3, school=school, admission_date=datetime.date(1999, 9, 1))

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert dpo_client.get(LOG).status_code == 200
        return len(ctx.captured_queries)

    for year in (2023, 2024):
        census(school, dpo_user, datetime.date(year, 10, 5))
    with_2 = count()
    for year in range(2000, 2018):
        census(school, dpo_user, datetime.date(year, 10, 5))
    assert count() == with_2 <= 15


# --- CTF import ------------------------------------------------------------------------


def test_the_dpo_sees_a_preview_then_confirms_the_import(dpo_client, ctf_school):
    response = upload(dpo_client, ctf_school, fixture_bytes("ctf_full.xml"))

    batch = CtfImportBatch.objects.get()
    assert response.status_code == 302
    assert not Pupil.objects.exists()  # nothing yet
    preview = dpo_client.get(preview_of_the_upload())
    html = preview.content.decode()
    assert "Amelia Hartley (C840210518001)" in html
    assert "4 to create" in html
    assert "Confirm the import" in html

    with TestCase.captureOnCommitCallbacks(execute=True):  # the import job
        dpo_client.post(preview_of_the_upload())

    assert Pupil.objects.count() == 4
    batch.refresh_from_db()
    assert batch.status == CtfImportStatus.IMPORTED
    assert bytes(batch.content) == b""  # the records hold the data now
    dpo_client.post(preview_of_the_upload())  # a second confirmation does nothing
    assert AuditEvent.objects.filter(action=AuditAction.IMPORT).count() == 4


def test_the_preview_lists_conflicts_and_unreadable_pupils(dpo_client, ctf_school):
    PupilFactory(school=ctf_school, upn="R840210518002", legal_forename="Ollie")
    data = fixture_bytes("ctf_full.xml").replace(b"C840210518001", b"A840210518001")

    upload(dpo_client, ctf_school, data)
    html = dpo_client.get(preview_of_the_upload()).content.decode()

    assert "Not imported" in html and "A840210518001" in html
    assert "Ollie" in html and "Oliver" in html


@pytest.mark.parametrize("name", ["malformed", "billion laughs", "external file entity"])
def test_a_hostile_upload_is_refused_and_nothing_is_kept(dpo_client, ctf_school, name):
    response = upload(dpo_client, ctf_school, HOSTILE[name], name="evil.xml")

    assert response.status_code == 200
    assert "Refused, nothing changed" in response.content.decode()
    assert not CtfImportBatch.objects.exists()
    assert not Pupil.objects.exists()


def test_office_staff_cannot_import_a_ctf(office_client, ctf_school):
    assert office_client.get(UPLOAD).status_code == 403
    assert upload(office_client, ctf_school, fixture_bytes("ctf_full.xml")).status_code == 403
    assert not CtfImportBatch.objects.exists()


def test_another_schools_dpo_cannot_see_or_confirm_a_batch(
    dpo_client, other_school_client, ctf_school
):
    upload(dpo_client, ctf_school, fixture_bytes("ctf_full.xml"))
    batch = CtfImportBatch.objects.get()
    url = reverse("admin:sharing_ctf_preview", args=[batch.pk])

    assert other_school_client.get(url).status_code == 404
    assert other_school_client.post(url).status_code == 404
    assert not Pupil.objects.exists()


# --- CTF export ---------------------------------------------------------------------------


@pytest.fixture
def leaver(school):
    pupil = PupilFactory(
        school=school, enrolment_status=EnrolmentStatus.LEFT,
        leaving_date=datetime.date(2026, 7, 22),
    )  # fmt: skip
    Destination.objects.create(
        pupil=pupil, school_name="Parkside Academy", la_code="840", estab_number="4003"
    )
    return pupil


def test_the_dpo_downloads_a_leavers_ctf_and_it_is_logged(dpo_client, leaver):
    response = dpo_client.post(EXPORT, {"pupil": leaver.pk, "method": "s2s"})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    assert "_CTF_8404003_" in response["Content-Disposition"]
    assert leaver.upn.encode() in response.content
    assert Disclosure.objects.for_pupil(leaver).get().recipient_name.startswith("Parkside")


def test_office_staff_cannot_export_a_ctf(office_client, leaver):
    assert office_client.post(EXPORT, {"pupil": leaver.pk, "method": "s2s"}).status_code == 403
    assert not Disclosure.objects.exists()


def test_another_schools_dpo_cannot_export_this_schools_leaver(other_school_client, leaver):
    response = other_school_client.post(EXPORT, {"pupil": leaver.pk, "method": "s2s"})
    assert response.status_code == 200  # the form refuses the choice
    assert not Disclosure.objects.exists()


# --- Census days -------------------------------------------------------------------------


def test_the_dpo_sets_a_census_day_and_office_staff_can_only_read_it(
    dpo_client, office_client, other_school_client, school
):
    add = reverse("admin:sharing_censusdate_add")
    form = {"school": school.pk, "academic_year": 2025, "term": "SPR", "date": "2026-01-22"}

    assert office_client.post(add, form).status_code == 403
    assert dpo_client.post(add, form).status_code == 302

    census_day = school.census_dates.get()
    assert census_day.date == datetime.date(2026, 1, 22)
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, school_id=school.pk).exists()
    change = reverse("admin:sharing_censusdate_change", args=[census_day.pk])
    assert office_client.get(change).status_code == 200
    assert other_school_client.get(change).status_code == 404


def test_the_dpo_can_discard_an_upload_and_its_contents_go(dpo_client, ctf_school):
    upload(dpo_client, ctf_school, fixture_bytes("ctf_full.xml"))
    url = preview_of_the_upload()

    dpo_client.post(url, {"discard": "1"})

    batch = CtfImportBatch.objects.get()
    assert batch.status == CtfImportStatus.DISCARDED
    assert bytes(batch.content) == b"" and batch.preview == {}
    assert len(batch.sha256) == 64
    dpo_client.post(url)  # confirming afterwards imports nothing
    assert not Pupil.objects.exists()
    assert dpo_client.get(url).status_code == 302


def test_a_50_mb_upload_is_refused_before_it_is_read(dpo_client, ctf_school):
    huge = fixture_bytes("ctf_full.xml") + b" " * (50 * 1024 * 1024)

    response = upload(dpo_client, ctf_school, huge)

    assert response.status_code == 200
    assert "a CTF may be at most 20 MB" in response.content.decode()
    assert not CtfImportBatch.objects.exists()
    assert not Pupil.objects.exists()


def test_the_admins_add_and_change_pages_lead_to_the_ctf_workflow(dpo_client, ctf_school):
    add = dpo_client.get(reverse("admin:sharing_ctfimportbatch_add"))
    assert add.status_code == 302 and add["Location"] == UPLOAD
    upload(dpo_client, ctf_school, fixture_bytes("ctf_full.xml"))
    batch = CtfImportBatch.objects.get()
    change = dpo_client.get(reverse("admin:sharing_ctfimportbatch_change", args=[batch.pk]))
    assert change["Location"] == reverse("admin:sharing_ctf_preview", args=[batch.pk])
