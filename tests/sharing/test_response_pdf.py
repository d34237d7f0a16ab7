"""The response PDF: read back with pdftotext, every section there, nothing
of anyone else, hostile field values fetch and embed nothing."""

import datetime
import http.server
import subprocess
import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from providers.models import Provider
from pupils.models import AuditAction, AuditEvent, Destination, Exclusion, SenNeed
from sharing.access import pdf_worker
from sharing.access import services as access
from sharing.access.pdf import PdfRenderError, RenderLimits, render_pdf, static_roots
from sharing.access.record import gather_access_record
from sharing.access.response import produce_access_response
from sharing.models import RedactionGround, RedactionOutcome

from ..factories import (
    AccessRequestFactory,
    AssessmentFactory,
    AttendanceFactory,
    ContactFactory,
    MedicalConditionFactory,
    PupilContactFactory,
    PupilFactory,
    SpecialCategoryFactory,
    UserFactory,
)


def pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "response.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True)
    return " ".join(out.stdout.decode().split())


def attachments(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "attached.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdfdetach", "-list", str(path)], capture_output=True, check=True, text=True
    ).stdout


def links(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "links.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdfinfo", "-url", str(path)], capture_output=True, check=True, text=True
    ).stdout


# A provider in use needs its Art 28 contract on record.
CONTRACT = {
    "dpa_signed_on": datetime.date(2025, 9, 1),
    "contract_reference": "DPA-1",
    "contract_location": "Office file",
}


def make_provider(school, service, status="in_use"):
    return Provider.objects.create(
        school=school,
        name=f"{service} Ltd",
        service=service,
        purpose="Reading practice at home",
        storage_location="uk",
        lawful_basis="public_task",
        status=status,
        data_fields="forename, class",
        **CONTRACT,
    )


@pytest.fixture
def family(school, other_school):
    """A pupil with a full record, her brother, and a pupil of another school."""
    pupil = PupilFactory(
        school=school,
        legal_forename="Zephyrine",
        legal_surname="Quillfeather",
        middle_names="Marigold",
        first_language="Polish",
        upn="B801200005001",
    )
    mother = PupilContactFactory(
        pupil=pupil,
        relationship="PAM",
        contact=ContactFactory(school=school, forename="Ottoline", surname="Quillfeather"),
    ).contact
    father = PupilContactFactory(
        pupil=pupil,
        relationship="PAF",
        priority=2,
        contact=ContactFactory(
            school=school, forename="Barnabus", surname="Quillfeather", phone_mobile="07700 955501"
        ),
    ).contact
    brother = PupilFactory(school=school, legal_forename="Thaddeus", legal_surname="Quillfeather")
    PupilContactFactory(pupil=brother, contact=mother, relationship="PAM")
    AssessmentFactory(pupil=brother, result="Brotherscore")
    MedicalConditionFactory(pupil=brother, condition="Hayfeverish")
    AttendanceFactory(pupil=pupil, academic_year=2024, possible_sessions=147)
    AttendanceFactory(pupil=brother, academic_year=2024, possible_sessions=151)
    AssessmentFactory(
        pupil=pupil,
        stage="KS1",
        subject="Mathematics",
        method="TA",
        result="GDS",
        source="previous_school",
        source_detail="CTF from Stanley Crook Primary",
    )
    Exclusion.objects.create(
        pupil=pupil,
        category="SUSP",
        reason="DA",
        start_date=datetime.date(2025, 10, 6),
        sessions=Decimal("2"),
    )
    SpecialCategoryFactory(pupil=pupil, ethnicity="WOTH", sen_provision="K")
    SenNeed.objects.create(pupil=pupil, need_type="SLCN", notes="Speech therapy on Tuesdays")
    MedicalConditionFactory(pupil=pupil, condition="Coeliac disease", notes="Gluten-free lunches")
    Destination.objects.create(pupil=pupil, school_name="Parkside Academy", urn="137099")
    make_provider(school, "Readwise Junior")
    make_provider(school, "Retiredbook", status="retired")
    make_provider(other_school, "Elsewhereapp")
    outsider = PupilFactory(school=other_school, legal_forename="Outsideria")
    # Consent history (given, then withdrawn) and a disclosure; the brother's
    # consent and disclosure must not appear.
    _consent_and_disclosure_history(school, pupil, brother, mother)
    request = AccessRequestFactory(
        school=school,
        pupils=[pupil],
        requester_name="Ottoline Quillfeather",
        identity_checked=True,
    )
    return {
        "pupil": pupil,
        "mother": mother,
        "father": father,
        "brother": brother,
        "outsider": outsider,
        "request": request,
    }


def _consent_and_disclosure_history(school, pupil, brother, mother):
    from consent.services import record_consent
    from sharing.disclosures.services import log_disclosure

    photos = Provider.objects.create(
        school=school,
        name="Snapjournal Ltd",
        service="Snapjournal",
        purpose="A photo journal of learning",
        storage_location="uk",
        lawful_basis="consent",
        status="in_use",
        offline_alternative="A paper journal",
        **CONTRACT,
    )
    staff = UserFactory(username="recorder", school=school)
    for given in (True, False):
        record_consent(
            actor=staff,
            pupil=pupil,
            provider=photos,
            given=given,
            given_by_contact=mother,
            method="paper",
        )
    record_consent(
        actor=staff,
        pupil=brother,
        provider=photos,
        given=True,
        given_by_contact=mother,
        method="phone",
    )
    log_disclosure(
        actor=staff,
        school=school,
        recipient_type="organisation",
        recipient_name="Durham Children's Social Care",
        gateway="safeguarding",
        dataset="ad_hoc",
        pupils=[pupil],
        categories=["identity", "safeguarding"],
        method="secure_email",
        requested_by="Duty social worker",
        request_reason="Section 47 enquiry",
        approved_by="Designated safeguarding lead",
    )
    log_disclosure(
        actor=staff,
        school=school,
        recipient_type="organisation",
        recipient_name="Brotherly Speech Clinic",
        gateway="consent",
        basis_detail="Parent's written consent",
        dataset="ad_hoc",
        pupils=[brother],
        categories=["identity"],
        method="post",
    )


def test_the_response_has_every_section_of_a_full_record(family, dpo_user, tmp_path):
    pupil, request = family["pupil"], family["request"]
    pdf = produce_access_response(actor=dpo_user, request=request, pupil=pupil)
    text = pdf_text(pdf, tmp_path)

    for expected in [
        # Cover letter
        "Dear Ottoline Quillfeather",
        "which we received on 3 September 2026",
        "the personal data about Zephyrine Quillfeather",
        "that we found in the places we searched",
        "Where we searched",
        "We searched only the pupil records system",
        # Details
        "Personal details",
        "Zephyrine Marigold Quillfeather",
        "B801200005001",
        "14 May 2017",
        "Polish",
        # Contacts
        "Parents, carers and contacts",
        "Mother",
        "Father",
        # Assessments, with their source
        "Assessment results",
        "GDS",
        "Previous school: CTF from Stanley Crook Primary",
        # Attendance
        "Attendance",
        "147",
        # Exclusions
        "Exclusions and suspensions",
        "Drug and alcohol related",
        "6 October 2025",
        # SEN and ethnicity
        "Ethnicity and special educational needs",
        "Any other White background",
        "SEN support",
        "Speech, language and communication needs",
        "Speech therapy on Tuesdays",
        # Medical
        "Medical conditions",
        "Coeliac disease",
        "Gluten-free lunches",
        # Destination
        "Parkside Academy",
        # Providers in use
        "Services that receive the pupil's data",
        "Readwise Junior",
        # Consents, with their history
        "Consent to online services, with its history",
        "Snapjournal",
        "Paper form",
        # Every disclosure of the pupil's data
        "Who the school has shared the pupil's data with",
        "Durham Children's Social Care",
        # For each category: purpose, lawful basis, source, retention
        "Why we hold it",
        "Lawful basis",
        "Where it came from",
        "How long we keep it",
        "14 May 2042",  # 25th birthday
        # Withheld, rights
        "What we withheld or redacted, and why",
        "Rectification",
        "Erasure",
        "object",
        "Information Commissioner",
        # Page numbers and running header
        "Page 1 of",
        "Subject access response: Zephyrine Quillfeather",
    ]:
        assert expected in text, expected


def test_the_response_shows_nothing_of_another_pupil_or_a_sibling(family, dpo_user, tmp_path):
    pdf = produce_access_response(actor=dpo_user, request=family["request"], pupil=family["pupil"])
    text = pdf_text(pdf, tmp_path)
    brother, outsider = family["brother"], family["outsider"]
    for foreign in [
        "Thaddeus",
        brother.upn,
        "Brotherscore",
        "Brotherly Speech Clinic",
        "Hayfeverish",
        "151",
        "Outsideria",
        outsider.upn,
        "Elsewhereapp",
        "Retiredbook",
    ]:
        assert foreign not in text, foreign


def test_family_members_are_redacted_unless_staff_decided_to_disclose(family, dpo_user, tmp_path):
    request, father = family["request"], family["father"]
    request.requester_contact = family["mother"]
    request.save()
    access.record_redaction(
        actor=dpo_user,
        request=request,
        contact=father,
        outcome=RedactionOutcome.REDACT,
        ground=RedactionGround.THIRD_PARTY,
        reason="Father has not agreed; the parents are separated",
    )
    access.record_redaction(
        actor=dpo_user,
        request=request,
        item="Note from the school nurse",
        outcome=RedactionOutcome.WITHHOLD,
        ground=RedactionGround.SERIOUS_HARM,
        reason="Health professional advised against disclosure",
    )
    text = pdf_text(
        produce_access_response(actor=dpo_user, request=request, pupil=family["pupil"]),
        tmp_path,
    )
    # The requester's own details are hers to see; the father's are redacted.
    assert "Ottoline" in text
    assert "Barnabus" not in text
    assert "07700 955501" not in text
    assert "[redacted: third party]" in text
    # The decisions are listed, without naming the third party; staff's
    # reasons stay in the request (they may reveal what they are about).
    assert "A contact (Father)" in text
    assert "the parents are separated" not in text
    assert "Note from the school nurse" in text
    assert "Likely to cause serious harm" in text


def test_a_disclosure_decision_shows_that_family_members_details(family, dpo_user, tmp_path):
    access.record_redaction(
        actor=dpo_user,
        request=family["request"],
        contact=family["father"],
        outcome=RedactionOutcome.DISCLOSE,
        ground=RedactionGround.THIRD_PARTY_CONSENTED,
        reason="Father agreed in writing",
    )
    text = pdf_text(
        produce_access_response(actor=dpo_user, request=family["request"], pupil=family["pupil"]),
        tmp_path,
    )
    assert "Barnabus" in text
    assert "Ottoline" not in text.split("Parents, carers and contacts")[1]


def test_producing_the_response_is_on_the_pupils_trail(family, dpo_user):
    produce_access_response(actor=dpo_user, request=family["request"], pupil=family["pupil"])
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert event.actor == dpo_user
    assert event.pupil_id == family["pupil"].pk


def test_a_pupil_outside_the_request_cannot_be_answered_for(family, dpo_user):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="not part of this request"):
        produce_access_response(actor=dpo_user, request=family["request"], pupil=family["brother"])


def test_gathering_costs_the_same_queries_for_a_short_and_a_long_record(school):
    short, long = PupilFactory(school=school), PupilFactory(school=school)
    AttendanceFactory(pupil=short)
    for year in range(2019, 2026):
        for term in ("AUT", "SPR", "SUM"):
            AttendanceFactory(pupil=long, academic_year=year, term=term)
        AssessmentFactory(pupil=long, academic_year=year)
        MedicalConditionFactory(pupil=long, condition=f"Condition {year}")
        PupilContactFactory(pupil=long, priority=year - 2018)
    request = AccessRequestFactory(school=school, pupils=[short, long])

    counts = []
    for pupil in (short, long):
        with CaptureQueriesContext(connection) as ctx:
            record = gather_access_record(pupil.pk, request=request)
            assert record.sections
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1] <= 13  # the systems searched are the thirteenth


# --- Hostile values and the fetcher ----------------------------------------------


class Listener:
    """A real local HTTP server that records every request it receives."""

    def __init__(self):
        self.hits: list[str] = []
        hits = self.hits

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                hits.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def test_hostile_values_in_pupil_fields_fetch_nothing_and_embed_nothing(school, dpo_user, tmp_path):
    with Listener() as listener:
        base = f"http://127.0.0.1:{listener.port}"
        pupil = PupilFactory(
            school=school,
            legal_forename=f"<img src={base}/x>",
            middle_names="<link rel=attachment href=file:///etc/passwd>",
            address_line1=f'<style>@import url("{base}/style.css");</style>',
        )
        MedicalConditionFactory(
            pupil=pupil,
            condition=f"<object data={base}/o></object>",
            notes=f'<style>@import url("{base}/evil.css");</style><a href="{base}/a">x</a>',
        )
        request = AccessRequestFactory(school=school, pupils=[pupil], identity_checked=True)
        pdf = produce_access_response(actor=dpo_user, request=request, pupil=pupil)

        assert listener.hits == []
    assert "0 embedded files" in attachments(pdf, tmp_path)
    text = pdf_text(pdf, tmp_path)
    # Shown as the text that was typed, never as markup (a long value may
    # wrap inside its table column).
    assert f"<img src={base}/x>" in text
    unwrapped = "".join(text.split())
    assert "<linkrel=attachmenthref=file:///etc/passwd>" in unwrapped
    assert "@import url(" in text
    assert "root:x:0:0" not in text
    assert "127.0.0.1" not in links(pdf, tmp_path)  # no link to the listener either


def test_the_worker_refuses_any_fetch_outside_the_static_files(tmp_path):
    with Listener() as listener:
        markup = f'<html><body><img src="http://127.0.0.1:{listener.port}/x"></body></html>'
        with pytest.raises(PdfRenderError, match="refused to load"):
            render_pdf(markup)
        assert listener.hits == []
    attached = '<html><head><link rel="attachment" href="file:///etc/passwd"></head></html>'
    with pytest.raises(PdfRenderError, match="refused to load"):
        render_pdf(attached)


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://127.0.0.1/x.css",
        "https://static.sar.invalid/../../../etc/passwd",
        "https://static.sar.invalid/sharing/../../../../etc/hosts.css",
        "https://static.sar.invalid/sharing/%2e%2e/x.css",
        "https://static.sar.invalid/sharing/access-response.css?x=1",
        "https://static.sar.invalid/sharing/missing.css",
        "data:text/css,body{}",
    ],
)
def test_only_the_projects_static_files_can_be_resolved(url):
    roots = [pdf_worker.Path(p) for p in static_roots()]
    with pytest.raises(ValueError):
        pdf_worker.resolve_static(url, roots)


def test_the_stylesheet_is_served_from_the_static_files():
    roots = [pdf_worker.Path(p) for p in static_roots()]
    path = pdf_worker.resolve_static(
        pdf_worker.STATIC_ORIGIN + "sharing/access-response.css", roots
    )
    assert path.name == "access-response.css"


def test_a_runaway_render_is_stopped_and_the_next_one_works():
    rows = "".join(f"<tr><td>{i}</td><td>row {i}</td></tr>" for i in range(20000))
    with pytest.raises(PdfRenderError, match="longer than 2 seconds"):
        render_pdf(f"<html><body><table>{rows}</table></body></html>", limits=RenderLimits(2))
    assert render_pdf("<html><body><p>Still serving</p></body></html>").startswith(b"%PDF")


def test_a_render_over_its_memory_limit_is_stopped():
    with pytest.raises(PdfRenderError, match="could not be produced"):
        # A warm child starts with WeasyPrint's memory already mapped: 40 MB
        # leaves no room for a document's layout.
        table = "".join(f"<tr><td>{i}</td><td>row {i}</td></tr>" for i in range(100))
        render_pdf(f"<table>{table}</table>", limits=RenderLimits(60, memory_mb=40))


def test_the_worker_is_given_no_secrets(monkeypatch):
    from sharing.access.pdf import worker_env

    monkeypatch.setenv("SECRET_KEY", "very-secret")
    monkeypatch.setenv("DATABASE_URL", "postgres://user:pw@db/x")
    env = worker_env()
    assert "SECRET_KEY" not in env and "DATABASE_URL" not in env
    assert env.get("PATH")


def test_producing_the_response_logs_no_disclosure_and_sending_it_logs_one(
    family, dpo_user, tmp_path
):
    import hashlib

    from sharing.access.response import record_response_sent
    from sharing.models import AccessResponse, Disclosure

    pupil, request = family["pupil"], family["request"]
    before = Disclosure.objects.count()
    produce_access_response(actor=dpo_user, request=request, pupil=pupil)
    pdf = produce_access_response(actor=dpo_user, request=request, pupil=pupil)
    assert Disclosure.objects.count() == before  # produced twice, sent never
    assert AccessResponse.objects.filter(request=request).count() == 2

    for _ in range(2):  # recording it twice logs it once
        record_response_sent(
            actor=dpo_user,
            request=request,
            pupil=pupil,
            sent_on=request.received_on,
            method="secure_email",
            sent_to="Ottoline Quillfeather, ottoline@family.example",
            file_bytes=pdf,
        )

    entry = Disclosure.objects.get(dataset="subject_access")
    assert entry.recipient_type == "requester"
    assert entry.recipient_name == "Ottoline Quillfeather"
    assert entry.gateway == "subject_access"
    assert list(entry.pupils.all()) == [pupil]
    assert entry.file_sha256 == hashlib.sha256(pdf).hexdigest()
    assert {"identity", "medical", "sen", "ethnicity"} <= set(entry.categories)
    assert entry.sent_by == dpo_user
    sent = AccessResponse.objects.get(sent_on__isnull=False)
    assert (sent.sent_method, sent.disclosure) == ("secure_email", entry)


def test_a_draft_cannot_be_recorded_as_sent(family, dpo_user):
    from django.core.exceptions import ValidationError

    from sharing.access.response import record_response_sent
    from sharing.models import Disclosure

    pupil, request = family["pupil"], family["request"]
    produce_access_response(actor=dpo_user, request=request, pupil=pupil)
    draft = produce_access_response(actor=dpo_user, request=request, pupil=pupil, draft=True)
    with pytest.raises(ValidationError, match="a draft is never sent"):
        record_response_sent(
            actor=dpo_user,
            request=request,
            pupil=pupil,
            sent_on=request.received_on,
            method="post",
            sent_to="Ottoline",
            file_bytes=draft,
        )
    assert not Disclosure.objects.filter(dataset="subject_access").exists()


def test_a_response_is_refused_while_identity_is_unchecked(family, dpo_user):
    from django.core.exceptions import ValidationError

    request = family["request"]
    request.identity_check, request.identity_checked_on = "", None
    request.save()
    with pytest.raises(ValidationError, match="identity has not been checked"):
        produce_access_response(actor=dpo_user, request=request, pupil=family["pupil"])
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


def test_a_draft_is_marked_on_every_page_and_logs_an_export_only(family, dpo_user, tmp_path):
    from sharing.models import AccessResponse, Disclosure

    request = family["request"]
    request.identity_check, request.identity_checked_on = "", None  # drafts need no check
    request.save()
    before = Disclosure.objects.count()
    pdf = produce_access_response(
        actor=dpo_user, request=request, pupil=family["pupil"], draft=True
    )
    path = tmp_path / "draft.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
    pages = int(next(x for x in info.stdout.splitlines() if x.startswith("Pages:")).split()[1])
    assert pages > 1
    for page in range(1, pages + 1):
        text = subprocess.run(
            ["pdftotext", "-f", str(page), "-l", str(page), str(path), "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        assert "Draft - not for sending" in text, page
    assert Disclosure.objects.count() == before
    assert not AccessResponse.objects.exists()
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert "draft" in event.summary


def providers_listed(pupil, request=None) -> tuple[list[str], list[str]]:
    from sharing.access.record import gather_access_record

    record = gather_access_record(pupil.pk, request=request)
    section = next(s for s in record.sections if s.key == "providers")
    return [row[0] for row in section.rows], section.notes


def test_a_service_the_parent_said_no_to_is_not_listed_as_receiving_the_data(family):
    # Her mother gave consent to Snapjournal, then withdrew it.
    services, notes = providers_listed(family["pupil"], family["request"])
    assert "Readwise Junior" in services  # public task: no consent needed
    assert "Snapjournal" not in services
    assert any(n.startswith("Snapjournal does not receive") for n in notes)


def test_a_service_with_current_consent_is_listed_as_receiving_the_data(family):
    services, notes = providers_listed(family["brother"])
    assert "Snapjournal" in services
    assert notes == []
