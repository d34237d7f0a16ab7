"""The record of processing activities (Art 30): generated from the data,
every provider and every gateway of the disclosure log in it, the DPO's own
rows, CSV (formula-safe) and PDF, dated versions kept."""

import csv
import datetime
import io
import subprocess

import pytest
from django.urls import reverse

from providers.models import ProviderStatus, StorageLocation, TransferSafeguard
from providers.purposes import SCHOOL_PURPOSES
from pupils.models import AuditAction, AuditEvent, RecordKind
from pupils.retention.rules import DEFAULTS, Kind
from pupils.retention.services import set_retention_period
from sharing.disclosures.models import AppendOnlyError
from sharing.disclosures.services import log_disclosure
from sharing.models import (
    DataCategory,
    Dataset,
    LegalGateway,
    ProcessingNote,
    ProcessingRecordVersion,
    RecipientType,
    SendMethod,
)
from sharing.registers import csvexport
from sharing.registers.ropa import FROM_SCHEDULE, PLACEHOLDER, build_record
from sharing.registers.services import publish_processing_record

from ..factories import InUseProviderFactory, ProviderFactory, PupilFactory

RECORD = reverse("admin:sharing_processingrecordversion_record")
RECORD_CSV = reverse("admin:sharing_processingrecordversion_record_csv")
RECORD_PDF = reverse("admin:sharing_processingrecordversion_record_pdf")
PUBLISH = reverse("admin:sharing_processingrecordversion_publish")


def disclose(school, dpo_user, *, gateway, recipient_type, recipient_name, **kwargs):
    return log_disclosure(
        actor=dpo_user,
        school=school,
        recipient_type=recipient_type,
        recipient_name=recipient_name,
        gateway=gateway,
        dataset=kwargs.pop("dataset", Dataset.AD_HOC),
        pupils=[PupilFactory(school=school)],
        categories=[DataCategory.IDENTITY],
        method=SendMethod.SECURE_EMAIL,
        **kwargs,
    )


@pytest.fixture
def data(school, dpo_user):
    providers = [
        InUseProviderFactory(school=school, service="Maths Stars", retention="Deleted on exit."),
        ProviderFactory(
            school=school,
            service="Reading Owl",
            storage_location=StorageLocation.IDTA,
            storage_detail="Virginia, USA",
            transfer_safeguard=TransferSafeguard.IDTA,
            transfer_risk_assessed_on=datetime.date(2025, 8, 20),
            data_categories=["name", "health"],
            art9_condition="h",
            schedule1_paragraph="2",
        ),
        ProviderFactory(
            school=school,
            service="Quiz Owl",
            storage_location=StorageLocation.EEA,
            storage_detail="Dublin, Ireland",
            transfer_safeguard=TransferSafeguard.ADEQUACY,
        ),
        ProviderFactory(
            school=school,
            service="Draft Cloud",
            storage_location=StorageLocation.IDTA,
            storage_detail="Oregon, USA",
        ),
        ProviderFactory(school=school, service="Old Portal", status=ProviderStatus.RETIRED),
    ]
    disclose(
        school,
        dpo_user,
        gateway=LegalGateway.SAFEGUARDING,
        recipient_type=RecipientType.ORGANISATION,
        recipient_name="Durham Children's Services",
        requested_by="A. Social Worker",
        request_reason="Section 47 enquiry",
        approved_by="Head teacher",
    )
    disclose(
        school,
        dpo_user,
        gateway=LegalGateway.CRIME,
        recipient_type=RecipientType.ORGANISATION,
        recipient_name="Durham Constabulary",
        requested_by="PC Smith",
        request_reason="Theft enquiry",
        approved_by="Head teacher",
    )
    disclose(
        school,
        dpo_user,
        gateway=LegalGateway.SUBJECT_ACCESS,
        recipient_type=RecipientType.REQUESTER,
        recipient_name="Mrs Alexandra Parentname",
        dataset=Dataset.SUBJECT_ACCESS,
    )
    return providers


def test_the_record_lists_every_provider_and_every_gateway_in_the_disclosure_log(school, data):
    record = build_record(school)
    text = " ".join(f"{r.item} {r.detail}" for r in record.rows)

    for provider in data:
        assert provider.service in text
    gateways_used = {"safeguarding", "crime", "subject_access"}
    labels = dict(LegalGateway.choices)
    for code in gateways_used:
        assert str(labels[code]) in text, code
    for code in set(LegalGateway.values) - gateways_used:
        assert str(labels[code]) not in text, code  # only what the school actually uses
    assert "Durham Constabulary" in text and "Durham Children's Services" in text


def test_a_requesters_name_never_appears_in_the_record(school, data):
    record = build_record(school)

    assert "Parentname" not in " ".join(f"{r.item} {r.detail}" for r in record.rows)


def test_a_transfer_outside_the_uk_names_its_safeguard(school, data):
    rows = [r for r in build_record(school).rows if r.section == "transfers"]

    by_item = {r.item: r for r in rows}
    reading = by_item["Reading Owl"]
    assert "Virginia, USA" in reading.detail
    # The safeguard recorded on the provider, not a guess from where it stores data.
    assert "Safeguard: International Data Transfer Agreement (IDTA)." in reading.detail
    assert "UK Addendum" not in reading.detail.split("Safeguard: ")[1]
    assert "Transfer risk assessment done on 2025-08-20." in reading.detail
    quiz = by_item["Quiz Owl"]
    assert "Safeguard: UK adequacy regulations." in quiz.detail
    assert "risk assessment" not in quiz.detail
    draft = by_item["Draft Cloud"]
    assert draft.source == PLACEHOLDER and "the transfer safeguard" in draft.detail
    assert any("Maths Stars" in r.detail for r in rows if r.item == "No transfer")


def test_each_purpose_shows_its_art9_condition_and_schedule_1_paragraph(school, data):
    rows = {r.item: r for r in build_record(school).rows if r.section == "purposes"}

    reading = rows["Reading Owl (Proposed)"]
    assert (
        "Special category condition: Health or social care (Art 9(2)(h)), DPA 2018 Schedule 1 "
        "Part 1 paragraph 2: health or social care purposes." in reading.detail
    )
    assert "Special category" not in rows["Maths Stars (In use)"].detail
    for purpose in SCHOOL_PURPOSES:
        detail = rows[str(purpose.what)].detail
        assert str(purpose.law) in detail
        if purpose.art9:
            assert f"(Art 9(2)({purpose.art9}))" in detail
            assert f"Schedule 1 Part {1 if purpose.paragraph == '2' else 2} paragraph " in detail
            assert f"paragraph {purpose.paragraph}:" in detail
        else:
            assert "Special category" not in detail


def test_the_schools_own_use_of_photographs_is_no_recipient_nor_transfer(school, data):
    ProviderFactory(
        school=school,
        service="Photos: newsletter",
        name="The school",
        role="school",
        kind="photos",
        data_categories=["name", "photos"],
        status="in_use",
        dpa_signed_on=None,
        contract_reference="",
        contract_location="",
    )
    record = build_record(school)

    recipients = " ".join(r.item for r in record.rows if r.section == "recipients")
    assert "Maths Stars" in recipients and "Photos: newsletter" not in recipients
    transfers = " ".join(r.detail for r in record.rows if r.section == "transfers")
    assert "Photos: newsletter" not in transfers
    photos = next(r for r in record.rows if r.item == "Photographs and video")
    assert photos.detail == "Used by the school itself: Photos: newsletter."
    assert any(r.item == "Photos: newsletter (In use)" for r in record.rows)


def test_retention_comes_from_the_schools_schedule_with_reason_and_source(school, data, dpo_user):
    set_retention_period(
        actor=dpo_user,
        school=school,
        kind=Kind.CONSENT,
        amount=2,
        unit="years",
        reason="Governors want two years of evidence.",
        source="Governing body, 3 March 2026",
    )

    rows = [r for r in build_record(school).rows if r.section == "retention"]

    by_item = {r.item: r for r in rows}
    for entry in DEFAULTS:
        assert str(RecordKind(entry.kind).label) in by_item, entry.kind
    record = by_item["Educational record (last school)"]
    assert record.source == FROM_SCHEDULE
    assert "25th birthday" in record.detail and "(default)" in record.detail
    assert "IRMS Information Management Toolkit for Schools" in record.detail
    consent = by_item["Consent answers"]
    assert "2 years after the pupil leaves (set by the school)" in consent.detail
    assert "Governors want two years of evidence." in consent.detail
    assert "Source: Governing body, 3 March 2026." in consent.detail
    # No placeholder for the pupil record any more: only providers without a retention.
    assert {r.item for r in rows if r.source == PLACEHOLDER} == {
        "Reading Owl",
        "Quiz Owl",
        "Draft Cloud",
        "Old Portal",
    }
    assert by_item["Maths Stars"].detail == "Deleted on exit."


def test_the_dpos_rows_appear_in_their_section(school, data, dpo_user):
    ProcessingNote.objects.create(
        school=school, section="purposes", item="CCTV at the gate", detail="Site security."
    )

    rows = build_record(school).rows

    assert any(r.item == "CCTV at the gate" and r.section == "purposes" for r in rows)


def test_the_csv_is_formula_safe(school, data, dpo_user):
    ProcessingNote.objects.create(
        school=school, section="security", item='=HYPERLINK("x")', detail="+1 @a -b"
    )

    rows = list(csv.reader(io.StringIO(csvexport.record_csv(build_record(school)))))

    assert rows[0] == ["Section", "Item", "Detail", "Source"]
    dpo_row = next(r for r in rows if r[3] == "DPO")
    assert dpo_row[1] == '\'=HYPERLINK("x")' and dpo_row[2] == "'+1 @a -b"
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for r in rows for cell in r)


def test_the_dpo_sees_the_record_and_downloads_it_as_csv_and_pdf(
    dpo_client, school, data, tmp_path, django_assert_max_num_queries
):
    with django_assert_max_num_queries(20):
        page = dpo_client.get(RECORD)
    assert page.status_code == 200
    assert "Reading Owl" in page.content.decode()

    csv_response = dpo_client.get(RECORD_CSV)
    assert csv_response["Content-Type"].startswith("text/csv")
    assert "Old Portal" in csv_response.content.decode()

    pdf = dpo_client.get(RECORD_PDF)
    assert pdf["Content-Type"] == "application/pdf"
    path = tmp_path / "ropa.pdf"
    path.write_bytes(pdf.content)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True)
    words = " ".join(text.stdout.decode().split())
    assert "Record of processing activities" in words
    assert "Reading Owl" in words and "Durham Constabulary" in words


def test_the_record_page_makes_the_same_queries_whatever_the_number_of_providers(
    dpo_client, school, dpo_user
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    InUseProviderFactory(school=school)
    with CaptureQueriesContext(connection) as few:
        dpo_client.get(RECORD)
    for _ in range(5):
        InUseProviderFactory(school=school)
        disclose(
            school,
            dpo_user,
            gateway=LegalGateway.CRIME,
            recipient_type=RecipientType.ORGANISATION,
            recipient_name="Police",
            requested_by="PC",
            request_reason="r",
            approved_by="HT",
        )
    with CaptureQueriesContext(connection) as many:
        dpo_client.get(RECORD)

    assert len(many) == len(few)


def test_publishing_keeps_dated_numbered_versions_that_never_change(
    dpo_client, dpo_user, school, data
):
    assert dpo_client.get(PUBLISH).status_code == 405  # a GET changes nothing

    assert dpo_client.post(PUBLISH, {"school": school.pk}).status_code == 302
    InUseProviderFactory(school=school, service="New Service")
    assert dpo_client.post(PUBLISH, {"school": school.pk}).status_code == 302

    first, second = ProcessingRecordVersion.objects.order_by("version")
    assert (first.version, second.version) == (1, 2)
    assert first.published_by == dpo_user
    assert not any("New Service" in r["detail"] or "New Service" in r["item"] for r in first.rows)
    assert any("New Service" in r["item"] for r in second.rows)
    assert (
        AuditEvent.objects.filter(
            action=AuditAction.CREATE, object_type="sharing.processingrecordversion"
        ).count()
        == 2
    )
    with pytest.raises(AppendOnlyError):
        first.save()
    with pytest.raises(AppendOnlyError):
        first.delete()

    old = dpo_client.get(
        reverse("admin:sharing_processingrecordversion_version_csv", args=[first.pk])
    ).content.decode()
    assert "Reading Owl" in old and "New Service" not in old


def test_office_staff_cannot_see_the_record(office_client, school):
    assert office_client.get(RECORD).status_code == 403
    assert office_client.get(RECORD_CSV).status_code == 403
    assert office_client.post(PUBLISH, {"school": school.pk}).status_code == 403
    assert not ProcessingRecordVersion.objects.exists()


def test_another_schools_dpo_cannot_ask_for_this_schools_record(other_school_client, school):
    assert other_school_client.get(RECORD, {"school": school.pk}).status_code == 404
    assert other_school_client.post(PUBLISH, {"school": school.pk}).status_code == 404
    version = publish_processing_record(actor="test", school=school)
    url = reverse("admin:sharing_processingrecordversion_version_csv", args=[version.pk])
    assert other_school_client.get(url).status_code == 404


def test_the_record_page_names_its_list_and_itself_once_each(dpo_client, school):
    import re

    html = dpo_client.get(RECORD).content.decode()
    crumbs = re.search(r'<ol class="breadcrumbs">(.*?)</ol>', html, re.S).group(1)
    words = " › ".join(re.sub(r"<[^>]+>", "", c).strip() for c in crumbs.split("</li>")[:-1])
    assert words.endswith("Record of processing activities › Today's record")
    assert words.count("Record of processing activities") == 1
