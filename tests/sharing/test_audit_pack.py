"""The audit pack for an ICO visit: one zip that opens, with each part in
it and readable; only the DPO may take it, and the trail says who did."""

import csv
import datetime
import io
import subprocess
import zipfile

from django.urls import reverse
from django.utils import timezone

from providers import services as provider_services
from pupils.models import AuditAction, AuditEvent
from sharing.access.services import open_access_request
from sharing.breaches.services import assess_breach, record_breach_notification, report_breach
from sharing.disclosures.services import log_disclosure
from sharing.models import DataCategory, Dataset, LegalGateway, RecipientType, SendMethod

from ..factories import InUseProviderFactory, ProviderFactory, PupilFactory

PACK = reverse("admin:sharing_processingrecordversion_audit_pack")

EXPECTED = {
    "README.txt",
    "record-of-processing.pdf",
    "record-of-processing.csv",
    "breach-register.pdf",
    "breach-register.csv",
    "provider-register.csv",
    "disclosure-log-summary.csv",
    "requests-register.csv",
    "privacy-notice.html",
    "appropriate-policy-document.html",
    "dpia-register.csv",
    "contracts.csv",
    "retention-schedule.csv",
}


def signed_off_dpia(provider, dpo_user):
    draft = provider_services.start_dpia(provider=provider, actor=dpo_user)
    draft.risks = "Reading levels seen by the supplier's staff."
    draft.measures = "Forename and class only; deleted on exit."
    draft.residual_risk = "low"
    draft.dpo_advice = "Go ahead with the measures."
    draft.decision = "measures"
    draft.review_on = timezone.localdate() + datetime.timedelta(days=365)
    draft.save()
    return provider_services.sign_off_dpia(dpia=draft, actor=dpo_user)


def pdf_words(body: bytes, tmp_path, name: str) -> str:
    path = tmp_path / name
    path.write_bytes(body)
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True)
    return " ".join(out.stdout.decode().split())


def rows(archive: zipfile.ZipFile, name: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(archive.read(name).decode())))


def test_the_audit_pack_opens_and_contains_each_part(dpo_client, dpo_user, school, tmp_path):
    pupil = PupilFactory(school=school)
    provider = InUseProviderFactory(school=school, service="Maths Stars")
    provider_services.record_assessment(
        provider=provider, answers={}, decision="approve", actor=dpo_user, notes=""
    )
    provider_services.publish_notice(
        notice=provider_services.draft_notice(school=school, actor=dpo_user), actor=dpo_user
    )
    provider_services.publish_policy_document(
        document=provider_services.draft_policy_document(school=school, actor=dpo_user),
        actor=dpo_user,
    )
    owl_watch = ProviderFactory(
        school=school,
        service="Owl Watch",
        data_categories=["name", "health"],
        art9_condition="h",
        schedule1_paragraph="2",
        storage_location="idta",
        transfer_safeguard="idta",
        transfer_risk_assessed_on=datetime.date(2025, 8, 20),
    )
    dpia = signed_off_dpia(owl_watch, dpo_user)
    provider_services.start_dpia(provider=provider, actor=dpo_user)  # a draft: listed only
    ProviderFactory(school=school, service="Proposed Only")  # not in use: no contract row
    breach = report_breach(
        actor=dpo_user,
        school=school,
        summary="=Register left on the bus",
        discovered_at=timezone.now() - datetime.timedelta(hours=3),
        noticed_by="Driver",
        data_involved="Attendance register",
        people_categories=["pupils"],
        people_affected=30,
    )
    assess_breach(
        actor=dpo_user,
        breach=breach,
        became_aware_at=breach.discovered_at,
        likelihood="possible",
        severity="significant",
        likely_consequences="Names and attendance seen by strangers.",
        containment="The register was handed back by the bus company.",
        ico_decision="report",
        ico_reason="A risk to the pupils' privacy.",
        tell_people="not_tell",
        tell_people_reason="Low harm; the register was recovered sealed.",
    )
    told_at = timezone.now() - datetime.timedelta(hours=1)
    record_breach_notification(
        actor=dpo_user,
        breach=breach,
        audience="ico",
        notified_at=told_at,
        method="ico_form",
        reference="IC-000123",
        content="=Reported through the ICO's online form: register left on a bus, recovered.",
    )
    log_disclosure(
        actor=dpo_user,
        school=school,
        recipient_type=RecipientType.REQUESTER,
        recipient_name="Mrs Alexandra Parentname",
        gateway=LegalGateway.SUBJECT_ACCESS,
        dataset=Dataset.SUBJECT_ACCESS,
        pupils=[pupil],
        categories=[DataCategory.IDENTITY],
        method=SendMethod.SECURE_EMAIL,
    )
    open_access_request(
        actor=dpo_user,
        school=school,
        pupils=[pupil],
        requester_name="Mrs Alexandra Parentname",
        requester_relationship="parent",
        channel="email",
        received_at=timezone.now() - datetime.timedelta(days=2),
    )

    response = dpo_client.get(PACK)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert archive.testzip() is None
    dpia_file = f"dpias/owl-watch-{dpia.provider_id}-v1.txt"
    assert set(archive.namelist()) == EXPECTED | {dpia_file}
    readme = archive.read("README.txt").decode()
    for name in archive.namelist():
        assert archive.read(name).strip(), name  # every part has something in it
        if name != "README.txt":
            assert f"- {name}: " in readme, name  # and is in the contents list

    ropa = pdf_words(archive.read("record-of-processing.pdf"), tmp_path, "ropa.pdf")
    assert "Record of processing activities" in ropa and "Maths Stars" in ropa
    assert any("Maths Stars" in r[1] for r in rows(archive, "record-of-processing.csv"))

    register = pdf_words(archive.read("breach-register.pdf"), tmp_path, "breaches.pdf")
    assert "Breach register" in register and "Register left on the bus" in register
    # Each notification: who, when, how, reference, what was said.
    assert "The ICO" in register and "IC-000123" in register
    assert "ICO online breach report form" in register
    assert "Reported through the ICO's online form" in register
    breaches = rows(archive, "breach-register.csv")
    assert breaches[1][3] == "'=Register left on the bus"  # formula-safe
    told = breaches[1][
        breaches[0].index("Notifications (who; when; how; reference; what was said)")
    ]
    when = f"{timezone.localtime(told_at):%Y-%m-%d %H:%M}"
    assert told == (
        f"The ICO; {when}; ICO online breach report form; reference IC-000123; "
        "=Reported through the ICO's online form: register left on a bus, recovered."
    )

    providers = rows(archive, "provider-register.csv")
    header = providers[0]
    maths = dict(zip(header, providers[1], strict=True))
    assert maths["Service"] == "Maths Stars" and maths["Last assessed"] != ""  # its assessment
    owl = dict(zip(header, next(r for r in providers if r[0] == "Owl Watch"), strict=True))
    assert owl["Art 9 condition"] == "Health or social care (Art 9(2)(h))"
    assert owl["Schedule 1 paragraph"].startswith("Schedule 1 Part 1 paragraph 2")
    assert owl["Transfer safeguard"] == "International Data Transfer Agreement (IDTA)"
    assert owl["Transfer risk assessment"] == "2025-08-20"

    summary = rows(archive, "disclosure-log-summary.csv")
    assert summary[1][2] == "(people: not named)" and summary[1][4] == "1"

    requests = rows(archive, "requests-register.csv")
    assert len(requests) == 2 and requests[1][3] == "Parent"
    everything = b" ".join(archive.read(n) for n in archive.namelist() if not n.endswith(".pdf"))
    assert b"Parentname" not in everything  # a requester is never named

    assert "Maths Stars" in archive.read("privacy-notice.html").decode()
    policy = archive.read("appropriate-policy-document.html").decode()
    assert "<h1>" in policy and "Version 1, published" in policy

    register = rows(archive, "dpia-register.csv")
    assert [(r[0], r[2], r[3]) for r in register[1:]] == [
        ("Maths Stars", "1", "Draft"),
        ("Owl Watch", "1", "Signed off by the DPO"),
    ]
    assert register[2][-1] == dpia_file and register[1][-1] == ""
    text = archive.read(dpia_file).decode()
    assert "Owl Watch" in text and "Forename and class only; deleted on exit." in text
    assert "Go ahead with the measures listed" in text

    contracts = rows(archive, "contracts.csv")
    assert [r[0] for r in contracts[1:]] == ["Maths Stars"]  # in use only
    assert contracts[1][3] == "2025-09-01" and contracts[1][4] == provider.contract_reference
    assert contracts[1][5] == "Contracts file in the school office" and contracts[1][6] == "No"

    schedule = rows(archive, "retention-schedule.csv")
    assert schedule[0] == ["Kind of record", "Kept", "Set by", "Reason", "Source"]
    assert [r[0] for r in schedule if "25th" in r[1]] == ["Educational record (last school)"]
    assert AuditEvent.objects.filter(
        action=AuditAction.EXPORT, summary="Audit pack downloaded"
    ).exists()


def test_the_audit_pack_opens_for_a_school_with_nothing_yet(dpo_client):
    archive = zipfile.ZipFile(io.BytesIO(dpo_client.get(PACK).content))

    assert set(archive.namelist()) == EXPECTED
    assert b"No privacy notice" in archive.read("privacy-notice.html")
    assert b"No appropriate policy document" in archive.read("appropriate-policy-document.html")
    assert len(rows(archive, "dpia-register.csv")) == 1  # the header
    assert len(rows(archive, "retention-schedule.csv")) == 11  # the header and 10 kinds


def test_office_staff_cannot_download_the_audit_pack(office_client):
    assert office_client.get(PACK).status_code == 403
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


def test_another_schools_dpo_cannot_ask_for_this_schools_pack(other_school_client, school):
    assert other_school_client.get(PACK, {"school": school.pk}).status_code == 404


# --- The registers on their own, from their lists ----------------------------------

BASE = "/admin/sharing/processingrecordversion/export/"


def test_the_breach_register_downloads_with_its_notifications_formula_safe_and_audited(
    dpo_client, dpo_user, school
):
    breach = report_breach(
        actor=dpo_user,
        school=school,
        summary="@Laptop stolen from a car",
        discovered_at=timezone.now() - datetime.timedelta(hours=5),
        noticed_by="Teacher",
        data_involved="Reading records",
        people_categories=["pupils"],
        people_affected=28,
    )
    response = dpo_client.get(f"{BASE}breaches.csv")
    assert response["Content-Disposition"].startswith('attachment; filename="breach-register-')
    table = list(csv.reader(io.StringIO(response.content.decode())))
    assert table[1][0] == breach.reference and table[1][3] == "'@Laptop stolen from a car"
    assert AuditEvent.objects.filter(
        action=AuditAction.EXPORT, summary="Breach register downloaded (CSV)", school_id=school.pk
    ).exists()
    assert f"{BASE}breaches.csv" in dpo_client.get("/admin/sharing/breach/").content.decode()


def test_the_dpia_register_downloads_from_the_dpia_list(dpo_client, dpo_user, school):
    signed_off_dpia(ProviderFactory(school=school, service="=Owl Watch"), dpo_user)
    response = dpo_client.get(f"{BASE}dpias.csv")
    table = list(csv.reader(io.StringIO(response.content.decode())))
    assert table[1][:4] == ["'=Owl Watch", table[1][1], "1", "Signed off by the DPO"]
    assert AuditEvent.objects.filter(summary="DPIAs downloaded (CSV)").exists()
    assert f"{BASE}dpias.csv" in dpo_client.get("/admin/providers/dpia/").content.decode()


def test_the_contracts_register_lists_processors_in_use_not_the_schools_own_photographs(
    dpo_client, school
):
    InUseProviderFactory(school=school, service="-Maths Stars")
    InUseProviderFactory(
        school=school,
        service="Photos: newsletter",
        name="The school",
        kind="photos",
        data_categories=["name", "photos"],
        dpa_signed_on=None,
        contract_reference="",
        contract_location="",
    )
    response = dpo_client.get(f"{BASE}contracts.csv")
    table = list(csv.reader(io.StringIO(response.content.decode())))
    assert [r[0] for r in table[1:]] == ["'-Maths Stars"]
    assert AuditEvent.objects.filter(summary="Contracts register downloaded (CSV)").exists()
    assert f"{BASE}contracts.csv" in dpo_client.get("/admin/providers/provider/").content.decode()


def test_office_staff_cannot_download_the_registers_on_their_own(office_client, school):
    for which in ("breaches", "dpias", "contracts"):
        assert office_client.get(f"{BASE}{which}.csv").status_code == 403
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()
